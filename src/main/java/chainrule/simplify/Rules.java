package chainrule.simplify;

import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rewrite rules beyond what the factories normalise. Each is a guarded, local rewrite; the
 * ones that could grow an expression are guarded by cost (tree size) so that the runner only ever
 * moves to shorter forms.
 */
public final class Rules {
    private Rules() {}

    /**
     * exp(log(x)) = x wherever log(x) is real (x &gt; 0): where it is not, the expression holding
     * {@code log(x)} is undefined already, so the rewrite only widens the formula's domain, as
     * square-of-sqrt does ({@code exp(log(x))/x} is 1, as a textbook writes it). {@code diff} and
     * {@code grad} check the input's own value at the point.
     */
    public static final Rule EXP_OF_LOG = Rule.local("exp-of-log", "exp(log(x)) = x, where log(x) is real",
            e -> e instanceof Apply a && a.fn() == Primitive.EXP
                    && a.arg(0) instanceof Apply in && in.fn() == Primitive.LOG ? in.arg(0) : null);

    public static final Rule LOG_OF_EXP = Rule.local("log-of-exp", "log(exp(x)) = x",
            e -> e instanceof Apply a && a.fn() == Primitive.LOG
                    && a.arg(0) instanceof Apply in && in.fn() == Primitive.EXP ? in.arg(0) : null);

    public static final Rule SQRT_OF_SQUARE = Rule.local("sqrt-of-square", "sqrt(x^2) = abs(x)",
            e -> e instanceof Apply a && a.fn() == Primitive.SQRT && a.arg(0) instanceof Power p
                    && p.exponent() instanceof Num n && n.value() == 2 ? apply(Primitive.ABS, p.base()) : null);

    /**
     * sqrt(x)^2 = x, also sqrt(x)^4 = x^2 and so on, wherever sqrt(x) is real: where it is not
     * (x &lt; 0) the expression holding {@code sqrt(x)} is undefined already, so the rewrite only
     * widens the formula's domain ({@code sqrt(sqrt(x)^2 + 1)} becomes {@code sqrt(x + 1)}, as a
     * textbook writes it). {@code diff} and {@code grad} check the input's own value at the point.
     */
    public static final Rule SQUARE_OF_SQRT = Rule.local("square-of-sqrt", "sqrt(x)^(2k) = x^k, where sqrt(x) is real",
            e -> e instanceof Power p && p.base() instanceof Apply a && a.fn() == Primitive.SQRT
                    && p.exponent() instanceof Num n && n.isInteger() && n.value() % 2 == 0
                    ? pow(a.arg(0), num(n.value() / 2)) : null);

    /** u^(1/2) = sqrt(u) and u^(-1/2) = 1/sqrt(u): the same function on the same domain, written as a textbook does. */
    public static final Rule HALF_POWER = Rule.local("half-power", "u^(1/2) = sqrt(u), u^(-1/2) = 1/sqrt(u)",
            Rules::halfPower);

    /**
     * The Pythagorean identities with one square and a constant, each exact for every real u:
     * {@code c − c·sin²u = c·cos²u}, {@code c − c·cos²u = c·sin²u}, {@code c·sinh²u + c = c·cosh²u},
     * {@code c·cosh²u − c = c·sinh²u}. The textbook forms {@code 1 − tanh²u} (tanh′) and
     * {@code tan²u + 1} (tan′) are left as they are.
     */
    public static final Rule SQUARE_COMPLEMENT = Rule.local("square-complement",
            "c - c*sin(u)^2 = c*cos(u)^2, c - c*cos(u)^2 = c*sin(u)^2, c*sinh(u)^2 + c = c*cosh(u)^2, c*cosh(u)^2 - c = c*sinh(u)^2",
            Rules::squareComplement);

    /**
     * The double-angle identities, exact for every real u: {@code c·sin u·cos u = (c/2)·sin(2u)}
     * (c a number, the product nothing else),
     * {@code c·sinh u·cosh u = (c/2)·sinh(2u)}, {@code c·cos²u − c·sin²u = c·cos(2u)},
     * {@code c·cosh²u + c·sinh²u = c·cosh(2u)}; only where the result is cheaper.
     */
    public static final Rule DOUBLE_ANGLE = Rule.local("double-angle",
            "c*sin(u)*cos(u) = (c/2)*sin(2u), c*sinh(u)*cosh(u) = (c/2)*sinh(2u), c*(cos(u)^2 - sin(u)^2) = c*cos(2u), c*(cosh(u)^2 + sinh(u)^2) = c*cosh(2u)",
            Rules::doubleAngle);

    /**
     * A square number out of a square root: {@code sqrt(1 − x²/9) = sqrt(9 − x²)/3},
     * {@code sqrt(4·x² + 4) = 2·sqrt(x² + 1)}. Exact wherever the root is real (k·p &gt;= 0 with
     * k &gt; 0). The root alone grows by a factor, which the product around it folds
     * ({@code 1/(3·sqrt(1 − x²/9)) = 1/sqrt(9 − x²)}); the runner keeps the cheapest form seen.
     */
    public static final Rule SQRT_CONTENT = Rule.local("sqrt-content",
            "sqrt(k^2*p) = k*sqrt(p) for a rational k > 0 that clears the fractions of p or divides out a square",
            Rules::sqrtContent);

    /**
     * An odd function takes a product's sign: {@code −c·f(a − b) = c·f(b − a)} for f in sin, tan,
     * atan, asin, sinh, tanh, asinh, atanh, erf (f(−u) = −f(u) for every real u), when the negated
     * argument is no larger ({@code −sinh(π − x)} is {@code sinh(x − π)}).
     */
    public static final Rule ODD_SIGN = Rule.local("odd-sign",
            "-c*f(u) = c*f(-u) for an odd f, when -u is no larger than u", Rules::oddSign);

    /** exp(u)^n = exp(n*u), exact for every real u; only where it is shorter ({@code exp(0.5*x)^2 = exp(x)}). */
    public static final Rule POWER_OF_EXP = Rule.local("power-of-exp", "exp(u)^n = exp(n*u), when shorter",
            e -> e instanceof Power p && p.base() instanceof Apply a && a.fn() == Primitive.EXP
                    && p.exponent() instanceof Num ? shorter(apply(Primitive.EXP, mul(p.exponent(), a.arg(0))), e) : null);

    /**
     * exp(a)·exp(b)·… = exp(a + b + …), exact for every real a, b; only where it is shorter: a
     * hand-written tanh′ has {@code 4·exp(x)·exp(-x)/(exp(x) + exp(-x))²}, which is
     * {@code 4/(exp(x) + exp(-x))²}.
     */
    public static final Rule EXP_PRODUCT = Rule.local("exp-product", "exp(a)*exp(b) = exp(a + b), when shorter",
            Rules::expProduct);

    /**
     * exp(c·log(u)) = u^c wherever log(u) is real (u &gt; 0), as exp-of-log: where it is not, the
     * expression is undefined already ({@code diff 'exp(2*log(x))'} is {@code 2·x}).
     */
    public static final Rule EXP_OF_LOG_MULTIPLE = Rule.local("exp-of-log-multiple",
            "exp(c*log(u)) = u^c, where log(u) is real", Rules::expOfLogMultiple);

    /**
     * Terms over powers of one square root brought over the largest of them, the numerator's
     * squared roots written as their radicands (where the root is real, as square-of-sqrt), when
     * shorter: the quotient rule's {@code 1/sqrt(x² + 1) - x²/sqrt(x² + 1)³} collects to
     * {@code 1/sqrt(x² + 1)³}, the textbook's {@code 1/(x² + 1)^(3/2)}.
     */
    public static final Rule ROOT_DENOMINATOR = Rule.local("root-denominator",
            "a/sqrt(u)^j + b/sqrt(u)^k = (a*sqrt(u)^(k-j) + b)/sqrt(u)^k, when shorter", Rules::rootDenominator);

    public static final Rule PYTHAGORAS = Rule.local("pythagoras", "c*sin(u)^2 + c*cos(u)^2 = c",
            Rules::pythagoras);

    /**
     * The logistic function's symmetry, σ(u) + σ(−u) = 1, with a shared cofactor:
     * {@code c·σ(u) + c·σ(−u) = c}. Binary cross-entropy built with the stable log-sigmoid forms
     * differentiates to {@code σ(z)·(1 − t) − t·σ(−z)}; this rule is what turns it into the
     * textbook's {@code σ(z) − t}.
     */
    public static final Rule SIGMOID_REFLECTION = Rule.local("sigmoid-reflection", "c*sigmoid(u) + c*sigmoid(-u) = c",
            Rules::sigmoidReflection);

