package chainrule.expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only way to build expressions. Every factory normalises (cheap, local rules that give one
 * canonical form: flattening, constant folding, like terms and powers collected, canonical order)
 * and interns, so structurally equal expressions are the same object.
 *
 * <p>Normalisation here is deliberately local and always terminates in one pass over the direct
 * arguments. Anything that searches (factoring, identities) lives in {@code chainrule.simplify}
 * behind explicit limits.
 *
 * <p>The intern table ({@link InternTable}) holds its entries weakly: an expression nobody
 * references any more can be collected, and its entry can never be matched again.
 */
public final class Exprs {
    private Exprs() {}

    private static final InternTable TABLE = new InternTable();

    public static final Num ZERO = num(0);
    public static final Num ONE = num(1);
    public static final Num MINUS_ONE = num(-1);
    public static final Num TWO = num(2);

    /** Marks a monomial of {@link #add} with several terms (which are then folded into one). */
    private static final Expr SEVERAL = sym("<several>", SymKind.LOCAL);

    // ---------------------------------------------------------------- leaves

    public static Num num(double value) {
        double v = value == 0.0 ? 0.0 : value; // -0.0 and 0.0 are one constant
        return TABLE.num(v);
    }

    public static Sym sym(String name, SymKind kind) {
        return TABLE.sym(name, kind);
    }

    /** A free variable, as in {@code diff 'sin(x)' --wrt x}. */
    public static Sym local(String name) {
        return sym(name, SymKind.LOCAL);
    }

    // ---------------------------------------------------------------- arithmetic

    public static Expr add(Expr... terms) {
        return add(Arrays.asList(terms));
    }

    public static Expr sub(Expr a, Expr b) {
        return add(a, neg(b));
    }

    public static Expr neg(Expr a) {
        return mul(MINUS_ONE, a);
    }

    public static Expr div(Expr a, Expr b) {
        return mul(a, pow(b, MINUS_ONE));
    }

    /**
     * A sum: nested sums flattened, numbers folded, like terms collected ({@code 2*x + 3*x = 5*x}),
     * zero terms dropped, terms in canonical order with the constant last. A term that is a number
     * times a sum is expanded ({@code x + 2*(y + 1) = x + 2*y + 2}), so that linear forms cancel;
     * a product on its own keeps its factored form ({@code 2*(y + 1)}).
     */
    public static Expr add(List<Expr> terms) {
        if (terms.size() == 1 && isAtom(terms.get(0))) {
            return terms.get(0); // a lone name, call or power is its own sum (the common case in derivatives)
        }
        if (terms.size() == 2) {
            Expr joined = sumPlusName(terms.get(0), terms.get(1));
            if (joined == null) {
                joined = sumPlusName(terms.get(1), terms.get(0));
            }
            if (joined != null) {
                return joined;
            }
        }
        double constant = 0;
        List<Expr> constantTerms = new ArrayList<>(2);
        int expected = 0;
        for (Expr t : terms) {
            expected += t instanceof Sum s ? s.terms().size() : 1;
        }
        // Sized for the terms up front: a layer's pre-activation adds hundreds of them at once.
        Map<Expr, LikeTerms> like = new LinkedHashMap<>(expected * 4 / 3 + 2);
        List<Expr> pending = new ArrayList<>(terms);
        for (int i = 0; i < pending.size(); i++) {
            Expr t = pending.get(i);
            if (t instanceof Sum s) {
                pending.addAll(s.terms());
            } else if (t instanceof Num n) {
                constant += n.value();
                if (n.value() != 0) {
                    constantTerms.add(t);
                }
            } else if (isNumericReciprocal(t)) {
                constant += 1 / ((Num) ((Power) t).base()).value();
                constantTerms.add(t);
            } else if (t instanceof Product p && p.factors().get(0) == ZERO) {
                collect(like, t, 1.0, t); // 0·(1/0) kept undefined by mul: a term of its own
            } else if (t instanceof Product p) {
                // The numeric part (coefficient and kept fractions such as 1/5) is the term's
                // coefficient: 2*x + x/5 = 2.2*x.
                if (!hasNumericFactor(p)) {
                    collect(like, p, 1.0, t); // the monomial is the (interned) product itself
                    continue;
                }
                double c = 1;
                List<Expr> monomial = new ArrayList<>(p.factors().size());
                for (Expr f : p.factors()) {
                    if (f instanceof Num n) {
                        c *= n.value();
                    } else if (isNumericReciprocal(f)) {
                        c /= ((Num) ((Power) f).base()).value();
                    } else {
                        monomial.add(f);
                    }
                }
                if (monomial.isEmpty()) {
                    constant += c;
                    constantTerms.add(t);
                } else if (monomial.size() == 1 && monomial.get(0) instanceof Sum inner) {
                    // c*(a + b) is expanded inside a sum, so linear forms cancel: (a + b) - (a + b) = 0.
                    for (Expr u : inner.terms()) {
                        pending.add(mul(num(c), u));
                    }
                } else {
                    collect(like, productOf(monomial), c, t);
                }
            } else {
                collect(like, t, 1.0, t);
            }
        }
        List<Expr> out = new ArrayList<>(like.size() + 1);
        for (Map.Entry<Expr, LikeTerms> e : like.entrySet()) {
            double c = e.getValue().coefficient;
            if (c == 0) {
                if (isUndefinedConstant(e.getKey())) {
                    out.add(mul(ZERO, e.getKey())); // log(0) - log(0) is undefined, not 0
                }
                continue;
            }
            // A term with no like term keeps its form (x/3 stays x/3, not 0.3333333333333333*x).
            Expr sole = e.getValue().sole;
            out.add(sole != SEVERAL ? sole : c == 1 ? e.getKey() : mul(num(c), e.getKey()));
        }
        // A lone fraction stays exact (x + 1/3); several constants fold into one double.
        Expr constantTerm = constantTerms.size() == 1 ? constantTerms.get(0) : num(constant);
        if (out.isEmpty()) {
            return constantTerm;
        }
        out.sort(ExprOrder.TERMS);
        if (constant != 0) {
            out.add(constantTerm);
        }
        if (out.size() == 1) {
            return out.get(0);
        }
        return internNary(2, out);
    }

