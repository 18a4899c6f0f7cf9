package chainrule.serve;

import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The page's own layout of a network, left to right, so no Graphviz is needed: a defined vertex
 * stands one layer right of its rightmost argument; a declared one (input, weight, bias, target)
 * one layer left of the first vertex that uses it, so each weight sits next to the sum it feeds.
 * Within a layer, vertices are ordered by the mean row of their neighbours (a barycentre sweep
 * forward, then one backward), which keeps Mazur's w5 beside out_h1 and the paths uncrossed.
 */
final class GraphLayout {
    private final Map<Vertex, Integer> layer = new HashMap<>();
    private final Map<Vertex, Integer> row = new HashMap<>();
    private final List<List<Vertex>> layers = new ArrayList<>();

    private GraphLayout() {}

    int layer(Vertex v) { return layer.get(v); }

    int row(Vertex v) { return row.get(v); }

    int layerCount() { return layers.size(); }

    int maxRows() {
        int max = 0;
        for (List<Vertex> l : layers) {
            max = Math.max(max, l.size());
        }
        return max;
    }

    static GraphLayout of(PathGraph graph) {
        GraphLayout g = new GraphLayout();
        List<Vertex> order = graph.pathVertices(); // topological: arguments before what uses them
        for (Vertex v : order) {
            int l = 0;
            for (Edge e : graph.pathIncoming(v)) {
                Integer from = g.layer.get(e.from());
                if (from != null) {
                    l = Math.max(l, from + 1);
                }
            }
            g.layer.put(v, l);
        }
        for (Vertex v : order) {
            if (graph.pathIncoming(v).isEmpty() && !graph.pathOutgoing(v).isEmpty()) {
                int first = Integer.MAX_VALUE;
                for (Edge e : graph.pathOutgoing(v)) {
                    first = Math.min(first, g.layer.get(e.to()));
                }
                g.layer.put(v, Math.max(0, first - 1));
            }
        }
        int count = 0;
        for (int l : g.layer.values()) {
            count = Math.max(count, l + 1);
        }
        for (int i = 0; i < count; i++) {
            g.layers.add(new ArrayList<>());
        }
        for (Vertex v : order) {
            g.layers.get(g.layer.get(v)).add(v);
        }
        g.number();
        // Forward sweep by the rows of what a vertex uses, then a backward one by what uses it;
        // a vertex without such neighbours keeps its place (the file's order).
        for (int i = 1; i < count; i++) {
            g.sort(i, graph, true);
        }
        for (int i = count - 2; i >= 0; i--) {
            g.sort(i, graph, false);
        }
        return g;
    }

    private void number() {
        for (List<Vertex> l : layers) {
            for (int i = 0; i < l.size(); i++) {
                row.put(l.get(i), i);
            }
        }
    }

    private void sort(int index, PathGraph graph, boolean byIncoming) {
        List<Vertex> l = layers.get(index);
        Map<Vertex, Double> key = new HashMap<>();
        for (Vertex v : l) {
            double sum = 0;
            int n = 0;
            for (Edge e : byIncoming ? graph.pathIncoming(v) : graph.pathOutgoing(v)) {
                Vertex other = byIncoming ? e.from() : e.to();
                sum += row.get(other) / (double) Math.max(1, layers.get(layer.get(other)).size());
                n++;
            }
            key.put(v, n == 0 ? row.get(v) / (double) l.size() : sum / n);
        }
        l.sort(Comparator.comparingDouble(key::get)); // stable: ties keep the file's order
        for (int i = 0; i < l.size(); i++) {
            row.put(l.get(i), i);
        }
    }
}
