package chainrule.graph;

import chainrule.expr.TextPrinter;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import chainrule.print.Notation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The path graph as Graphviz DOT, layered left to right: a vertex's rank is its depth from the
 * inputs, and a declared name (a weight, an input, a target) sits one rank before the first node
 * that uses it. Each edge is labelled with its factor; with a parameter given, the edges on its
 * paths to the loss are drawn {@link #HIGHLIGHT highlighted}. Node ids are {@code n0, n1, ...};
 * names appear only in quoted, escaped labels, so no name can change the graph's structure.
 */
public final class NetworkDot {
    /** The attributes that mark an edge on a path from the chosen parameter. */
    public static final String HIGHLIGHT = "color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2.2";
    private static final String PLAIN_EDGE = "color=\"#9a9a9a\", fontcolor=\"#707070\"";

    private NetworkDot() {}

    /**
     * @param wrt the parameter whose paths are highlighted, or null for none
     */
    public static String of(PathGraph graph, Vertex wrt, Notation notation) {
        Map<Vertex, String> ids = new HashMap<>();
        for (Vertex v : graph.pathVertices()) {
            ids.put(v, "n" + ids.size());
        }
        Set<Edge> highlighted = wrt == null ? Set.of() : PathEdges.from(graph, wrt);
        Set<Vertex> highlightedVertices = new HashSet<>();
        for (Edge e : highlighted) {
            highlightedVertices.add(e.from());
            highlightedVertices.add(e.to());
        }
        StringBuilder sb = new StringBuilder("digraph network {\n");
        sb.append("  rankdir=LR;\n  newrank=true;\n  ranksep=0.9;\n  nodesep=0.3;\n");
        sb.append("  node [fontname=\"Helvetica\", fontsize=12, style=filled, fillcolor=\"#ffffff\", color=\"#555555\"];\n");
        sb.append("  edge [fontname=\"Helvetica\", fontsize=10, arrowsize=0.7];\n");
        for (List<Vertex> rank : ranks(graph).values()) {
            sb.append("  { rank=same;");
            for (Vertex v : rank) {
                sb.append(' ').append(ids.get(v)).append(';');
            }
            sb.append(" }\n");
        }
        for (Vertex v : graph.pathVertices()) {
            sb.append("  ").append(ids.get(v)).append(" [label=\"").append(escape(notation.vertex(graph, v)))
                    .append("\", ").append(shape(v.kind()));
            if (v == wrt) {
                sb.append(", fillcolor=\"#fbd5d5\", color=\"#d62728\", penwidth=2");
            } else if (highlightedVertices.contains(v)) {
                sb.append(", color=\"#d62728\", penwidth=1.6");
            }
            sb.append("];\n");
        }
        for (Vertex v : graph.pathVertices()) {
            for (Edge e : graph.pathOutgoing(v)) {
                sb.append("  ").append(ids.get(e.from())).append(" -> ").append(ids.get(e.to()))
                        .append(" [label=\"").append(escape(TextPrinter.pretty().print(e.printedFactor()))).append("\", ")
                        .append(highlighted.contains(e) ? HIGHLIGHT : PLAIN_EDGE).append("];\n");
            }
        }
        return sb.append("}\n").toString();
    }

    private static String shape(VertexKind kind) {
        switch (kind) {
            case WEIGHT: return "shape=box";
            case BIAS: return "shape=box, style=\"rounded,filled\"";
            case INPUT:
            case TARGET:
            case CONSTANT: return "shape=ellipse, fillcolor=\"#eeeeee\"";
            case NODE:
            case PRE_ACTIVATION: return "shape=ellipse";
            case LOSS: return "shape=doublecircle, fillcolor=\"#e8eefc\"";
        }
        throw new AssertionError(kind);
    }

    /**
     * Vertices by rank: a defined vertex one past its deepest input; a vertex with no input (a
     * declared name) one before the shallowest vertex it feeds.
     */
    static TreeMap<Integer, List<Vertex>> ranks(PathGraph graph) {
        Map<Vertex, Integer> depth = new HashMap<>();
        for (Vertex v : graph.pathVertices()) {
            int d = 0;
            for (Edge e : graph.pathIncoming(v)) {
                d = Math.max(d, depth.get(e.from()) + 1);
            }
            depth.put(v, d);
        }
        for (Vertex v : graph.pathVertices()) {
            if (graph.pathIncoming(v).isEmpty() && !graph.pathOutgoing(v).isEmpty()) {
                int d = Integer.MAX_VALUE;
                for (Edge e : graph.pathOutgoing(v)) {
                    d = Math.min(d, depth.get(e.to()) - 1);
                }
                depth.put(v, d);
            }
        }
        TreeMap<Integer, List<Vertex>> ranks = new TreeMap<>();
        for (Vertex v : graph.pathVertices()) {
            ranks.computeIfAbsent(depth.get(v), k -> new ArrayList<>()).add(v);
        }
        return ranks;
    }

    /** Text for a quoted DOT string: quotes and backslashes escaped, control characters dropped. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (!Character.isISOControl(c)) {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
