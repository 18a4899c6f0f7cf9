package chainrule.flow;

import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Role;
import chainrule.paths.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How the gradient signal changes layer by layer on its way from the loss back to the inputs: the
 * lesson of vanishing gradients, measured on the user's own network and numbers.
 *
 * <p><b>Depth.</b> A layer is one weight multiplication (웨) followed by an optional activation (액);
 * it is found in the path graph, not in the syntax, so scalar, vector and hand-unrolled networks are
 * treated alike. The depth of an edge {@code u → v} is 1 plus the number of weight edges on the way
 * from {@code v} to the loss (the largest number, if paths differ, as with skip connections). In a
 * chain {@code h_k = σ(w_k·h_(k-1))} the edges into and out of {@code h_10.in} have depth 1 and
 * those of {@code h_1.in} depth 10. A parameter has the depth of the edge it leaves by (the largest,
 * if it is used in several places).
 *
 * <p><b>Per depth</b>: the magnitudes of its 액 factors, of its 웨 factors, and of the products
 * 액·웨 — for each weight edge {@code a → n}, its factor times the activation derivative
 * {@code n → h} that follows it on every path through it (the weight alone where {@code n} has no
 * activation, i.e. 액 = 1).
 *
 * <p><b>Accumulated</b>: the product of the median |액·웨| of depths 1 to d. Every path from the loss
 * down to depth d multiplies one 액·웨 per layer it crosses, so this is the factor by which a typical
 * path has been scaled on the way; it is 1 at the loss. It is independent of ∂loss/∂output and of
 * how many paths add up, so it isolates what the book explains: σ′ ≤ 0.25, hence with |w| ≤ 1 the
 * accumulated product falls at least 4× per layer, while ReLU′ = 1 keeps it at 1. The full signal
 * backpropagation carries (sum over paths included) is given beside it as {@code deltaNorm}, and its
 * effect on learning as {@code gradNorm}.
 *
 * <p><b>Over a data set</b> ({@link #of(PathGraph, List)}): the factor magnitudes are those of every
 * sample together (so min/median/max span the data), {@code gradNorm} is the norm of the mean
 * gradient (the one gradient descent follows), and {@code deltaNorm} the mean over samples of each
 * sample's δ norm (a mean of δs could cancel and hide the signal).
 */
public final class GradientFlow {
    private final PathGraph graph;
    private final List<Values> samples;
    /** The largest number of weight edges on a path from the vertex to the loss. */
    private final Map<Vertex, Integer> weightsBelow = new HashMap<>();

    private GradientFlow(PathGraph graph, List<Values> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("gradient flow needs at least one sample");
        }
        this.graph = graph;
        this.samples = List.copyOf(samples);
        countWeightsBelow();
    }

    /** The layers at one point, depth 1 (nearest the loss) first. */
    public static List<LayerFlow> of(PathGraph graph, Values values) {
        return of(graph, List.of(values));
    }

    /** The layers over several samples (the rows of a data set), depth 1 first. */
    public static List<LayerFlow> of(PathGraph graph, List<Values> samples) {
        return new GradientFlow(graph, samples).layers();
    }

    private void countWeightsBelow() {
        List<Vertex> order = graph.pathVertices();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex v = order.get(i);
            if (!graph.pathReachesLoss(v)) {
                continue;
            }
            int most = 0;
            for (Edge e : graph.pathOutgoing(v)) {
                if (graph.pathReachesLoss(e.to())) {
                    most = Math.max(most, weightsBelow.get(e.to()) + (e.role() == Role.WEIGHT ? 1 : 0));
                }
            }
            weightsBelow.put(v, most);
        }
    }

    /** The depth of an edge into a vertex that reaches the loss. */
    private int depth(Edge e) {
        return 1 + weightsBelow.get(e.to());
    }

    /** What is collected for one depth before it is summarised. */
    private static final class Collected {
        final List<Double> act = new ArrayList<>();
        final List<Double> weight = new ArrayList<>();
        final List<Double> product = new ArrayList<>();
        final List<Double> gradient = new ArrayList<>();
        final Set<Vertex> preActivations = new LinkedHashSet<>();
    }

    private List<LayerFlow> layers() {
        Map<Integer, Collected> byDepth = new TreeMap<>();
        for (Vertex v : graph.pathVertices()) {
            for (Edge e : graph.pathOutgoing(v)) {
                if (graph.pathReachesLoss(e.to())) {
                    collect(e, byDepth);
                }
            }
        }
        List<Map<Vertex, Double>> adjoints = new ArrayList<>(samples.size());
        for (Values values : samples) {
            adjoints.add(ReverseAccumulator.adjoints(graph, values));
        }
        for (Vertex p : graph.network().parameters()) {
            int depth = parameterDepth(p);
            if (depth > 0) {
                double mean = 0;
                for (Map<Vertex, Double> a : adjoints) {
                    mean += a.get(p);
                }
                byDepth.computeIfAbsent(depth, d -> new Collected()).gradient.add(mean / samples.size());
            }
        }
        List<LayerFlow> out = new ArrayList<>();
        double accumulated = 1;
        for (Map.Entry<Integer, Collected> entry : byDepth.entrySet()) {
            Collected c = entry.getValue();
            Magnitudes product = Magnitudes.of(toArray(c.product));
            if (product != null) {
                accumulated *= product.median();
            }
            double deltaNorm = c.preActivations.isEmpty() ? Double.NaN : 0;
            for (Map<Vertex, Double> a : adjoints) {
                List<Double> deltas = new ArrayList<>();
                for (Vertex n : c.preActivations) {
                    deltas.add(a.get(n));
                }
                deltaNorm += norm(deltas) / samples.size();
            }
            out.add(new LayerFlow(entry.getKey(), Magnitudes.of(toArray(c.act)), Magnitudes.of(toArray(c.weight)),
                    product, accumulated, norm(c.gradient), deltaNorm, c.gradient.size()));
        }
        return out;
    }

    private void collect(Edge e, Map<Integer, Collected> byDepth) {
        for (Values values : samples) {
            collect(e, values, byDepth);
        }
    }

    private void collect(Edge e, Values values, Map<Integer, Collected> byDepth) {
        if (e.role() == Role.ACTIVATION) {
            Collected c = byDepth.computeIfAbsent(depth(e), d -> new Collected());
            c.act.add(values.of(e));
            if (incomingWeights(e.from()) == 0) {
                c.product.add(values.of(e)); // an activation applied with no weight before it: 웨 = 1
            }
        } else if (e.role() == Role.WEIGHT) {
            Collected c = byDepth.computeIfAbsent(depth(e), d -> new Collected());
            c.weight.add(values.of(e));
            c.preActivations.add(e.to()); // a set: once, however many samples
            boolean activated = false;
            for (Edge next : graph.pathOutgoing(e.to())) {
                if (next.role() == Role.ACTIVATION && graph.pathReachesLoss(next.to())) {
                    c.product.add(values.of(e) * values.of(next));
                    activated = true;
                }
            }
            if (!activated) {
                c.product.add(values.of(e)); // a linear layer: 액 = 1
            }
        }
    }

    private int incomingWeights(Vertex v) {
        int n = 0;
        for (Edge e : graph.pathIncoming(v)) {
            n += e.role() == Role.WEIGHT ? 1 : 0;
        }
        return n;
    }

    /** The depth of the deepest edge leaving {@code p} towards the loss; 0 if none reaches it. */
    private int parameterDepth(Vertex p) {
        int depth = 0;
        for (Edge e : graph.pathOutgoing(p)) {
            if (graph.pathReachesLoss(e.to())) {
                depth = Math.max(depth, depth(e));
            }
        }
        return depth;
    }

    private static double[] toArray(List<Double> xs) {
        double[] out = new double[xs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = xs.get(i);
        }
        return out;
    }

    private static double norm(List<Double> xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }
}
