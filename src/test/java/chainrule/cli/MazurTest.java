package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mazur's published worked example: the numbers in his post, to 1e-9 relative. */
class MazurTest {
    static Network mazur() throws Exception {
        return Analyzer.analyze(new Source("mazur.nn", Files.readString(Path.of("examples/mazur.nn"))));
    }

    @Test
    void lossAndGradientMatchThePublishedNumbers() throws Exception {
        Network net = mazur();
        PathGraph g = PathGraph.of(net);
        Values values = Values.of(net);
        assertEquals(0.298371108760, values.vertex("E"), 1e-9 * 0.298371108760);
        Map<String, Double> grad = ReverseAccumulator.gradient(g, values);
        assertEquals(10, grad.size());
        assertEquals(0.000438567734474, grad.get("w1"), 1e-9 * 0.000438567734474);
        assertEquals(0.0821670405642, grad.get("w5"), 1e-9 * 0.0821670405642);
        // Mazur's w1 update: 0.15 - 0.5 * dE/dw1 = 0.149780716
        assertEquals(0.149780716, 0.15 - 0.5 * grad.get("w1"), 1e-9);
        assertEquals(2, g.pathCount(net.vertex("w1").orElseThrow()).intValue());
        assertEquals(4, g.pathCount(net.vertex("b1").orElseThrow()).intValue());
    }
}
