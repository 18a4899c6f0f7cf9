package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.TextPrinter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The printing order of products (docs/language.md, "Order of factors"), the same in every
 * printer: coefficient, named constants, differences of a network's values, then the canonical
 * order. Each printed form is also parsed back and evaluated at random points against the
 * expression itself, so a reordering can never change a value.
 */
class FactorOrderTest {
    static final Sym P = Exprs.sym("p", SymKind.NODE);
    static final Sym T = Exprs.sym("t", SymKind.DATA);
    static final Sym X1 = Exprs.sym("x1", SymKind.DATA);
    static final Sym W = Exprs.sym("w", SymKind.PARAMETER);
    static final Sym V = Exprs.sym("v", SymKind.PARAMETER);
    static final Sym LAMBDA = Exprs.sym("lambda", SymKind.CONSTANT);
    static final Sym A = Exprs.local("a");
    static final Sym B = Exprs.local("b");
    static final Sym X = Exprs.local("x");

    private static String text(Expr e) {
        String pretty = TextPrinter.pretty().print(e);
        assertSameValue(e, TextPrinter.plain().print(e));
        return pretty;
    }

    /** The plain text parses back to an expression with the same value at random points. */
    private static void assertSameValue(Expr e, String plain) {
        Expr back;
        try {
            back = PrintParsePropertiesTest.parse(plain);
        } catch (chainrule.diag.DiagnosticException ex) {
            throw new AssertionError(plain + " does not parse", ex);
        }
        Random random = new Random(7);
        for (int k = 0; k < 5; k++) {
            Map<String, Double> at = new HashMap<>();
            for (String name : List.of("p", "t", "x1", "w", "v", "lambda", "a", "b", "x", "z")) {
                at.put(name, 0.1 + random.nextDouble());
            }
            assertEquals(Evaluator.evaluate(e, s -> at.get(s.name())), Evaluator.evaluate(back, s -> at.get(s.name())),
                    1e-12, plain);
        }
    }

    @Test void theErrorComesBeforeTheInputItMultiplies() {
        Expr e = Exprs.mul(X1, Exprs.sub(P, T));
        assertEquals("(p - t)·x1", text(e));
        assertEquals("{\\left(p - t\\right)} \\cdot x_{1}", LatexPrinter.latex().print(e));
        assertEquals("2·(p - t)·x1", text(Exprs.mul(Exprs.num(2), e)));
        assertEquals("2·(p - t)/3", text(Exprs.div(Exprs.mul(Exprs.num(2), Exprs.sub(P, T)), Exprs.num(3))));
    }

    @Test void aNamedConstantReadsAsACoefficient() {
        assertEquals("lambda·w", text(Exprs.mul(W, LAMBDA)));
        assertEquals("lambda·(w - v)", text(Exprs.mul(LAMBDA, Exprs.sub(W, V))));
        assertEquals("2·π·x", text(Exprs.mul(Exprs.num(2), Exprs.apply(Primitive.PI), X)));
    }

    @Test void aSumBuiltFromAFactorFollowsIt() {
        Expr s = Exprs.apply(Primitive.SIGMOID, Exprs.sym("z", SymKind.NODE));
        assertEquals("σ(z)·(1 - σ(z))", text(Exprs.mul(s, Exprs.sub(Exprs.ONE, s))));
        assertEquals("(p - t)·p·(1 - p)", text(Exprs.mul(P, Exprs.sub(Exprs.ONE, P), Exprs.sub(P, T))));
        assertEquals("x·(x·cos(x) + 2·sin(x))", text(Exprs.mul(X, Exprs.add(Exprs.mul(X, Exprs.apply(Primitive.COS, X)),
                Exprs.mul(Exprs.num(2), Exprs.apply(Primitive.SIN, X))))));
    }

    @Test void diffsFreeVariablesKeepTheCalculusOrder() {
        assertEquals("2·a·(x - b)", text(Exprs.mul(Exprs.num(2), A, Exprs.sub(X, B))));
        assertEquals("x·(x - b)", text(Exprs.mul(X, Exprs.sub(X, B))));
    }

    @Test void anOperandIsBracketedUnlessItIsAPowerACallOrAName() {
        Expr sum = Exprs.add(Exprs.mul(Exprs.pow(X, Exprs.num(2)), B), Exprs.apply(Primitive.SIN, B));
        assertEquals("(b·x² + sin(b))", TextPrinter.pretty().printOperand(sum));
        assertEquals("(-x²)", TextPrinter.pretty().printOperand(Exprs.neg(Exprs.pow(X, Exprs.num(2)))));
        assertEquals("(b·x)", TextPrinter.pretty().printOperand(Exprs.mul(X, B)));
        assertEquals("sin(x)²", TextPrinter.pretty().printOperand(Exprs.pow(Exprs.apply(Primitive.SIN, X), Exprs.num(2))));
        assertEquals("x", TextPrinter.pretty().printOperand(X));
        assertEquals("\\frac{x}{b}", LatexPrinter.latex().printOperand(Exprs.div(X, B)));
        assertEquals("{\\left(b \\cdot x\\right)}", LatexPrinter.latex().printOperand(Exprs.mul(X, B)));
    }

    @Test void aLatexFractionDoesNotBracketItsNumerator() {
        Expr q = Exprs.div(Exprs.sub(Exprs.mul(A, B), Exprs.mul(X, X)), Exprs.pow(Exprs.add(X, B), Exprs.num(2)));
        String latex = LatexPrinter.latex().print(q);
        assertEquals("\\frac{a \\cdot b - x^{2}}{{\\left(b + x\\right)}^{2}}", latex);
        assertEquals("(a·b - x²)/(b + x)²", text(q));
    }

    @Test void aChainIsWrittenFromTheLossDownAndAFractionInsideItIsBracketed() throws Exception {
        String file = "src/test/resources/textbook/logistic-regression.nn";
        chainrule.model.Network net = chainrule.model.Analyzer.analyze(
                new chainrule.diag.Source(file, java.nio.file.Files.readString(java.nio.file.Path.of(file))));
        chainrule.paths.PathGraph graph = chainrule.paths.PathGraph.of(net);
        chainrule.paths.ClosedForm w1 = chainrule.paths.ClosedForm.of(graph, net.vertex("w1").orElseThrow());
        assertEquals("((p - t)/(p·(1 - p)))·p·(1 - p)·x1", ChainText.pretty().print(w1.chain()));
        assertEquals("(p - t)·x1", TextPrinter.pretty().print(w1.simplified()));
        chainrule.paths.ClosedForm b = chainrule.paths.ClosedForm.of(graph, net.vertex("b").orElseThrow());
        assertEquals("((p - t)/(p·(1 - p)))·p·(1 - p)", ChainText.pretty().print(b.chain()));
        assertEquals(false, ChainText.hasTopLevelSlash("sigmoid(a/b)·(c/d)"));
        assertEquals(true, ChainText.hasTopLevelSlash("(a - b)/c"));
    }
}
