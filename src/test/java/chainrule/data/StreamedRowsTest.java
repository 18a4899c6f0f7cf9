package chainrule.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.batch.BatchEvaluator;
import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.SourceParser;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file read as a stream, one row at a time through the compiled gradient, gives the sums of the
 * same rows in memory ({@link DatasetObjective}) bit for bit: all rows, a range, rows by an index
 * in file order (a held-out split), with a chunk boundary inside; an index that goes back is
 * refused; a file changed or gone after its check is an error saying so.
 */
class StreamedRowsTest {
    @TempDir Path dir;

    private static final String NET = "input x[2] = [0.1, 0.2]\ntarget t = 0\nweight w[2] = [0.5, -0.3], a = 0.7\n"
            + "h = w*x\nloss L = (relu(a*h[1] + h[2]) - t)^2 + 0.1*sum(h)^2\n";

    @Test
    void streamedSumsAreTheInMemorySums() throws Exception {
        Source nn = new Source("n.nn", NET);
        Network network = Analyzer.analyze(nn, SourceParser.parseFile(nn));
        Random r = new Random(42);
        StringBuilder csv = new StringBuilder("x[1],x[2],t\n");
        int rows = 2 * StreamedObjective.CHUNK_ROWS + 77;
        for (int i = 0; i < rows; i++) {
            csv.append(2 * r.nextDouble() - 1).append(',').append(2 * r.nextDouble() - 1).append(',').append(r.nextDouble())
                    .append('\n');
        }
        Path file = dir.resolve("d.csv");
        Files.writeString(file, csv.toString());
        StreamedObjective.Header header = StreamedObjective.check(file, "d.csv", network);
        assertEquals(rows, header.rows());
        Dataset data = Dataset.parse(new Source("d.csv", csv.toString()), network);
        Map<String, Double> first = new LinkedHashMap<>();
        for (int c = 0; c < data.columns().size(); c++) {
            first.put(data.columns().get(c), data.rows()[0][c]);
        }
        assertArrayEquals(data.rows()[0], header.firstRow());
        CompiledGradient compiled = CompiledGradient.compile(network.withValues(first));
        double[] declared = compiled.workspace().declared();
        DatasetObjective memory = new DatasetObjective(compiled, data);
        int p = compiled.parameters().size();
        int[] split = r.ints(0, rows).distinct().limit(rows / 2).sorted().toArray();
        int[] withRepeats = {3, 3, 4, 1500, 1500, rows - 1};
        try (StreamedObjective streamed = new StreamedObjective(compiled, Optional.empty(), file, "d.csv", header, 2)) {
            assertEquals(false, streamed.isBatched());
            double[] a = new double[p];
            double[] b = new double[p];
            assertEquals(memory.gradient(declared, a), streamed.gradient(declared, b));
            assertArrayEquals(a, b);
            assertEquals(memory.loss(declared), streamed.loss(declared));
            for (int[] range : new int[][] {{0, rows}, {5, rows - 3}, {1000, 1100}, {7, 8}, {3, 3}}) {
                BatchEvaluator.Sums m = memory.sums(declared, null, range[0], range[1], a);
                BatchEvaluator.Sums s = streamed.sums(declared, null, range[0], range[1], b);
                assertEquals(m, s);
                assertArrayEquals(a, b);
            }
            for (int[] index : new int[][] {split, withRepeats}) {
                for (int[] range : new int[][] {{0, index.length}, {1, index.length - 1}}) {
                    BatchEvaluator.Sums m = memory.sums(declared, index, range[0], range[1], a);
                    BatchEvaluator.Sums s = streamed.sums(declared, index, range[0], range[1], null);
                    assertEquals(m.loss(), s.loss());
                    s = streamed.sums(declared, index, range[0], range[1], b);
                    assertEquals(m, s);
                    assertArrayEquals(a, b);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> streamed.sums(declared, new int[] {5, 2}, 0, 2, null));

            Files.writeString(file, csv.toString().replaceFirst("\n([^\n]*)\n", "\n$1,9\n")); // a row grows a cell
            UncheckedIOException changed = assertThrows(UncheckedIOException.class, () -> streamed.loss(declared));
            assertTrue(changed.getCause().getMessage().startsWith("d.csv: changed while it was read"), changed.getMessage());
            Files.delete(file);
            UncheckedIOException gone = assertThrows(UncheckedIOException.class, () -> streamed.loss(declared));
            assertTrue(gone.getCause().getMessage().startsWith("d.csv: no such file"), gone.getMessage());
        }
    }
}