    /**
     * σ′'s complement as a unit: {@code a − a·σ(u) = a·(1 − σ(u))} for terms of one sum, exact for
     * every real u. Kept where the runner's cost ({@link Simplifier#cost}, which counts
     * {@code 1 − σ(u)} as one node over σ(u)) says it is cheaper: the swish derivative prints
     * {@code σ(x)·(x·(1 − σ(x)) + 1)}, as the textbook's {@code σ(x)·(1 + x·(1 − σ(x)))}, not
     * {@code σ(x)·(x − x·σ(x) + 1)}. Bounded: sums of at most 64 terms, one pair per application.
     */
    public static final Rule SIGMOID_COMPLEMENT = Rule.local("sigmoid-complement",
            "a - a*sigmoid(u) = a*(1 - sigmoid(u)), when cheaper", Rules::sigmoidComplement);

    /**
     * One of a pair of squares written in terms of the other, where the sum then collects to a
     * shorter form: {@code cosh²u = sinh²u + 1}, {@code sinh²u = cosh²u − 1},
     * {@code cos²u = 1 − sin²u}, {@code sin²u = 1 − cos²u}, each exact for every real u (a negative
     * even power where the square is not 0: {@code 1/cosh²u = 1/(sinh²u + 1)}). Every even power
     * of the one function in the sum's terms is replaced (up to the sixth), the terms expanded and
     * collected ({@link RationalForm}): {@code cosh²u − 2·sinh²u = 1 − sinh²u},
     * {@code cosh⁴u − sinh²u = sinh⁴u + sinh²u + 1}. Bounded: sums of at most 64 terms, four
     * candidate squares; kept only where shorter.
     */
    public static final Rule SQUARE_SUBSTITUTION = new Rule("square-substitution",
            "cosh(u)^2 = sinh(u)^2 + 1, sinh(u)^2 = cosh(u)^2 - 1, cos(u)^2 = 1 - sin(u)^2, sin(u)^2 = 1 - cos(u)^2 in a sum, when shorter",
            Rules::squareSubstitution);

    /**
     * A reciprocal exponential in the numerator: {@code c/(exp(u)·d) = c·exp(−u)/d} for a number
     * c, exact for every real u. The tree is as large; it writes one character less
     * ({@code −exp(−sqrt(x))/(2·sqrt(x))}, as SymPy and a textbook write e^(−√x)/(2√x)), so it
     * applies only where the numerator is that number alone.
     */
    public static final Rule EXP_RECIPROCAL = Rule.local("exp-reciprocal",
            "c/(exp(u)*d) = c*exp(-u)/d for a number c, when no larger", Rules::expReciprocal);

    /**
     * Terms over a square root and terms times it written over the root:
     * {@code a/sqrt(U) + b·sqrt(U) = (a + b·U)/sqrt(U)}, exact wherever the root is real and not 0
     * (where the left side is defined). Applies where every term of the sum holds sqrt(U) to the
     * power −1 or 1, at least one of each; kept only where shorter.
     */
    public static final Rule OVER_ONE_ROOT = Rule.local("over-one-root",
            "a/sqrt(U) + b*sqrt(U) = (a + b*U)/sqrt(U), when shorter", Rules::overOneRoot);

    /**
     * A trigonometric or hyperbolic function of an inverse one: {@code sin(asin u) = u} and the
     * other five inverse pairs at the node; inside a sum or product the algebraic forms
     * {@code tanh(asinh u) = u/sqrt(u² + 1)}, {@code cosh(asinh u) = sqrt(u² + 1)},
     * {@code cos(asin u) = sqrt(1 − u²)}, {@code sin(atan u) = u/sqrt(u² + 1)} and eight more (each
     * exact wherever g(u) is real), the result collected over one denominator, kept only where
     * shorter: {@code (3 − 3·tanh(asinh(3x))²)/sqrt(9x² + 1) = 3/(9x² + 1)^(3/2)}. Bounded:
     * four candidate calls, powers up to the sixth, trees of at most 400 nodes.
     */
    public static final Rule INVERSE_COMPOSITION = new Rule("inverse-composition",
            "sin(asin(u)) = u, ...; tanh(asinh(u)) = u/sqrt(u^2 + 1), cosh(asinh(u)) = sqrt(u^2 + 1), ... in a sum or product, when shorter",
            Rules::inverseComposition);

    /**
     * A negated difference written as the reversed difference: {@code −c·(y − p) = c·(p − y)}
     * for a number c &gt; 0 and a sum whose negation is no larger (a difference, not
     * {@code a + b}), exact for all values. The mean of hand-written binary cross-entropy prints
     * {@code (p − y)/3}, as a textbook writes it, not {@code −(y − p)/3}. The first such sum of the
     * product is reversed; the tree is as large. A sum holding a number is left as it is
     * ({@code 1 − h}, {@code 1 − σ(u)}: σ′'s and tanh′'s units).
     */
    public static final Rule REVERSED_DIFFERENCE = Rule.local("reversed-difference",
            "-c*(a - b) = c*(b - a) for a number c > 0, when no larger", Rules::reversedDifference);

    /**
     * The logistic function's reflection inside a sum or product: {@code σ(−u) = 1 − σ(u)}, exact
     * for every real u, where σ(u) appears too; the result collected ({@link RationalForm}) and kept
     * only where shorter: {@code σ(w)·(2 − 2·t) − 2·t·σ(−w) = 2·(σ(w) − t)} (bce_with_logits plus
     * binary_cross_entropy of sigmoid). Bounded: four candidate calls, trees of at most 400 nodes.
     */
    public static final Rule SIGMOID_NEGATION = new Rule("sigmoid-negation",
            "sigmoid(-u) = 1 - sigmoid(u) in a sum or product holding sigmoid(u), when shorter", Rules::sigmoidNegation);

    /**
     * The step function of the max/min tie convention (H(0) = ½, docs/language.md) read as a
     * textbook does: {@code H(c·u) = H(u)} for a number c &gt; 0 (and {@code H(−c·u) = H(−u)}),
     * {@code a·H(u) − a·H(−u) = a·sign(u)} and {@code a·H(u) + a·H(−u) = a}, each exact for every
     * real u, the tie included (½ − ½ = 0 = sign(0)). So {@code max(x, −x)}, which is |x|,
     * differentiates to {@code sign(x)}, as abs does, not {@code H(2·x) − H(−2·x)}.
     */
    public static final Rule HEAVISIDE_SIGN = Rule.local("heaviside-sign",
            "H(c*u) = H(u) for c > 0, a*H(u) - a*H(-u) = a*sign(u), a*H(u) + a*H(-u) = a", Rules::heavisideSign);

    public static final Rule FACTOR_COMMON = new Rule("factor-common",
            "a*b + a*c = a*(b + c), for the factor shared by the most terms, when that is shorter",
            Rules::factorCommon);

    /**
     * Sums of fractions over one denominator, numerators expanded and collected, and every
     * denominator factor that divides the numerator cancelled ({@link RationalForm}), when shorter:
     * {@code x²/(x² + x)² = 1/(x + 1)²}, {@code (a·(c·x + d) − c·(a·x + b))/(c·x + d)² = (a·d − b·c)/(c·x + d)²},
     * and sigmoid with binary cross-entropy, {@code p·(1 − p)·(−t/p − (1 − t)/(1 − p)) = p − t}.
     */
    public static final Rule CANCEL_RATIONAL = new Rule("cancel-rational",
            "n/d: one denominator, numerator expanded and collected, common factors cancelled, when shorter",
            RationalForm::rewrite);

    /**
     * A number shared by every term of a sum comes out: {@code (2/3)·o − (2/3)·t = (2/3)·(o − t)},
     * the {@code (2/n)·(o − t)} of the mean squared error. The tree is as large; it writes the
     * number once, which the runner's cost prefers ({@link Simplifier#cheaper}).
     */
    public static final Rule FACTOR_NUMBER = new Rule("factor-number",
            "c*a + c*b = c*(a + b), for a number c shared by every term (up to sign)", Rules::factorNumber);

    /**
     * sin(u)^a·cos(u)^−b = tan(u)^min(a,b)·…, and likewise sinh/cosh = tanh, in a product: exact
     * wherever the input is defined (cos u = 0 leaves both sides undefined; cosh u &gt; 0).
     */
    public static final Rule TANGENT_QUOTIENT = Rule.local("tangent-quotient",
            "sin(u)^a/cos(u)^b = tan(u)^min(a,b)*..., sinh(u)^a/cosh(u)^b = tanh(u)^min(a,b)*...", Rules::tangentQuotient);

