package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ∂loss/∂w as the factored sum over all paths: shared prefixes pulled out by the series-parallel
 * structure, and shared suffixes named as δ terms (δ(v) = ∂loss/∂v) wherever two or more of w's
 * paths meet at v, the way backpropagation is written by hand. Its size is bounded by the number of
 * edges below w, never by the number of paths.
 *
 * @param deltas every δ the form uses, each defined by its own chain, in forward order
 */
public record ClosedForm(Vertex wrt, Chain chain, Map<Vertex, Chain> deltas) {

    public static ClosedForm of(PathGraph graph, Vertex wrt) {
        // Vertices below wrt that reach the loss, and how many of those vertices' edges enter each.
        Set<Vertex> live = new HashSet<>();
        Map<Vertex, Integer> inDegree = new HashMap<>();
        List<Vertex> stack = new ArrayList<>();
        stack.add(wrt);
        live.add(wrt);
        while (!stack.isEmpty()) {
            Vertex v = stack.remove(stack.size() - 1);
            for (Edge e : graph.outgoing(v)) {
                if (graph.reachesLoss(e.to())) {
                    inDegree.merge(e.to(), 1, Integer::sum);
                    if (live.add(e.to())) {
                        stack.add(e.to());
                    }
                }
            }
        }
        Vertex loss = graph.network().loss();
        Set<Vertex> named = new HashSet<>();
        for (Map.Entry<Vertex, Integer> e : inDegree.entrySet()) {
            if (e.getValue() > 1 && e.getKey() != loss) {
                named.add(e.getKey());
            }
        }
        Builder b = new Builder(graph, named);
        Chain root = b.expand(wrt);
        // Deltas in forward (topological) order, so each is defined after those it is used by.
        Map<Vertex, Chain> ordered = new LinkedHashMap<>();
        for (Vertex v : graph.vertices()) {
            if (b.deltas.containsKey(v)) {
                ordered.put(v, b.deltas.get(v));
            }
        }
        return new ClosedForm(wrt, root, Collections.unmodifiableMap(ordered));
    }

    private static final class Builder {
        final PathGraph graph;
        final Set<Vertex> named;
        final Map<Vertex, Chain> deltas = new HashMap<>();

        Builder(PathGraph graph, Set<Vertex> named) {
            this.graph = graph;
            this.named = named;
        }

        /** The chain from v to the loss, with named vertices below v referenced as δ. */
        Chain expand(Vertex v) {
            if (v == graph.network().loss()) {
                return new Chain.Series(List.of());
            }
            List<Chain> alternatives = new ArrayList<>();
            for (Edge e : graph.outgoing(v)) {
                if (!graph.reachesLoss(e.to())) {
                    continue;
                }
                List<Chain> parts = new ArrayList<>();
                parts.add(new Chain.Factor(e));
                Chain rest = below(e.to());
                if (rest instanceof Chain.Series s) {
                    parts.addAll(s.parts());
                } else {
                    parts.add(rest);
                }
                alternatives.add(new Chain.Series(parts));
            }
            if (alternatives.isEmpty()) {
                return new Chain.Parallel(List.of()); // no path: the derivative is 0
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new Chain.Parallel(alternatives);
        }

        private Chain below(Vertex v) {
            if (named.contains(v)) {
                if (!deltas.containsKey(v)) {
                    deltas.put(v, null); // reserve, then fill (the graph is acyclic)
                    deltas.put(v, expand(v));
                }
                return new Chain.Delta(v);
            }
            return expand(v);
        }
    }

    /** The value, given the evaluation's vertex values. */
    public double value(Values values) {
        Map<Vertex, Double> deltaValues = new HashMap<>();
        return new Object() {
            double eval(Chain c) {
                return Chain.visit(c, new Chain.Visitor<Double>() {
                    @Override public Double factor(Chain.Factor f) { return values.of(f.edge()); }

                    @Override public Double series(Chain.Series s) {
                        double p = 1;
                        for (Chain x : s.parts()) {
                            p *= eval(x);
                        }
                        return p;
                    }

                    @Override public Double parallel(Chain.Parallel p) {
                        double sum = 0;
                        for (Chain x : p.alternatives()) {
                            sum += eval(x);
                        }
                        return sum;
                    }

                    @Override public Double delta(Chain.Delta d) {
                        Double v = deltaValues.get(d.vertex());
                        if (v == null) {
                            v = eval(deltas.get(d.vertex()));
                            deltaValues.put(d.vertex(), v);
                        }
                        return v;
                    }
                });
            }
        }.eval(chain);
    }

    /** The closed form as one normalised expression over vertex symbols, δs substituted. */
    public Expr toExpr() {
        Map<Vertex, Expr> deltaExprs = new HashMap<>();
        return new Object() {
            Expr of(Chain c) {
                return Chain.visit(c, new Chain.Visitor<Expr>() {
                    @Override public Expr factor(Chain.Factor f) { return f.edge().factor(); }

                    @Override public Expr series(Chain.Series s) {
                        List<Expr> xs = new ArrayList<>();
                        for (Chain x : s.parts()) {
                            xs.add(of(x));
                        }
                        return Exprs.mul(xs);
                    }

                    @Override public Expr parallel(Chain.Parallel p) {
                        List<Expr> xs = new ArrayList<>();
                        for (Chain x : p.alternatives()) {
                            xs.add(of(x));
                        }
                        return Exprs.add(xs);
                    }

                    @Override public Expr delta(Chain.Delta d) {
                        Expr e = deltaExprs.get(d.vertex());
                        if (e == null) {
                            e = of(deltas.get(d.vertex()));
                            deltaExprs.put(d.vertex(), e);
                        }
                        return e;
                    }
                });
            }
        }.of(chain);
    }
}
