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
 */
public final class Simplifier {

    /** Why the runner stopped. */
    public enum StopReason { SATURATED, ITERATION_LIMIT, NODE_LIMIT, TIME_LIMIT }

    /**
     * @param maxPasses  most bottom-up passes over the expression
     * @param maxNodes   largest DAG (distinct nodes) the runner will work on
     * @param timeMillis wall-clock budget
     */
    public record Limits(int maxPasses, int maxNodes, long timeMillis) {
        public static final Limits DEFAULT = new Limits(12, 200_000, 2_000);
    }

    /** The outcome: the expression, passes run, why it stopped, and how often each rule fired. */
    public record Result(Expr expr, int passes, StopReason reason, Map<String, Integer> rulesFired) {}

    private final List<Rule> rules;
    private final Limits limits;
    private final Map<String, Integer> fired = new LinkedHashMap<>();
    private long deadline;
    private boolean outOfTime;

    public Simplifier(List<Rule> rules, Limits limits) {
        this.rules = List.copyOf(rules);
        this.limits = limits;
    }

    /** Simplifies with every rule and the default limits. */
    public static Expr simplify(Expr e) {
        return new Simplifier(Rules.ALL, Limits.DEFAULT).run(e).expr();
    }

    public Result run(Expr e) {
        fired.clear();
        outOfTime = false;
        deadline = System.nanoTime() + limits.timeMillis() * 1_000_000L;
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
            if (next.treeSize() < best.treeSize()) {
                best = next;
            }
            if (outOfTime) {
                return result(best, passes, StopReason.TIME_LIMIT);
            }
            if (next == current) {
                return result(best, passes, StopReason.SATURATED);
            }
            current = next;
        }
    }

    private Result result(Expr best, int passes, StopReason reason) {
        return new Result(best, passes, reason, Map.copyOf(fired));
    }

    /** One bottom-up pass; each distinct node is visited once. */
    private Expr pass(Expr root) {
        Map<Expr, Expr> memo = new IdentityHashMap<>();
        return new Object() {
            Expr go(Expr e) {
                Expr done = memo.get(e);
                if (done != null) {
                    return done;
                }
                if (System.nanoTime() > deadline) {
                    outOfTime = true;
                    return e;
                }
                Expr rebuilt = e.accept(new Expr.Visitor<Expr>() {
                    @Override public Expr num(Num n) { return n; }
                    @Override public Expr sym(Sym s) { return s; }
                    @Override public Expr sum(Sum s) { return Exprs.add(all(s.terms())); }
                    @Override public Expr product(Product p) { return Exprs.mul(all(p.factors())); }
                    @Override public Expr power(Power p) { return Exprs.pow(go(p.base()), go(p.exponent())); }
                    @Override public Expr apply(Apply a) { return Exprs.apply(a.fn(), all(a.args())); }
                });
                Expr r = rewriteAt(rebuilt);
                memo.put(e, r);
                return r;
            }

            List<Expr> all(List<Expr> xs) {
                List<Expr> out = new ArrayList<>(xs.size());
                for (Expr x : xs) {
                    out.add(go(x));
                }
                return out;
            }
        }.go(root);
    }

    /** Tries the rules at one node, a bounded number of times. */
    private Expr rewriteAt(Expr e) {
        Expr current = e;
        for (int round = 0; round < 4; round++) {
            Expr next = null;
            for (Rule rule : rules) {
                next = rule.applyAt(current);
                if (next != null) {
                    fired.merge(rule.name(), 1, Integer::sum);
                    break;
                }
            }
            if (next == null) {
                return current;
            }
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
