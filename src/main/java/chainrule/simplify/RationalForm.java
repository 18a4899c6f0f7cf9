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
 * <p>Coefficients are doubles today, combined only through {@link #plus} and {@link #times}; a
 * sum whose terms cancel to within {@link #CANCEL} of their size counts as zero. Exact rationals
 * slot in by replacing those helpers.
 */
final class RationalForm {
    static final int MAX_ATOMS = 10;
    static final int MAX_TERMS = 64;
    static final int MAX_POWER = 6;
    static final long MAX_TREE = 400;
    private static final double CANCEL = 1e-12;

    private final Map<Expr, Integer> atomIndex = new HashMap<>();
    private final List<Expr> atoms = new ArrayList<>();
    private final Work work;

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
        final TreeMap<Mono, Double> terms = new TreeMap<>(Mono::lex);

        @Override public boolean equals(Object o) { return o instanceof Poly p && terms.equals(p.terms); }
        @Override public int hashCode() { return terms.hashCode(); }

        boolean isZero() { return terms.isEmpty(); }
    }

    /** num / Π den[f]^k. */
    private record Rat(Poly num, LinkedHashMap<Poly, Integer> den) {}

    // ------------------------------------------------------------------ the rule

    /**
     * The rational normal form of {@code e} with every cancellable factor cancelled, when it is
     * strictly shorter; else null. Only sums and products are read, and only those that hold a
     * sum or a negative power (anything else has nothing to collect or cancel).
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
        Expr candidate = f.toExpr(r);
        if (candidate.treeSize() >= e.treeSize() || !numbers(e).containsAll(numbers(candidate))) {
            return null;
        }
        return candidate;
    }

    /**
     * The non-integer numbers of an expression. A rewrite may not bring in a new one: with
     * double coefficients {@code 1/3} would become {@code 0.3333333333333333}, which is shorter
     * as a tree and worse to read.
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
            if (x instanceof Num n && !n.isInteger()) {
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
            return p.factors().stream().anyMatch(RationalForm::expandable);
        }
        for (Expr t : e.children()) {
            if (expandable(t) || t instanceof Product p && p.factors().stream().anyMatch(RationalForm::expandable)) {
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
        if (e instanceof Num n) {
            return constant(n.value());
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
        p.terms.put(new Mono(exp), 1.0);
        return new Rat(p, new LinkedHashMap<>());
    }

    private static Rat constant(double c) {
        return new Rat(constantPoly(c), new LinkedHashMap<>());
    }

    private static Poly constantPoly(double c) {
        Poly p = new Poly();
        if (c != 0) {
            p.terms.put(new Mono(new int[MAX_ATOMS]), c);
        }
        return p;
    }

    // ------------------------------------------------------------------ arithmetic

    /** The coefficient helpers: where exact rationals replace doubles. */
    private static double plus(double a, double b) {
        double s = a + b;
        return Math.abs(s) <= CANCEL * Math.max(Math.abs(a), Math.abs(b)) ? 0 : s;
    }

    private static double times(double a, double b) {
        return a * b;
    }

    private Poly addPoly(Poly a, Poly b) {
        Poly r = new Poly();
        r.terms.putAll(a.terms);
        for (Map.Entry<Mono, Double> t : b.terms.entrySet()) {
            Double c = r.terms.get(t.getKey());
            double s = c == null ? t.getValue() : plus(c, t.getValue());
            if (s == 0) {
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
        for (Map.Entry<Mono, Double> x : a.terms.entrySet()) {
            for (Map.Entry<Mono, Double> y : b.terms.entrySet()) {
                Mono m = x.getKey().times(y.getKey());
                double c = times(x.getValue(), y.getValue());
                Double old = r.terms.get(m);
                double s = old == null ? c : plus(old, c);
                if (s == 0) {
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
        Poly r = constantPoly(1);
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
        Poly num = constantPoly(1);
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
                atom.terms.put(new Mono(e), 1.0);
                den.merge(atom, content[i], Integer::sum);
            }
        }
        Mono c = new Mono(content);
        Poly primitive = new Poly();
        // Scaled so the leading coefficient is ±1, with the sign that makes a constant term
        // positive: 1 - p, as it is written, rather than p - 1.
        double lead = r.num.terms.lastEntry().getValue();
        Double constantTerm = r.num.terms.get(new Mono(new int[MAX_ATOMS]));
        if (constantTerm != null && constantTerm / lead < 0) {
            lead = -lead;
        }
        for (Map.Entry<Mono, Double> t : r.num.terms.entrySet()) {
            primitive.terms.put(t.getKey().over(c), t.getValue() / lead);
        }
        num = mulPoly(num, constantPoly(1 / lead));
        if (!isOne(primitive)) {
            den.merge(primitive, 1, Integer::sum);
        }
        return new Rat(num, den);
    }

    private static boolean isOne(Poly p) {
        return p.terms.size() == 1 && Arrays.stream(p.terms.firstKey().exp).allMatch(x -> x == 0)
                && p.terms.firstEntry().getValue() == 1.0;
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
        Map.Entry<Mono, Double> lead = d.terms.lastEntry();
        while (!rest.isZero()) {
            if (!work.charge(d.terms.size())) {
                throw new GiveUp();
            }
            Map.Entry<Mono, Double> top = rest.terms.lastEntry();
            Mono m = top.getKey().over(lead.getKey());
            if (m == null) {
                return null;
            }
            Poly step = new Poly();
            step.terms.put(m, top.getValue() / lead.getValue());
            q = addPoly(q, step);
            Poly sub = mulPoly(step, d);
            Poly neg = new Poly();
            sub.terms.forEach((k, v) -> neg.terms.put(k, -v));
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

    /** The numerator with its monomial content pulled out: {@code x1·(p − t)}, not {@code x1·p − x1·t}. */
    private Expr numeratorExpr(Poly p) {
        if (p.terms.size() < 2) {
            return polyExpr(p);
        }
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
        Mono c = new Mono(content);
        Poly rest = new Poly();
        p.terms.forEach((m, v) -> rest.terms.put(m.over(c), v));
        return Exprs.mul(monoExpr(c), polyExpr(rest));
    }

    private Expr polyExpr(Poly p) {
        List<Expr> terms = new ArrayList<>(p.terms.size());
        for (Map.Entry<Mono, Double> t : p.terms.descendingMap().entrySet()) {
            terms.add(Exprs.mul(Exprs.num(t.getValue()), monoExpr(t.getKey())));
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
