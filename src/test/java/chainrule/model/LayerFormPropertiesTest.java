package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.paths.LayerForm;
import chainrule.paths.LayerTerm;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Layer forms of random layered vector networks ({@link VectorExpansionPropertiesTest.Pair}: random
 * widths, depths, activations, no/scalar/vector biases, sum or mean loss, and a regulariser on the
 * single element W1[1,1] that breaks W1's pattern). Every layer form that is printed computes,
 * from the form alone, the gradient of the same network written out one scalar per element; and
 * the layers the regulariser does not touch are always recognised.
 */
class LayerFormPropertiesTest {

    @Property(tries = 80)
    void layerFormsGiveTheScalarNetworksGradient(@ForAll long seed) throws Exception {
        VectorExpansionPropertiesTest.Pair texts = VectorExpansionPropertiesTest.Pair.generate(seed);
        Network vector = Analyzer.analyze(new Source("vector.nn", texts.vector()));
        Network scalar = Analyzer.analyze(new Source("scalar.nn", texts.scalar()));
        Values values = Values.of(vector);
        LayerForm form = LayerForm.of(PathGraph.of(vector), values);
        Map<String, Double> expected = ReverseAccumulator.gradient(PathGraph.of(scalar), Values.of(scalar));
        String where = "\n" + texts.vector();
        for (Vertex p : vector.parameters()) {
            LayerForm.Group g = form.groupOf(p);
            if (g.elements().get(0) != p) {
                continue; // each group once
            }
            LayerTerm term = form.gradient(g).orElse(null);
            boolean touchedByRegulariser = g.name().equals("W1") && g.size() > 1;
            assertTrue(term != null || touchedByRegulariser, "no layer form for " + g.name() + where);
            if (term == null) {
                continue;
            }
            double[] layer = form.evaluate(term, values);
            for (int k = 0; k < g.size(); k++) {
                String element = g.elements().get(k).name();
                double e = expected.get(element.replace("[", "_").replace(",", "_").replace("]", ""));
                assertEquals(e, layer[k], 1e-10 * (1 + Math.abs(e)), element + where);
            }
        }
    }
}
