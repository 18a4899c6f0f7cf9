package chainrule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batched engine's elementwise programs ({@link ArrayExpr}) compute what the interpreter
 * computes, bit for bit: here quotients, which every back end divides by the quotient entry's rule
 * (numerator first, then each denominator in turn), never through 1/b, which rounds twice and
 * overflows for |b| below 5.6e-309 (a·1e-300/b with b = 1e-310 is finite).
 */
class ArrayExprTest {
    @Test
    void quotientsAreDividedAsTheInterpreterDividesThem() {
        Sym a = Exprs.sym("a", SymKind.PARAMETER);
        Sym b = Exprs.sym("b", SymKind.PARAMETER);
        Sym c = Exprs.sym("c", SymKind.PARAMETER);
        List<Expr> roots = List.of(
                Exprs.div(a, b),
                Exprs.div(Exprs.mul(Exprs.num(1e-300), a), b),
                Exprs.div(Exprs.mul(a, c), Exprs.mul(b, b)), // a·c/b/b
                Exprs.mul(Exprs.num(-1), a, Exprs.pow(b, Exprs.num(-2)), Exprs.pow(c, Exprs.num(-1))),
                Exprs.mul(a, Exprs.pow(b, Exprs.num(-2.5))),
                Exprs.div(Exprs.num(3), Exprs.mul(b, c)));
        ArrayExpr program = new ArrayExpr(List.of(a, b, c), roots);
        Random r = new Random(31);
        int n = 200;
        double[][] values = new double[3][n];
        for (int i = 0; i < n; i++) {
            for (double[] v : values) { // tiny, subnormal, huge and ordinary magnitudes, both signs
                double m = switch (r.nextInt(4)) {
                    case 0 -> Math.pow(10, -300 - 20 * r.nextDouble());
                    case 1 -> Math.pow(10, 250 * r.nextDouble());
                    case 2 -> Math.pow(10, -250 * r.nextDouble());
                    default -> r.nextDouble() * 4;
                };
                v[i] = r.nextBoolean() ? m : -m;
            }
        }
        values[1][0] = 1e-310;
        values[0][0] = 2;
        ArrayExpr.Frame frame = program.frame();
        for (int s = 0; s < 3; s++) {
            frame.bind(s, values[s]);
        }
        frame.run(n);
        for (int k = 0; k < roots.size(); k++) {
            for (int i = 0; i < n; i++) {
                int row = i;
                double expected = Evaluator.evaluate(roots.get(k),
                        sym -> values[sym == a ? 0 : sym == b ? 1 : 2][row]);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(frame.root(k)[i]),
                        roots.get(k) + " at a = " + values[0][i] + ", b = " + values[1][i] + ", c = " + values[2][i]);
            }
        }
        assertEquals(2e-300 / 1e-310, frame.root(1)[0], "1e-300·a/b, b subnormal: finite, not through 1/b");
    }
}