    /** The terms of a sum that share one monomial: their summed coefficient, and the term itself while it is alone. */
    private static final class LikeTerms {
        double coefficient;
        Expr sole;

        LikeTerms(double coefficient, Expr sole) {
            this.coefficient = coefficient;
            this.sole = sole;
        }
    }

    /** Adds term {@code t}, {@code c} times {@code monomial}, to its like terms. */
    private static void collect(Map<Expr, LikeTerms> like, Expr monomial, double c, Expr t) {
        LikeTerms l = like.get(monomial);
        if (l == null) {
            like.put(monomial, new LikeTerms(c, t));
        } else {
            l.coefficient += c;
            l.sole = SEVERAL;
        }
    }

    private static boolean hasNumericFactor(Product p) {
        for (Expr f : p.factors()) {
            if (f instanceof Num || isNumericReciprocal(f)) {
                return true;
            }
        }
        return false;
    }

    public static Expr mul(Expr... factors) {
        return mul(Arrays.asList(factors));
    }


    /**
     * A product: nested products flattened, numbers folded into one leading coefficient, powers of
     * equal bases collected ({@code x * x^2 = x^3}). A number times a sum stays factored
     * ({@code -(a - b)}, {@code 2*(x + 1)}): distributing it here would make the normal form depend on
     * the order in which factors arrive ({@code (2*(x+1))*y} against {@code 2*((x+1)*y)}).
     * {@link #add} expands it where it is a term of a sum.
     */
    public static Expr mul(List<Expr> factors) {
        if (factors.size() == 2) {
            Expr a = factors.get(0);
            Expr b = factors.get(1);
            if (a == ONE || b == ONE) {
                return a == ONE ? b : a; // 1*x is x, already normal
            }
            if (a != b && isPlainFactor(a) && isPlainFactor(b)) {
                // Two different names, calls or sums (a weight times an input): nothing to fold.
                return internNary(3, ExprOrder.compareFactors(a, b) <= 0 ? List.of(a, b) : List.of(b, a));
            }
        }
        double coefficient = 1;
        double denominator = 1;
        Map<Expr, List<Expr>> exponents = new LinkedHashMap<>();
        List<Expr> pending = new ArrayList<>(factors);
        for (int i = 0; i < pending.size(); i++) {
            Expr f = pending.get(i);
            if (f instanceof Product p) {
                pending.addAll(p.factors());
            } else if (f instanceof Num n) {
                coefficient *= n.value();
            } else if (isNumericReciprocal(f)) {
                denominator *= ((Num) ((Power) f).base()).value();
            } else if (f instanceof Power pw) {
                exponents.computeIfAbsent(pw.base(), k -> new ArrayList<>(2)).add(pw.exponent());
            } else {
                exponents.computeIfAbsent(f, k -> new ArrayList<>(2)).add(ONE);
            }
        }
        if (denominator != 1 && coefficient != 0) {
            // One division, exact where possible; otherwise the fraction stays: 2/3, x/3.
            double q = coefficient / denominator;
            if (isExactQuotient(q, coefficient, denominator) || !Double.isFinite(denominator)) {
                coefficient = q;
            } else {
                double g = commonDivisor(coefficient, denominator); // 5/25 = 1/5
                coefficient /= g;
                denominator /= g;
                exponents.computeIfAbsent(num(denominator), k -> new ArrayList<>(1)).add(MINUS_ONE);
            }
        }
        if (coefficient == 0 && !exponents.isEmpty()) {
            Expr undefined = undefinedFactor(exponents);
            if (undefined != null) {
                // 0·(1/0), 0·log(0): undefined stays undefined, never 0
                return internNary(3, List.of(ZERO, undefined));
            }
        }
        if (coefficient == 0 || exponents.isEmpty()) {
            return num(coefficient);
        }
        List<Expr> out = new ArrayList<>(exponents.size() + 1);
        boolean needsAnotherPass = false;
        for (Map.Entry<Expr, List<Expr>> e : exponents.entrySet()) {
            List<Expr> exps = e.getValue();
            Expr f = exps.size() == 1 && exps.get(0) == ONE ? e.getKey() : pow(e.getKey(), add(exps));
            if (f instanceof Num n) {
                coefficient *= n.value();
            } else {
                needsAnotherPass |= f instanceof Product;
                out.add(f);
            }
        }
        if (needsAnotherPass) {
            // pow() distributed an integer power over a product; fold the pieces in once more.
            out.add(num(coefficient));
            return mul(out);
        }
        if (coefficient == 0 || out.isEmpty()) {
            return num(coefficient);
        }
        if (out.size() == 1) {
            Expr only = out.get(0);
            if (coefficient == 1) {
                return only;
            }
        }
        out.sort(ExprOrder.FACTORS);
        if (coefficient != 1) {
            out.add(0, num(coefficient));
        }
        return internNary(3, out);
    }

