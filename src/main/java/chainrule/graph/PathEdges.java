package chainrule.graph;

import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/** The edges that lie on some path from a parameter to the loss, what the graph highlights and the derivation lists. */
public final class PathEdges {
    private PathEdges() {}

    /**
     * Edges reachable from {@code w} whose end still reaches the loss, in forward order; found in
     * one pass over the vertices (topological), never by listing paths.
     */
    public static Set<Edge> from(PathGraph graph, Vertex w) {
        Set<Vertex> reached = new HashSet<>();
        reached.add(w);
        Set<Edge> edges = new LinkedHashSet<>();
        for (Vertex v : graph.pathVertices()) {
            if (reached.contains(v)) {
                for (Edge e : graph.pathOutgoing(v)) {
                    if (graph.pathReachesLoss(e.to())) {
                        reached.add(e.to());
                        edges.add(e);
                    }
                }
            }
        }
        return edges;
    }
}
