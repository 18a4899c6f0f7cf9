package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A missing value that a computation needs: {@link Network#requireValues()} names each one where it
 * is declared, with how to supply it; names the loss does not depend on are not asked for.
 */
class MissingValuesTest {
    private static final String FILE = """
            input  x
            target t = 1
            weight w, unused
            bias   b = 0.1
            loss E = 0.5*(sigmoid(w*x + b) - t)^2
            """;

    @Test
    void everyMissingValueTheLossNeedsIsReportedWhereDeclared() throws Exception {
        Network net = Analyzer.analyze(new Source("net.nn", FILE));
        assertEquals(List.of("x", "w"), net.missingValues().stream().map(Vertex::name).toList());
        DiagnosticException e = assertThrows(DiagnosticException.class, net::requireValues);
        assertEquals("""
                net.nn:1:8: error: input 'x' has no value; give one in the file (x = ...) or on the command line (--set x=VALUE)
                    input  x
                           ^
                net.nn:3:8: error: weight 'w' has no value; give one in the file (w = ...) or on the command line (--set w=VALUE)
                    weight w, unused
                           ^
                """, e.render());
    }

    @Test
    void valuesGivenLaterSatisfyTheRequirement() throws Exception {
        Network net = Analyzer.analyze(new Source("net.nn", FILE)).withValues(Map.of("x", 0.5, "w", -0.3));
        net.requireValues();
        double z = -0.3 * 0.5 + 0.1;
        double expected = 0.5 * Math.pow(1 / (1 + Math.exp(-z)) - 1, 2);
        assertEquals(expected, net.forward().get("E"), 1e-15);
    }
}
