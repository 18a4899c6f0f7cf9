package chainrule.cli;

import chainrule.compile.CompiledGradient;
import chainrule.compile.Objective;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss and gradient of one sample by the interpreter's forward pass and reverse accumulation
 * over the path graph, laid out like a compiled network's: what {@code check} falls back to where
 * compiled code gives nan or inf but the stable rewriting and removable-singularity limits of
 * {@link Values} and {@link ReverseAccumulator} give finite numbers (docs/hardening.md). Slower
 * than compiled code, and used only there; it reports no kinks.
 */
final class InterpretedObjective implements Objective {
    private final Network network;
    private final CompiledGradient compiled;

    InterpretedObjective(Network network, CompiledGradient compiled) {
        this.network = network;
        this.compiled = compiled;
    }

    @Override public CompiledGradient compiled() { return compiled; }

    private Network at(double[] declared) {
        List<String> names = compiled.declaredNames();
        Map<String, Double> values = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), declared[i]);
        }
        return network.withValues(values);
    }

    @Override
    public double loss(double[] declared) {
        Network n = at(declared);
        return Values.of(n).vertex(n.loss().name());
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        Network n = at(declared);
        Values values = Values.of(n);
        Map<String, Double> g = ReverseAccumulator.gradient(PathGraph.of(n), values);
        List<String> params = compiled.parameters();
        for (int i = 0; i < gradOut.length; i++) {
            Double d = g.get(params.get(i));
            gradOut[i] = d == null ? Double.NaN : d;
        }
        return values.vertex(n.loss().name());
    }

    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        return false;
    }
}
