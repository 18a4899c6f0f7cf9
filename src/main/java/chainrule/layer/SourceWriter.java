package chainrule.layer;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.PowerEntry;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The source-text twin of {@link LoopWriter}: counted loops over the work array {@code w} and the
 * gradient array {@code g}, and scalar expressions per element, written in the language a
 * {@link SourceSyntax} describes. Every non-trivial subexpression gets a local of its own, so a
 * shared subexpression (the interned DAG) is written once per element, never re-expanded.
 */
public final class SourceWriter {
    private final SourceSyntax syntax;
    private final List<String> lines = new ArrayList<>();
    private final Set<Primitive.Lowering> used = new LinkedHashSet<>();
    private boolean usesPow;
    private boolean usesReciprocal;
    private boolean usesQuotient;
    private int depth;
    private int next;

    SourceWriter(SourceSyntax syntax) {
        this.syntax = syntax;
    }

    /** The statements written, indented relative to the function body. */
    public List<String> lines() { return lines; }

    /** The built-ins the expressions use (their helpers must be defined). */
    public Set<Primitive.Lowering> used() { return used; }

    /** Whether {@code cr_pow} is used. */
    public boolean usesPow() { return usesPow; }

    /** Whether the language's reciprocal helper is used. */
    public boolean usesReciprocal() { return usesReciprocal; }

    /** Whether the language's quotient helper is used. */
    public boolean usesQuotient() { return usesQuotient; }

    void comment(String text) {
        line(syntax.comment(text));
    }

    void line(String text) {
        lines.add("    ".repeat(depth) + text);
    }

    /** {@code w[offset + index]} (or {@code g[...]} for a parameter's adjoint); {@code index} null: element 0. */
    String at(LoopWriter.Slice s, String index) {
        String array = s.inGradient() ? "g" : "w";
        if (index == null) {
            return array + "[" + s.offset() + "]";
        }
        return array + "[" + (s.offset() == 0 ? index : s.offset() + " + " + index) + "]";
    }

    /** A new local holding {@code value}; returns its name. */
    String let(String value) {
        String name = "t" + next++;
        line(syntax.declare() + name + " = " + value + syntax.end());
        return name;
    }

    void assign(String target, String value) {
        line(target + " = " + value + syntax.end());
    }

    /** {@code target = value} when {@code first}, else {@code target += value}. */
    void accumulate(LoopWriter.Slice s, String index, boolean first, String value) {
        String target = at(s, index);
        assign(target, first ? value : target + " + " + value);
    }

    /** {@code for k in 0 ..< n: body(k)}. */
    void loop(int n, Consumer<String> body) {
        loop(0, n, 1, body);
    }

    /** {@code for (k = from; k < to; k += step) body(k)}, as {@link LoopWriter#loop} counts. */
    void loop(int from, int to, int step, Consumer<String> body) {
        String k = "k" + next++;
        String header;
        if (syntax.braces()) {
            header = "for (int " + k + " = " + from + "; " + k + " < " + to + "; " + (step == 1 ? k + "++" : k + " += " + step) + ") {";
        } else {
            header = "for " + k + " in range(" + (from == 0 && step == 1 ? "" : from + ", ") + to + (step == 1 ? "" : ", " + step) + "):";
        }
        line(header);
        depth++;
        int before = lines.size();
        body.accept(k);
        if (lines.size() == before && !syntax.braces()) {
            line("pass");
        }
        depth--;
        if (syntax.braces()) {
            line("}");
        }
    }

    void zero(LoopWriter.Slice s, int size) {
        loop(size, k -> assign(at(s, k), "0.0"));
    }

    String exp(String x) { return apply(Primitive.EXP, x); }

    String log(String x) { return apply(Primitive.LOG, x); }

    String max(String a, String b) { return syntax.max(a, b); }

    String number(double v) { return syntax.number(v); }

    private String apply(Primitive p, String... args) {
        used.add(p.lowering());
        String text = syntax.template(p.lowering());
        for (int i = 0; i < args.length; i++) {
            text = text.replace("{" + i + "}", args[i]);
        }
        return text;
    }

    /** A local holding max_k z[k]. */
    String maxOf(LoopWriter.Slice z, int n) {
        String m = let(syntax.number(Double.NEGATIVE_INFINITY));
        loop(n, k -> assign(m, max(m, at(z, k))));
        return m;
    }

