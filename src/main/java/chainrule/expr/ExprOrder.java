package chainrule.expr;

import java.util.Comparator;
import java.util.List;

/**
 * The canonical order of terms and factors. It is a total order on distinct interned expressions
 * (so normal forms are unique) and is chosen to read the way people write: a weight before the
 * input it multiplies ({@code w1*i1}), higher-degree terms first, the constant last
 * ({@code w1*i1 + w2*i2 + b1}), names in natural order ({@code w2} before {@code w10}).
 *
 * <p>Comparison recurses only along the first pair of children that differ; equal children are the
 * same object and compare in O(1), so the cost is bounded by the depth, not the size.
 */
public final class ExprOrder {
    private ExprOrder() {}

    /** Order of the factors of a product. */
    public static final Comparator<Expr> FACTORS = ExprOrder::compareFactors;

    /** Order of the terms of a sum. */
    public static final Comparator<Expr> TERMS = ExprOrder::compareTerms;

    static int compareTerms(Expr a, Expr b) {
        if (a == b) {
            return 0;
        }
        int c = Double.compare(degree(b), degree(a));
        if (c != 0) {
            return c;
        }
        c = compareLists(monomial(a), monomial(b));
        if (c != 0) {
            return c;
        }
        return Double.compare(coefficient(a), coefficient(b));
    }

    private static List<Expr> monomial(Expr e) {
        return e instanceof Product p ? p.nonNumericFactors() : List.of(e);
    }

    private static double coefficient(Expr e) {
        return e instanceof Product p ? p.coefficient() : 1.0;
    }

    /**
     * Polynomial degree in the names (a function application counts as one name). Cached on the
     * node: on a DAG with shared subterms the plain recursion would be exponential.
     */
    static double degree(Expr e) {
        Node n = (Node) e;
        double d = n.degree;
        if (Double.isNaN(d)) {
            d = computeDegree(e);
            n.degree = d;
        }
        return d;
    }

    private static double computeDegree(Expr e) {
        if (e instanceof Num || e instanceof Apply a && a.args().isEmpty()) {
            return 0; // a number, or a constant (π, e)
        }
        if (e instanceof Product p) {
            double d = 0;
            for (Expr f : p.factors()) {
                d += degree(f);
            }
            return d;
        }
        if (e instanceof Power p) {
            return p.exponent() instanceof Num n ? degree(p.base()) * n.value() : degree(p.base());
        }
        if (e instanceof Sum s) {
            double d = 0;
            for (Expr t : s.terms()) {
                d = Math.max(d, degree(t));
            }
            return d;
        }
        return 1;
    }

    static int compareFactors(Expr a, Expr b) {
        if (a == b) {
            return 0;
        }
        Expr baseA = a instanceof Power p ? p.base() : a;
        Expr baseB = b instanceof Power p ? p.base() : b;
        int c = compareStructure(baseA, baseB);
        if (c != 0) {
            return c;
        }
        return compareStructure(exponent(a), exponent(b));
    }

    private static Expr exponent(Expr e) {
        return e instanceof Power p ? p.exponent() : Exprs.ONE;
    }

    /** The kinds' order: numbers, constants (π, e), names, calls, powers, products, sums. One shared visitor: it is called per comparison. */
    private static final Expr.Visitor<Integer> RANK = new Expr.Visitor<>() {
        @Override public Integer num(Num n) { return 0; }
        @Override public Integer sym(Sym s) { return 2; }
        @Override public Integer apply(Apply x) { return x.args().isEmpty() ? 1 : 3; } // a constant first: π·x, as written
        @Override public Integer power(Power p) { return 4; }
        @Override public Integer product(Product p) { return 5; }
        @Override public Integer sum(Sum s) { return 6; }
    };

    private static int rank(Expr e) {
        return e.accept(RANK);
    }

    /** A comparison of two deep nodes already made: nodes are interned and immutable, so it stays true. */
    private record Memo(long a, long b, int result) {}

