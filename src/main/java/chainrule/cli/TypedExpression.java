package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.ExprPrinter;
import chainrule.expr.ExprPrinter.Printed;
import chainrule.expr.Exprs;
import chainrule.expr.Precedence;
import chainrule.expr.Primitive;
import chainrule.expr.SymKind;
import chainrule.model.Analyzer;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.List;

/**
 * An expression as the user typed it (as parsed), printed with a printer's own forms:
 * {@code diff}'s header shows {@code log(σ(x))} for {@code log(sigmoid(x))}, {@code 0.5·x²} for
 * {@code 0.5*x^2} and {@code x/x}, where the normal form is {@code -softplus(-x)}, {@code x²/2}
 * and {@code 1}. Numbers are written as typed, calls and names as the printer writes them
 * ({@code σ}, {@code π}), operators with the printer's signs and precedence (redundant
 * parentheses dropped). Null where the input uses something this does not write (an index, a
 * matrix product, a call that is not a built-in): the caller then prints the normal form.
 */
final class TypedExpression {
    private TypedExpression() {}

    /** The typed expression in {@code printer}'s forms, as the operand of {@code d/dx}; null if not writable. */
    static String operand(ExprPrinter printer, Source source, Ast.Expr parsed) {
        Printed p = render(printer, source, parsed);
        if (p == null) {
            return null;
        }
        return p.prec() < Precedence.POWER && !printer.isSelfGrouped(p.text()) ? printer.group(p.text()) : p.text();
    }

    /** The typed expression in {@code printer}'s forms; null if not writable. */
    static String text(ExprPrinter printer, Source source, Ast.Expr parsed) {
        Printed p = render(printer, source, parsed);
        return p == null ? null : p.text();
    }

    private static Printed render(ExprPrinter printer, Source source, Ast.Expr parsed) {
        try {
            return parsed.accept(new Renderer(printer, source));
        } catch (NotWritable e) {
            return null;
        }
    }

    /** A form the typed view does not write. */
    private static final class NotWritable extends RuntimeException {
        NotWritable() {
            super(null, null, false, false);
        }
    }

    private record Renderer(ExprPrinter printer, Source source) implements Ast.Visitor<Printed> {
        @Override public Printed number(Ast.Number e) {
            String t = printer.number(e.value()); // as typed: 0.5 stays 0.5
            return new Printed(t, printer.leafPrecedence(t));
        }

        @Override public Printed name(Ast.NameRef e) {
            Expr lowered = lowered(e);
            if (!(lowered instanceof chainrule.expr.Sym) && !(lowered instanceof chainrule.expr.Apply a && a.args().isEmpty())) {
                throw new NotWritable();
            }
            return printer.render(lowered);
        }

        @Override public Printed call(Ast.Call e) {
            Primitive p = Primitive.byName(e.fn().text()).orElseThrow(NotWritable::new);
            if (p.arity() != e.args().size() || p.isConstant()) {
                throw new NotWritable();
            }
            List<Expr> placeholders = new ArrayList<>();
            List<String> args = new ArrayList<>();
            for (int i = 0; i < e.args().size(); i++) {
                placeholders.add(Exprs.sym("□" + i, SymKind.LOCAL));
                args.add(e.args().get(i).accept(this).text());
            }
            Expr call = Exprs.apply(p, placeholders);
            if (!(call instanceof chainrule.expr.Apply a) || a.fn() != p) {
                throw new NotWritable();
            }
            return new Printed(printer.call(a, args), Precedence.ATOM);
        }

        @Override public Printed index(Ast.Index e) { throw new NotWritable(); }

        @Override public Printed unary(Ast.Unary e) {
            Printed operand = e.operand().accept(this);
            if (e.op() == Ast.UnaryOp.PLUS) {
                return operand;
            }
            return new Printed(printer.negative() + printer.wrap(operand, Precedence.UNARY + 1), Precedence.UNARY);
        }

        @Override public Printed binary(Ast.Binary e) {
            Printed l = e.left().accept(this);
            Printed r = e.right().accept(this);
            // a negated right operand is bracketed: a + (-b), 2·(-x), never a + -b or 2·-x
            String right = e.right() instanceof Ast.Unary ? printer.group(r.text()) : null;
            return switch (e.op()) {
                case ADD -> new Printed(l.text() + printer.plus() + (right != null ? right : printer.wrap(r, Precedence.SUM)), Precedence.SUM);
                case SUBTRACT -> new Printed(l.text() + printer.minus() + (right != null ? right : printer.wrap(r, Precedence.SUM + 1)), Precedence.SUM);
                case MULTIPLY -> new Printed(printer.times(List.of(printer.wrap(l, Precedence.PRODUCT),
                        right != null ? right : printer.wrap(r, Precedence.PRODUCT + 1))), Precedence.PRODUCT);
                case DIVIDE -> new Printed(printer.fraction(
                        printer.fractionIsGrouping() ? l.text() : printer.wrap(l, Precedence.PRODUCT),
                        printer.fractionIsGrouping() ? r.text() : printer.wrap(r, Precedence.PRODUCT + 1), r.prec()), Precedence.PRODUCT);
                case POWER -> new Printed(printer.power(printer.wrap(l, Precedence.POWER + 1), lowered(e.right()),
                        r.prec() < Precedence.POWER ? printer.group(r.text()) : r.text()), Precedence.POWER);
                case MATMUL -> throw new NotWritable();
            };
        }

        private Expr lowered(Ast.Expr e) {
            try {
                return Analyzer.lowerStandalone(source, e);
            } catch (DiagnosticException err) {
                throw new NotWritable();
            }
        }
    }
}