    /**
     * log(a)/log(b) for integers a, b &gt; 1 that are powers of one integer is the exact ratio of
     * the exponents: {@code log(8)/log(2) = 3} (the derivative of {@code log2(8^x)}),
     * {@code log(4)/log(8) = 2/3}.
     */
    public static final Rule LOG_RATIO = Rule.local("log-ratio",
            "log(m^i)/log(m^j) = i/j for integers m > 1", Rules::logRatio);

    /**
     * sin, cos and tan at whole and half multiples of π are exact numbers: {@code sin(π) = 0},
     * {@code cos(2·π) = 1}, {@code cos(π/2) = 0}, {@code sin(3·π/2) = −1}, {@code tan(π) = 0}.
     */
    public static final Rule EXACT_VALUES = Rule.local("exact-values",
            "sin, cos and tan of a multiple of pi/6 or pi/4 are exact (1/2, sqrt(2)/2, sqrt(3)/2, sqrt(3) …)", Rules::exactValues);

    /**
     * A power and a square root of one base merge: {@code x·sqrt(x) = x^(3/2)},
     * {@code x/sqrt(x) = x^(1/2)} (then {@code sqrt(x)}, by half-power); the same function wherever
     * the root is real.
     */
    public static final Rule ROOT_MERGE = Rule.local("root-merge",
            "u^a * sqrt(u)^b = u^(a + b/2) for integers a, b", Rules::rootMerge);

    /** Every rule, in the order the runner tries them. */
    public static final List<Rule> ALL = List.of(EXP_OF_LOG, EXP_OF_LOG_MULTIPLE, LOG_OF_EXP, SQRT_OF_SQUARE, SQUARE_OF_SQRT,
            HALF_POWER, POWER_OF_EXP, EXP_PRODUCT, ROOT_DENOMINATOR, PYTHAGORAS, SQUARE_COMPLEMENT, DOUBLE_ANGLE, SIGMOID_REFLECTION, SIGMOID_COMPLEMENT,
            TANGENT_QUOTIENT, LOG_RATIO, EXACT_VALUES, ROOT_MERGE, SQRT_CONTENT, ODD_SIGN, CANCEL_RATIONAL, FACTOR_COMMON, FACTOR_NUMBER,
            SQUARE_SUBSTITUTION, EXP_RECIPROCAL, OVER_ONE_ROOT, INVERSE_COMPOSITION,
            REVERSED_DIFFERENCE, SIGMOID_NEGATION, HEAVISIDE_SIGN);

    /** The pairs of {@link #SQUARE_SUBSTITUTION}: f, g, and c, d with f(u)² = c·g(u)² + d. */
    private static final Object[][] SQUARE_PAIRS = {
        {Primitive.COSH, Primitive.SINH, 1, 1}, {Primitive.SINH, Primitive.COSH, 1, -1},
        {Primitive.COS, Primitive.SIN, -1, 1}, {Primitive.SIN, Primitive.COS, -1, 1}};

    private static Expr squareSubstitution(Expr e, Work work) {
        Expr best = squareSubstituted(e, work);
        return best == null ? null : shorter(best, e);
    }

