package chainrule.paths;

import chainrule.expr.Evaluator;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /**
     * Runs the forward pass; the network must have every value the loss needs. A vertex the loss
     * does not need may lack inputs (a loss folded to a constant, {@code E = 0*(y - t)^2}, needs
     * nothing): it gets no value rather than failing the whole pass.
     */
    public static Values of(Network network) {
        Map<String, Double> env = new LinkedHashMap<>(network.values());
        for (Vertex v : network.definitions()) {
            try {
                env.put(v.name(), Evaluator.evaluate(v.definition(), env));
            } catch (Evaluator.MissingValueException e) {
                // not needed by the loss (Network.missingValues() was empty): left without a value
            }
        }
        return new Values(env);
    }

    public double vertex(String name) { return vertexValues.get(name); }

    public Map<String, Double> vertices() { return vertexValues; }

    public double of(Edge e) {
        Double v = factorValues.get(e);
        if (v == null) {
            v = Evaluator.evaluate(e.numericFactor(), vertexValues); // the table's numeric column
            factorValues.put(e, v);
        }
        return v;
    }
}
