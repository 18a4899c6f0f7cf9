package chainrule.paths;

import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import chainrule.model.VertexKind;
import chainrule.paths.LayerForm.Group;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The verification step of {@link LayerForm}: each recognised δ, evaluated from its layer form
 * alone ({@link LayerEvaluation}), must equal reverse accumulation over the element graph, element
 * by element, at the network's values when it has them and at a fixed pseudo-random point (so a
 * form that agrees only by coincidence at special values is still caught, and files without values
 * are checked too). A form that disagrees, or cannot be evaluated, is dropped.
 */
final class LayerVerification {
    /** Relative agreement required between a layer form's numbers and reverse accumulation. */
    static final double TOLERANCE = 1e-9;

    private final PathGraph graph;
    private final LayerEvaluation evaluation;
    /** The points checked at, and at each: the δs verified so far, every vertex's adjoint, the largest adjoint. */
    private final List<Values> points = new ArrayList<>();
    private final List<Map<Group, double[]>> numbers = new ArrayList<>();
    private final List<Map<Vertex, Double>> adjoints = new ArrayList<>();
    private final List<Double> scales = new ArrayList<>();

    /**
     * The points to check at: {@code values} (unless null) and the pseudo-random probe (unless it
     * is not finite, or saturates where layer forms are evaluated).
     */
    LayerVerification(PathGraph graph, LayerEvaluation evaluation, Values values) {
        this.graph = graph;
        this.evaluation = evaluation;
        List<Values> given = new ArrayList<>();
        if (values != null) {
            given.add(values);
        }
        Values probe = probe(graph.network());
        if (probe != null) {
            given.add(probe);
        }
        for (Values p : given) {
            // at the probe: stop at the first δ that is not finite, where the probe is dropped anyway
            Map<Vertex, Double> a = p == probe ? ReverseAccumulator.adjointsUnlessInfinite(graph, p) : ReverseAccumulator.adjoints(graph, p);
            if (p == probe && (a == null || !finiteOnParameterPaths(a))) {
                // The probe saturated (a wide layer of positive weights: softmax underflows to 0,
                // so −y/p is −∞ while the stable loss stays finite). It can check nothing there;
                // verifying against it rejected every layer form of a 784-128-10 network.
                continue;
            }
            points.add(p);
            numbers.add(new HashMap<>());
            adjoints.add(a);
        }
        for (Map<Vertex, Double> a : adjoints) {
            scales.add(largest(a.values()));
        }
    }

    /** Whether there is any point to check at: without one, no form is accepted. */
    boolean canCheck() { return !points.isEmpty(); }

    /** Whether {@code term} gives δ(u) at every point; if so its values are kept for the δs above. */
    boolean verifies(Group u, LayerTerm term) {
        List<double[]> values = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            double[] value = evaluation.evaluate(term, points.get(k), numbers.get(k));
            if (!agrees(u, value, adjoints.get(k), scales.get(k))) {
                return false;
            }
            values.add(value);
        }
        for (int k = 0; k < points.size(); k++) {
            numbers.get(k).put(u, values.get(k));
        }
        return true;
    }

    /** Whether every vertex between a parameter and the loss has a finite adjoint (the ones layer forms give). */
    private boolean finiteOnParameterPaths(Map<Vertex, Double> adjoints) {
        for (Map.Entry<Vertex, Double> e : adjoints.entrySet()) {
            Double x = e.getValue();
            if (x != null && !Double.isFinite(x) && graph.reachedFromParameter(e.getKey()) && graph.reachesLoss(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** The largest finite magnitude among {@code xs}, 0 if none. */
    static double largest(Iterable<Double> xs) {
        double m = 0;
        for (Double x : xs) {
            if (x != null && Double.isFinite(x)) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    /**
     * Whether the layer form's numbers equal reverse accumulation's: relatively, or below a floor
     * set by the largest adjoint anywhere in the graph. The floor matters where a δ is 0 in exact
     * arithmetic but a sum of cancelling terms numerically (equal weights feeding p − y, which sums
     * to 0): both sides are then round-off of the size of the terms, which the group's own
     * adjoints (1e-19) do not show but the graph's largest adjoint bounds.
     */
    static boolean agrees(Group u, double[] value, Map<Vertex, Double> adjoints, double graphScale) {
        double scale = graphScale;
        for (Vertex v : u.elements()) {
            Double a = adjoints.get(v);
            scale = Math.max(scale, a == null ? 0 : Math.abs(a));
        }
        for (int k = 0; k < u.size(); k++) {
            Double a = adjoints.get(u.elements().get(k));
            if (a == null || !Double.isFinite(value[k])
                    || Math.abs(value[k] - a) > TOLERANCE * (Math.abs(a) + Math.abs(value[k])) + 1e-12 * scale) {
                return false;
            }
        }
        return true;
    }

    /**
     * The network at a fixed pseudo-random point (declared values between 0.1 and 0.9, constants
     * kept): a second check, and the only one when the file has no values. Null when some value
     * there is not finite.
     */
    static Values probe(Network network) {
        Random random = new Random(0x5EED);
        Map<String, Double> point = new LinkedHashMap<>();
        for (Vertex v : network.vertices()) {
            if (v.kind().isDeclared() && v.kind() != VertexKind.CONSTANT) {
                point.put(v.name(), 0.1 + 0.8 * random.nextDouble());
            }
        }
        // A target whose given values sum to 1 (one-hot) sums to 1 at the probe too: the p − y of
        // softmax with cross-entropy holds only there, and the probe must check that form.
        for (List<String> names : unitSumTargetElements(network)) {
            double probed = 0;
            for (String n : names) {
                probed += point.get(n);
            }
            for (String n : names) {
                point.put(n, point.get(n) / probed);
            }
        }
        Values values = Values.of(network.withValues(point));
        for (Double x : values.vertices().values()) {
            if (!Double.isFinite(x)) {
                return null;
            }
        }
        return values.vertices().containsKey(network.loss().name()) ? values : null;
    }

    /**
     * The element names of each declared target vector whose given values sum to 1 (within 1e-12),
     * by the analysis's groups: the probe point keeps that sum.
     */
    static List<List<String>> unitSumTargetElements(Network network) {
        List<List<String>> out = new ArrayList<>();
        for (VertexGroup g : network.groups()) {
            if (g.isScalar() || g.element(0).kind() != VertexKind.TARGET) {
                continue;
            }
            double given = 0;
            List<String> names = new ArrayList<>(g.size());
            for (Vertex v : g.elements()) {
                Double x = network.values().get(v.name());
                given += x == null ? Double.NaN : x;
                names.add(v.name());
            }
            if (Math.abs(given - 1) <= 1e-12) {
                out.add(names);
            }
        }
        return out;
    }
}
