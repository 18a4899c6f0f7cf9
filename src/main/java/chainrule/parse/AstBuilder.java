package chainrule.parse;

import chainrule.parse.Ast.Pos;
import chainrule.parse.antlr.NetworkBaseVisitor;
import chainrule.parse.antlr.NetworkParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns ANTLR's parse tree into {@link Ast}. This is the only class that sees parse-tree types.
 * It runs only on a tree without syntax errors, so every labelled alternative is complete.
 */
final class AstBuilder extends NetworkBaseVisitor<Object> {

    Ast.File file(NetworkParser.FileContext ctx) {
        List<Ast.Statement> statements = new ArrayList<>();
        for (NetworkParser.StatementContext s : ctx.statement()) {
            statements.add((Ast.Statement) visit(s));
        }
        return new Ast.File(statements);
    }

    Ast.Expr standalone(NetworkParser.StandaloneExprContext ctx) {
        return expr(ctx.expr());
    }

    @Override
    public Ast.Declaration visitDeclaration(NetworkParser.DeclarationContext ctx) {
        Ast.DeclKind kind = switch (ctx.kind.getType()) {
            case NetworkParser.INPUT -> Ast.DeclKind.INPUT;
            case NetworkParser.TARGET -> Ast.DeclKind.TARGET;
            case NetworkParser.WEIGHT -> Ast.DeclKind.WEIGHT;
            case NetworkParser.BIAS -> Ast.DeclKind.BIAS;
            case NetworkParser.CONST -> Ast.DeclKind.CONST;
            default -> throw new AssertionError("grammar admits no other declaration keyword");
        };
        List<Ast.Declarator> declarators = new ArrayList<>();
        for (NetworkParser.DeclaratorContext d : ctx.declarator()) {
            List<Ast.Dim> shape = new ArrayList<>();
            if (d.shape() != null) {
                for (TerminalNode n : d.shape().NUMBER()) {
                    shape.add(new Ast.Dim(n.getText(), pos(n.getSymbol())));
                }
            }
            Ast.Value value = d.value() == null ? null : value(d.value());
            declarators.add(new Ast.Declarator(name(d.IDENT().getSymbol()), shape, d.init() == null ? null : init(d.init()), value));
        }
        return new Ast.Declaration(kind, pos(ctx.kind), declarators);
    }

    private Ast.Init init(NetworkParser.InitContext ctx) {
        List<Ast.Scalar> arguments = new ArrayList<>();
        for (NetworkParser.SignedNumberContext n : ctx.signedNumber()) {
            String text = (n.sign == null ? "" : n.sign.getText()) + n.NUMBER().getText();
            arguments.add(new Ast.Scalar(text, Double.parseDouble(text), span(n)));
        }
        return new Ast.Init(name(ctx.IDENT().getSymbol()), arguments, span(ctx));
    }

    private Ast.Value value(NetworkParser.ValueContext ctx) {
        if (ctx instanceof NetworkParser.ScalarValueContext s) {
            String text = (s.sign == null ? "" : s.sign.getText()) + s.NUMBER().getText();
            return new Ast.Scalar(text, Double.parseDouble(text), span(ctx));
        }
        NetworkParser.ArrayValueContext a = (NetworkParser.ArrayValueContext) ctx;
        List<Ast.Value> items = new ArrayList<>();
        for (NetworkParser.ValueContext v : a.value()) {
            items.add(value(v));
        }
        return new Ast.Array(items, pos(a.LBRACK().getSymbol()));
    }

    @Override
    public Ast.Definition visitLossDefinition(NetworkParser.LossDefinitionContext ctx) {
        return new Ast.Definition(name(ctx.IDENT().getSymbol()), true, expr(ctx.expr()));
    }

    @Override
    public Ast.Definition visitNodeDefinition(NetworkParser.NodeDefinitionContext ctx) {
        return new Ast.Definition(name(ctx.IDENT().getSymbol()), false, expr(ctx.expr()));
    }

