package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every primitive's printed derivative, and its numeric column, match central differences of its
 * value at random points inside its domain (away from the kinks of relu, abs, max, …).
 */
class PrimitiveDerivativePropertiesTest {

    @Provide Arbitrary<Primitive> primitives() {
        return Arbitraries.of(Primitive.values()).filter(p -> !p.isConstant());
    }

    @Provide Arbitrary<Double> points() { return Arbitraries.doubles().between(-3, 3).ofScale(9); }

    @Property(tries = 600, maxDiscardRatio = 20, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void derivativesMatchCentralDifferences(@ForAll("primitives") Primitive p, @ForAll("points") double t) {
        double x = PrimitiveTableTest.intoDomain(p, t);
        Assume.that(Math.abs(x) > 0.05 && Math.abs(x - 0.37) > 0.05 && Math.abs(Math.abs(x) - 1) > 0.05); // differences need room: no kink, no pole within the step
        List<Expr> args = new ArrayList<>();
        for (int i = 0; i < p.arity(); i++) {
            args.add(Exprs.local("a" + i));
        }
        double[] point = p.arity() == 1 ? new double[] {x} : new double[] {x, 0.37};
        Map<String, Double> env = PrimitiveTableTest.env(point);
        Expr self = Exprs.apply(p, args);
        for (int i = 0; i < p.arity(); i++) {
            int k = i;
            double fd = FiniteDifference.derivative(s -> {
                double[] q = point.clone();
                q[k] = s;
                return p.value(q);
            }, point[i]);
            double printed = Evaluator.evaluate(p.partial(i, args, self), env);
            double numeric = Evaluator.evaluate(p.numericPartial(i, args, self), env);
            assertEquals(fd, printed, FiniteDifference.tolerance(printed, Math.abs(p.value(point))), p + " printed at " + x);
            assertEquals(printed, numeric, 1e-12 * Math.max(1, Math.abs(printed)), p + " numeric at " + x);
        }
    }
}
