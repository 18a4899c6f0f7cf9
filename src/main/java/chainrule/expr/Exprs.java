package chainrule.expr;

import java.math.BigDecimal;
import java.math.BigInteger;
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

    /**
     * A number: exact for every finite double (the rational its shortest decimal form denotes, so
     * {@code num(0.1)} is 1/10, as the literal {@code 0.1} is), inexact for nan and the infinities.
     */
    public static Num num(double value) {
        double v = value == 0.0 ? 0.0 : value; // -0.0 and 0.0 are one constant
        if (!Double.isFinite(v)) {
            return TABLE.num(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            return rational(BigInteger.valueOf((long) v), BigInteger.ONE);
        }
        Num small = smallFraction(v);
        return small != null ? small : decimal(new BigDecimal(Numbers.exact(v)));
    }

    /**
     * p/q with q ≤ 1000 whose nearest double is exactly {@code v}, if there is one: a double
     * computed from exact fractions (an exponent −2/3 that passed through double arithmetic) is
     * that fraction again. Found by the continued-fraction expansion of v.
     */
    private static Num smallFraction(double v) {
        double x = Math.abs(v);
        if (x > 1e6 || x < 1e-6) {
            return null;
        }
        long p0 = 0, q0 = 1, p1 = 1, q1 = 0;
        double r = x;
        for (int i = 0; i < 30; i++) {
            double a = Math.floor(r);
            long p2 = (long) a * p1 + p0;
            long q2 = (long) a * q1 + q0;
            if (q2 > 1000) {
                return null;
            }
            if ((double) p2 / (double) q2 == x) {
                return rational(BigInteger.valueOf(v < 0 ? -p2 : p2), BigInteger.valueOf(q2));
            }
            double frac = r - a;
            if (frac == 0) {
                return null;
            }
            r = 1 / frac;
            p0 = p1;
            q0 = q1;
            p1 = p2;
            q1 = q2;
        }
        return null;
    }

    /**
     * The number a double stands for: exact (its shortest decimal form) when that fits
     * {@link #MAX_BITS}, else inexact (nan, the infinities, the smallest subnormals).
     */
    public static Num inexact(double value) {
        double v = value == 0.0 ? 0.0 : value;
        if (!Double.isFinite(v)) {
            return TABLE.num(v);
        }
        BigDecimal d = new BigDecimal(Numbers.exact(v));
        BigInteger p = d.unscaledValue();
        BigInteger q = BigInteger.ONE;
        if (d.scale() >= 0) {
            q = BigInteger.TEN.pow(d.scale());
        } else {
            p = p.multiply(BigInteger.TEN.pow(-d.scale()));
        }
        BigInteger g = p.gcd(q);
        if (g.signum() != 0 && !g.equals(BigInteger.ONE)) {
            p = p.divide(g);
            q = q.divide(g);
        }
        return p.bitLength() > MAX_BITS || q.bitLength() > MAX_BITS ? TABLE.num(v) : TABLE.rational(p, q);
    }

    /**
     * Bits a numerator or denominator may have: enough for every double's exact decimal (4.9e-324
     * is 49/10^325); past them a result is the nearest double instead.
     */
    public static final int MAX_BITS = 1100;

    /** The exact rational p/q (q ≠ 0), reduced; the nearest double if it outgrows {@link #MAX_BITS}. */
    public static Num rational(BigInteger p, BigInteger q) {
        if (q.signum() == 0) {
            throw new ArithmeticException("denominator 0");
        }
        if (q.signum() < 0) {
            p = p.negate();
            q = q.negate();
        }
        if (!q.equals(BigInteger.ONE)) {
            BigInteger g = p.gcd(q);
            if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
                p = p.divide(g);
                q = q.divide(g);
            }
            if (p.signum() == 0) {
                q = BigInteger.ONE;
            }
        }
        if (p.bitLength() > MAX_BITS || q.bitLength() > MAX_BITS) {
            return inexact(Num.nearestDouble(p, q)); // an exact number beyond a double's range evaluates to ±inf
        }
        return TABLE.rational(p, q);
    }

    public static Num rational(long p, long q) {
        return rational(BigInteger.valueOf(p), BigInteger.valueOf(q));
    }

    /** The exact value of a decimal ({@code 0.15} is 3/20). */
    public static Num decimal(BigDecimal d) {
        if (Math.abs((long) d.scale()) > 400) {
            return inexact(d.doubleValue());
        }
        BigInteger unscaled = d.unscaledValue();
        return d.scale() >= 0 ? rational(unscaled, BigInteger.TEN.pow(d.scale()))
                : rational(unscaled.multiply(BigInteger.TEN.pow(-d.scale())), BigInteger.ONE);
    }

    /** a + b, exact when both are. */
    public static Num plus(Num a, Num b) {
        if (a.isExact() && b.isExact()) {
            if (a.isZero()) {
                return b;
            }
            if (b.isZero()) {
                return a;
            }
            return rational(a.numerator().multiply(b.denominator()).add(b.numerator().multiply(a.denominator())),
                    a.denominator().multiply(b.denominator()));
        }
        return inexactOrExact(a.value() + b.value());
    }

    /** a · b, exact when both are. */
    public static Num times(Num a, Num b) {
        if (a.isExact() && b.isExact()) {
            if (a.isOne()) {
                return b;
            }
            if (b.isOne()) {
                return a;
            }
            return rational(a.numerator().multiply(b.numerator()), a.denominator().multiply(b.denominator()));
        }
        return inexactOrExact(a.value() * b.value());
    }

    /** An inexact operand makes an inexact result, unless the result is an integer (0·inf stays nan). */
    private static Num inexactOrExact(double v) {
        return inexact(v);
    }

    /** 1/a, exact when a is; null for 0. */
    public static Num reciprocalOf(Num a) {
        if (a.isZero()) {
            return null;
        }
        return a.isExact() ? rational(a.denominator(), a.numerator()) : inexact(1 / a.value());
    }

    /** a^n for an exact a: exact, or null when a is 0 and n &lt; 0, a is inexact, or the result outgrows the limit. */
    public static Num integerPower(Num a, long n) {
        if (!a.isExact() || Math.abs(n) > MAX_BITS) {
            return null;
        }
        if (n < 0) {
            Num r = reciprocalOf(a);
            return r == null ? null : integerPower(r, -n);
        }
        long bits = Math.max(a.numerator().bitLength(), a.denominator().bitLength()) * n;
        if (bits > MAX_BITS) {
            return null;
        }
        return rational(a.numerator().pow((int) n), a.denominator().pow((int) n));
    }

    /**
     * b^e for numbers, when it is an exact rational: integer powers, and roots that come out even
     * (4^(1/2) = 2, (8/27)^(2/3) = 4/9). Null otherwise (2^(1/2) stays a power).
     */
    private static Num numberPower(Num b, Num e) {
        if (!b.isExact() || !e.isExact()) {
            return null;
        }
        if (e.isInteger()) {
            return e.numerator().bitLength() > 31 ? null : integerPower(b, e.numerator().longValue());
        }
        if (b.signum() < 0 || e.denominator().bitLength() > 7 || e.numerator().bitLength() > 31) {
            return null;
        }
        int k = e.denominator().intValue();
        BigInteger p = exactRoot(b.numerator(), k);
        BigInteger q = exactRoot(b.denominator(), k);
        return p == null || q == null ? null : integerPower(rational(p, q), e.numerator().longValue());
    }

    /** The k-th root of x ≥ 0 when it is an integer (x of at most 100 bits), else null. */
    private static BigInteger exactRoot(BigInteger x, int k) {
        if (x.bitLength() > 100) {
            return null;
        }
        long guess = Math.round(Math.pow(x.doubleValue(), 1.0 / k));
        for (long r = Math.max(0, guess - 1); r <= guess + 1; r++) {
            if (BigInteger.valueOf(r).pow(k).equals(x)) {
                return BigInteger.valueOf(r);
            }
        }
        return null;
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
        Num constant = ZERO;
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
                constant = plus(constant, n);
            } else if (t instanceof Product p && p.factors().get(0) == ZERO) {
                collect(like, t, ONE, t); // 0·(1/0) kept undefined by mul: a term of its own
            } else if (t instanceof Product p) {
                // The numeric coefficient is the term's coefficient: 2*x + x/5 = 11/5*x.
                if (!(p.factors().get(0) instanceof Num c)) {
                    collect(like, p, ONE, t); // the monomial is the (interned) product itself
                    continue;
                }
                List<Expr> monomial = p.factors().subList(1, p.factors().size());
                if (monomial.size() == 1 && monomial.get(0) instanceof Sum inner) {
                    // c*(a + b) is expanded inside a sum, so linear forms cancel: (a + b) - (a + b) = 0.
                    for (Expr u : inner.terms()) {
                        pending.add(mul(c, u));
                    }
                } else {
                    collect(like, productOf(monomial), c, t);
                }
            } else {
                collect(like, t, ONE, t);
            }
        }
        List<Expr> out = new ArrayList<>(like.size() + 1);
        for (Map.Entry<Expr, LikeTerms> e : like.entrySet()) {
            Num c = e.getValue().coefficient;
            if (c.isZero()) {
                if (isUndefinedConstant(e.getKey())) {
                    out.add(mul(ZERO, e.getKey())); // log(0) - log(0) is undefined, not 0
                }
                continue;
            }
            // A term with no like term keeps its form.
            Expr sole = e.getValue().sole;
            out.add(sole != SEVERAL ? sole : c.isOne() ? e.getKey() : mul(c, e.getKey()));
        }
        if (out.isEmpty()) {
            return constant;
        }
        out.sort(ExprOrder.TERMS);
        if (!constant.isZero()) {
            out.add(constant);
        }
        if (out.size() == 1) {
            return out.get(0);
        }
        return internNary(2, out);
    }

    /** The terms of a sum that share one monomial: their summed coefficient, and the term itself while it is alone. */
    private static final class LikeTerms {
        Num coefficient;
        Expr sole;

        LikeTerms(Num coefficient, Expr sole) {
            this.coefficient = coefficient;
            this.sole = sole;
        }
    }

    /** Adds term {@code t}, {@code c} times {@code monomial}, to its like terms. */
    private static void collect(Map<Expr, LikeTerms> like, Expr monomial, Num c, Expr t) {
        LikeTerms l = like.get(monomial);
        if (l == null) {
            like.put(monomial, new LikeTerms(c, t));
        } else {
            l.coefficient = plus(l.coefficient, c);
            l.sole = SEVERAL;
        }
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
            Expr sigmoid = StableForms.product(a, b);
            if (sigmoid != null) {
                return sigmoid; // exp(u)·σ(-u) is σ(u)
            }
            if (a != b && isPlainFactor(a) && isPlainFactor(b)) {
                // Two different names, calls or sums (a weight times an input): nothing to fold.
                return internNary(3, ExprOrder.compareFactors(a, b) <= 0 ? List.of(a, b) : List.of(b, a));
            }
        }
        Num coefficient = ONE;
        Map<Expr, List<Expr>> exponents = new LinkedHashMap<>();
        List<Expr> pending = new ArrayList<>(factors);
        for (int i = 0; i < pending.size(); i++) {
            Expr f = pending.get(i);
            if (f instanceof Product p) {
                pending.addAll(p.factors());
            } else if (f instanceof Num n) {
                coefficient = times(coefficient, n);
            } else if (f instanceof Power pw) {
                exponents.computeIfAbsent(pw.base(), k -> new ArrayList<>(2)).add(pw.exponent());
            } else {
                exponents.computeIfAbsent(f, k -> new ArrayList<>(2)).add(ONE);
            }
        }
        if (coefficient.isZero() && !exponents.isEmpty()) {
            Expr undefined = undefinedFactor(exponents);
            if (undefined != null) {
                // 0·(1/0), 0·log(0): undefined stays undefined, never 0
                return internNary(3, List.of(ZERO, undefined));
            }
        }
        if (coefficient.isZero() || exponents.isEmpty()) {
            return coefficient;
        }
        List<Expr> out = new ArrayList<>(exponents.size() + 1);
        boolean needsAnotherPass = false;
        for (Map.Entry<Expr, List<Expr>> e : exponents.entrySet()) {
            List<Expr> exps = e.getValue();
            Expr f = exps.size() == 1 && exps.get(0) == ONE ? e.getKey() : pow(e.getKey(), add(exps));
            if (f instanceof Num n) {
                coefficient = times(coefficient, n);
            } else {
                needsAnotherPass |= f instanceof Product;
                out.add(f);
            }
        }
        if (needsAnotherPass) {
            // pow() distributed an integer power over a product; fold the pieces in once more.
            out.add(coefficient);
            return mul(out);
        }
        if (coefficient.isZero() || out.isEmpty()) {
            return coefficient;
        }
        List<Expr> joined = StableForms.products(out);
        if (joined != null) {
            joined.add(coefficient); // exp(u)·σ(-u) is σ(u)
            return mul(joined);
        }
        if (out.size() == 1 && coefficient.isOne()) {
            return out.get(0);
        }
        out.sort(ExprOrder.FACTORS);
        if (!coefficient.isOne()) {
            out.add(0, coefficient);
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
        if (base instanceof Apply a && a.fn() == Primitive.E && !(exponent instanceof Num n && n.isInteger())) {
            // e^x is exp(x); an integer power stays a power of e, so that products collect it
            // with e itself (e/e = e·e^-1 = 1, e·e = e²) as with any other factor
            return apply(Primitive.EXP, exponent);
        }
        if (exponent instanceof Num e) {
            if (e.isZero()) {
                return ONE;
            }
            if (e.isOne()) {
                return base;
            }
            if (base instanceof Num b) {
                Num r = numberPower(b, e);
                if (r != null) {
                    return r;
                }
            }
            if (e == MINUS_ONE) {
                Expr sigmoid = StableForms.reciprocal(base);
                if (sigmoid != null) {
                    return sigmoid; // 1/(1 + exp(-u)) is σ(u)
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
        if (base == ZERO && exponent instanceof Num e && e.signum() > 0) {
            return ZERO;
        }
        return TABLE.power(base, exponent);
    }

    /**
     * {@code s + t} for a sum {@code s} and a name, call or power {@code t} that is not a number
     * and has no like term in {@code s}: {@code t} is put in its place among the (already
     * canonical) terms, the constant staying last. This is what the general {@link #add} gives,
     * without collecting every term again: a layer's {@code W @ x + b} adds one bias to a sum of
     * hundreds of products. Null when the shortcut does not apply.
     */
    private static Expr sumPlusName(Expr s, Expr t) {
        if (!(s instanceof Sum sum) || !isAtom(t) || t instanceof Num) {
            return null;
        }
        List<Expr> old = sum.terms();
        int end = old.size();
        Expr last = old.get(end - 1);
        if (last instanceof Num) {
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
            if (f != t && !(f instanceof Num)) {
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

    /**
     * A function application. Numeric arguments are folded only when the result is a short exact
     * number (sigmoid(0) = 0.5, exp(0) = 1), so that {@code exp(1)} stays readable.
     */
    public static Expr apply(Fn fn, List<Expr> args) {
        if (args.size() != fn.arity()) {
            throw new IllegalArgumentException(fn.sourceName() + " takes " + fn.arity() + " arguments, got " + args.size());
        }
        Expr stable = logOfSoftmax(fn, args);
        if (stable == null) {
            stable = StableForms.rewrite(fn, args);
        }
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
        java.math.BigDecimal d = new java.math.BigDecimal(Numbers.exact(v)).stripTrailingZeros();
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