    /** Nodes at least this deep have their comparisons remembered. */
    private static final int MEMO_DEPTH = 8;
    private static final int MEMO_MASK = (1 << 14) - 1;
    /**
     * Deep comparisons, direct-mapped by the nodes' ids. Comparing two nested chains walks down
     * their common structure, and a product built factor by factor (the adjoint of a 990-deep
     * {@code sin} nest is {@code cos(sin^989)·cos(sin^988)·…}) is sorted again at each step:
     * without this, building it compared O(n³) nodes (8 s for n = 990). Racy reads and writes are
     * safe: a {@link Memo} is immutable (final fields), and a lost or stale slot only costs a
     * recomputation, never a different answer.
     */
    private static final Memo[] MEMO = new Memo[MEMO_MASK + 1];

    /** A total structural order. */
    static int compareStructure(Expr a, Expr b) {
        if (a == b) {
            return 0;
        }
        if (a.depth() < MEMO_DEPTH || b.depth() < MEMO_DEPTH) {
            return compareUnremembered(a, b);
        }
        long ia = ((Node) a).id;
        long ib = ((Node) b).id;
        int slot = Long.hashCode(ia * 0x9E3779B97F4A7C15L + ib) & MEMO_MASK;
        Memo m = MEMO[slot];
        if (m != null && m.a() == ia && m.b() == ib) {
            return m.result();
        }
        int c = compareUnremembered(a, b);
        MEMO[slot] = new Memo(ia, ib, c);
        return c;
    }

    private static int compareUnremembered(Expr a, Expr b) {
        int c = Integer.compare(rank(a), rank(b));
        if (c != 0) {
            return c;
        }
        if (a instanceof Num x && b instanceof Num y) {
            c = Double.compare(x.value(), y.value());
            if (c != 0 || x == y) {
                return c;
            }
            // equal as doubles, different numbers (1/3 and the double nearest it): exact first
            c = Boolean.compare(!x.isExact(), !y.isExact());
            if (c != 0 || !x.isExact()) {
                return c;
            }
            return x.numerator().multiply(y.denominator()).compareTo(y.numerator().multiply(x.denominator()));
        }
        if (a instanceof Sym x && b instanceof Sym y) {
            c = Integer.compare(x.kind().ordinal(), y.kind().ordinal());
            return c != 0 ? c : compareNames(x.name(), y.name());
        }
        if (a instanceof Apply x && b instanceof Apply y) {
            c = compareNames(x.fn().sourceName(), y.fn().sourceName());
            if (c != 0) {
                return c;
            }
            if (x.fn() instanceof VectorElement u && y.fn() instanceof VectorElement v && !u.equals(v)) {
                c = Integer.compare(u.index(), v.index());
                return c != 0 ? c : Integer.compare(u.size(), v.size());
            }
            if (!x.fn().equals(y.fn())) {
                // two functions with one name (a user function and its derivative's origin): rare
                c = Integer.compare(x.fn().arity(), y.fn().arity());
                return c != 0 ? c : Integer.compare(System.identityHashCode(x.fn()), System.identityHashCode(y.fn()));
            }
            return compareLists(x.args(), y.args());
        }
        if (a instanceof Power x && b instanceof Power y) {
            c = compareStructure(x.base(), y.base());
            return c != 0 ? c : compareStructure(x.exponent(), y.exponent());
        }
        if (a instanceof Product x && b instanceof Product y) {
            return compareLists(x.factors(), y.factors());
        }
        if (a instanceof Sum x && b instanceof Sum y) {
            return compareLists(x.terms(), y.terms());
        }
        throw new AssertionError("unreachable: ranks equal but kinds differ");
    }

    private static int compareLists(List<Expr> a, List<Expr> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = compareStructure(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Natural order: digit runs compare as numbers, so {@code w2 < w10}. */
    public static int compareNames(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = compareDigitRuns(a, si, i, b, sj, j);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    /** Compares a[as..ae) and b[bs..be), runs of digits, as numbers of any length. */
    private static int compareDigitRuns(String a, int as, int ae, String b, int bs, int be) {
        while (as < ae - 1 && a.charAt(as) == '0') {
            as++;
        }
        while (bs < be - 1 && b.charAt(bs) == '0') {
            bs++;
        }
        int c = Integer.compare(ae - as, be - bs);
        for (int k = 0; c == 0 && k < ae - as; k++) {
            c = Character.compare(a.charAt(as + k), b.charAt(bs + k));
        }
        return c;
    }
}
