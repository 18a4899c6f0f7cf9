package chainrule.parse;

import java.util.List;

/**
 * The syntax tree of a {@code .nn} file, exactly as written, with positions. It is produced by
 * {@link SourceParser} and consumed by the analyser in {@code chainrule.model}, which resolves names
 * and lowers expressions to {@link chainrule.expr.Expr}. ANTLR's parse tree never gets past
 * {@code AstBuilder}.
 */
public final class Ast {
    private Ast() {}

    /** A position: 1-based line and column (in code points) and the length to underline. */
    public record Pos(int line, int column, int length) {
        public static final Pos NONE = new Pos(1, 1, 1);
    }

    /** An identifier where it was written. */
    public record Name(String text, Pos pos) {}

    public record File(List<Statement> statements) {}

    public sealed interface Statement permits Declaration, Definition, FunctionDef {}

    /** The declaration keywords, in the words of the language. */
    public enum DeclKind {
        INPUT("input"), TARGET("target"), WEIGHT("weight"), BIAS("bias"), CONST("const");

        private final String keyword;

        DeclKind(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() { return keyword; }

        public boolean isParameter() { return this == WEIGHT || this == BIAS; }
    }

    /** {@code weight w1 = 0.15, w2}. */
    public record Declaration(DeclKind kind, Pos keyword, List<Declarator> declarators) implements Statement {}

    /** One declared name, its optional shape ({@code [128, 784]}), optional random initialisation and optional value. */
    public record Declarator(Name name, List<Dim> shape, Init init, Value value) {
        /** A declarator without random initialisation. */
        public Declarator(Name name, List<Dim> shape, Value value) {
            this(name, shape, null, value);
        }
    }

    /**
     * {@code ~ he_normal} or {@code ~ normal(0, 0.1)}: how to draw the values not written.
     * {@code pos} spans from the name to the closing parenthesis.
     */
    public record Init(Name name, List<Scalar> arguments, Pos pos) {}

    /** One extent of a shape, as written (validated by the analyser). */
    public record Dim(String text, Pos pos) {}

    public sealed interface Value permits Scalar, Array {
        Pos pos();
    }

    public record Scalar(String text, double value, Pos pos) implements Value {}

    public record Array(List<Value> items, Pos pos) implements Value {}

    /** {@code name = expr}, or {@code loss name = expr}. */
    public record Definition(Name name, boolean isLoss, Expr body) implements Statement {}

    /** {@code function name(p, q) = expr}. */
    public record FunctionDef(Name name, List<Name> params, Expr body) implements Statement {}

    public sealed interface Expr permits Number, NameRef, Call, Index, Unary, Binary {
        /** Where to point when this expression is at fault. */
        Pos pos();

        <R> R accept(Visitor<R> v);
    }

    /** One method per expression form, so a missing case is a compile error (Java 17 has no pattern switch). */
    public interface Visitor<R> {
        R number(Number e);
        R name(NameRef e);
        R call(Call e);
        R index(Index e);
        R unary(Unary e);
        R binary(Binary e);
    }

    public record Number(String text, double value, Pos pos) implements Expr {
        @Override public <R> R accept(Visitor<R> v) { return v.number(this); }
    }

    public record NameRef(Name name) implements Expr {
        @Override public Pos pos() { return name.pos(); }

        @Override public <R> R accept(Visitor<R> v) { return v.name(this); }
    }

    /** {@code f(a, b)}; {@code pos} is the function name's. */
    public record Call(Name fn, List<Expr> args, Pos pos) implements Expr {
        @Override public <R> R accept(Visitor<R> v) { return v.call(this); }
    }

    /** {@code x[i]} or {@code W[i, j]}. */
    public record Index(Name target, List<Expr> indices, Pos pos) implements Expr {
        @Override public <R> R accept(Visitor<R> v) { return v.index(this); }
    }

    public enum UnaryOp { NEGATE, PLUS }

    public record Unary(UnaryOp op, Expr operand, Pos pos) implements Expr {
        @Override public <R> R accept(Visitor<R> v) { return v.unary(this); }
    }

    public enum BinaryOp {
        ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), POWER("^"), MATMUL("@");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() { return symbol; }
    }

    /** {@code pos} is the operator's position. */
    public record Binary(BinaryOp op, Expr left, Expr right, Pos pos) implements Expr {
        @Override public <R> R accept(Visitor<R> v) { return v.binary(this); }
    }

    /** Every sub-expression of {@code e}, {@code e} first (pre-order). */
    public static List<Expr> subexpressions(Expr e) {
        List<Expr> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<Expr> stack = new java.util.ArrayDeque<>();
        stack.push(e);
        while (!stack.isEmpty()) {
            Expr x = stack.pop();
            out.add(x);
            List<Expr> kids = x.accept(new Visitor<List<Expr>>() {
                @Override public List<Expr> number(Number n) { return List.of(); }
                @Override public List<Expr> name(NameRef n) { return List.of(); }
                @Override public List<Expr> call(Call c) { return c.args(); }
                @Override public List<Expr> index(Index i) { return i.indices(); }
                @Override public List<Expr> unary(Unary u) { return List.of(u.operand()); }
                @Override public List<Expr> binary(Binary b) { return List.of(b.left(), b.right()); }
            });
            for (int i = kids.size() - 1; i >= 0; i--) {
                stack.push(kids.get(i));
            }
        }
        return out;
    }
}
