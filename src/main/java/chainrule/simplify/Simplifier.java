package chainrule.simplify;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded rewrite runner in the manner of egg's: it applies {@link Rules} bottom-up, pass after
 * pass, until a pass changes nothing or a limit is hit, and it says which. It keeps the shortest
 * form seen (by tree size), so a limit never leaves a worse result than the input.
 *
 * <p>Every limit counts work, not time ({@link Work}): passes, distinct nodes, and units charged
 * by the runner (one per node visited and rule tried) and by the rules (terms inspected, monomials
 * multiplied). The printed form of an expression is therefore a function of the expression alone,
 * the same on an idle and on a loaded machine.
 */
public final class Simplifier {

    /** Why the runner stopped. */
    public enum StopReason { SATURATED, ITERATION_LIMIT, NODE_LIMIT, WORK_LIMIT }

    /**
     * @param maxPasses most bottom-up passes over the expression
     * @param maxNodes  largest DAG (distinct nodes) the runner will work on
     * @param maxWork   most units of work ({@link Work}) for the whole run
     */
    public record Limits(int maxPasses, int maxNodes, long maxWork) {
        /**
         * Enough for every edge factor and closed form of the examples and test networks to
         * saturate well inside it (the largest use a few percent); an edge factor stops after a
         * few milliseconds of work at most.
         */
        public static final Limits DEFAULT = new Limits(12, 200_000, 200_000);

        /** The same limits with the work budget multiplied by {@code factor}. */
        public Limits scaledWork(double factor) {
            return new Limits(maxPasses, maxNodes, (long) Math.min(Long.MAX_VALUE / 2.0, maxWork * factor));
        }
    }

    /** The outcome: the expression, passes run, why it stopped, how often each rule fired, the work spent. */
    public record Result(Expr expr, int passes, StopReason reason, Map<String, Integer> rulesFired, long work) {}

    private final List<Rule> rules;
    private final Limits limits;
    private final Map<String, Integer> fired = new LinkedHashMap<>();
    private Work work;

    public Simplifier(List<Rule> rules, Limits limits) {
        this.rules = List.copyOf(rules);
        this.limits = limits;
        boolean orients = false;
        for (Rule r : this.rules) {
            // by identity: a record's equals links its call site on first use, ~5 ms of a cold grad
            orients |= r == Rules.REVERSED_DIFFERENCE;
        }
        this.orients = orients;
    }

    /** Whether {@link Rules#REVERSED_DIFFERENCE} is one of the rules (then results are {@link #oriented}). */
    private final boolean orients;

    /** Simplifies with every rule and the default limits. */
    public static Expr simplify(Expr e) {
        return new Simplifier(Rules.ALL, Limits.DEFAULT).run(e).expr();
    }

    /** The expression {@link #run} was given: the kept form is never larger than it. */
    private Expr input;

    public Result run(Expr e) {
        input = e;
        fired.clear();
        work = new Work(limits.maxWork());
        Expr best = e;
        Expr current = e;
        int passes = 0;
        while (true) {
            if (passes >= limits.maxPasses()) {
                return result(best, passes, StopReason.ITERATION_LIMIT);
            }
            if (countNodes(current, limits.maxNodes()) > limits.maxNodes()) {
                return result(best, passes, StopReason.NODE_LIMIT);
            }
            Expr next = pass(current);
            passes++;
            if (cheaper(next, best)) {
                best = next;
            }
            if (work.exhausted()) {
                return result(best, passes, StopReason.WORK_LIMIT);
            }
            if (next == current) {
                return result(best, passes, StopReason.SATURATED);
            }
            current = next;
        }
    }

    /**
     * The cost that picks the form kept: the tree size ({@link #cost}: {@code 1 − σ(u)} as one node
     * over {@code σ(u)}); among forms of one size the one with
     * fewer numbers written ({@code (2/3)·(o − t)} over {@code (2/3)·o − (2/3)·t}); then the one
     * with fewer function calls ({@code −sinh(2·x)} over {@code −2·cosh(x)·sinh(x)}).
     */
    static boolean cheaper(Expr a, Expr b) {
        if (a == b) {
            return false;
        }
        long ca = cost(a);
        long cb = cost(b);
        if (ca != cb) {
            return ca < cb;
        }
        long na = numbersWritten(a, new IdentityHashMap<>());
        long nb = numbersWritten(b, new IdentityHashMap<>());
        if (na != nb) {
            return na < nb;
        }
        return callsWritten(a, new IdentityHashMap<>()) < callsWritten(b, new IdentityHashMap<>());
    }

