package chainrule.compile;

import chainrule.expr.Evaluator;
import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.Path;
import chainrule.paths.PathEnumerator;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Locates a wrong derivative: for each path from a parameter to the loss, the product of the
 * symbolic edge factors against the product of the same factors taken by central differences of
 * each edge's definition (its source moved, every other vertex held). The path where the two
 * differ most is where to look.
 *
 * @param path     the vertices of the path, parameter first
 * @param symbolic the product of the symbolic edge factors
 * @param numeric  the product of the numeric edge factors
 */
public record WorstPath(List<Vertex> path, double symbolic, double numeric) {

    /** The most paths examined (the count of paths may be exponential). */
    public static final int MAX_PATHS = 10_000;

    /** The path of {@code parameter} whose symbolic and numeric products differ most, or null if it has none. */
    public static WorstPath find(PathGraph graph, Values values, Vertex parameter) {
        WorstPath worst = null;
        double worstGap = -1;
        Map<Edge, Double> numericFactors = new HashMap<>();
        for (Path p : PathEnumerator.first(graph, parameter, MAX_PATHS)) {
            double numeric = 1;
            for (Edge e : p.edges()) {
                numeric *= numericFactors.computeIfAbsent(e, edge -> numericFactor(graph, edge, values));
            }
            double symbolic = p.value(values);
            double gap = Math.abs(symbolic - numeric);
            if (!(gap <= worstGap)) {
                worstGap = Double.isNaN(gap) ? Double.POSITIVE_INFINITY : gap;
                worst = new WorstPath(p.vertices(), symbolic, numeric);
            }
        }
        return worst;
    }

    /**
     * A central difference of the edge's end by its start, the others held: by the end's
     * definition as the spec's graph has it (a shared reduction such as {@code c.mean} written
     * out, so that it moves with the start, as it does on the edge {@code h[1] → c[1]}).
     */
    private static double numericFactor(PathGraph graph, Edge e, Values values) {
        Map<String, Double> env = new HashMap<>(values.vertices());
        double u = env.get(e.from().name());
        double h = Math.cbrt(Math.ulp(1.0)) * Math.max(1, Math.abs(u));
        env.put(e.from().name(), u + h);
        chainrule.expr.Expr definition = graph.pathDefinition(e.to());
        double up = Evaluator.evaluate(definition, env);
        env.put(e.from().name(), u - h);
        double down = Evaluator.evaluate(definition, env);
        return (up - down) / ((u + h) - (u - h));
    }
}
