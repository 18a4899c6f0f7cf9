package chainrule.simplify;

import chainrule.expr.Expr;
import chainrule.expr.ExprOrder;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An expression read as a rational function: a polynomial numerator over a product of powers of
 * polynomial factors, in "atoms" (names, calls, powers with a non-integer exponent). It brings
 * sums of fractions to one denominator, expands and collects numerators, and cancels every
 * denominator factor that divides the numerator exactly (multivariate division in lex order). This
 * is what turns a quotient-rule numerator {@code a·(c·x + d) − c·(a·x + b)} into {@code a·d − b·c},
 * {@code x²/(x² + x)²} into {@code 1/(x + 1)²}, and sigmoid's derivative times binary
 * cross-entropy's, {@code p·(1 − p)·(−t/p − (1 − t)/(1 − p))}, into {@code p − t}.
 *
 * <p>Everything is bounded: at most {@link #MAX_ATOMS} atoms, {@link #MAX_TERMS} terms in any
 * polynomial, integer powers up to {@link #MAX_POWER}, and every monomial product is charged to the
 * {@link Work} budget. Past any bound the reading gives up (null) and the expression is left as it is.
 *
 * <p>Coefficients are numbers of the normal form ({@link Num}): exact rationals, combined exactly
 * through {@link #plus}, {@link #times} and {@link #quotient}, so {@code x/3 + x/6} is {@code x/2}
 * and a sum cancels only when it is exactly zero. Only an inexact operand (a number past the
 * exact range) makes an inexact coefficient; such a sum that cancels to within {@link #CANCEL} of
 * its size counts as zero. Denominator factors are written with coprime integer coefficients
 * ({@code 9 − x²}, not {@code 1 − x²/9}), the number they were scaled by going to the numerator.
 */
final class RationalForm {
    static final int MAX_ATOMS = 10;
    static final int MAX_TERMS = 64;
    static final int MAX_POWER = 6;
    static final long MAX_TREE = 400;
    private static final double CANCEL = 1e-12;

    private final Map<Expr, Integer> atomIndex = new HashMap<>();
    private final List<Expr> atoms = new ArrayList<>();
    /**
     * For each polynomial read from a sum, product or power without a denominator, the smallest
     * expression it was read from: writing back {@code x²·(x + π)² + 1} as it was written, not
     * expanded to {@code x²·(x² + 2·π·x + π²) + 1}.
     */
    private final Map<Poly, Expr> written = new HashMap<>();
    private final Work work;
    /** Whether a numerator's numeric content comes out where it prints no longer ({@link #numeratorExpr}). */
    private boolean contentByPrint;
    /** Whether a numerator written so far had numeric content that was left in ({@link #numeratorExpr}). */
    private boolean scalable;

    private RationalForm(Work work) {
        this.work = work;
    }

    /** A monomial: the exponent of each atom, by atom index. */
    private record Mono(int[] exp) {
        @Override public boolean equals(Object o) { return o instanceof Mono m && Arrays.equals(exp, m.exp); }
        @Override public int hashCode() { return Arrays.hashCode(exp); }

        Mono times(Mono o) {
            int[] r = new int[exp.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = exp[i] + o.exp[i];
            }
            return new Mono(r);
        }

        /** this / o, or null when o does not divide this. */
        Mono over(Mono o) {
            int[] r = new int[exp.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = exp[i] - o.exp[i];
                if (r[i] < 0) {
                    return null;
                }
            }
            return new Mono(r);
        }

        /** Lex order: the first atom's exponent decides. */
        static int lex(Mono a, Mono b) {
            for (int i = 0; i < a.exp.length; i++) {
                if (a.exp[i] != b.exp[i]) {
                    return Integer.compare(a.exp[i], b.exp[i]);
                }
            }
            return 0;
        }
    }

    /** A polynomial: coefficient per monomial, in lex order (the leading term last). */
    private static final class Poly {
        final TreeMap<Mono, Num> terms = new TreeMap<>(Mono::lex);

        @Override public boolean equals(Object o) { return o instanceof Poly p && terms.equals(p.terms); }
        @Override public int hashCode() { return terms.hashCode(); }

        boolean isZero() { return terms.isEmpty(); }
    }

    /** num / Π den[f]^k. */
    private record Rat(Poly num, LinkedHashMap<Poly, Integer> den) {}

    // ------------------------------------------------------------------ the rule

    /**
     * The rational normal form of {@code e} with every cancellable factor cancelled, when it is
     * cheaper ({@link Simplifier#cheaper}: shorter, or as short with fewer numbers written); else
     * null. Only sums and products are read, and only those that hold a sum or a negative power
     * (anything else has nothing to collect or cancel).
     */
    static Expr rewrite(Expr e, Work work) {
        if (!(e instanceof Sum || e instanceof Product) || e.treeSize() > MAX_TREE || !hasSumOrQuotient(e)
                || !fewAtoms(e, work)) {
            return null;
        }
        RationalForm f = new RationalForm(work);
        Rat r;
        try {
            r = f.read(e);
        } catch (GiveUp g) {
            return null;
        }
        if (r == null) {
            return null;
        }
        try {
            r = f.cancel(r);
        } catch (GiveUp g) {
            return null;
        }
        Expr candidate;
        Expr printed;
        try {
            f.contentByPrint = false;
            candidate = f.toExpr(r);
            if (!Simplifier.cheaper(candidate, e) || !numbers(e).containsAll(numbers(candidate))) {
                return null;
            }
            // Where the normal form is cheaper than the input, it is written with each numerator's
            // numeric content out if that prints no longer ({@link #numeratorExpr}); only where
            // some numerator had such content is it written a second time.
            if (!f.scalable) {
                return candidate;
            }
            f.contentByPrint = true;
            printed = f.toExpr(r);
        } catch (GiveUp g) {
            return null;
        }
        return Simplifier.cost(printed) <= Simplifier.cost(e) ? printed : candidate;
    }

    /**
     * The inexact numbers of an expression. A rewrite may not bring in a new one: an inexact
     * coefficient is a rounded double ({@code 0.3333333333333333}), shorter as a tree and worse to
     * read. Exact numbers may appear ({@code x/3 + x/6 = x/2}): they are the value, not a rounding.
     */
    private static java.util.Set<Double> numbers(Expr e) {
        java.util.Set<Double> out = new java.util.HashSet<>();
        java.util.Set<Expr> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Expr> todo = new java.util.ArrayDeque<>(List.of(e));
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Num n && !n.isExact()) {
                out.add(n.value());
            }
            todo.addAll(x.children());
        }
        return out;
    }

    /**
     * Whether there is anything to expand or cancel: a sum or a quotient (negative power) inside a
     * product, or a power of a sum. A sum of monomials (a linear form) is already collected by
     * {@link Exprs#add}; reading it would only cost.
     */
    private static boolean hasSumOrQuotient(Expr e) {
        if (e instanceof Product p) {
            return anyExpandable(p.factors());
        }
        for (Expr t : e.children()) {
            if (expandable(t) || t instanceof Product p && anyExpandable(p.factors())) {
                return true;
            }
        }
        return false;
    }

    /** A plain loop, not a stream: asked at every node the runner visits, much of it before the JIT. */
    private static boolean anyExpandable(List<Expr> factors) {
        for (Expr f : factors) {
            if (expandable(f)) {
                return true;
            }
        }
        return false;
    }

    private static boolean expandable(Expr f) {
        return f instanceof Sum || f instanceof Power p && !(p.base() instanceof Num) && p.exponent() instanceof Num n
                && n.isInteger() && (n.value() < 0 || p.base() instanceof Sum);
    }

    /** Whether the expression has at most {@link #MAX_ATOMS} distinct atoms, by a walk that stops past that. */
    private static boolean fewAtoms(Expr e, Work work) {
        java.util.Set<Expr> atoms = new java.util.HashSet<>();
        java.util.Set<Expr> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Expr> todo = new java.util.ArrayDeque<>(List.of(e));
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Sum || x instanceof Product || x instanceof Num
                    || x instanceof Power p && p.exponent() instanceof Num n && n.isInteger()) {
                todo.addAll(x.children());
            } else if (atoms.add(x) && atoms.size() > MAX_ATOMS) {
                work.charge(seen.size());
                return false;
            }
        }
        work.charge(seen.size());
        return true;
    }

    /** Thrown when a bound is passed; caught by {@link #rewrite}. */
    private static final class GiveUp extends RuntimeException {
        GiveUp() { super(null, null, false, false); }
    }

    // ------------------------------------------------------------------ reading

    private Rat read(Expr e) {
        Rat r = readParts(e);
        if (r != null && r.den.isEmpty() && (e instanceof Sum || e instanceof Product || e instanceof Power)) {
            Expr old = written.get(r.num);
            if (old == null || e.treeSize() < old.treeSize()) {
                written.put(r.num, e);
            }
        }
        return r;
    }

    private Rat readParts(Expr e) {
        if (e instanceof Num n) {
            return constant(n);
        }
        if (e instanceof Sum s) {
            Rat acc = null;
            for (Expr t : s.terms()) {
                Rat r = read(t);
                acc = acc == null ? r : add(acc, r);
            }
            return acc;
        }
        if (e instanceof Product p) {
            Rat acc = null;
            for (Expr x : p.factors()) {
                Rat r = read(x);
                acc = acc == null ? r : mul(acc, r);
            }
            return acc;
        }
        if (e instanceof Power pw && pw.exponent() instanceof Num n && n.isInteger() && Math.abs(n.value()) <= MAX_POWER) {
            int k = (int) n.value();
            Rat base = read(pw.base());
            if (k < 0) {
                base = invert(base);
                k = -k;
            }
            Rat acc = base;
            for (int i = 1; i < k; i++) {
                acc = mul(acc, base);
            }
            return acc;
        }
        return atom(e);
    }

    private Rat atom(Expr e) {
        Integer i = atomIndex.get(e);
        if (i == null) {
            if (atoms.size() >= MAX_ATOMS) {
                throw new GiveUp();
            }
            i = atoms.size();
            atomIndex.put(e, i);
            atoms.add(e);
        }
        // Monomials are sized to MAX_ATOMS, so atoms found later need no resizing.
        int[] exp = new int[MAX_ATOMS];
        exp[i] = 1;
        Poly p = new Poly();
        p.terms.put(new Mono(exp), Exprs.ONE);
        return new Rat(p, new LinkedHashMap<>());
    }

    private static Rat constant(Num c) {
        return new Rat(constantPoly(c), new LinkedHashMap<>());
    }

    private static Poly constantPoly(Num c) {
        Poly p = new Poly();
        if (!c.isZero()) {
            p.terms.put(new Mono(new int[MAX_ATOMS]), c);
        }
        return p;
    }

    // ------------------------------------------------------------------ arithmetic

    /** The coefficient helpers: exact when both operands are. */
    private static Num plus(Num a, Num b) {
        Num s = a.plus(b);
        if (!s.isExact() && Math.abs(s.value()) <= CANCEL * Math.max(Math.abs(a.value()), Math.abs(b.value()))) {
            return Exprs.ZERO;
        }
        return s;
    }

    private static Num times(Num a, Num b) {
        return a.times(b);
    }

    /** a / b for b not zero. */
    private static Num quotient(Num a, Num b) {
        return a.times(b.reciprocal());
    }

    private Poly addPoly(Poly a, Poly b) {
        Poly r = new Poly();
        r.terms.putAll(a.terms);
        for (Map.Entry<Mono, Num> t : b.terms.entrySet()) {
            Num c = r.terms.get(t.getKey());
            Num s = c == null ? t.getValue() : plus(c, t.getValue());
            if (s.isZero()) {
                r.terms.remove(t.getKey());
            } else {
                r.terms.put(t.getKey(), s);
            }
        }
        bound(r);
        return r;
    }

    private Poly mulPoly(Poly a, Poly b) {
        if (!work.charge((long) a.terms.size() * b.terms.size())) {
            throw new GiveUp();
        }
        Poly r = new Poly();
        for (Map.Entry<Mono, Num> x : a.terms.entrySet()) {
            for (Map.Entry<Mono, Num> y : b.terms.entrySet()) {
                Mono m = x.getKey().times(y.getKey());
                Num c = times(x.getValue(), y.getValue());
                Num old = r.terms.get(m);
                Num s = old == null ? c : plus(old, c);
                if (s.isZero()) {
                    r.terms.remove(m);
                } else {
                    r.terms.put(m, s);
                }
            }
        }
        bound(r);
        return r;
    }

    private static void bound(Poly p) {
        if (p.terms.size() > MAX_TERMS) {
            throw new GiveUp();
        }
    }

    private Poly power(Poly p, int k) {
        Poly r = constantPoly(Exprs.ONE);
        for (int i = 0; i < k; i++) {
            r = mulPoly(r, p);
        }
        return r;
    }

    private Rat add(Rat a, Rat b) {
        LinkedHashMap<Poly, Integer> den = new LinkedHashMap<>(a.den);
        b.den.forEach((f, k) -> den.merge(f, k, Math::max));
        Poly na = a.num;
        Poly nb = b.num;
        for (Map.Entry<Poly, Integer> f : den.entrySet()) {
            na = mulPoly(na, power(f.getKey(), f.getValue() - a.den.getOrDefault(f.getKey(), 0)));
            nb = mulPoly(nb, power(f.getKey(), f.getValue() - b.den.getOrDefault(f.getKey(), 0)));
        }
        return new Rat(addPoly(na, nb), den);
    }

    private Rat mul(Rat a, Rat b) {
        LinkedHashMap<Poly, Integer> den = new LinkedHashMap<>(a.den);
        b.den.forEach((f, k) -> den.merge(f, k, Integer::sum));
        return new Rat(mulPoly(a.num, b.num), den);
    }

    /** 1/r: the numerator split into its numeric and monomial content and a primitive part, each a denominator factor. */
    private Rat invert(Rat r) {
        if (r.num.isZero()) {
            throw new GiveUp(); // 1/0 stays as written
        }
        Poly num = constantPoly(Exprs.ONE);
        for (Map.Entry<Poly, Integer> f : r.den.entrySet()) {
            num = mulPoly(num, power(f.getKey(), f.getValue()));
        }
        LinkedHashMap<Poly, Integer> den = new LinkedHashMap<>();
        // Monomial content: the smallest exponent of each atom over all terms.
        int[] content = null;
        for (Mono m : r.num.terms.keySet()) {
            if (content == null) {
                content = m.exp.clone();
            } else {
                for (int i = 0; i < content.length; i++) {
                    content[i] = Math.min(content[i], m.exp[i]);
                }
            }
        }
        for (int i = 0; i < content.length; i++) {
            if (content[i] > 0) {
                int[] e = new int[MAX_ATOMS];
                e[i] = 1;
                Poly atom = new Poly();
                atom.terms.put(new Mono(e), Exprs.ONE);
                den.merge(atom, content[i], Integer::sum);
            }
        }
        Mono c = new Mono(content);
        Poly primitive = new Poly();
        // Scaled so the coefficients are coprime integers (exact coefficients) or the leading one
        // is ±1 (inexact ones), with the sign that makes a constant term positive: 1 - p, as it
        // is written, rather than p - 1, and 9 - x^2 rather than 1 - x^2/9.
        Num lead = scale(r.num);
        Num constantTerm = r.num.terms.get(new Mono(new int[MAX_ATOMS]));
        if (constantTerm != null && constantTerm.signum() != lead.signum()) {
            lead = lead.negate();
        }
        for (Map.Entry<Mono, Num> t : r.num.terms.entrySet()) {
            primitive.terms.put(t.getKey().over(c), quotient(t.getValue(), lead));
        }
        num = mulPoly(num, constantPoly(lead.reciprocal()));
        if (!isOne(primitive)) {
            den.merge(primitive, 1, Integer::sum);
        }
        return new Rat(num, den);
    }

    /**
     * The number a nonzero polynomial is divided by to make its primitive part: with exact
     * coefficients the gcd of the numerators over the lcm of the denominators, signed like the
     * leading coefficient (so {@code x²/9 − 1} is {@code (x² − 9)/9}); else the leading coefficient.
     */
    private static Num scale(Poly p) {
        Num leadCoefficient = p.terms.lastEntry().getValue();
        java.math.BigInteger gcd = java.math.BigInteger.ZERO;
        java.math.BigInteger lcm = java.math.BigInteger.ONE;
        for (Num c : p.terms.values()) {
            if (!c.isExact()) {
                return leadCoefficient;
            }
            gcd = gcd.gcd(c.numerator());
            java.math.BigInteger q = c.denominator();
            lcm = lcm.divide(lcm.gcd(q)).multiply(q);
        }
        Num s = Exprs.rational(gcd, lcm);
        return leadCoefficient.signum() < 0 ? s.negate() : s;
    }

    private static boolean isOne(Poly p) {
        return p.terms.size() == 1 && Arrays.stream(p.terms.firstKey().exp).allMatch(x -> x == 0)
                && p.terms.firstEntry().getValue().isOne();
    }

    // ------------------------------------------------------------------ cancelling

    private Rat cancel(Rat r) {
        Poly num = r.num;
        LinkedHashMap<Poly, Integer> den = new LinkedHashMap<>();
        for (Map.Entry<Poly, Integer> f : r.den.entrySet()) {
            int k = f.getValue();
            while (k > 0 && !num.isZero()) {
                Poly q = divide(num, f.getKey());
                if (q == null) {
                    break;
                }
                num = q;
                k--;
            }
            if (k > 0) {
                den.put(f.getKey(), k);
            }
        }
        return new Rat(num, den);
    }

    /** n / d when d divides n exactly, else null (lex order: the leading terms must divide at every step). */
    private Poly divide(Poly n, Poly d) {
        Poly rest = n;
        Poly q = new Poly();
        Map.Entry<Mono, Num> lead = d.terms.lastEntry();
        while (!rest.isZero()) {
            if (!work.charge(d.terms.size())) {
                throw new GiveUp();
            }
            Map.Entry<Mono, Num> top = rest.terms.lastEntry();
            Mono m = top.getKey().over(lead.getKey());
            if (m == null) {
                return null;
            }
            Poly step = new Poly();
            step.terms.put(m, quotient(top.getValue(), lead.getValue()));
            q = addPoly(q, step);
            Poly sub = mulPoly(step, d);
            Poly neg = new Poly();
            sub.terms.forEach((k, v) -> neg.terms.put(k, v.negate()));
            Poly next = addPoly(rest, neg);
            next.terms.remove(top.getKey()); // exactly cancelled, whatever the rounding
            rest = next;
        }
        return q;
    }

    // ------------------------------------------------------------------ writing back

    private Expr toExpr(Rat r) {
        List<Expr> factors = new ArrayList<>();
        factors.add(numeratorExpr(r.num));
        for (Map.Entry<Poly, Integer> f : r.den.entrySet()) {
            factors.add(Exprs.pow(polyExpr(f.getKey()), Exprs.num(-f.getValue())));
        }
        return Exprs.mul(factors);
    }

    /**
     * The numerator with its monomial and numeric content pulled out: {@code x1·(p − t)}, not
     * {@code x1·p − x1·t}, and {@code (1 − x²)/5}, not {@code 1/5 − x²/5}.
     */
    private Expr numeratorExpr(Poly p) {
        if (p.terms.size() < 2) {
            return polyExpr(p);
        }
        Num k = scale(p);
        // The sign that makes the term of lowest degree positive once the monomial content is out:
        // x^5·(6 − 6·tanh²), as the derivative is written, not −6·x^5·(tanh² − 1).
        Num constantTerm = p.terms.get(monomialContent(p));
        if (constantTerm != null && constantTerm.signum() != k.signum()) {
            k = k.negate();
        }
        if (k.isExact() && !k.isOne() && !k.negate().isOne()) {
            Poly primitive = new Poly();
            for (Map.Entry<Mono, Num> t : p.terms.entrySet()) {
                primitive.terms.put(t.getKey(), quotient(t.getValue(), k));
            }
            Expr scaled = Exprs.mul(k, contentExpr(primitive));
            Expr plain = contentExpr(p);
            if (Simplifier.cheaper(scaled, plain)) {
                return scaled;
            }
            // The content out also where the tree is larger only by the product and its sign
            // nodes, if it prints no longer and writes fewer numbers: (1 − x²)/5 for
            // 1/5 − x²/5, 3·(8·x⁴ − x⁶ − 8·x² + 1) for 24·x⁴ − 3·x⁶ − 24·x² + 3.
            // a numerator of a few terms (not a long linear form, which the content would not shorten in print)
            scalable |= p.terms.size() <= 8;
            if (contentByPrint && p.terms.size() <= 8 && Simplifier.printsNoLonger(scaled, plain, 3, work)) {
                return scaled;
            }
            return plain;
        }
        return contentExpr(p);
    }

    /** The monomial dividing every term of a nonzero polynomial, with the largest exponents. */
    private static Mono monomialContent(Poly p) {
        int[] content = null;
        for (Mono m : p.terms.keySet()) {
            if (content == null) {
                content = m.exp.clone();
            } else {
                for (int i = 0; i < content.length; i++) {
                    content[i] = Math.min(content[i], m.exp[i]);
                }
            }
        }
        return new Mono(content);
    }

    /** The polynomial with its monomial content pulled out. */
    private Expr contentExpr(Poly p) {
        Mono c = monomialContent(p);
        Poly rest = new Poly();
        p.terms.forEach((m, v) -> rest.terms.put(m.over(c), v));
        return Exprs.mul(monoExpr(c), polyExpr(rest));
    }

    private Expr polyExpr(Poly p) {
        Expr expanded = expandedExpr(p);
        Expr asRead = written.get(p);
        return asRead != null && asRead.treeSize() < expanded.treeSize() ? asRead : expanded;
    }

    private Expr expandedExpr(Poly p) {
        List<Expr> terms = new ArrayList<>(p.terms.size());
        for (Map.Entry<Mono, Num> t : p.terms.descendingMap().entrySet()) {
            terms.add(Exprs.mul(t.getValue(), monoExpr(t.getKey())));
        }
        return Exprs.add(terms);
    }

    private Expr monoExpr(Mono m) {
        List<Expr> factors = new ArrayList<>();
        for (int i = 0; i < atoms.size(); i++) {
            if (m.exp[i] != 0) {
                factors.add(Exprs.pow(atoms.get(i), Exprs.num(m.exp[i])));
            }
        }
        factors.sort(ExprOrder.FACTORS);
        return Exprs.mul(factors);
    }
}
