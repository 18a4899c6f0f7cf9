package chainrule.expr;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.div;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random expressions for the property tests, over x and y.
 *
 * <p>{@link #inDomain(int)} keeps every value defined for real x, y: log and sqrt only ever see
 * something positive (1 + u², exp(u), sigmoid(u)), divisions are by 1 + u² or exp(u), and negative
 * or fractional powers only of 1 + u². {@link #anyShape(int)} has no such guards and throws in odd
 * numbers (1e-300, -0.0, huge, negative) and every primitive, for printing and parsing back.
 */
public final class RandomExprs {
    private RandomExprs() {}

    public static final Sym X = local("x");
    public static final Sym Y = local("y");

    /** Primitives with a kink, where finite differences are meaningless. */
    public static boolean isKinked(Fn fn) {
        return fn == Primitive.RELU || fn == Primitive.ABS || fn == Primitive.LEAKY_RELU
                || fn == Primitive.STEP || fn == Primitive.LEAKY_STEP || fn == Primitive.SIGN;
    }

    // ------------------------------------------------------------------ in-domain expressions

    public static Arbitrary<Expr> inDomain(int depth) {
        if (depth <= 0) {
            return domainLeaf();
        }
        Arbitrary<Expr> sub = Arbitraries.lazy(() -> inDomain(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(1, domainLeaf()),
                Tuple.of(4, Combinators.combine(sub, sub, Arbitraries.integers().between(0, 9))
                        .as(RandomExprs::domainBinary)),
                Tuple.of(4, Combinators.combine(sub, Arbitraries.integers().between(0, 13))
                        .as(RandomExprs::domainUnary)));
    }

    private static Arbitrary<Expr> domainLeaf() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(X)),
                Tuple.of(2, Arbitraries.just(Y)),
                Tuple.of(2, Arbitraries.of(-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0).map(Exprs::num)));
    }

    private static Expr positive(Expr u) {
        return add(ONE, pow(u, num(2)));
    }

    private static Expr domainBinary(Expr a, Expr b, int op) {
        switch (op) {
            case 0: return add(a, b);
            case 1: return sub(a, b);
            case 2: return mul(a, b);
            case 3: return div(a, positive(b));
            case 4: return pow(a, num(2));
            case 5: return pow(a, num(3));
            case 6: return pow(positive(a), num(-1));
            case 7: return pow(positive(a), num(-2));
            case 8: return pow(positive(a), num(0.5));
            default: return pow(positive(a), num(-0.5));
        }
    }

    private static Expr domainUnary(Expr a, int f) {
        switch (f) {
            case 0: return apply(Primitive.SIGMOID, a);
            case 1: return apply(Primitive.TANH, a);
            case 2: return apply(Primitive.RELU, a);
            case 3: return apply(Primitive.LEAKY_RELU, a, num(0.1));
            case 4: return apply(Primitive.SOFTPLUS, a);
            case 5: return apply(Primitive.EXP, a);
            case 6: return apply(Primitive.LOG, positive(a));
            case 7: return apply(Primitive.LOG, apply(Primitive.SIGMOID, a));
            case 8: return apply(Primitive.SQRT, positive(a));
            case 9: return apply(Primitive.SQRT, apply(Primitive.EXP, a));
            case 10: return apply(Primitive.ABS, a);
            case 11: return apply(Primitive.SIN, a);
            case 12: return apply(Primitive.COS, a);
            default: return div(a, apply(Primitive.EXP, a));
        }
    }

    // ------------------------------------------------------------------ sums of shared factors

    /**
     * Sums of 2-4 products drawn from a small pool of factors (sin(x)^2 and cos(x)^2 among them), so
     * that factoring and the Pythagorean identity have something to do.
     */
    public static Arbitrary<Expr> sharedFactorSums() {
        List<Expr> pool = List.of(X, Y, apply(Primitive.SIGMOID, X), pow(apply(Primitive.SIN, X), num(2)),
                pow(apply(Primitive.COS, X), num(2)), positive(Y), apply(Primitive.EXP, Y), num(2), num(-3),
                pow(X, num(2)), apply(Primitive.LOG, apply(Primitive.EXP, X)));
        Arbitrary<Expr> term = Arbitraries.of(pool).list().ofMinSize(1).ofMaxSize(3).map(Exprs::mul);
        Expr sin2 = pow(apply(Primitive.SIN, X), num(2));
        Expr cos2 = pow(apply(Primitive.COS, X), num(2));
        Arbitrary<Expr> pythagorean = Combinators.combine(term, term)
                .as((rest, other) -> add(mul(rest, sin2), mul(rest, cos2), other));
        return Arbitraries.oneOf(term.list().ofMinSize(2).ofMaxSize(4).map(Exprs::add), pythagorean);
    }

    // ------------------------------------------------------------------ any shape (for printing)

    public static Arbitrary<Expr> anyShape(int depth) {
        if (depth <= 0) {
            return anyLeaf();
        }
        Arbitrary<Expr> sub = Arbitraries.lazy(() -> anyShape(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(1, anyLeaf()),
                Tuple.of(4, Combinators.combine(sub, sub, Arbitraries.integers().between(0, 5))
                        .as(RandomExprs::anyBinary)),
                Tuple.of(2, Combinators.combine(sub, Arbitraries.of(Primitive.values()))
                        .as(RandomExprs::anyApply)));
    }

    /** Odd numbers on purpose: they are what printers get wrong. */
    public static Arbitrary<Double> oddNumbers() {
        return Arbitraries.oneOf(
                Arbitraries.of(0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 1e-300, -1e-300, 1e300, 4.9e-324,
                        1e21, 1e-7, 123456.789, -3.0, 0.1, 1.0 / 3, Double.MAX_VALUE, -Double.MIN_NORMAL),
                Arbitraries.doubles().between(-1e6, 1e6),
                Arbitraries.doubles().filter(Double::isFinite));
    }

    private static Arbitrary<Expr> anyLeaf() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(X, Y, local("w_1"), local("b10"), local("들1"))),
                Tuple.of(2, oddNumbers().map(Exprs::num)));
    }

    private static Expr anyBinary(Expr a, Expr b, int op) {
        switch (op) {
            case 0: return add(a, b);
            case 1: return sub(a, b);
            case 2: return mul(a, b);
            case 3: return div(a, b);
            case 4: return pow(a, b);
            default: return neg(a);
        }
    }

    private static Expr anyApply(Expr a, Primitive p) {
        List<Expr> args = new ArrayList<>();
        if (p.isConstant()) {
            return mul(a, apply(p, args)); // pi, e: no arguments
        }
        args.add(a);
        for (int i = 1; i < p.arity(); i++) {
            args.add(num(0.2));
        }
        return apply(p, args);
    }
}
