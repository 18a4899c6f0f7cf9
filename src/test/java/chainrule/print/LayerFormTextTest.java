package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import chainrule.model.VertexKind;
import chainrule.paths.LayerForm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the numbers of a layer form are shown: listed when short, summarised when long. */
class LayerFormTextTest {

    private static LayerForm.Group group(String name, List<Integer> shape, List<String> elements) {
        VertexGroup g = VertexGroup.declared(name, shape, VertexKind.WEIGHT);
        List<String> names = new ArrayList<>();
        for (Vertex v : g.elements()) {
            names.add(v.name());
        }
        assertEquals(elements, names);
        return new LayerForm.Group(name, shape, g.elements());
    }

    @Test
    void aSmallMatrixIsListedOneRowALine() {
        LayerForm.Group w = group("W", List.of(2, 2), List.of("W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]"));
        assertEquals(List.of("[[1, 2.5],", " [-3, 0.125]]"), LayerFormText.numberLines(w, new double[] {1, 2.5, -3, 0.125}, "W"));
    }

    @Test
    void aLongVectorIsSummarisedByItsExtremesAndNorm() {
        List<String> names = new ArrayList<>();
        double[] v = new double[12];
        for (int k = 0; k < 12; k++) {
            names.add("b[" + (k + 1) + "]");
            v[k] = k == 4 ? -3 : k == 7 ? 4 : 0;
        }
        LayerForm.Group b = group("b", List.of(12), names);
        // norm of (-3, 4, 0, ...) is 5
        assertEquals(List.of("12 values: min -3 at δ(h)[5], max 4 at δ(h)[8], norm 5; δ(h)[1] = 0, δ(h)[2] = 0, δ(h)[3] = 0, …"),
                LayerFormText.numberLines(b, v, "δ(h)"));
    }
}