    /** A local holding Σ_k term(k). */
    String sum(int n, java.util.function.Function<String, String> term) {
        String s = let("0.0");
        loop(n, k -> assign(s, s + " + " + term.apply(k)));
        return s;
    }

    /** A local holding log Σ_k exp(z[k]) = max + log Σ exp(z − max). */
    String logSumExp(LoopWriter.Slice z, int n) {
        String m = maxOf(z, n);
        String s = sum(n, k -> exp(at(z, k) + " - " + m));
        return let(log(s) + " + " + m);
    }

    /** Scalar expressions over symbols bound to source text; subexpressions kept in locals. */
    Scope scope(Map<Sym, String> bound) {
        return new Scope(bound);
    }

    final class Scope implements Expr.Visitor<String> {
        private final Map<Sym, String> bound;
        private final Map<Expr, String> computed = new HashMap<>();

        private Scope(Map<Sym, String> bound) {
            this.bound = bound;
        }

        /** Source text for the value of {@code e}: a literal, a bound operand or a local. */
        String emit(Expr e) {
            String done = computed.get(e);
            if (done != null) {
                return done;
            }
            String text = e.accept(this);
            if (e instanceof Num || e instanceof Sym) {
                return text;
            }
            String local = let(text);
            computed.put(e, local);
            return local;
        }

        /**
         * {@code delta · partial} (δ a local): as the bytecode, a lone denominator power
         * {@code b^-n} divides δ by b n times ({@link QuotientEntry}), never {@code δ·(1/b)}.
         */
        String times(String delta, Expr partial) {
            if (!QuotientEntry.isDenominator(partial)) {
                return delta + " * " + emit(partial);
            }
            usesQuotient = true;
            String acc = delta;
            for (int n = QuotientEntry.divisions(partial); n > 0; n--) {
                String b = emit(QuotientEntry.operand(partial));
                acc = syntax.quotient(acc, b);
            }
            return acc;
        }

        @Override public String num(Num e) { return syntax.number(e.value()); }

        @Override public String sym(Sym e) {
            String s = bound.get(e);
            if (s == null) {
                throw new IllegalStateException("unbound symbol in a layer expression: " + e.name());
            }
            return s;
        }

        @Override public String sum(Sum e) { return join(e.children(), " + "); }

        /** As the bytecode: a product with negative powers as a true division ({@link QuotientEntry}). */
        @Override public String product(Product e) {
            if (!QuotientEntry.divides(e)) {
                return join(e.children(), " * ");
            }
            usesQuotient = true;
            List<Expr> operands = QuotientEntry.operands(e);
            return QuotientEntry.fold(e, new QuotientEntry.Operations<String>() {
                @Override public String one() { return syntax.number(1.0); }

                @Override public String operand(int k) { return emit(operands.get(k)); }

                @Override public String times(String a, String b) { return a + " * " + b; }

                @Override public String over(String a, String b) { return syntax.quotient(a, b); }
            });
        }

        private String join(List<Expr> operands, String op) {
            StringBuilder sb = new StringBuilder();
            for (Expr o : operands) {
                sb.append(sb.length() == 0 ? "" : op).append(emit(o));
            }
            return sb.toString();
        }

        /** As the bytecode: the power entry's form ({@link PowerEntry}: squares and reciprocals inline, else {@code cr_pow}). */
        @Override public String power(Power e) {
            String base = emit(e.base());
            PowerEntry.Form form = PowerEntry.form(e.exponent());
            usesReciprocal |= form == PowerEntry.Form.RECIPROCAL;
            usesPow |= form == PowerEntry.Form.CALL;
            return PowerEntry.source(form, base, form == PowerEntry.Form.CALL ? emit(e.exponent()) : "",
                    syntax.template(PowerEntry.LOWERING), syntax::reciprocal);
        }

        @Override public String apply(Apply e) {
            if (e.fn() instanceof UserFunction f) {
                return emit(f.inline(e.args()));
            }
            Primitive p = (Primitive) e.fn();
            List<String> args = new ArrayList<>();
            for (Expr a : e.args()) {
                args.add(emit(a));
            }
            return SourceWriter.this.apply(p, args.toArray(String[]::new));
        }
    }
}