    /**
     * The size that decides which form is kept: the tree size, with each {@code 1 − σ(u)} counted
     * as one node over {@code σ(u)} (three nodes less). σ′ = σ·(1 − σ) is what a reader
     * recognises, so the complement is a unit the runner keeps, the way {@code 1 − tanh(u)²} is
     * kept: {@code σ(x)·(x·(1 − σ(x)) + 1)}, not {@code σ(x)·(x − x·σ(x) + 1)}. Without a
     * complement the cost is the tree size.
     */
    static long cost(Expr e) {
        long units = complements(e, new IdentityHashMap<>());
        return units == 0 ? e.treeSize() : e.treeSize() - 3 * units;
    }

    /**
     * Whether {@code e} is {@code 1 − σ(u)} or {@code 1 − tanh(u)²}: a derivative's textbook form
     * (σ′ = σ·(1 − σ), tanh′ = 1 − tanh²), kept whole under a constant too, so that
     * {@code tanh(x/2)′} is {@code (1 − tanh(x/2)²)/2}, not {@code 1/2 − tanh(x/2)²/2}.
     */
    static boolean isComplement(Expr e) {
        return e instanceof Sum s && s.terms().size() == 2
                && s.terms().get(1) instanceof Num one && one.isOne()
                && s.terms().get(0) instanceof Product p && p.factors().size() == 2
                && p.factors().get(0) instanceof Num m && m.negate().isOne()
                && (p.factors().get(1) instanceof Apply a && a.fn() == chainrule.expr.Primitive.SIGMOID
                    || p.factors().get(1) instanceof Power pw && pw.exponent() == Exprs.TWO
                        && pw.base() instanceof Apply t && t.fn() == chainrule.expr.Primitive.TANH);
    }

    /** How many {@code 1 − σ(u)} the tree writes (each occurrence counted), memoised per DAG node. */
    static long complements(Expr e, Map<Expr, Long> memo) {
        if (e instanceof Num || e instanceof Sym) {
            return 0;
        }
        Long known = memo.get(e);
        if (known != null) {
            return known;
        }
        long n = isComplement(e) ? 1 : 0;
        for (Expr c : e.children()) {
            n += complements(c, memo);
        }
        memo.put(e, n);
        return n;
    }

    /** How many function calls the tree writes ({@code sinh(2·x)} one, {@code 2·cosh(x)·sinh(x)} two), memoised per DAG node. */
    private static long callsWritten(Expr e, Map<Expr, Long> memo) {
        if (e instanceof Num || e instanceof Sym) {
            return 0;
        }
        Long known = memo.get(e);
        if (known != null) {
            return known;
        }
        long n = e instanceof Apply a && !a.args().isEmpty() ? 1 : 0;
        for (Expr c : e.children()) {
            n += callsWritten(c, memo);
        }
        memo.put(e, n);
        return n;
    }

    /**
     * How many numbers the tree writes, a sign (−1) not counted, a fraction counted as the two
     * integers it writes ({@code 3/(9 − x²)} writes two, {@code 1/(3·(1 − x²/9))} four; a shared
     * subterm counts at each place), memoised per DAG node.
     */
    /**
     * Characters of the plain printed form, spaces not counted: the size a reader sees, which
     * rules consult between forms whose trees differ only by a product node and signs
     * ({@code 0.2·(1 − x²)} against {@code 0.2 − 0.2·x²}). Callers bound the tree they print.
     */
    static long printedLength(Expr e) {
        String text = chainrule.expr.TextPrinter.plain().print(e);
        return text.length() - text.chars().filter(c -> c == ' ').count();
    }

    /**
     * Whether {@code candidate}, at most {@code slack} nodes larger than {@code original}, prints no
     * longer and writes fewer numbers (a fraction counted as two): the numeric content of a
     * sum taken out where the tree grows only by the product around it. Trees past 400 nodes are not printed.
     */
    static boolean printsNoLonger(Expr candidate, Expr original, int slack, Work work) {
        // Trees of at most 400 nodes, printed once each: bounded like a local rule's scan, and not
        // charged, so that where the content stays in the budget is spent as without the check.
        return candidate.treeSize() <= original.treeSize() + slack && original.treeSize() <= 400
                && numbersWritten(candidate) < numbersWritten(original)
                && printedLength(candidate) <= printedLength(original);
    }

    static long numbersWritten(Expr e) {
        return numbersWritten(e, new IdentityHashMap<>());
    }

