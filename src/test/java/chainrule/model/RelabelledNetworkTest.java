package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.paths.LayerForm;
import chainrule.paths.LayerTerm;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names are labels: a network whose every vertex is renamed, keeping its structure, has the same
 * layer forms with the same numbers. The new names are chosen to mislead any reading of structure
 * from names: every element of every vector is called {@code 층[k,g]} with its index counted
 * backwards and its group's number as a second index (so all vectors look like one matrix), and
 * every scalar {@code s[g]} (so they look like the elements of one vector). Recovering groups by
 * parsing names, as chainrule once did, finds one irregular group and no layer form here.
 */
class RelabelledNetworkTest {

    @ParameterizedTest
    @ValueSource(strings = {"examples/mazur-vector.nn", "examples/mlp-relu.nn", "examples/softmax.nn"})
    void layerFormsDoNotDependOnNames(String file) throws Exception {
        Network original = analyze(Path.of(file));
        Relabelled relabelled = relabel(original);
        Network renamed = relabelled.network();
        LayerForm before = LayerForm.of(PathGraph.of(original), Values.of(original));
        LayerForm after = LayerForm.of(PathGraph.of(renamed), Values.of(renamed));
        int compared = 0;
        for (VertexGroup g : original.groups()) {
            if (!g.element(0).kind().isParameter()) {
                continue;
            }
            VertexGroup h = relabelled.groups().get(g);
            LayerTerm expected = before.gradient(before.groupOf(g.element(0))).orElse(null);
            LayerTerm actual = after.gradient(after.groupOf(h.element(0))).orElse(null);
            assertEquals(expected == null, actual == null, g + " has a layer form under one naming only");
            if (expected == null) {
                continue;
            }
            assertEquals(expected.getClass(), actual.getClass(), g.toString());
            double[] x = before.evaluate(expected, Values.of(original));
            double[] y = after.evaluate(actual, Values.of(renamed));
            assertEquals(x.length, y.length);
            for (int k = 0; k < x.length; k++) {
                assertEquals(x[k], y[k], 1e-12 * (1 + Math.abs(x[k])), g + " element " + k);
            }
            compared++;
        }
        assertTrue(compared > 0, "some parameter has a layer form");
    }

    /** A network and, for each of its groups, the renamed group. */
    record Relabelled(Network network, Map<VertexGroup, VertexGroup> groups) {}

    static Network analyze(Path file) throws Exception {
        try {
            return Analyzer.analyze(new Source(file.getFileName().toString(), Files.readString(file)));
        } catch (DiagnosticException e) {
            throw new AssertionError(e.render(), e);
        }
    }

    /** {@code network} with every vertex renamed as the class comment says, the structure kept. */
    static Relabelled relabel(Network network) {
        Map<VertexGroup, VertexGroup> groups = new IdentityHashMap<>();
        Map<Expr, Expr> symbols = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        int number = 0;
        for (VertexGroup g : network.groups()) {
            number++;
            VertexGroup h = VertexGroup.of("가" + number, g.shape(), g.origin(), "가" + number);
            groups.put(g, h);
            for (Vertex v : g.elements()) {
                String name = g.isScalar() ? "s[" + number + "]" : "층[" + (g.size() - v.flat()) + "," + number + "]";
                names.put(v.name(), name);
                symbols.put(v.symbol(), Exprs.sym(name, v.symbol().kind()));
            }
        }
        Map<String, Vertex> vertices = new LinkedHashMap<>();
        Map<String, List<Integer>> shapes = new HashMap<>();
        Map<String, VertexKind> declared = new LinkedHashMap<>();
        Vertex loss = null;
        for (Vertex v : network.vertices()) {
            VertexGroup h = groups.get(v.group());
            Expr definition = v.definition() == null ? null : Substitution.replace(v.definition(), symbols);
            Vertex w = h.add(names.get(v.name()), v.kind(), (Sym) symbols.get(v.symbol()), definition, v.pos());
            vertices.put(w.name(), w);
            if (definition == null && w.flat() == 0) {
                declared.put(h.name(), v.kind());
                if (!h.isScalar()) {
                    shapes.put(h.name(), h.shape());
                }
            }
            if (v == network.loss()) {
                loss = w;
            }
        }
        Map<String, Double> values = new LinkedHashMap<>();
        network.values().forEach((name, value) -> values.put(names.get(name), value));
        // definitions in the original's evaluation order
        List<Vertex> ordered = new ArrayList<>();
        for (Vertex d : network.definitions()) {
            ordered.add(vertices.get(names.get(d.name())));
        }
        Network.Structure structure = new Network.Structure(vertices, ordered, loss);
        return new Relabelled(new Network(network.source(), network.graph(), () -> structure, network.functions(), values,
                shapes, declared, loss.name()), groups);
    }
}
