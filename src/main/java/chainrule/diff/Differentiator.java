package chainrule.diff;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Symbolic differentiation by reverse accumulation over the expression DAG: one pass gives the
 * partial derivative with respect to every symbol at once, in time linear in the size of the DAG.
 * (Forward mode would walk the whole expression once per symbol: quadratic for a layer's
 * pre-activation {@code Σ w_i·x_i}, whose every weight is an edge of the path graph.)
 *
 * <p>The chain rule is written exactly once, in {@link #propagate}: a node passes its adjoint to
 * each child multiplied by the node's local partial derivative; a function application gets its
 * local partials from the function ({@link chainrule.expr.Fn#partial}) and nothing else.
 */
public final class Differentiator {
    private Differentiator() {}

    /** d e / d wrt, normalised but not simplified further. */
    public static Expr derivative(Expr e, Sym wrt) {
        return gradient(e, Set.of(wrt)).getOrDefault(wrt, Exprs.ZERO);
    }

    /**
     * ∂e/∂s for every symbol {@code s} of {@code wrt} that occurs in {@code e} (absent ones have
     * derivative 0 and are left out), in the order symbols are first met.
     */
    public static Map<Sym, Expr> gradient(Expr e, Set<Sym> wrt) {
        return gradient(e, wrt, false);
    }

    /**
     * d e / d wrt with every built-in's partial taken from the primitive table's numeric column
     * ({@link chainrule.expr.Fn#numericPartial}): the form to evaluate, not to print. σ′ is
     * σ(x)·σ(−x) here, which keeps its digits where σ·(1 − σ) rounds to 0.
     */
    public static Expr numericDerivative(Expr e, Sym wrt) {
        return gradient(e, Set.of(wrt), true).getOrDefault(wrt, Exprs.ZERO);
    }

    /** {@link #gradient(Expr, Set)} in the numeric forms (see {@link #numericDerivative}). */
    public static Map<Sym, Expr> numericGradient(Expr e, Set<Sym> wrt) {
        return gradient(e, wrt, true);
    }

    private static Map<Sym, Expr> gradient(Expr e, Set<Sym> wrt, boolean numeric) {
        // Post-order of the nodes that contain a symbol of interest: children before parents.
        List<Expr> order = new ArrayList<>();
        Map<Expr, Boolean> relevant = new IdentityHashMap<>();
        postOrder(e, wrt, relevant, order);
        Map<Expr, List<Expr>> contributions = new IdentityHashMap<>();
        contributions.put(e, new ArrayList<>(List.of(Exprs.ONE)));
        Map<Sym, Expr> out = new LinkedHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Expr node = order.get(i);
            List<Expr> parts = contributions.remove(node);
            if (parts == null) {
                continue;
            }
            Expr adjoint = Exprs.add(parts);
            if (adjoint == Exprs.ZERO) {
                continue;
            }
            if (node instanceof Sym s) {
                out.put(s, adjoint);
            } else {
                propagate(node, adjoint, relevant, contributions, numeric);
            }
        }
        return reorder(out, order);
    }

    /** Symbols in first-occurrence (pre-order) order rather than the reverse sweep's order. */
    private static Map<Sym, Expr> reorder(Map<Sym, Expr> found, List<Expr> postOrder) {
        Map<Sym, Expr> out = new LinkedHashMap<>();
        for (Expr x : postOrder) {
            if (x instanceof Sym s && found.containsKey(s)) {
                out.put(s, found.get(s));
            }
        }
        return out;
    }

    /** Pushes {@code adjoint} (∂root/∂node) to the node's children: the chain rule. */
    private static void propagate(Expr node, Expr adjoint, Map<Expr, Boolean> relevant,
                                  Map<Expr, List<Expr>> contributions, boolean numeric) {
        List<Expr> children = node.children();
        for (int i = 0; i < children.size(); i++) {
            Expr child = children.get(i);
            if (relevant.get(child) == Boolean.TRUE) {
                contributions.computeIfAbsent(child, k -> new ArrayList<>(2))
                        .add(Exprs.mul(adjoint, localPartial(node, i, numeric)));
            }
        }
    }

    /**
     * ∂node/∂(child i), other children held fixed, in the numeric column: the factor a compiled
     * reverse pass ({@code compile.Tape}) multiplies a node's adjoint by. The same rule as the
     * symbolic reverse pass uses, so the chain rule stays written once.
     */
    public static Expr numericLocalPartial(Expr node, int i) {
        return localPartial(node, i, true);
    }

    /**
     * ∂product/∂b for factor i of {@code product} a power {@code b^e}: the chain rule through that
     * power, {@code (∂product/∂b^e)·e·b^(e-1)}, for a compiled reverse pass that never computes the
     * power on its own (a quotient divides by b: {@code expr.QuotientEntry}). For {@code a/b} it
     * is {@code -a·b^-2}, which is computed as {@code -(a/b)/b}.
     */
    public static Expr numericLocalPartialThroughPower(Expr product, int i) {
        Expr power = product.children().get(i);
        return Exprs.mul(localPartial(product, i, true), localPartial(power, 0, true));
    }

    /** ∂node/∂(child i), the only place that knows each node kind's derivative. */
    private static Expr localPartial(Expr node, int i, boolean numeric) {
        return node.accept(new Expr.Visitor<Expr>() {
            @Override public Expr num(Num n) { throw new AssertionError("a number has no children"); }

            @Override public Expr sym(Sym s) { throw new AssertionError("a symbol has no children"); }

            @Override public Expr sum(Sum s) { return Exprs.ONE; }

            @Override public Expr product(Product p) {
                List<Expr> others = new ArrayList<>(p.factors());
                others.remove(i);
                return Exprs.mul(others);
            }

            @Override public Expr power(Power p) {
                Expr b = p.base();
                Expr x = p.exponent();
                if (i == 1 && b instanceof chainrule.expr.Num n && n.isZero()) {
                    // 0^x is the constant 0 wherever it is defined with x > 0 (and 1 at x = 0, as in
                    // PyTorch, whose gradient there is 0 too): not 0^x·log(0), which is nan
                    return Exprs.ZERO;
                }
                return i == 0
                        ? Exprs.mul(x, Exprs.pow(b, Exprs.sub(x, Exprs.ONE)))   // x·b^(x-1)
                        : Exprs.mul(p, Exprs.apply(Primitive.LOG, b));          // b^x·log(b)
            }

            @Override public Expr apply(Apply a) {
                return numeric ? a.fn().numericPartial(i, a.args(), a) : a.fn().partial(i, a.args(), a);
            }
        });
    }

    /** Iterative post-order over the DAG, marking which nodes contain a symbol of {@code wrt}. */
    private static void postOrder(Expr root, Set<Sym> wrt, Map<Expr, Boolean> relevant, List<Expr> order) {
        List<Expr> stack = new ArrayList<>();
        List<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        Map<Expr, Boolean> entered = new IdentityHashMap<>();
        entered.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Expr node = stack.get(top);
            int k = next.get(top);
            List<Expr> children = node.children();
            if (k < children.size()) {
                next.set(top, k + 1);
                Expr child = children.get(k);
                if (entered.put(child, Boolean.TRUE) == null) {
                    stack.add(child);
                    next.add(0);
                }
            } else {
                stack.remove(top);
                next.remove(top);
                boolean r = node instanceof Sym s && wrt.contains(s);
                for (Expr c : children) {
                    r |= relevant.get(c) == Boolean.TRUE;
                }
                relevant.put(node, r);
                if (r) {
                    order.add(node);
                }
            }
        }
    }
}
