package chainrule.paths;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Substitution;
import chainrule.expr.Sum;
import chainrule.expr.VectorElement;
import chainrule.model.Divisions;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The value of a product of local derivatives that is not finite as numbers but whose symbolic
 * form has a finite limit (docs/hardening.md, "Removable singularities"): {@code p·(1 - p)·(-1/p)}
 * is {@code p - 1} once normalised. Used by reverse accumulation, path values and closed forms,
 * only where the numbers came out nan or infinite.
 */
public final class Limits {
    private Limits() {}

    /** Edges below a parameter past which {@link #fallbackForms} gives no forms (generated code stays small). */
    public static final int MAX_EDGES = 400;

    /** Terms a multiplied-out product may have; past that it is left as it is. */
    static final int MAX_TERMS = 64;

    /** A product multiplied out over the sums with fractions among its factors (see {@link #expand(Expr, int)}). */
    static Expr expand(Expr e) {
        return expand(e, MAX_TERMS);
    }

    /**
     * The value of {@code form} (an expression over vertex values), multiplied out; where that is
     * not finite, with the vertices replaced by their definitions, up to three levels
     * ({@code u/sqrt(w)} with {@code u = sqrt(w)} is 1). May still be nan or infinite.
     */
    static double value(Expr form, Values values) {
        form = expand(form);
        double limit = values.evaluate(form);
        if (Double.isFinite(limit)) {
            return limit;
        }
        Map<Expr, Expr> definitions = new HashMap<>();
        for (Vertex v : values.network().definitions()) {
            definitions.put(v.symbol(), v.definition());
        }
        for (int level = 0; level < 3 && !Double.isFinite(limit); level++) {
            Expr inlined = expand(Substitution.replace(form, definitions));
            if (inlined == form) {
                break;
            }
            form = inlined;
            limit = values.evaluate(form);
        }
        return limit;
    }

    /** Declared elements up to which a file written with layers is generated straight-line where it needs limit fallbacks. */
    public static final int UNROLL_FOR_LIMITS = 400;

    /**
     * Whether a file written with layers should be generated straight-line (with limit fallbacks)
     * instead of as loops: the loops compute the file as written and give nan at a removable
     * singularity ({@code u = sqrt(w)}, {@code L = sum(u^2)} at an element w = 0). Only small
     * files ({@link #UNROLL_FOR_LIMITS} declared elements), so the element view is cheap and the
     * unrolled code small; a log of a sigmoid or softmax vertex does not count (the loops compute
     * it stably).
     */
    public static boolean unrollForLimits(Network network) {
        if (network.declaredNames().size() > UNROLL_FOR_LIMITS) {
            return false;
        }
        PathGraph graph = PathGraph.of(network);
        Set<Vertex> dividing = dividing(graph, true);
        for (Vertex p : network.parameters()) {
            if (dividing.contains(p) && fewEdgesBelow(graph, p, MAX_EDGES)) {
                return true;
            }
        }
        return false;
    }

    /**
     * For generated code: per parameter index, the forms of its gradient entry to try in turn
     * where it is not finite ({@link #forms} of its closed form, ending at the first form that
     * cannot divide, as the further ones cannot do better); only parameters whose gradient may
     * meet a removable singularity ({@link #dividing}) and have at most {@link #MAX_EDGES} edges
     * below them (so the generated code stays small).
     */
    public static Map<Integer, List<Expr>> fallbackForms(PathGraph graph) {
        Map<Integer, List<Expr>> out = new LinkedHashMap<>();
        Set<Vertex> dividing = dividing(graph, false);
        List<Vertex> params = graph.network().parameters();
        for (int i = 0; i < params.size(); i++) {
            if (!dividing.contains(params.get(i)) || !fewEdgesBelow(graph, params.get(i), MAX_EDGES)) {
                continue;
            }
            // the closed form names a long reduction by its call (FoldedReductions: sum(w) over 16
            // or more elements), which is no vertex: generated code reads vertices, and a factor's
            // reach (moved) is known by its elements, so the calls are written out
            Expr closed = FoldedReductions.expandCalls(ClosedForm.of(graph, params.get(i)).toExpr(), graph.network());
            if (holdsCall(closed)) {
                continue; // a call whose definition is not known: no fallback rather than a wrong one
            }
            List<Expr> tried = forms(closed, graph.network(), MAX_FORM_NODES);
            if (tried != null) {
                out.put(i, tried);
            }
        }
        return out;
    }

