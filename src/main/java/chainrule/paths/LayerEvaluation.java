package chainrule.paths;

import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.model.Vertex;
import chainrule.paths.LayerForm.Group;
import java.util.Map;

/**
 * The evaluation step of {@link LayerForm}: the numbers of a layer form computed from the form
 * alone (elementwise factors per index with each vector's name bound to its element, Wᵀ and ⊗ as
 * loops over the weight values, named δs from their own forms), never from the element graph's
 * reverse accumulation, which {@link LayerVerification} compares them with.
 */
final class LayerEvaluation {
    private final PathGraph graph;
    private final LayerGroups groups;
    private final Group loss;
    private final Map<Group, LayerTerm> deltas;
    private final LayerRecognition recognition;

    LayerEvaluation(PathGraph graph, LayerGroups groups, Map<Group, LayerTerm> deltas, LayerRecognition recognition) {
        this.graph = graph;
        this.groups = groups;
        this.loss = groups.loss();
        this.deltas = deltas;
        this.recognition = recognition;
    }

    /**
     * The numbers of {@code term}: element k of the result is element k of its group, row-major;
     * the δs it names are taken from {@code known}, or evaluated from their forms and added to it.
     */
    double[] evaluate(LayerTerm term, Values values, Map<Group, double[]> known) {
        return LayerTerm.visit(term, new LayerTerm.Visitor<double[]>() {
            @Override public double[] delta(LayerTerm.Delta d) {
                if (d.group() == loss) {
                    return new double[] {1};
                }
                double[] v = known.get(d.group());
                if (v == null) {
                    v = evaluate(deltas.get(d.group()), values, known);
                    known.put(d.group(), v);
                }
                return v;
            }

            @Override public double[] elementwise(LayerTerm.Elementwise e) {
                double[] rest = LayerTerm.visit(e.rest(), this);
                double[] out = new double[e.at().size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = factorAt(e.factor(), i, values) * rest[rest.length == 1 ? 0 : i];
                }
                return out;
            }

            @Override public double[] transposed(LayerTerm.Transposed t) {
                double[] rest = LayerTerm.visit(t.rest(), this);
                int n = t.weight().shape().get(0);
                int m = t.weight().shape().get(1);
                double[] out = new double[m];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        out[j] += values.vertex(t.weight().elements().get(i * m + j).name()) * rest[i];
                    }
                }
                return out;
            }

            @Override public double[] outer(LayerTerm.Outer o) {
                double[] rest = LayerTerm.visit(o.rest(), this);
                int m = o.at().shape().get(1);
                double[] right = new double[m];
                for (int j = 0; j < m; j++) {
                    right[j] = factorAt(o.right(), j, values);
                }
                double[] out = new double[o.at().size()];
                for (int k = 0; k < out.length; k++) {
                    out[k] = rest[k / m] * right[k % m];
                }
                return out;
            }

            @Override public double[] broadcast(LayerTerm.Broadcast b) {
                double[] rest = LayerTerm.visit(b.rest(), this);
                double sum = 0;
                for (int i = 0; i < rest.length; i++) {
                    sum += factorAt(b.factor(), i, values) * rest[i];
                }
                return new double[] {sum};
            }

            @Override public double[] softmax(LayerTerm.Softmax s) {
                double[] rest = LayerTerm.visit(s.rest(), this);
                double[] p = new double[rest.length];
                double inner = 0;
                for (int j = 0; j < p.length; j++) {
                    p[j] = values.vertex(s.output().elements().get(j).name());
                    inner += p[j] * rest[j];
                }
                double[] out = new double[p.length];
                for (int k = 0; k < p.length; k++) {
                    out[k] = p[k] * (rest[k] - inner);
                }
                return out;
            }

            @Override public double[] jacobian(LayerTerm.Jacobian j) {
                double[] rest = LayerTerm.visit(j.rest(), this);
                double[] out = new double[j.input().size()];
                for (int k = 0; k < out.length; k++) {
                    for (Edge e : graph.outgoing(j.input().elements().get(k))) {
                        if (groups.of(e.to()) == j.output()) {
                            out[k] += values.of(e) * rest[e.to().flat()];
                        }
                    }
                }
                return out;
            }

            @Override public double[] sum(LayerTerm.Sum s) {
                double[] out = null;
                for (LayerTerm x : s.terms()) {
                    double[] v = LayerTerm.visit(x, this);
                    if (out == null) {
                        out = v.clone();
                    } else {
                        for (int k = 0; k < out.length; k++) {
                            out[k] += v[k];
                        }
                    }
                }
                return out;
            }
        });
    }

    /**
     * An elementwise factor's value at each index {@code 0 .. size-1} (the {@code h(1 - h)} of
     * {@code h ⊙ (1 - h) ⊙ δ(h)}): each vector name stands for its element at that index.
     */
    double[] factorValues(Expr factor, int size, Values values) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = factorAt(factor, i, values);
        }
        return out;
    }

    /** An elementwise factor at index i: each vector symbol stands for its element i. */
    private double factorAt(Expr factor, int i, Values values) {
        try {
            return Evaluator.evaluate(factor, s -> {
                Group total = recognition.summed.get(s);
                if (total != null) {
                    double sum = 0;
                    for (Vertex v : total.elements()) {
                        Double x = values.vertices().get(v.name());
                        if (x == null) {
                            throw new Evaluator.MissingValueException(v.name());
                        }
                        sum += x;
                    }
                    return sum;
                }
                Group z = recognition.softmaxed.get(s);
                if (z != null) {
                    return softmaxAt(z, i, values);
                }
                Group g = groups.vector(s);
                Double v = values.vertices().get(g == null ? s.name() : g.elements().get(i).name());
                if (v == null) {
                    throw new Evaluator.MissingValueException(s.name());
                }
                return v;
            });
        } catch (Evaluator.MissingValueException e) {
            return Double.NaN; // cannot be checked here: the form is not accepted
        }
    }

    /** Element i of softmax(z) at {@code values}, stably (the largest element subtracted). */
    private static double softmaxAt(Group z, int i, Values values) {
        double[] x = new double[z.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < x.length; k++) {
            Double v = values.vertices().get(z.elements().get(k).name());
            if (v == null) {
                throw new Evaluator.MissingValueException(z.elements().get(k).name());
            }
            x[k] = v;
            max = Math.max(max, v);
        }
        double total = 0;
        for (double v : x) {
            total += Math.exp(v - max);
        }
        return Math.exp(x[i] - max) / total;
    }
}