    private static long numbersWritten(Expr e, Map<Expr, Long> memo) {
        if (e instanceof Num n) {
            return Math.abs(n.value()) == 1 ? 0 : n.isFraction() ? 2 : 1;
        }
        Long known = memo.get(e);
        if (known != null) {
            return known;
        }
        long n = 0;
        for (Expr c : e.children()) {
            n += numbersWritten(c, memo);
        }
        memo.put(e, n);
        return n;
    }

    private Result result(Expr best, int passes, StopReason reason) {
        if (orients) {
            best = oriented(best);
        }
        if (rules.contains(Rules.FACTOR_COMMON)) {
            Expr textbook = productRuleForm(best);
            best = textbook.treeSize() <= input.treeSize() ? textbook : best; // never larger than the input
        }
        return new Result(best, passes, reason, Map.copyOf(fired), work.spent());
    }

    /**
     * The finishing step for the product rule's result: a kept form {@code c·(a + b)} whose common
     * factor c was taken out of a power ({@code x·(x·cos(x) + 2·sin(x))}, where x² was split as
     * x·x) is written as the textbook's {@code u′·v + u·v′}, {@code 2·x·sin(x) + x²·cos(x)}, where
     * that prints no longer (characters without spaces; a sum of the same number of terms has the
     * same spaces). Only at the root, after the passes: factoring inside them still enables every
     * cancellation. Not where the common factor is a number or shares no power with a term
     * ({@code (1 − tanh(u)²)/2}, {@code (a·d − b·c)/(c·x + d)²}), where the sum has a number among
     * its terms ({@code p·(1 − p)}, the softmax Jacobian's diagonal; {@code x^x·(log(x) + 1)}), nor
     * where it would break up a {@code 1 − σ(u)} or {@code 1 − tanh(u)²}; and never to a form
     * larger than the simplifier's input. The printed length of the
     * SymPy comparison is unchanged (docs/readability.md).
     */
    static Expr productRuleForm(Expr root) {
        if (!(root instanceof Product p) || root.treeSize() > 200) {
            return root;
        }
        Sum sum = null;
        List<Expr> others = new ArrayList<>();
        for (Expr f : p.factors()) {
            if (f instanceof Sum x) {
                if (sum != null) {
                    return root;
                }
                sum = x;
            } else {
                others.add(f);
            }
        }
        if (sum == null || sum.terms().size() > 4 || Exprs.mul(others) instanceof Num
                || sum.terms().stream().anyMatch(t -> t instanceof Num)) {
            return root; // p·(1 − p), x^x·(log(x) + 1): a sum with a number is a unit of its own
        }
        Map<Expr, Double> common = positivePowers(Exprs.mul(others));
        List<Expr> terms = new ArrayList<>();
        boolean merges = false;
        for (Expr t : sum.terms()) {
            for (Expr base : positivePowers(t).keySet()) {
                merges |= common.containsKey(base);
            }
            terms.add(Exprs.mul(Exprs.mul(others), t));
        }
        if (!merges) {
            return root;
        }
        Expr expanded = Exprs.add(terms);
        if (complements(expanded, new IdentityHashMap<>()) < complements(root, new IdentityHashMap<>())
                || printedLength(expanded) > printedLength(root)) {
            return root;
        }
        return expanded;
    }

    /** The bases a term has with a positive numeric exponent (x for x and for x²), to their exponents. */
    private static Map<Expr, Double> positivePowers(Expr term) {
        Map<Expr, Double> out = new LinkedHashMap<>();
        List<Expr> factors = term instanceof Product p ? p.nonNumericFactors() : List.of(term);
        for (Expr f : factors) {
            if (f instanceof Power pw && pw.exponent() instanceof Num n) {
                if (n.value() > 0) {
                    out.put(pw.base(), n.value());
                }
            } else if (!(f instanceof Num)) {
                out.put(f, 1.0);
            }
        }
        return out;
    }

