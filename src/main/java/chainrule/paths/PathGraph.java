package chainrule.paths;

import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import chainrule.simplify.Simplifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * The path graph of LANGUAGE.md: a vertex per name, an edge wherever a name appears in a
 * definition, each edge carrying its local derivative and role. Built once per network; paths,
 * counts, closed forms and reverse accumulation all read it.
 */
public final class PathGraph {
    private final Network network;
    private final List<Vertex> order;
    private final Map<Vertex, List<Edge>> outgoing = new HashMap<>();
    private final Map<Vertex, List<Edge>> incoming = new HashMap<>();
    private final Map<Vertex, BigInteger> pathsToLoss = new HashMap<>();
    private final Set<Vertex> reached;

    private PathGraph(Network network) {
        this.network = network;
        this.order = List.copyOf(network.vertices());
        for (Vertex v : order) {
            outgoing.put(v, new ArrayList<>());
            incoming.put(v, new ArrayList<>());
        }
        // Fold activation outputs back in: σ'(net) = σ(net)(1 - σ(net)) is written out·(1 - out),
        // and softmax's partials, which mention every element softmax(p.in)[k], read -p[j]·p[k].
        Map<Expr, Expr> foldBack = new LinkedHashMap<>();
        for (Vertex v : network.definitions()) {
            if (v.isActivation()) {
                foldBack.put(v.definition(), v.symbol());
            }
        }
        reached = reachedFromParameters(network);
        for (Vertex to : network.definitions()) {
            Set<Sym> uses = new LinkedHashSet<>();
            Set<Sym> eager = new LinkedHashSet<>();
            for (Sym s : Symbols.free(to.definition())) {
                Vertex from = network.vertex(s.name()).orElse(null);
                if (from != null && from.symbol() == s && from.kind() != VertexKind.CONSTANT) {
                    uses.add(s);
                    if (reached.contains(from)) {
                        eager.add(s);
                    }
                }
            }
            // All of a definition's local partials that paths can use, in one reverse pass; the
            // others (out of inputs, targets, and names computed from them only) on demand.
            Map<Sym, Expr> partials = Differentiator.gradient(to.definition(), eager);
            for (Sym s : uses) {
                Vertex from = network.vertex(s.name()).orElseThrow();
                Edge e;
                if (eager.contains(s)) {
                    Expr d = localFactor(partials.getOrDefault(s, chainrule.expr.Exprs.ZERO), foldBack);
                    e = new Edge(from, to, d, classify(from, to, d));
                } else {
                    e = new Edge(from, to, () -> localFactor(Differentiator.derivative(to.definition(), s), foldBack),
                            PathGraph::classify);
                }
                outgoing.get(from).add(e);
                incoming.get(to).add(e);
            }
        }
        countPaths();
    }

    private static Expr localFactor(Expr partial, Map<Expr, Expr> foldBack) {
        return Substitution.replace(Simplifier.simplify(partial), foldBack);
    }

    /** The parameters and every vertex computed from one: the only ones a path from a parameter visits. */
    private static Set<Vertex> reachedFromParameters(Network network) {
        Set<String> names = new java.util.HashSet<>();
        Set<Vertex> out = new java.util.HashSet<>();
        for (Vertex v : network.parameters()) {
            names.add(v.name());
            out.add(v);
        }
        for (Vertex v : network.definitions()) {
            for (Sym s : Symbols.free(v.definition())) {
                if (names.contains(s.name())) {
                    names.add(v.name());
                    out.add(v);
                    break;
                }
            }
        }
        return out;
    }

    public static PathGraph of(Network network) {
        return new PathGraph(network);
    }

    public Network network() { return network; }

    /** Vertices in topological order (every edge goes forward in this list). */
    public List<Vertex> vertices() { return order; }

    public List<Edge> outgoing(Vertex v) { return Collections.unmodifiableList(outgoing.get(v)); }

    public List<Edge> incoming(Vertex v) { return Collections.unmodifiableList(incoming.get(v)); }

    /** The exact number of paths from {@code v} to the loss, by dynamic programming. */
    public BigInteger pathCount(Vertex v) { return pathsToLoss.get(v); }

    /**
     * Whether {@code v} is a parameter or computed from one: the vertices paths from parameters
     * visit. Edges out of other vertices (inputs, targets) derive their factor only when asked.
     */
    public boolean reachedFromParameter(Vertex v) { return reached.contains(v); }

    /** Whether some path leads from {@code v} to the loss. */
    public boolean reachesLoss(Vertex v) { return pathsToLoss.get(v).signum() > 0; }

    private void countPaths() {
        Vertex loss = network.loss();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex v = order.get(i);
            BigInteger n = v == loss ? BigInteger.ONE : BigInteger.ZERO;
            for (Edge e : outgoing.get(v)) {
                n = n.add(pathsToLoss.get(e.to()));
            }
            pathsToLoss.put(v, n);
        }
    }

    private static Role classify(Vertex from, Vertex to, Expr factor) {
        if (to.kind() == VertexKind.LOSS) {
            return Role.LOSS;
        }
        if (to.isActivation() && to.activationInputs().contains(from.symbol())) {
            return Role.ACTIVATION;
        }
        if (from.kind().isParameter()) {
            return Role.INPUT;
        }
        for (Sym s : Symbols.free(factor)) {
            if (s.kind() == SymKind.PARAMETER) {
                return Role.WEIGHT;
            }
        }
        return Role.LOCAL;
    }
}
