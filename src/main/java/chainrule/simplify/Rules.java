package chainrule.simplify;

import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
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

    /** Guarded: for x &lt; 0 the left side is undefined, and a rewrite must not invent a value. */
    public static final Rule EXP_OF_LOG = Rule.local("exp-of-log", "exp(log(x)) = x, for x >= 0",
            e -> e instanceof Apply a && a.fn() == Primitive.EXP
                    && a.arg(0) instanceof Apply in && in.fn() == Primitive.LOG
                    && Positivity.isNonNegative(in.arg(0)) ? in.arg(0) : null);

    public static final Rule LOG_OF_EXP = Rule.local("log-of-exp", "log(exp(x)) = x",
            e -> e instanceof Apply a && a.fn() == Primitive.LOG
                    && a.arg(0) instanceof Apply in && in.fn() == Primitive.EXP ? in.arg(0) : null);

    public static final Rule SQRT_OF_SQUARE = Rule.local("sqrt-of-square", "sqrt(x^2) = abs(x)",
            e -> e instanceof Apply a && a.fn() == Primitive.SQRT && a.arg(0) instanceof Power p
                    && p.exponent() instanceof Num n && n.value() == 2 ? apply(Primitive.ABS, p.base()) : null);

    /** sqrt(x)^2 = x; guarded like {@link #EXP_OF_LOG}. Also sqrt(x)^4 = x^2 and so on. */
    public static final Rule SQUARE_OF_SQRT = Rule.local("square-of-sqrt", "sqrt(x)^(2k) = x^k, for x >= 0",
            e -> e instanceof Power p && p.base() instanceof Apply a && a.fn() == Primitive.SQRT
                    && p.exponent() instanceof Num n && n.isInteger() && n.value() % 2 == 0
                    && Positivity.isNonNegative(a.arg(0)) ? pow(a.arg(0), num(n.value() / 2)) : null);

    /** exp(u)^n = exp(n*u), exact for every real u; only where it is shorter ({@code exp(0.5*x)^2 = exp(x)}). */
    public static final Rule POWER_OF_EXP = Rule.local("power-of-exp", "exp(u)^n = exp(n*u), when shorter",
            e -> e instanceof Power p && p.base() instanceof Apply a && a.fn() == Primitive.EXP
                    && p.exponent() instanceof Num ? shorter(apply(Primitive.EXP, mul(p.exponent(), a.arg(0))), e) : null);

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
    public static final Rule FACTOR_NUMBER = Rule.local("factor-number",
            "c*a + c*b = c*(a + b), for a number c shared by every term (up to sign)", Rules::factorNumber);

    /** Every rule, in the order the runner tries them. */
    public static final List<Rule> ALL = List.of(EXP_OF_LOG, LOG_OF_EXP, SQRT_OF_SQUARE, SQUARE_OF_SQRT,
            POWER_OF_EXP, PYTHAGORAS, SIGMOID_REFLECTION, CANCEL_RATIONAL, FACTOR_COMMON, FACTOR_NUMBER);

    private static Expr factorNumber(Expr e) {
        if (!(e instanceof Sum s) || s.terms().size() > 64) {
            return null;
        }
        double c = Double.NaN;
        for (Expr t : s.terms()) {
            if (!(t instanceof Product p && p.factors().get(0) instanceof Num n)) {
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
            Product p = (Product) t;
            Expr rest = mul(p.nonNumericFactors());
            inner.add(((Num) p.factors().get(0)).value() < 0 ? mul(num(-1), rest) : rest);
        }
        Expr candidate = mul(num(c), add(inner));
        return candidate.treeSize() <= e.treeSize() && Simplifier.cheaper(candidate, e) ? candidate : null;
    }

    /** {@code candidate} when its tree is strictly smaller than {@code original}'s, else null. */
    private static Expr shorter(Expr candidate, Expr original) {
        return candidate.treeSize() < original.treeSize() ? candidate : null;
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
        commonFactors.add(innerSum);
        outer.add(mul(commonFactors));
        return shorter(add(outer), e);
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
