package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.VertexLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-vertices}: a network that would pass it is refused at the declaration, definition
 * or {@code @} that passes it, naming the option, before anything is built (a declaration of
 * 10^10 elements would otherwise run out of memory, which the message check would catch).
 */
class VertexLimitTest {
    @TempDir Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("net.nn");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aHugeDeclarationIsRefusedWhereItIsWritten() throws Exception {
        Path f = file("input x[100000] = 1\nweight W[100000,100000] = 0.1\nh = relu(W @ x)\nloss L = sum(h)\n");
        Cli r = Cli.run("grad", f.toString());
        assertEquals(1, r.status(), r.err());
        // Only the limit is reported: the definitions using W are not lowered into follow-on errors.
        assertEquals(f + ":2:8: error: 'W' has 10,000,000,000 elements, each a vertex (with the 100,000 declared before it): "
                + "more than the limit of 2,000,000 vertices; raise it with --max-vertices N\n"
                + "    weight W[100000,100000] = 0.1\n"
                + "           ^\n", r.err());
    }

    @Test
    void theDefinitionThatPassesTheLimitIsNamedAndARaisedLimitLetsItThrough() throws Exception {
        Path layer = file("input x[2] = 1\nweight W[4,2] = 0.5\nh = relu(W @ x)\nloss L = sum(h)\n");
        // 2 + 8 declared = 10; h.in (4) = 14; h (4) = 18; L = 19
        Cli refused = Cli.run("grad", "--max-vertices", "17", layer.toString());
        assertEquals(1, refused.status(), refused.err());
        assertTrue(refused.err().startsWith(layer + ":3:1: error: 'h' would bring the network to 18 vertices (one per element), "
                + "more than the limit of 17 vertices; raise it with --max-vertices N"), refused.err());
        Cli preActivation = Cli.run("grad", "--max-vertices", "13", layer.toString());
        assertTrue(preActivation.err().startsWith(layer + ":3:1: error: 'h.in' would bring the network to 14 vertices"),
                preActivation.err());
        Cli exact = Cli.run("grad", "--json", "--max-vertices", "19", layer.toString());
        assertEquals(0, exact.status(), exact.err());
        // h[i] = 0.5 + 0.5, L = 4; dL/dW[i,j] = x[j] = 1
        assertTrue(exact.out().startsWith("{\"loss\": {\"name\": \"L\", \"value\": 4}") && exact.out().contains("\"W[4,2]\": 1}"),
                exact.out());
    }

    @Test
    void aMatrixProductIsBoundedByItsElementProducts() throws Exception {
        // Both operands fit (2,200 elements), their product would multiply 10*20*100 = 20,000 pairs.
        Path f = file("weight A[10,20] = 0.1, B[20,100] = 1\nC = A @ B\nloss L = sum(C)\n");
        Cli r = Cli.run("grad", "--max-vertices", "5000", f.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith(f + ":2:7: error: '@' here multiplies 20,000 pairs of elements, each a term and an edge: "
                + "more than the limit of 5,000 vertices; raise it with --max-vertices N"), r.err());
    }

    @Test
    void theLimitMustBePositive() throws Exception {
        Cli r = Cli.run("grad", "--max-vertices", "0", file("weight w = 1\nloss L = w\n").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("chainrule: --max-vertices must be at least 1, not 0"), r.err());
    }

    @Test
    void theLibraryTakesTheLimitAsAnArgumentOrFromTheThread() throws Exception {
        Source s = new Source("s.nn", "input x[3] = 1\nweight w = 2\nloss L = w * sum(x)\n");
        assertEquals(5, Analyzer.analyze(s, chainrule.parse.SourceParser.parseFile(s), new VertexLimit(5)).vertices().size());
        Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new VertexLimit(4).during(() -> {
                    try {
                        return Analyzer.analyze(s);
                    } catch (DiagnosticException d) {
                        throw new IllegalStateException(d);
                    }
                })).getCause();
        assertTrue(thrown instanceof DiagnosticException d
                && d.render().contains("s.nn:3:6: error: 'L' would bring the network to 5 vertices"), String.valueOf(thrown));
        assertEquals(VertexLimit.DEFAULT, VertexLimit.current(), "the thread's limit is restored");
    }
}
