package chainrule.paths;

import chainrule.expr.Sym;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import chainrule.model.VertexKind;
import chainrule.paths.LayerForm.Group;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The grouping step of {@link LayerForm}: one {@link Group} per declaration, definition,
 * pre-activation or shared reduction of the network, as the analysis states them
 * ({@link Vertex#group()}), never read back from element names, so no name can change which group
 * or index a vertex has; the symbol standing for each vector in an elementwise factor; and the
 * target vectors whose given values sum to 1.
 */
final class LayerGroups {
    private final Map<String, Group> byName = new LinkedHashMap<>();
    /** The layer group of each of the analysis's groups (compared by identity). */
    private final Map<VertexGroup, Group> byModel = new HashMap<>();
    private final Map<Sym, Group> vectorSymbols = new HashMap<>();
    /** Target vectors whose given values sum to 1 (within 1e-12): for them softmax with cross-entropy gives p − y. */
    private final List<Group> unitSumTargets = new ArrayList<>();
    private final Group loss;

    LayerGroups(PathGraph graph) {
        for (Vertex v : graph.vertices()) {
            VertexGroup g = v.group();
            if (!byModel.containsKey(g)) {
                add(g, new Group(g.name(), g.shape(), g.elements()));
            }
        }
        unitSumTargets.addAll(unitSumTargetsAt(graph.network().values()));
        this.loss = of(graph.network().loss());
    }

    private void add(VertexGroup source, Group g) {
        byName.put(g.name(), g);
        byModel.put(source, g);
        if (!g.isScalar()) {
            vectorSymbols.put(g.vectorSymbol(), g);
        }
    }

    /** The target vectors whose values in {@code given} sum to 1 (within 1e-12), in group order. */
    List<Group> unitSumTargetsAt(Map<String, Double> given) {
        List<Group> out = new ArrayList<>();
        for (Group g : byName.values()) {
            if (g.isScalar() || g.elements().get(0).kind() != VertexKind.TARGET) {
                continue;
            }
            double sum = 0;
            boolean all = true;
            for (Vertex v : g.elements()) {
                Double x = given.get(v.name());
                all &= x != null;
                sum += x == null ? 0 : x;
            }
            if (all && Math.abs(sum - 1) <= 1e-12) {
                out.add(g);
            }
        }
        return out;
    }

    /** The group of a vertex. */
    Group of(Vertex v) { return byModel.get(v.group()); }

    /** The group printed as {@code name}. */
    Optional<Group> named(String name) { return Optional.ofNullable(byName.get(name)); }

    /** Every group, declared ones first, then defined ones in evaluation order. */
    Collection<Group> all() { return Collections.unmodifiableCollection(byName.values()); }

    /** The vector a symbol of an elementwise factor stands for ({@code h} for every {@code h[i]}), or null. */
    Group vector(Sym s) { return vectorSymbols.get(s); }

    /** The loss's group. */
    Group loss() { return loss; }

    /** Target vectors whose given values sum to 1 (within 1e-12). */
    List<Group> unitSumTargets() { return unitSumTargets; }
}
