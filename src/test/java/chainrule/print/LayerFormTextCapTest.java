package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexLimit;
import chainrule.parse.SourceParser;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The playground's cap on element closed forms: the first blocks as grad prints them, the rest counted. */
class LayerFormTextCapTest {

    @Test
    void elementFormsPastTheCapAreCountedNotPrinted() throws Exception {
        Source source = new Source("mlp-relu.nn", Files.readString(Path.of("examples/mlp-relu.nn")));
        Network network = Analyzer.analyze(source, SourceParser.parseFile(source, new SourceParser.Limits(1000, 1 << 20)),
                new VertexLimit(1_000_000));
        PathGraph graph = PathGraph.of(network);
        Values values = Values.of(network);
        // five single elements of W1: no whole parameter is asked for, so each gets its element closed form
        List<Vertex> wrt = network.parameters().subList(0, 5);
        String all = LayerFormText.gradient(graph, wrt, values, Notation.DEFAULT);
        String capped = LayerFormText.gradient(graph, wrt, values, Notation.DEFAULT, 2);
        String[] blocks = all.split("\n\n");
        // the loss line, then one block per element
        String expected = blocks[0] + "\n\n" + blocks[1] + "\n\n" + blocks[2] + "\n\n"
                + "… and 3 more elements without a layer form, not shown here: follow one to see its closed form\n\n";
        assertEquals(expected, capped);
        assertTrue(all.contains("∂L/∂" + wrt.get(4).name() + " ="), all);
    }
}