    /**
     * A factor with no names whose value is not finite (0^-1, log(0)), as collected by {@link #mul};
     * null when there is none. Only small factors are looked at: such a factor comes from folding
     * numbers, so it is small, and the check stays cheap on large products.
     */
    private static Expr undefinedFactor(Map<Expr, List<Expr>> exponents) {
        for (Map.Entry<Expr, List<Expr>> e : exponents.entrySet()) {
            Expr f = e.getValue().size() == 1 && e.getValue().get(0) == ONE ? e.getKey() : null;
            if (f == null) {
                Expr x = add(e.getValue());
                f = x == ONE ? e.getKey() : TABLE.power(e.getKey(), x);
            }
            if (isUndefinedConstant(f)) {
                return f;
            }
        }
        return null;
    }

    /** Whether {@code e} has no names, is small, and evaluates to nan or an infinity. */
    static boolean isUndefinedConstant(Expr e) {
        if (e.treeSize() > 64 || !isClosed(e)) {
            return false;
        }
        return !Double.isFinite(Evaluator.evaluate(e, s -> Double.NaN));
    }

    private static boolean isClosed(Expr e) {
        if (e instanceof Sym) {
            return false;
        }
        for (Expr c : e.children()) {
            if (!isClosed(c)) {
                return false;
            }
        }
        return !(e instanceof Apply a && a.fn() instanceof UserFunction);
    }