    /**
     * The finishing step: {@link Rules#REVERSED_DIFFERENCE} at the kept form's root and, one level
     * down, in the bases of its powers and the arguments of its calls ({@code (p − y)/3} for
     * {@code −(y − p)/3}). Not inside sums: as a term, {@code a − c·(y − p)} reads as well as it
     * is, and the passes keep the forms of shared differences alike so that factor-common can
     * match them. A few node visits, the tree keeps its size.
     */
    private Expr oriented(Expr root) {
        Expr e = root;
        if (e instanceof Product p) {
            List<Expr> factors = null;
            for (int i = 0; i < p.factors().size(); i++) {
                Expr f = p.factors().get(i);
                Expr g = f instanceof Power pw && pw.base() instanceof Product ? Exprs.pow(flip(pw.base()), pw.exponent())
                        : f instanceof Apply a && a.args().size() == 1 && a.arg(0) instanceof Product ? Exprs.apply(a.fn(), flip(a.arg(0)))
                        : f;
                if (g != f) {
                    if (factors == null) {
                        factors = new ArrayList<>(p.factors());
                    }
                    factors.set(i, g);
                }
            }
            if (factors != null) {
                e = Exprs.mul(factors);
            }
        }
        return flip(e);
    }

    private Expr flip(Expr e) {
        Expr flipped = Rules.REVERSED_DIFFERENCE.applyAt(e, work);
        if (flipped == null) {
            return e;
        }
        fired.merge(Rules.REVERSED_DIFFERENCE.name(), 1, Integer::sum);
        return flipped;
    }

    /** One bottom-up pass; each distinct node is visited once. Once the work is spent, nodes are kept as they are. */
    private Expr pass(Expr root) {
        Map<Expr, Expr> memo = new IdentityHashMap<>();
        return new Object() {
            Expr go(Expr e) {
                Expr done = memo.get(e);
                if (done != null) {
                    return done;
                }
                if (!work.charge(1 + e.children().size())) {
                    return e;
                }
                // A node whose children all stay is not rebuilt: it is already in normal form.
                Expr rebuilt = e.accept(new Expr.Visitor<Expr>() {
                    @Override public Expr num(Num n) { return n; }
                    @Override public Expr sym(Sym s) { return s; }
                    @Override public Expr sum(Sum s) {
                        List<Expr> terms = all(s.terms());
                        return terms == null ? s : Exprs.add(terms);
                    }
                    @Override public Expr product(Product p) {
                        List<Expr> factors = all(p.factors());
                        return factors == null ? p : Exprs.mul(factors);
                    }
                    @Override public Expr power(Power p) {
                        Expr base = go(p.base());
                        Expr exponent = go(p.exponent());
                        return base == p.base() && exponent == p.exponent() ? p : Exprs.pow(base, exponent);
                    }
                    @Override public Expr apply(Apply a) {
                        List<Expr> args = all(a.args());
                        return args == null ? a : Exprs.apply(a.fn(), args);
                    }
                });
                Expr r = rewriteAt(rebuilt);
                memo.put(e, r);
                return r;
            }

            /** The children simplified, or null when every one stays as it is. */
            List<Expr> all(List<Expr> xs) {
                List<Expr> out = null;
                for (int i = 0; i < xs.size(); i++) {
                    Expr x = xs.get(i);
                    Expr y = go(x);
                    if (y != x && out == null) {
                        out = new ArrayList<>(xs);
                    }
                    if (out != null) {
                        out.set(i, y);
                    }
                }
                return out;
            }
        }.go(root);
    }

    /**
     * Tries the rules at one node, a bounded number of times. Each round every rule is tried and
     * the cheapest result ({@link #cheaper}) is taken, the earlier rule on a tie: where two rules
     * both apply (cancel-rational expanding {@code σ·(1 − σ)·(−2·x − sin x)}, factor-common
     * keeping it), the order of the list does not decide the printed form.
     */
    private Expr rewriteAt(Expr e) {
        Expr current = e;
        for (int round = 0; round < 4; round++) {
            Expr next = null;
            Rule chosen = null;
            for (Rule rule : rules) {
                if (rule == Rules.REVERSED_DIFFERENCE) {
                    continue; // a finishing step ({@link #oriented}), not a pass rule
                }
                if (!work.charge(1)) {
                    break;
                }
                Expr candidate = rule.applyAt(current, work);
                if (candidate != null && (next == null || cheaper(candidate, next))) {
                    next = candidate;
                    chosen = rule;
                }
            }
            if (next == null) {
                return current;
            }
            fired.merge(chosen.name(), 1, Integer::sum);
            current = next;
        }
        return current;
    }
    /** Distinct nodes in the DAG, counting stops once past {@code cap}. */
    static int countNodes(Expr root, int cap) {
        Map<Expr, Boolean> seen = new IdentityHashMap<>();
        List<Expr> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty() && seen.size() <= cap) {
            Expr e = stack.remove(stack.size() - 1);
            if (seen.put(e, Boolean.TRUE) != null) {
                continue;
            }
            stack.addAll(e.children());
        }
        return seen.size();
    }
}