    /** {@link #SQUARE_SUBSTITUTION}'s best candidate, shorter or not (for the tests), or null. */
    static Expr squareSubstituted(Expr e, Work work) {
        if (!(e instanceof Sum || e instanceof Product) || e.treeSize() > RationalForm.MAX_TREE || !reachesCallOf(e, SQUARED)) {
            return null;
        }
        // The even powers f(u)^(2k), 0 < |k| <= 3: factors of the sum's terms, or of a product and
        // of the terms of its sums (the denominator of cosh·(1 − sinh²)/(cosh⁴ − sinh²)); at most four.
        List<Apply> found = new ArrayList<>();
        if (!factorsReached(e, work, f -> {
            if (f instanceof Power pw && pw.base() instanceof Apply a && a.args().size() == 1 && evenSmall(pw.exponent())
                    && squarePair(a) != null && !found.contains(a) && found.size() < 4) {
                found.add(a);
            }
        })) {
            return null;
        }
        Expr best = null;
        for (Apply a : found) {
            Object[] pair = squarePair(a);
            Expr square = add(mul(num((Integer) pair[2]), pow(apply((Primitive) pair[1], a.arg(0)), num(2))), num((Integer) pair[3]));
            Expr candidate = collected(replaceFactors(e, f -> f instanceof Power pw && pw.base() == a && evenSmall(pw.exponent())
                    ? pow(square, num(((Num) pw.exponent()).value() / 2)) : f), work);
            if (best == null || Simplifier.cheaper(candidate, best)) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * Whether some factor {@link #factorsReached} would visit is a call of one of {@code fns} or an
     * integer power of one: the substitution rules' quick test, without building anything.
     */
    private static boolean reachesCallOf(Expr e, java.util.Set<Primitive> fns) {
        if (e instanceof Sum s) {
            for (Expr t : s.terms()) {
                if (factorIsCallOf(t, fns)) {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Product p) {
            for (Expr f : p.factors()) {
                Expr base = f instanceof Power pw && pw.exponent() instanceof Num n && n.isInteger() ? pw.base() : f;
                if (base instanceof Sum inner ? reachesCallOf(inner, fns) : isCallOf(base, fns)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean factorIsCallOf(Expr term, java.util.Set<Primitive> fns) {
        if (term instanceof Product p) {
            for (Expr f : p.factors()) {
                if (isCallOf(f instanceof Power pw ? pw.base() : f, fns)) {
                    return true;
                }
            }
            return false;
        }
        return isCallOf(term instanceof Power pw ? pw.base() : term, fns);
    }

    private static boolean isCallOf(Expr e, java.util.Set<Primitive> fns) {
        return e instanceof Apply a && a.fn() instanceof Primitive p && fns.contains(p);
    }

    private static final java.util.Set<Primitive> SQUARED = java.util.EnumSet.of(Primitive.SIN, Primitive.COS, Primitive.SINH, Primitive.COSH);
    private static final java.util.Set<Primitive> OF_INVERSES = java.util.EnumSet.of(Primitive.SIN, Primitive.COS, Primitive.TAN,
            Primitive.SINH, Primitive.COSH, Primitive.TANH);
    private static final java.util.Set<Primitive> SIGMOIDS = java.util.EnumSet.of(Primitive.SIGMOID);

    /**
     * Visits the factors a substitution rule may replace: those of a sum's terms, or of a product
     * and of the terms of its sums and integer powers of sums. False when the work is spent or a
     * sum is past 64 terms.
     */
    private static boolean factorsReached(Expr e, Work work, java.util.function.Consumer<Expr> visit) {
        List<Expr> sums = new ArrayList<>();
        if (e instanceof Sum) {
            sums.add(e);
        } else if (e instanceof Product p) {
            sums.add(e);
            for (Expr f : p.factors()) {
                Expr base = f instanceof Power pw && pw.exponent() instanceof Num n && n.isInteger() ? pw.base() : f;
                if (base instanceof Sum) {
                    sums.add(base);
                }
            }
        }
        // A look at at most 64 terms of at most 64 sums, like the local rules' scans: not charged, so
        // that where nothing is found the budget (and so every printed form) is as without the rule.
        if (sums.size() > 64) {
            return false;
        }
        for (Expr sum : sums) {
            List<Expr> terms = sum instanceof Sum ss ? ss.terms() : List.of(sum);
            if (terms.size() > 64) {
                return false;
            }
            for (Expr t : terms) {
                if (t instanceof Product p) {
                    p.factors().forEach(visit);
                } else {
                    visit.accept(t);
                }
            }
        }
        return true;
    }

    /** {@code e} with each factor reached by {@link #factorsReached} mapped by {@code replace}. */
    private static Expr replaceFactors(Expr e, java.util.function.UnaryOperator<Expr> replace) {
        if (e instanceof Sum sum) {
            return replaceInTerms(sum, replace);
        }
        List<Expr> factors = new ArrayList<>();
        for (Expr f : ((Product) e).factors()) {
            if (f instanceof Power pw && pw.exponent() instanceof Num n && n.isInteger() && pw.base() instanceof Sum inner) {
                factors.add(pow(replaceInTerms(inner, replace), n));
            } else if (f instanceof Sum inner) {
                factors.add(replaceInTerms(inner, replace));
            } else {
                factors.add(replace.apply(f));
            }
        }
        return mul(factors);
    }

    private static Expr replaceInTerms(Sum s, java.util.function.UnaryOperator<Expr> replace) {
        List<Expr> terms = new ArrayList<>(s.terms().size());
        for (Expr t : s.terms()) {
            List<Expr> factors = new ArrayList<>(factorsOf(t));
            factors.replaceAll(replace);
            terms.add(mul(factors));
        }
        return add(terms);
    }

    /** A substituted form collected over one denominator ({@link RationalForm}) and its roots merged, or as it is. */
    private static Expr collected(Expr substituted, Work work) {
        Expr c = substituted instanceof Sum || substituted instanceof Product ? RationalForm.rewrite(substituted, work) : null;
        Expr out = c != null ? c : substituted;
        Expr merged = rootMerge(out);
        return merged != null ? merged : out;
    }

    /**
     * f(g(u)) for f in sin, cos, tan, sinh, cosh, tanh and g an inverse function, as
     * {@code u^a·U^(b/2)} with {@code U = c2·u² + c0}: {@code {f, g, a, c2, c0, b}}. Each is exact
     * wherever g(u) is defined (real), the square root's argument being positive there or f(g(u))
     * undefined on both sides ({@code tan(acos 0)}).
     */
    private static final Object[][] INVERSE_FORMS = {
        {Primitive.COSH, Primitive.ASINH, 0, 1, 1, 1}, {Primitive.SINH, Primitive.ACOSH, 0, 1, -1, 1},
        {Primitive.TANH, Primitive.ASINH, 1, 1, 1, -1}, {Primitive.TANH, Primitive.ACOSH, -1, 1, -1, 1},
        {Primitive.COS, Primitive.ASIN, 0, -1, 1, 1}, {Primitive.SIN, Primitive.ACOS, 0, -1, 1, 1},
        {Primitive.COS, Primitive.ATAN, 0, 1, 1, -1}, {Primitive.SIN, Primitive.ATAN, 1, 1, 1, -1},
        {Primitive.TAN, Primitive.ASIN, 1, -1, 1, -1}, {Primitive.TAN, Primitive.ACOS, -1, -1, 1, 1},
        {Primitive.COSH, Primitive.ATANH, 0, -1, 1, -1}, {Primitive.SINH, Primitive.ATANH, 1, -1, 1, -1}};

    /** The inverse pairs f(g(u)) = u on g's real range. */
    private static final Primitive[][] INVERSES = {
        {Primitive.SIN, Primitive.ASIN}, {Primitive.COS, Primitive.ACOS}, {Primitive.TAN, Primitive.ATAN},
        {Primitive.SINH, Primitive.ASINH}, {Primitive.COSH, Primitive.ACOSH}, {Primitive.TANH, Primitive.ATANH}};

    private static Expr inverseComposition(Expr e, Work work) {
        Expr best = inverseSubstituted(e, work);
        return best == null || e instanceof Apply ? best : shorter(best, e);
    }

    /** {@link #INVERSE_COMPOSITION}'s best candidate, shorter or not (for the tests), or null. */
    static Expr inverseSubstituted(Expr e, Work work) {
        if (e instanceof Apply a && a.args().size() == 1 && a.arg(0) instanceof Apply g && g.args().size() == 1) {
            for (Primitive[] pair : INVERSES) {
                if (a.fn() == pair[0] && g.fn() == pair[1]) {
                    return g.arg(0);
                }
            }
            return null;
        }
        if (!(e instanceof Sum || e instanceof Product) || e.treeSize() > RationalForm.MAX_TREE || !reachesCallOf(e, OF_INVERSES)) {
            return null;
        }
        List<Apply> found = new ArrayList<>();
        if (!factorsReached(e, work, f -> {
            Expr base = f instanceof Power pw && smallInteger(pw.exponent()) ? pw.base() : f;
            if (base instanceof Apply a && inverseForm(a) != null && !found.contains(a) && found.size() < 4) {
                found.add(a);
            }
        })) {
            return null;
        }
        Expr best = null;
        for (Apply a : found) {
            Object[] form = inverseForm(a);
            Expr u = ((Apply) a.arg(0)).arg(0);
            Expr big = add(mul(num((Integer) form[3]), pow(u, num(2))), num((Integer) form[4]));
            Expr candidate = collected(replaceFactors(e, f -> {
                Expr base = f instanceof Power pw && smallInteger(pw.exponent()) ? pw.base() : f;
                if (base != a) {
                    return f;
                }
                long n = f instanceof Power pw ? (long) ((Num) pw.exponent()).value() : 1;
                long half = (Integer) form[5] * n; // U^(half/2)
                Expr sqrt = apply(Primitive.SQRT, big);
                Expr content = sqrtContent(sqrt); // sqrt(1 − x²/9) = sqrt(9 − x²)/3, as the derivative writes it
                Expr root = half % 2 == 0 ? pow(big, num(half / 2))
                        : mul(pow(big, num(Math.floorDiv(half, 2))), content != null ? content : sqrt);
                return mul(pow(u, num((Integer) form[2] * n)), root);
            }), work);
            if (best == null || Simplifier.cheaper(candidate, best)) {
                best = candidate;
            }
        }
        return best;
    }

    private static boolean smallInteger(Expr exponent) {
        return exponent instanceof Num n && n.isInteger() && n.value() != 0 && Math.abs(n.value()) <= 6;
    }

    private static Object[] inverseForm(Apply a) {
        if (a.args().size() != 1 || !(a.arg(0) instanceof Apply g) || g.args().size() != 1) {
            return null;
        }
        for (Object[] form : INVERSE_FORMS) {
            if (a.fn() == form[0] && g.fn() == form[1]) {
                return form;
            }
        }
        return null;
    }

    private static boolean evenSmall(Expr exponent) {
        return exponent instanceof Num n && n.isInteger() && n.value() % 2 == 0 && n.value() != 0 && Math.abs(n.value()) <= 6;
    }

    private static Object[] squarePair(Apply a) {
        for (Object[] pair : SQUARE_PAIRS) {
            if (a.fn() == pair[0]) {
                return pair;
            }
        }
        return null;
    }

    private static Expr expReciprocal(Expr e) {
        if (!(e instanceof Product p)) {
            return null;
        }
        int at = -1;
        for (int i = 0; i < p.factors().size(); i++) {
            Expr f = p.factors().get(i);
            if (f instanceof Num) {
                continue;
            }
            if (!(f instanceof Power pw && pw.exponent() instanceof Num n && n.signum() < 0)) {
                return null; // the numerator holds more than a number
            }
            if (at < 0 && pw.base() instanceof Apply a && a.fn() == Primitive.EXP && n.isInteger()) {
                at = i;
            }
        }
        if (at < 0) {
            return null;
        }
        Power pw = (Power) p.factors().get(at);
        List<Expr> out = new ArrayList<>(p.factors());
        out.set(at, apply(Primitive.EXP, mul(pw.exponent(), ((Apply) pw.base()).arg(0))));
        Expr candidate = mul(out);
        return Simplifier.cost(candidate) <= Simplifier.cost(e) ? candidate : null;
    }

    private static Expr overOneRoot(Expr e) {
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        // The root: a factor sqrt(U)^-1 of the first term that has one.
        Apply root = null;
        for (Expr t : s.terms()) {
            for (Expr f : factorsOf(t)) {
                if (f instanceof Power pw && pw.base() instanceof Apply a && a.fn() == Primitive.SQRT
                        && pw.exponent() instanceof Num n && n.value() == -1) {
                    root = a;
                    break;
                }
            }
            if (root != null) {
                break;
            }
        }
        if (root == null) {
            return null;
        }
        List<Expr> numerator = new ArrayList<>(s.terms().size());
        boolean times = false;
        for (Expr t : s.terms()) {
            List<Expr> factors = new ArrayList<>(factorsOf(t));
            int k = factors.indexOf(root);
            if (k >= 0) {
                times = true;
                factors.set(k, root.arg(0)); // b·sqrt(U)·sqrt(U) = b·U
            } else {
                k = factors.indexOf(pow(root, num(-1)));
                if (k < 0) {
                    return null;
                }
                factors.remove(k);
            }
            numerator.add(mul(factors));
        }
        if (!times) {
            return null;
        }
        return shorter(mul(add(numerator), pow(root, num(-1))), e);
    }

    private static Expr reversedDifference(Expr e) {
        if (!(e instanceof Product p && p.factors().get(0) instanceof Num c && c.signum() < 0)) {
            return null;
        }
        List<Expr> factors = p.factors();
        for (int i = 1; i < factors.size(); i++) {
            // Not a sum with a number in it: 1 − h, 1 − σ(u), 1 − tanh² are units a reader
            // recognises (σ′, tanh′), and −x·h·(1 − h) reads better than x·h·(h − 1).
            if (factors.get(i) instanceof Sum u && u.terms().size() <= 64 && u.terms().stream().noneMatch(t -> t instanceof Num)) {
                List<Expr> negated = new ArrayList<>(u.terms().size());
                for (Expr t : u.terms()) {
                    negated.add(neg(t));
                }
                Expr flipped = add(negated);
                if (flipped.treeSize() > u.treeSize()) {
                    continue;
                }
                List<Expr> out = new ArrayList<>(factors);
                out.set(0, c.negate());
                out.set(i, flipped);
                Expr candidate = mul(out);
                return Simplifier.cost(candidate) <= Simplifier.cost(e) ? candidate : null;
            }
        }
        return null;
    }

    private static Expr sigmoidNegation(Expr e, Work work) {
        Expr best = sigmoidNegated(e, work);
        // shorter as a tree too, not only by the cost that counts a 1 − σ(u) as one node
        return best == null || best.treeSize() >= e.treeSize() ? null : shorter(best, e);
    }

    /** {@link #SIGMOID_NEGATION}'s best candidate, shorter or not (for the tests), or null. */
    static Expr sigmoidNegated(Expr e, Work work) {
        if (!(e instanceof Sum || e instanceof Product) || e.treeSize() > RationalForm.MAX_TREE || !reachesCallOf(e, SIGMOIDS)) {
            return null;
        }
        List<Apply> sigmoids = new ArrayList<>();
        if (!factorsReached(e, work, f -> {
            Expr base = f instanceof Power pw && smallInteger(pw.exponent()) ? pw.base() : f;
            if (base instanceof Apply a && a.fn() == Primitive.SIGMOID && !sigmoids.contains(a) && sigmoids.size() < 8) {
                sigmoids.add(a);
            }
        })) {
            return null;
        }
        Expr best = null;
        int tried = 0;
        for (Apply a : sigmoids) {
            Expr reflected = apply(Primitive.SIGMOID, neg(a.arg(0)));
            if (!sigmoids.contains(reflected) || tried++ >= 4) {
                continue; // σ(−u) alone: nothing to collect it with
            }
            Expr complement = add(Exprs.ONE, neg(reflected)); // σ(v) = 1 − σ(−v)
            Expr candidate = collected(replaceFactors(e, f -> {
                if (f == a) {
                    return complement;
                }
                return f instanceof Power pw && pw.base() == a && smallInteger(pw.exponent()) ? pow(complement, pw.exponent()) : f;
            }), work);
            if (best == null || Simplifier.cheaper(candidate, best)) {
                best = candidate;
            }
        }
        return best;
    }

    private static Expr heavisideSign(Expr e) {
        if (e instanceof Apply h && h.fn() == Primitive.HEAVISIDE && h.args().size() == 1
                && h.arg(0) instanceof Product p && p.factors().get(0) instanceof Num c && !c.isZero()
                && !c.isOne() && !c.negate().isOne()) {
            List<Expr> rest = new ArrayList<>(p.factors());
            rest.set(0, c.signum() > 0 ? Exprs.ONE : Exprs.MINUS_ONE);
            return apply(Primitive.HEAVISIDE, mul(rest));
        }
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        List<Expr> terms = s.terms();
        for (int i = 0; i < terms.size(); i++) {
            StepTerm a = StepTerm.of(terms.get(i));
            if (a == null) {
                continue;
            }
            for (int j = 0; j < terms.size(); j++) {
                StepTerm b = j == i ? null : StepTerm.of(terms.get(j));
                if (b == null || b.arg != neg(a.arg)) {
                    continue;
                }
                Expr replacement = b.rest == neg(a.rest) ? mul(a.rest, apply(Primitive.SIGN, a.arg))
                        : b.rest == a.rest ? a.rest : null;
                if (replacement == null) {
                    continue;
                }
                List<Expr> out = new ArrayList<>(terms);
                out.remove(Math.max(i, j));
                out.remove(Math.min(i, j));
                out.add(replacement);
                return add(out);
            }
        }
        return null;
    }

    /** A term c * heaviside(u) split into the argument u and the rest c. */
    private record StepTerm(Expr arg, Expr rest) {
        static StepTerm of(Expr term) {
            List<Expr> factors = term instanceof Product p ? p.factors() : List.of(term);
            for (int k = 0; k < factors.size(); k++) {
                if (factors.get(k) instanceof Apply a && a.fn() == Primitive.HEAVISIDE && a.args().size() == 1) {
                    List<Expr> rest = new ArrayList<>(factors);
                    rest.remove(k);
                    return new StepTerm(a.arg(0), mul(rest));
                }
            }
            return null;
        }
    }

    private static Expr halfPower(Expr e) {
        if (!(e instanceof Power p && p.exponent() instanceof Num n && n.isExact() && n.denominator().intValue() == 2
                && n.denominator().bitLength() == 2 && n.numerator().abs().equals(java.math.BigInteger.ONE))) {
            return null;
        }
        Expr root = apply(Primitive.SQRT, p.base());
        return n.signum() > 0 ? root : pow(root, num(-1));
    }

    /** The factors of a term, a lone factor as a list of one. */
    private static List<Expr> factorsOf(Expr term) {
        return term instanceof Product p ? p.factors() : List.of(term);
    }

    private static Expr squareComplement(Expr e) {
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        List<Expr> terms = s.terms();
        Primitive[] fs = {Primitive.SIN, Primitive.COS, Primitive.SINH, Primitive.COSH};
        for (int i = 0; i < terms.size(); i++) {
            for (Primitive f : fs) {
                Split a = Split.of(terms.get(i), f);
                if (a == null) {
                    continue;
                }
                // c·sinh² + c: the other term is c itself; the rest pair with −c.
                Expr partner = f == Primitive.SINH ? a.rest : neg(a.rest);
                int j = terms.indexOf(partner);
                if (j < 0 || j == i) {
                    continue;
                }
                Expr replacement = switch (f) {
                    case SIN -> mul(neg(a.rest), pow(apply(Primitive.COS, a.arg), num(2)));
                    case COS -> mul(neg(a.rest), pow(apply(Primitive.SIN, a.arg), num(2)));
                    case SINH -> mul(a.rest, pow(apply(Primitive.COSH, a.arg), num(2)));
                    default -> mul(a.rest, pow(apply(Primitive.SINH, a.arg), num(2)));
                };
                List<Expr> out = new ArrayList<>(terms);
                out.remove(Math.max(i, j));
                out.remove(Math.min(i, j));
                out.add(replacement);
                return shorter(add(out), e);
            }
        }
        return null;
    }

    private static Expr doubleAngle(Expr e) {
        if (e instanceof Product p) {
            Expr r = doubleAngleProduct(p, Primitive.SIN, Primitive.COS, e);
            return r != null ? r : doubleAngleProduct(p, Primitive.SINH, Primitive.COSH, e);
        }
        if (e instanceof Sum s && s.terms().size() <= 64) {
            Expr r = doubleAngleSum(s, Primitive.COS, Primitive.SIN, true, Primitive.COS);
            return r != null ? r : doubleAngleSum(s, Primitive.COSH, Primitive.SINH, false, Primitive.COSH);
        }
        return null;
    }

    /**
     * c·f(u)·g(u) = (c/2)·f(2u), f the sine (or sinh) and g its cosine, for a product of nothing
     * else: with other factors ({@code 2·exp(x)·sin(x)·cos(x)} inside a sum) the product is
     * left for factor-common, which writes {@code exp(x)·sin(x)·(2·cos(x) + sin(x))}.
     */
    private static Expr doubleAngleProduct(Product p, Primitive f, Primitive g, Expr e) {
        List<Expr> factors = p.factors();
        if (factors.size() > 3 || factors.size() == 3 && !(factors.get(0) instanceof Num)) {
            return null;
        }
        for (int i = 0; i < factors.size(); i++) {
            if (!(factors.get(i) instanceof Apply a && a.fn() == f)) {
                continue;
            }
            int j = factors.indexOf(apply(g, a.arg(0)));
            if (j < 0) {
                continue;
            }
            List<Expr> out = new ArrayList<>(factors);
            out.remove(Math.max(i, j));
            out.remove(Math.min(i, j));
            out.add(Exprs.rational(1, 2));
            out.add(apply(f, mul(num(2), a.arg(0))));
            Expr candidate = mul(out);
            return Simplifier.cheaper(candidate, e) ? candidate : null;
        }
        return null;
    }

    /** c·a(u)² ∓ c·b(u)² = c·a(2u): cos² − sin² (minus) or cosh² + sinh² (plus). */
    private static Expr doubleAngleSum(Sum s, Primitive a, Primitive b, boolean minus, Primitive result) {
        List<Expr> terms = s.terms();
        for (int i = 0; i < terms.size(); i++) {
            Split x = Split.of(terms.get(i), a);
            if (x == null) {
                continue;
            }
            for (int j = 0; j < terms.size(); j++) {
                Split y = Split.of(terms.get(j), b);
                if (j != i && y != null && y.arg == x.arg && y.rest == (minus ? neg(x.rest) : x.rest)) {
                    List<Expr> out = new ArrayList<>(terms);
                    out.remove(Math.max(i, j));
                    out.remove(Math.min(i, j));
                    out.add(mul(x.rest, apply(result, mul(num(2), x.arg))));
                    return shorter(add(out), s);
                }
            }
        }
        return null;
    }

    private static Expr sqrtContent(Expr e) {
        if (!(e instanceof Apply a && a.fn() == Primitive.SQRT && a.arg(0) instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        java.math.BigInteger gcd = java.math.BigInteger.ZERO;
        java.math.BigInteger lcm = java.math.BigInteger.ONE;
        for (Expr t : s.terms()) {
            Num c = t instanceof Num n ? n : t instanceof Product p && p.factors().get(0) instanceof Num n ? n : Exprs.ONE;
            if (!c.isExact()) {
                return null;
            }
            gcd = gcd.gcd(c.numerator());
            lcm = lcm.divide(lcm.gcd(c.denominator())).multiply(c.denominator());
        }
        // k = sqrt(gcd)/sqrt(lcm), each part taken only when it is a perfect square (k² divides the content).
        java.math.BigInteger m = lcm.sqrt();
        java.math.BigInteger outDen = m.multiply(m).equals(lcm) ? m : java.math.BigInteger.ONE;
        java.math.BigInteger n = gcd.sqrt();
        java.math.BigInteger outNum = n.multiply(n).equals(gcd) ? n : java.math.BigInteger.ONE;
        if (outNum.equals(java.math.BigInteger.ONE) && outDen.equals(java.math.BigInteger.ONE)) {
            return null;
        }
        Num k = Exprs.rational(outNum, outDen);
        Num k2 = k.times(k);
        List<Expr> inner = new ArrayList<>(s.terms().size());
        for (Expr t : s.terms()) {
            inner.add(mul(k2.reciprocal(), t));
        }
        return mul(k, apply(Primitive.SQRT, add(inner)));
    }

    private static Expr exactValues(Expr e) {
        if (!(e instanceof Apply a && (a.fn() == Primitive.SIN || a.fn() == Primitive.COS || a.fn() == Primitive.TAN)
                && a.args().size() == 1)) {
            return null;
        }
        Expr u = a.arg(0);
        Num k = u instanceof Apply pi && pi.fn() == Primitive.PI ? Exprs.ONE
                : u instanceof Product p && p.factors().size() == 2 && p.factors().get(0) instanceof Num n
                        && p.factors().get(1) instanceof Apply pi && pi.fn() == Primitive.PI ? n : null;
        if (k == null || !k.isExact()) {
            return null;
        }
        Num twelve = k.times(num(12));
        if (!twelve.isInteger() || twelve.numerator().bitLength() > 62) {
            return null;
        }
        int degrees = (int) Math.floorMod(twelve.numerator().longValue() * 15, 360L); // u = degrees°
        if (degrees % 30 != 0 && degrees % 45 != 0) {
            return null; // 15°, 75° …: exact, but not what a textbook folds
        }
        Expr sin = sinOfDegrees(degrees);
        Expr cos = sinOfDegrees((degrees + 90) % 360);
        if (a.fn() == Primitive.SIN) {
            return sin;
        }
        if (a.fn() == Primitive.COS) {
            return cos;
        }
        return cos instanceof Num c && c.isZero() ? null : mul(sin, pow(cos, num(-1))); // tan(π/2) is undefined: left as it is
    }

    /** sin of a multiple of 30° or 45°, exactly: 0, ±1/2, ±sqrt(2)/2, ±sqrt(3)/2, ±1. */
    private static Expr sinOfDegrees(int degrees) {
        int sign = degrees > 180 ? -1 : 1;
        int d = degrees > 180 ? degrees - 180 : degrees;
        d = d > 90 ? 180 - d : d; // sin(180° − d) = sin(d)
        Expr v = switch (d) {
            case 0 -> num(0);
            case 30 -> Exprs.rational(1, 2);
            case 45 -> mul(Exprs.rational(1, 2), apply(Primitive.SQRT, num(2)));
            case 60 -> mul(Exprs.rational(1, 2), apply(Primitive.SQRT, num(3)));
            case 90 -> num(1);
            default -> throw new AssertionError("not a multiple of 30° or 45°: " + degrees);
        };
        return sign < 0 ? neg(v) : v;
    }

    private static Expr rootMerge(Expr e) {
        if (!(e instanceof Product p)) {
            return null;
        }
        List<Expr> factors = p.factors();
        for (int i = 0; i < factors.size(); i++) {
            Expr fi = factors.get(i);
            Expr rootCall = fi instanceof Power pw && pw.exponent() instanceof Num ? pw.base() : fi;
            if (!(rootCall instanceof Apply r && r.fn() == Primitive.SQRT)) {
                continue;
            }
            Num b = fi instanceof Power pw ? (Num) pw.exponent() : Exprs.ONE;
            Expr u = r.arg(0);
            for (int j = 0; j < factors.size(); j++) {
                Expr fj = factors.get(j);
                Expr base = fj instanceof Power pw && pw.exponent() instanceof Num ? pw.base() : fj;
                if (j == i || base != u) {
                    continue;
                }
                Num a = fj instanceof Power pw ? (Num) pw.exponent() : Exprs.ONE;
                if (!a.isInteger() || !b.isInteger()) {
                    continue;
                }
                List<Expr> out = new ArrayList<>(factors);
                out.remove(Math.max(i, j));
                out.remove(Math.min(i, j));
                out.add(pow(u, a.plus(b.times(Exprs.rational(1, 2)))));
                return shorter(mul(out), e);
            }
        }
        return null;
    }

    private static Expr tangentQuotient(Expr e) {
        if (!(e instanceof Product p)) {
            return null;
        }
        Primitive[][] pairs = {{Primitive.SIN, Primitive.COS, Primitive.TAN}, {Primitive.SINH, Primitive.COSH, Primitive.TANH}};
        List<Expr> factors = p.factors();
        for (Primitive[] pair : pairs) {
            for (int i = 0; i < factors.size(); i++) {
                Expr fi = factors.get(i);
                Expr base = fi instanceof Power pw && pw.exponent() instanceof Num ? pw.base() : fi;
                long a = fi instanceof Power pw && pw.exponent() instanceof Num n ? (n.isInteger() ? (long) n.value() : 0) : 1;
                if (!(base instanceof Apply s && s.fn() == pair[0]) || a <= 0) {
                    continue;
                }
                Expr cosine = apply(pair[1], s.arg(0));
                for (int j = 0; j < factors.size(); j++) {
                    if (factors.get(j) instanceof Power pc && pc.base() == cosine && pc.exponent() instanceof Num n
                            && n.isInteger() && n.value() < 0) {
                        long b = (long) -n.value();
                        long m = Math.min(a, b);
                        List<Expr> out = new ArrayList<>(factors);
                        out.set(i, pow(s, num(a - m)));
                        out.set(j, pow(cosine, num(m - b)));
                        out.add(pow(apply(pair[2], s.arg(0)), num(m)));
                        return shorter(mul(out), e);
                    }
                }
            }
        }
        return null;
    }

    private static Expr logRatio(Expr e) {
        if (!(e instanceof Product p)) {
            return null;
        }
        List<Expr> factors = p.factors();
        for (int i = 0; i < factors.size(); i++) {
            if (!(factors.get(i) instanceof Apply top && top.fn() == Primitive.LOG && top.arg(0) instanceof Num a)) {
                continue;
            }
            for (int j = 0; j < factors.size(); j++) {
                if (factors.get(j) instanceof Power pw && pw.exponent() instanceof Num n && n.value() == -1
                        && pw.base() instanceof Apply bottom && bottom.fn() == Primitive.LOG && bottom.arg(0) instanceof Num b) {
                    long[] ij = commonBase(a, b);
                    if (ij == null) {
                        continue;
                    }
                    List<Expr> out = new ArrayList<>(factors);
                    out.remove(Math.max(i, j));
                    out.remove(Math.min(i, j));
                    out.add(Exprs.rational(ij[0], ij[1]));
                    return mul(out);
                }
            }
        }
        return null;
    }

    /** {i, j} with a = m^i and b = m^j for one integer m &gt; 1, or null (a, b integers from 2 to 2^62). */
    private static long[] commonBase(Num a, Num b) {
        if (!a.isInteger() || !b.isInteger() || a.value() < 2 || b.value() < 2 || a.value() > 0x1p62 || b.value() > 0x1p62) {
            return null;
        }
        long x = (long) a.value();
        long y = (long) b.value();
        // The smallest root of b: the largest j with b = m^j.
        for (int j = 62; j >= 1; j--) {
            long m = Math.round(Math.pow(y, 1.0 / j));
            for (long c = Math.max(2, m - 1); c <= m + 1; c++) {
                if (power(c, j) == y) {
                    int i = 0;
                    long v = x;
                    while (v % c == 0) {
                        v /= c;
                        i++;
                    }
                    return v == 1 ? new long[] {i, j} : null;
                }
            }
        }
        return null;
    }

    /** c^j, or -1 past 2^62. */
    private static long power(long c, int j) {
        long r = 1;
        for (int k = 0; k < j; k++) {
            if (r > (1L << 62) / c) {
                return -1;
            }
            r *= c;
        }
        return r;
    }

    private static final java.util.Set<Primitive> ODD = java.util.EnumSet.of(Primitive.SIN, Primitive.TAN, Primitive.ATAN,
            Primitive.ASIN, Primitive.SINH, Primitive.TANH, Primitive.ASINH, Primitive.ATANH, Primitive.ERF);

    private static Expr oddSign(Expr e) {
        if (!(e instanceof Product p && p.factors().get(0) instanceof Num c && c.signum() < 0)) {
            return null;
        }
        List<Expr> factors = p.factors();
        for (int i = 1; i < factors.size(); i++) {
            if (factors.get(i) instanceof Apply a && ODD.contains(a.fn()) && a.arg(0) instanceof Sum u) {
                List<Expr> negated = new ArrayList<>(u.terms().size());
                for (Expr t : u.terms()) {
                    negated.add(neg(t));
                }
                Expr flipped = add(negated);
                if (flipped.treeSize() > u.treeSize()) {
                    continue;
                }
                List<Expr> out = new ArrayList<>(factors);
                out.set(0, c.negate());
                out.set(i, apply(a.fn(), flipped));
                return mul(out);
            }
        }
        return null;
    }

    private static Expr factorNumber(Expr e, Work work) {
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        double c = Double.NaN;
        for (Expr t : s.terms()) {
            Num n = t instanceof Num bare ? bare : t instanceof Product p && p.factors().get(0) instanceof Num first ? first : null;
            if (n == null) {
                return null;
            }
            double v = Math.abs(n.value());
            if (Double.isNaN(c)) {
                c = v;
            } else if (c != v) {
                return null;
            }
        }
        if (c == 1 || c == 0 || Double.isNaN(c)) {
            return null;
        }
        List<Expr> inner = new ArrayList<>(s.terms().size());
        for (Expr t : s.terms()) {
            if (t instanceof Num bare) {
                inner.add(bare.signum() < 0 ? num(-1) : num(1));
                continue;
            }
            Product p = (Product) t;
            Expr rest = mul(p.nonNumericFactors());
            inner.add(((Num) p.factors().get(0)).value() < 0 ? mul(num(-1), rest) : rest);
        }
        Expr candidate = mul(num(c), add(inner));
        if (candidate.treeSize() <= e.treeSize() && Simplifier.cheaper(candidate, e)) {
            return candidate;
        }
        // k·(1 − tanh(k·x)²), not k − k·tanh(k·x)²: a derivative's textbook form kept whole times
        // the constant (the chain rule's k·f′(k·x)), where the cost counting it as a unit is lower.
        if (Simplifier.cheaper(candidate, e) && Simplifier.complements(candidate, new java.util.IdentityHashMap<>())
                > Simplifier.complements(e, new java.util.IdentityHashMap<>())) {
            return candidate;
        }
        // 0.2·(1 − x²), not 0.2 − 0.2·x²: two nodes more (the product, the sign), printed no longer,
        // the number written once; for sums of a few terms (a numerator), not long linear forms.
        return s.terms().size() <= 8 && Simplifier.printsNoLonger(candidate, e, 2, work) ? candidate : null;
    }

    /**
     * {@code candidate} when its cost ({@link Simplifier#cost}: the tree size, {@code 1 − σ(u)}
     * counted as one node over σ(u)) is strictly smaller than {@code original}'s, else null.
     */
    private static Expr expProduct(Expr e) {
        if (!(e instanceof Product p)) {
            return null;
        }
        List<Expr> exponents = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        for (Expr f : p.factors()) {
            if (f instanceof Apply a && a.fn() == Primitive.EXP) {
                exponents.add(a.arg(0));
            } else if (f instanceof Power pw && pw.base() instanceof Apply a && a.fn() == Primitive.EXP
                    && pw.exponent() instanceof Num n) {
                exponents.add(mul(n, a.arg(0)));
            } else {
                rest.add(f);
            }
        }
        if (exponents.size() < 2) {
            return null;
        }
        rest.add(apply(Primitive.EXP, add(exponents)));
        return shorter(mul(rest), e);
    }

    private static Expr expOfLogMultiple(Expr e) {
        if (!(e instanceof Apply a && a.fn() == Primitive.EXP && a.arg(0) instanceof Product p
                && p.factors().size() == 2)) {
            return null;
        }
        Expr c = p.factors().get(0);
        Expr l = p.factors().get(1);
        if (c instanceof Apply) {
            Expr t = c;
            c = l;
            l = t;
        }
        return c instanceof Num && l instanceof Apply log && log.fn() == Primitive.LOG ? pow(log.arg(0), c) : null;
    }

    private static Expr rootDenominator(Expr e) {
        if (!(e instanceof Sum s) || s.terms().size() > 12) {
            return null;
        }
        // the roots some term divides by, with the largest power each is divided by
        Map<Expr, Integer> roots = new LinkedHashMap<>();
        Map<Expr, Integer> terms = new LinkedHashMap<>();
        for (Expr t : s.terms()) {
            for (Expr f : t instanceof Product p ? p.factors() : List.of(t)) {
                if (f instanceof Power pw && pw.base() instanceof Apply a && a.fn() == Primitive.SQRT
                        && pw.exponent() instanceof Num n && n.isInteger() && n.signum() < 0 && n.value() > -8) {
                    roots.merge(pw.base(), (int) -n.value(), Math::max);
                    terms.merge(pw.base(), 1, Integer::sum);
                }
            }
        }
        for (Map.Entry<Expr, Integer> r : roots.entrySet()) {
            if (terms.get(r.getKey()) < 2) {
                continue; // one term over it: nothing to bring together
            }
            Expr root = r.getKey();
            Expr radicand = ((Apply) root).arg(0);
            Expr over = pow(root, num(r.getValue()));
            List<Expr> numerator = new ArrayList<>(s.terms().size());
            for (Expr t : s.terms()) {
                numerator.add(radicandForSquares(mul(t, over), root, radicand));
            }
            Expr candidate = mul(add(numerator), pow(root, num(-r.getValue())));
            Expr kept = shorter(candidate, e);
            if (kept != null) {
                return kept;
            }
        }
        return null;
    }

    /** {@code t} with its factor sqrt(u)^(2k) written u^k (where the root is real). */
    private static Expr radicandForSquares(Expr t, Expr root, Expr radicand) {
        List<Expr> out = new ArrayList<>();
        for (Expr f : t instanceof Product p ? p.factors() : List.of(t)) {
            if (f instanceof Power pw && pw.base() == root && pw.exponent() instanceof Num n && n.isInteger()
                    && n.value() % 2 == 0) {
                out.add(pow(radicand, num(n.value() / 2)));
            } else {
                out.add(f);
            }
        }
        return mul(out);
    }

    private static Expr shorter(Expr candidate, Expr original) {
        return Simplifier.cost(candidate) < Simplifier.cost(original) ? candidate : null;
    }

    private static Expr pythagoras(Expr e) {
        if (!(e instanceof Sum s)) {
            return null;
        }
        List<Expr> terms = s.terms();
        for (int i = 0; i < terms.size(); i++) {
            Split a = Split.of(terms.get(i), Primitive.SIN);
            if (a == null) {
                continue;
            }
            for (int j = 0; j < terms.size(); j++) {
                Split b = Split.of(terms.get(j), Primitive.COS);
                if (b != null && b.arg == a.arg && b.rest == a.rest) {
                    List<Expr> out = new ArrayList<>(terms);
                    out.remove(Math.max(i, j));
                    out.remove(Math.min(i, j));
                    out.add(a.rest);
                    return add(out);
                }
            }
        }
        return null;
    }

    private static Expr sigmoidComplement(Expr e) {
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        List<Expr> terms = s.terms();
        for (int j = 0; j < terms.size(); j++) {
            SigmoidTerm b = SigmoidTerm.of(terms.get(j));
            if (b == null) {
                continue;
            }
            Expr a = neg(b.rest); // the term a of a − a·σ(u)
            int i = terms.indexOf(a);
            if (i < 0 || i == j) {
                continue;
            }
            List<Expr> out = new ArrayList<>(terms);
            out.remove(Math.max(i, j));
            out.remove(Math.min(i, j));
            out.add(mul(a, add(Exprs.ONE, neg(apply(Primitive.SIGMOID, b.arg)))));
            Expr candidate = add(out);
            if (Simplifier.cheaper(candidate, e)) {
                return candidate;
            }
        }
        return null;
    }

    private static Expr sigmoidReflection(Expr e) {
        if (!(e instanceof Sum s)) {
            return null;
        }
        List<Expr> terms = s.terms();
        for (int i = 0; i < terms.size(); i++) {
            SigmoidTerm a = SigmoidTerm.of(terms.get(i));
            if (a == null) {
                continue;
            }
            Expr reflected = neg(a.arg);
            for (int j = i + 1; j < terms.size(); j++) {
                SigmoidTerm b = SigmoidTerm.of(terms.get(j));
                if (b != null && b.arg == reflected && b.rest == a.rest) {
                    List<Expr> out = new ArrayList<>(terms);
                    out.remove(j);
                    out.remove(i);
                    out.add(a.rest);
                    return add(out);
                }
            }
        }
        return null;
    }

    /** A term c * sigmoid(u) split into the argument u and the rest c. */
    private record SigmoidTerm(Expr arg, Expr rest) {
        static SigmoidTerm of(Expr term) {
            List<Expr> factors = term instanceof Product p ? p.factors() : List.of(term);
            for (int k = 0; k < factors.size(); k++) {
                if (factors.get(k) instanceof Apply a && a.fn() == Primitive.SIGMOID) {
                    List<Expr> rest = new ArrayList<>(factors);
                    rest.remove(k);
                    return new SigmoidTerm(a.arg(0), mul(rest));
                }
            }
            return null;
        }
    }

    /** A term c * f(u)^2 split into f's argument u and the rest c. */
    private record Split(Expr arg, Expr rest) {
        static Split of(Expr term, Primitive f) {
            List<Expr> factors = term instanceof Product p ? p.factors() : List.of(term);
            for (int k = 0; k < factors.size(); k++) {
                if (factors.get(k) instanceof Power pw && pw.exponent() instanceof Num n && n.value() == 2
                        && pw.base() instanceof Apply a && a.fn() == f) {
                    List<Expr> rest = new ArrayList<>(factors);
                    rest.remove(k);
                    return new Split(a.arg(0), mul(rest));
                }
            }
            return null;
        }
    }

    /**
     * Pulls out the bases shared by the most terms. Each term's factors are read once (the work
     * charged is the number of factors looked at), the shared part is divided out of each term
     * factor by factor rather than by multiplying with an inverse, and the remaining terms are
     * collected by {@link LinearCollector}, which adds up coefficients per monomial instead of
     * building every expanded term: a sum of n terms each holding an n-term linear form (the
     * derivative of a variance) costs n² map updates, not n² new expressions.
     */
    private static Expr factorCommon(Expr e, Work work) {
        if (!(e instanceof Sum s)) {
            return null;
        }
        List<Expr> terms = s.terms();
        // First, without building anything per term, whether some base occurs in two terms: in a
        // normal-form sum of single names (a linear form) none does, and that is the common case.
        Map<Expr, Integer> count = new LinkedHashMap<>();
        long units = 0;
        boolean repeated = false;
        for (Expr t : terms) {
            List<Expr> factors = t instanceof Product p ? p.factors() : List.of(t);
            units += factors.size();
            for (Expr f : factors) {
                Expr base = baseOf(f);
                if (base != null) {
                    repeated |= count.merge(base, 1, Integer::sum) > 1;
                }
            }
        }
        if (!work.charge(units) || !repeated) {
            return null;
        }
        Expr best = null;
        int bestCount = 1;
        for (Map.Entry<Expr, Integer> c : count.entrySet()) {
            if (c.getValue() > bestCount) {
                best = c.getKey();
                bestCount = c.getValue();
            }
        }
        List<Map<Expr, Double>> bases = new ArrayList<>(terms.size());
        for (Expr t : terms) {
            bases.add(baseExponents(t));
        }
        // Factor every base that all the chosen terms share, not only the most frequent one.
        List<Integer> with = new ArrayList<>();
        List<Expr> without = new ArrayList<>();
        Map<Expr, Double> shared = null;
        for (int i = 0; i < terms.size(); i++) {
            Map<Expr, Double> be = bases.get(i);
            if (!be.containsKey(best)) {
                without.add(terms.get(i));
                continue;
            }
            with.add(i);
            if (shared == null) {
                shared = new LinkedHashMap<>(be);
            } else {
                shared.keySet().retainAll(be.keySet());
                for (Map.Entry<Expr, Double> x : shared.entrySet()) {
                    x.setValue(Math.min(x.getValue(), be.get(x.getKey())));
                }
            }
        }
        List<Expr> commonFactors = new ArrayList<>();
        for (Map.Entry<Expr, Double> x : shared.entrySet()) {
            if (x.getValue() != 0) {
                commonFactors.add(pow(x.getKey(), num(x.getValue())));
            }
        }
        if (commonFactors.isEmpty()) {
            return null;
        }
        List<Expr> inner = new ArrayList<>(with.size());
        for (int i : with) {
            inner.add(divideOut(terms.get(i), shared));
        }
        Expr innerSum = LinearCollector.sum(inner, work);
        if (innerSum == null) {
            return null;
        }
        List<Expr> outer = new ArrayList<>(without);
        List<Expr> withNumberOut = new ArrayList<>(commonFactors);
        commonFactors.add(innerSum);
        outer.add(mul(commonFactors));
        Expr candidate = add(outer);
        // As costly, but keeping a 1 − σ(u) and writing fewer calls: σ + x·σ·(1 − σ) = σ·(x·(1 − σ) + 1).
        if (Simplifier.cost(candidate) == Simplifier.cost(e) && Simplifier.complements(candidate, new java.util.IdentityHashMap<>()) > 0) {
            return Simplifier.cheaper(candidate, e) ? candidate : null;
        }
        candidate = shorter(candidate, e);
        if (candidate != null) {
            // The collected sum's shared number out where it prints no longer (factor-number):
            // cos(u)·0.2·(1 − x²)/(x² + 1)², not cos(u)·(0.2 − 0.2·x²)/(x² + 1)², if still no larger than the input.
            Expr numberOut = innerSum instanceof Sum small && small.terms().size() <= 8 ? factorNumber(innerSum, work) : null;
            if (numberOut != null) {
                withNumberOut.add(numberOut);
                List<Expr> again = new ArrayList<>(without);
                again.add(mul(withNumberOut));
                Expr printed = add(again);
                if (Simplifier.cost(printed) <= Simplifier.cost(e)) {
                    return printed;
                }
            }
        }
        return candidate;
    }

    /** {@code term} with each base of {@code shared} divided out to the shared exponent. */
    private static Expr divideOut(Expr term, Map<Expr, Double> shared) {
        List<Expr> factors = term instanceof Product p ? p.factors() : List.of(term);
        List<Expr> out = new ArrayList<>(factors.size());
        for (Expr f : factors) {
            Expr base = f instanceof Power pw && pw.exponent() instanceof Num ? pw.base() : f;
            Double take = f instanceof Num ? null : shared.get(base);
            if (take == null) {
                out.add(f);
                continue;
            }
            double have = base == f ? 1 : ((Num) ((Power) f).exponent()).value();
            if (have != take) {
                out.add(pow(base, num(have - take)));
            }
        }
        return mul(out);
    }

    /** The base a factor contributes to {@link #baseExponents}, or null (a number, a symbolic power). */
    private static Expr baseOf(Expr f) {
        if (f instanceof Num) {
            return null;
        }
        if (f instanceof Power pw && pw.exponent() instanceof Num) {
            return pw.base();
        }
        return f; // a name, a call, or a power with a symbolic exponent (x^x) as a whole
    }

    /** The non-numeric factors of a term as base → numeric exponent (symbolic exponents are skipped). */
    private static Map<Expr, Double> baseExponents(Expr term) {
        Map<Expr, Double> out = new LinkedHashMap<>();
        List<Expr> factors = term instanceof Product p ? p.nonNumericFactors() : List.of(term);
        for (Expr f : factors) {
            if (f instanceof Num) {
                continue;
            }
            if (f instanceof Power pw && pw.exponent() instanceof Num n) {
                out.put(pw.base(), n.value());
            } else {
                out.put(f, 1.0);
            }
        }
        return out;
    }
}
