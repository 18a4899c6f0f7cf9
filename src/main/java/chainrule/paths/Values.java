package chainrule.paths;

import chainrule.expr.Evaluator;
import chainrule.model.Network;
import java.util.HashMap;
import java.util.Map;

/**
 * The numbers of one evaluation: every vertex's value from the forward pass, and each edge
 * factor's value, computed once and remembered.
 */
public final class Values {
    private final Map<String, Double> vertexValues;
    private final Map<Edge, Double> factorValues = new HashMap<>();

    private Values(Map<String, Double> vertexValues) {
        this.vertexValues = vertexValues;
    }

    /** Runs the forward pass; the network must have every value the loss needs. */
    public static Values of(Network network) {
        return new Values(network.forward());
    }

    public double vertex(String name) { return vertexValues.get(name); }

    public Map<String, Double> vertices() { return vertexValues; }

    public double of(Edge e) {
        Double v = factorValues.get(e);
        if (v == null) {
            v = Evaluator.evaluate(e.factor(), vertexValues);
            factorValues.put(e, v);
        }
        return v;
    }
}