    /**
     * {@code base ^ exponent}: x^0 = 1, x^1 = x, numbers folded for integer exponents,
     * (x^a)^n = x^(a*n) and (x*y)^n = x^n * y^n for integer n (both exact for every real x).
     */
    public static Expr pow(Expr base, Expr exponent) {
        if (base instanceof Apply a && a.fn() == Primitive.E) {
            return apply(Primitive.EXP, exponent); // e^x is exp(x)
        }
        if (exponent instanceof Num e) {
            double n = e.value();
            if (n == 0) {
                return ONE;
            }
            if (n == 1) {
                return base;
            }
            if (base instanceof Num b && e.isInteger() && Math.abs(n) <= 64) {
                if (n < 0) {
                    Expr r = reciprocal(chainrule.runtime.Fns.pow(b.value(), -n));
                    if (r != null) {
                        return r;
                    }
                }
                double v = chainrule.runtime.Fns.pow(b.value(), n);
                if (Double.isFinite(v)) {
                    return num(v);
                }
            }
            if (e.isInteger()) {
                if (base instanceof Power p) {
                    return pow(p.base(), mul(p.exponent(), e));
                }
                if (base instanceof Product p) {
                    List<Expr> parts = new ArrayList<>(p.factors().size());
                    for (Expr f : p.factors()) {
                        parts.add(pow(f, e));
                    }
                    return mul(parts);
                }
            }
        }
        if (base == ONE) {
            return ONE;
        }
        if (base == ZERO && exponent instanceof Num e && e.value() > 0) {
            return ZERO;
        }
        return TABLE.power(base, exponent);
    }

    /**
     * 1/m for a number m: a number when the quotient is exact (1/4 = 0.25), else kept as the fraction
     * {@code m^-1} (1/3), so that {@link #mul} can fold it by one exact-or-rounded division:
     * {@code 49*x/(49*x)} is 1, not 49 * 0.02040816326530612 = 0.9999999999999999. Null when m is
     * 0 or not finite.
     */
    private static Expr reciprocal(double m) {
        if (m == 0 || !Double.isFinite(m)) {
            return null;
        }
        double r = 1 / m;
        if (isExactQuotient(r, 1, m)) {
            return num(r);
        }
        if (m < 0) {
            return mul(MINUS_ONE, reciprocal(-m));
        }
        Num base = num(m);
        return TABLE.power(base, MINUS_ONE);
    }

    /** Whether {@code q} is exactly {@code n / d} (no rounding). */
    private static boolean isExactQuotient(double q, double n, double d) {
        return Double.isFinite(q) && Double.isFinite(n) && Double.isFinite(d) && new java.math.BigDecimal(q).multiply(new java.math.BigDecimal(d))
                .compareTo(new java.math.BigDecimal(n)) == 0;
    }

    /** The greatest common divisor of two integers that doubles hold exactly; 1 for anything else. */
    private static double commonDivisor(double a, double b) {
        double limit = 0x1p53;
        if (a != Math.rint(a) || b != Math.rint(b) || Math.abs(a) >= limit || Math.abs(b) >= limit) {
            return 1;
        }
        long x = Math.abs((long) a);
        long y = Math.abs((long) b);
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return x == 0 ? 1 : x;
    }

    /**
     * {@code s + t} for a sum {@code s} and a name, call or power {@code t} that is not a number
     * and has no like term in {@code s}: {@code t} is put in its place among the (already
     * canonical) terms, the constant staying last. This is what the general {@link #add} gives,
     * without collecting every term again: a layer's {@code W @ x + b} adds one bias to a sum of
     * hundreds of products. Null when the shortcut does not apply.
     */
    private static Expr sumPlusName(Expr s, Expr t) {
        if (!(s instanceof Sum sum) || !isAtom(t) || t instanceof Num || isNumericReciprocal(t)) {
            return null;
        }
        List<Expr> old = sum.terms();
        int end = old.size();
        Expr last = old.get(end - 1);
        if (last instanceof Num || isNumericReciprocal(last)) {
            end--; // the constant term: it stays last
        }
        for (Expr u : old) {
            if (hasMonomial(u, t)) {
                return null; // a like term: coefficients must be collected
            }
        }
        int at = java.util.Collections.binarySearch(old.subList(0, end), t, ExprOrder.TERMS);
        if (at >= 0) {
            return null; // cannot happen for distinct terms; the general path decides
        }
        List<Expr> out = new ArrayList<>(old.size() + 1);
        out.addAll(old.subList(0, -at - 1));
        out.add(t);
        out.addAll(old.subList(-at - 1, old.size()));
        return internNary(2, out);
    }

