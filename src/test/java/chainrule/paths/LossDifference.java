package chainrule.paths;

import chainrule.model.Network;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reference the layer-form tests hold a gradient entry to: a central difference of the loss. */
final class LossDifference {
    private LossDifference() {}

    /** ∂L/∂{@code element} by a central difference of the network's loss at its own values (step 1e-6, relative above 1). */
    static double central(Network net, String element) {
        Map<String, Double> at = new LinkedHashMap<>(net.values());
        double x = at.get(element);
        double h = 1e-6 * Math.max(1, Math.abs(x));
        at.put(element, x + h);
        double up = net.lossAt(at);
        at.put(element, x - h);
        double down = net.lossAt(at);
        return (up - down) / (2 * h);
    }
}