    @Override
    public Ast.FunctionDef visitFunctionDefinition(NetworkParser.FunctionDefinitionContext ctx) {
        List<TerminalNode> ids = ctx.IDENT();
        List<Ast.Name> params = new ArrayList<>();
        for (int i = 1; i < ids.size(); i++) {
            params.add(name(ids.get(i).getSymbol()));
        }
        return new Ast.FunctionDef(name(ids.get(0).getSymbol()), params, expr(ctx.expr()));
    }

    private Ast.Expr expr(NetworkParser.ExprContext ctx) {
        return (Ast.Expr) visit(ctx);
    }

    private List<Ast.Expr> exprs(List<NetworkParser.ExprContext> ctxs) {
        List<Ast.Expr> out = new ArrayList<>(ctxs.size());
        for (NetworkParser.ExprContext c : ctxs) {
            out.add(expr(c));
        }
        return out;
    }

    @Override
    public Ast.Expr visitNumber(NetworkParser.NumberContext ctx) {
        String text = ctx.NUMBER().getText();
        return new Ast.Number(text, Double.parseDouble(text), pos(ctx.NUMBER().getSymbol()));
    }

    @Override
    public Ast.Expr visitName(NetworkParser.NameContext ctx) {
        return new Ast.NameRef(name(ctx.IDENT().getSymbol()));
    }

    @Override
    public Ast.Expr visitCall(NetworkParser.CallContext ctx) {
        Ast.Name fn = name(ctx.IDENT().getSymbol());
        return new Ast.Call(fn, exprs(ctx.expr()), fn.pos());
    }

    @Override
    public Ast.Expr visitIndex(NetworkParser.IndexContext ctx) {
        Ast.Name target = name(ctx.IDENT().getSymbol());
        return new Ast.Index(target, exprs(ctx.expr()), target.pos());
    }

    @Override
    public Ast.Expr visitParens(NetworkParser.ParensContext ctx) {
        return expr(ctx.expr());
    }

    @Override
    public Ast.Expr visitPower(NetworkParser.PowerContext ctx) {
        return new Ast.Binary(Ast.BinaryOp.POWER, expr(ctx.expr(0)), expr(ctx.expr(1)), pos(ctx.CARET().getSymbol()));
    }

    @Override
    public Ast.Expr visitUnary(NetworkParser.UnaryContext ctx) {
        Ast.UnaryOp op = ctx.op.getType() == NetworkParser.MINUS ? Ast.UnaryOp.NEGATE : Ast.UnaryOp.PLUS;
        return new Ast.Unary(op, expr(ctx.expr()), pos(ctx.op));
    }

    @Override
    public Ast.Expr visitMultiplicative(NetworkParser.MultiplicativeContext ctx) {
        Ast.BinaryOp op = switch (ctx.op.getType()) {
            case NetworkParser.STAR -> Ast.BinaryOp.MULTIPLY;
            case NetworkParser.SLASH -> Ast.BinaryOp.DIVIDE;
            case NetworkParser.AT -> Ast.BinaryOp.MATMUL;
            default -> throw new AssertionError("grammar admits no other multiplicative operator");
        };
        return new Ast.Binary(op, expr(ctx.expr(0)), expr(ctx.expr(1)), pos(ctx.op));
    }

    @Override
    public Ast.Expr visitAdditive(NetworkParser.AdditiveContext ctx) {
        Ast.BinaryOp op = ctx.op.getType() == NetworkParser.PLUS ? Ast.BinaryOp.ADD : Ast.BinaryOp.SUBTRACT;
        return new Ast.Binary(op, expr(ctx.expr(0)), expr(ctx.expr(1)), pos(ctx.op));
    }

    private static Ast.Name name(Token t) {
        return new Ast.Name(t.getText(), pos(t));
    }

    static Pos pos(Token t) {
        return new Pos(t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getText().codePointCount(0, t.getText().length())));
    }

    private static Pos span(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        Token stop = ctx.getStop();
        int length = stop != null && stop.getLine() == start.getLine()
                ? stop.getCharPositionInLine() + stop.getText().length() - start.getCharPositionInLine()
                : start.getText().length();
        return new Pos(start.getLine(), start.getCharPositionInLine() + 1, Math.max(1, length));
    }
}
