package chainrule.paths;

import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.List;

/** One path from a parameter to the loss: its edges in order. */
public record Path(List<Edge> edges) {

    public Path {
        edges = List.copyOf(edges);
    }

    /** The vertices along the path, the parameter first and the loss last. */
    public List<Vertex> vertices() {
        List<Vertex> out = new ArrayList<>(edges.size() + 1);
        out.add(edges.get(0).from());
        for (Edge e : edges) {
            out.add(e.to());
        }
        return out;
    }

    /**
     * The product of the edge factors' values; where that is not finite, the limit of their
     * symbolic product where it has one ({@code -1/p · p·(1 - p)} at p = 0 is -1).
     */
    public double value(Values values) {
        double p = 1;
        for (Edge e : edges) {
            p *= values.of(e);
        }
        return Double.isFinite(p) ? p : finiteOr(Limits.product(edges, values), p);
    }

    private static double finiteOr(double limit, double p) {
        return Double.isFinite(limit) ? limit : p;
    }
}