    /** Whether term {@code u} of a sum is a number times {@code t} (or {@code t} itself). */
    private static boolean hasMonomial(Expr u, Expr t) {
        if (u == t) {
            return true;
        }
        if (!(u instanceof Product p)) {
            return false;
        }
        int others = 0;
        for (Expr f : p.factors()) {
            if (f != t && !(f instanceof Num) && !isNumericReciprocal(f)) {
                others++;
            }
        }
        return others == 0;
    }

    /** A factor that {@link #mul} keeps as it is, with exponent 1: a name, a call or a sum. */
    private static boolean isPlainFactor(Expr e) {
        return e instanceof Sym || e instanceof Apply || e instanceof Sum;
    }

    /**
     * A name, a call, a number or a power: a normalised expression that {@link #add} of it alone
     * leaves unchanged (a sum is re-flattened and a product may be a number times a sum, expanded).
     */
    private static boolean isAtom(Expr e) {
        return e instanceof Sym || e instanceof Apply || e instanceof Num || e instanceof Power;
    }

    /** A kept fraction {@code m^-1} of a positive number (see {@link #reciprocal}). */
    private static boolean isNumericReciprocal(Expr f) {
        return f instanceof Power p && p.exponent() == MINUS_ONE && p.base() instanceof Num b
                && b.value() > 0 && Double.isFinite(b.value());
    }

    /**
     * A function application. Numeric arguments are folded only when the result is a short exact
     * number (sigmoid(0) = 0.5, exp(0) = 1), so that {@code exp(1)} stays readable.
     */
    public static Expr apply(Fn fn, List<Expr> args) {
        if (args.size() != fn.arity()) {
            throw new IllegalArgumentException(fn.sourceName() + " takes " + fn.arity() + " arguments, got " + args.size());
        }
        Expr stable = logOfSoftmax(fn, args);
        if (stable != null) {
            return stable;
        }
        if (fn == Primitive.EXP && args.get(0) == ONE) {
            return apply(Primitive.E, List.of()); // exp(1) is e
        }
        if (fn == Primitive.LOG && args.get(0) instanceof Apply a && a.fn() == Primitive.E) {
            return ONE; // log(e) = 1
        }
        boolean allNumbers = true;
        for (Expr a : args) {
            allNumbers &= a instanceof Num;
        }
        if (allNumbers && !(fn instanceof UserFunction)) {
            double[] a = new double[args.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ((Num) args.get(i)).value();
            }
            double v = fn.value(a);
            if (isShortExact(v)) {
                return num(v);
            }
        }
        return TABLE.apply(fn, args);
    }

    /**
     * {@code log(softmax(z)[j])} is {@code log_softmax(z)[j]}, or null when {@code fn(args)} is not
     * that. Done here, when the term is built, rather than as a simplifier rule: the stable form
     * must not depend on whether a command simplifies, or on the simplifier's limits, since
     * {@code log} of a softmax element that underflows to 0 is -inf where log_softmax is finite.
     */
    private static Expr logOfSoftmax(Fn fn, List<Expr> args) {
        if (fn == Primitive.LOG && args.get(0) instanceof Apply a && a.fn() instanceof VectorElement e
                && e.primitive() == VectorPrimitive.SOFTMAX) {
            return apply(new VectorElement(VectorPrimitive.LOG_SOFTMAX, e.index(), e.size()), a.args());
        }
        return null;
    }

    public static Expr apply(Fn fn, Expr... args) {
        return apply(fn, List.of(args));
    }

    /** A value whose shortest decimal form has at most six significant digits. */
    private static boolean isShortExact(double v) {
        if (!Double.isFinite(v)) {
            return false;
        }
        if (v == 0) {
            return true;
        }
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
        return d.precision() <= 6;
    }

    // ---------------------------------------------------------------- interning

    /** A product of already-normalised, non-numeric factors (a slice of a normalised product). */
    private static Expr productOf(List<Expr> factors) {
        return factors.size() == 1 ? factors.get(0) : internNary(3, List.copyOf(factors));
    }

    private static Expr internNary(int kind, List<Expr> children) {
        return TABLE.nary(kind == 2, children);
    }

    /** Number of live interned expressions (for tests of sharing and of the weak table). */
    public static int internedCount() {
        return TABLE.size();
    }
}