    /** Whether a folded reduction's call ({@link FoldedReductions#call}) is among {@code e}'s symbols. */
    private static boolean holdsCall(Expr e) {
        for (chainrule.expr.Sym s : chainrule.model.Symbols.free(e)) {
            if (FoldedReductions.call(s).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** The symbols of the parameters and of every defined vertex computed from one. */
    public static Set<Expr> moved(PathGraph graph) {
        Set<Expr> out = new HashSet<>();
        for (Vertex v : graph.vertices()) {
            if (v.kind().isParameter() || !v.kind().isDeclared() && graph.reachedFromParameter(v)) {
                out.add(v.symbol());
            }
        }
        return out;
    }

    /**
     * The forms {@link #value} tries in turn, for generated code, which cannot take a limit at run
     * time: {@code form} multiplied out, then with the defined vertices replaced by their
     * definitions, one level at a time, up to three levels (the same steps, so the same limits).
     */
    public static List<Expr> forms(Expr form, Network network) {
        Map<Expr, Expr> definitions = new HashMap<>();
        for (Vertex v : network.definitions()) {
            definitions.put(v.symbol(), v.definition());
        }
        List<Expr> out = new ArrayList<>();
        form = expand(form);
        out.add(form);
        for (int level = 0; level < 3; level++) {
            Expr inlined = expand(Substitution.replace(form, definitions));
            if (inlined == form) {
                break;
            }
            form = inlined;
            out.add(form);
        }
        return out;
    }

    /**
     * Nodes a fallback form may have: its source text has at least a character a node, and
     * generated code takes at most 400,000 characters of fallbacks ({@code SourceGenerator}), so a
     * larger form would be dropped there, after costing seconds to write out (a 128-element
     * normalisation inlines to millions of nodes).
     */
    static final long MAX_FORM_NODES = 400_000;

    /**
     * {@link #forms(Expr, Network)} ending at the first form that cannot divide (the further ones
     * cannot do better), or null when a form would have more than {@code maxNodes} nodes.
     */
    private static List<Expr> forms(Expr form, Network network, long maxNodes) {
        Map<Expr, Expr> definitions = new HashMap<>();
        for (Vertex v : network.definitions()) {
            definitions.put(v.symbol(), v.definition());
        }
        List<Expr> out = new ArrayList<>();
        form = expand(form);
        for (int level = 0; ; level++) {
            if (form.treeSize() > maxNodes) {
                return null;
            }
            out.add(form);
            if (level == 3 || !Divisions.mayDivide(form)) {
                return out;
            }
            Expr replaced = Substitution.replace(form, definitions);
            if (replaced.treeSize() > maxNodes) {
                return null;
            }
            Expr inlined = expand(replaced);
            if (inlined == form) {
                return out;
            }
            form = inlined;
        }
    }

    /**
     * The vertices computed from a parameter from which some path to the loss has a factor that
     * may divide ({@link chainrule.model.Divisions}): only their gradients can meet a removable
     * singularity. With {@code besideStableForms}, edges out of a sigmoid or softmax vertex do not
     * count (a log of one, whose factor {@code 1/p} the layer loops compute stably from the
     * pre-activation). One pass over the edges, in reverse order.
     */
    static Set<Vertex> dividing(PathGraph graph, boolean besideStableForms) {
        Set<Vertex> out = new HashSet<>();
        List<Vertex> order = graph.vertices();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex v = order.get(i);
            if (!graph.reachedFromParameter(v)) {
                continue;
            }
            boolean stable = besideStableForms && v.definition() instanceof Apply a
                    && (a.fn() == Primitive.SIGMOID || a.fn() instanceof VectorElement);
            for (Edge e : graph.outgoing(v)) {
                if (graph.reachesLoss(e.to()) && (out.contains(e.to()) || !stable && Divisions.mayDivide(e.factor()))) {
                    out.add(v);
                    break;
                }
            }
        }
        return out;
    }

    /** Whether at most {@code limit} edges toward the loss lie below {@code from} (stops counting past it). */
    static boolean fewEdgesBelow(PathGraph graph, Vertex from, int limit) {
        Set<Vertex> seen = new HashSet<>(List.of(from));
        List<Vertex> stack = new ArrayList<>(List.of(from));
        int edges = 0;
        while (!stack.isEmpty()) {
            for (Edge e : graph.outgoing(stack.remove(stack.size() - 1))) {
                if (graph.reachesLoss(e.to())) {
                    if (++edges > limit) {
                        return false;
                    }
                    if (seen.add(e.to())) {
                        stack.add(e.to());
                    }
                }
            }
        }
        return true;
    }

    /** The product of edge factors (in their stable rewriting), by {@link #value}. */
    static double product(List<Edge> edges, Values values) {
        List<Expr> factors = new ArrayList<>(edges.size());
        for (Edge e : edges) {
            factors.add(values.stableFactor(e));
        }
        return value(Exprs.mul(factors), values);
    }

    /**
     * A product multiplied out over the sums among its factors, so that a factor cancels against a
     * term's denominator ({@code σ·(1 - σ)·(-t/σ - (t - 1)/(1 - σ))} is {@code -t·(1 - σ) - (t - 1)·σ});
     * left as it is when that would give more than {@code limit} terms.
     */
    static Expr expand(Expr e, int limit) {
        if (!(e instanceof Product p)) {
            return e;
        }
        // a sum is multiplied out when a term of it divides, or when another factor divides: the
        // adjoint of a named r, 2·r + 6·r², times sqrt′ = 0.5/r is 1 + 3·r, finite at r = 0
        boolean divides = false;
        for (Expr f : p.factors()) {
            divides |= isReciprocal(f);
        }
        List<Expr> terms = List.of(Exprs.ONE);
        for (Expr f : p.factors()) {
            List<Expr> parts = f instanceof Sum s && (divides || hasFraction(s)) ? s.terms() : List.of(f);
            if (terms.size() * parts.size() > limit) {
                return e;
            }
            List<Expr> next = new ArrayList<>(terms.size() * parts.size());
            for (Expr t : terms) {
                for (Expr part : parts) {
                    next.add(Exprs.mul(t, part));
                }
            }
            terms = next;
        }
        List<Expr> out = new ArrayList<>(terms.size());
        for (Expr t : terms) {
            out.add(t == e ? t : expand(t, limit));
        }
        return Exprs.add(out);
    }

    /** Whether a term of the sum divides by something (only such sums are multiplied out). */
    private static boolean hasFraction(Sum s) {
        for (Expr t : s.terms()) {
            List<Expr> factors = t instanceof Product p ? p.factors() : List.of(t);
            for (Expr f : factors) {
                if (isReciprocal(f)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A power with a negative number as exponent: a factor that divides. */
    private static boolean isReciprocal(Expr f) {
        return f instanceof Power w && w.exponent() instanceof Num n && n.value() < 0;
    }

}
