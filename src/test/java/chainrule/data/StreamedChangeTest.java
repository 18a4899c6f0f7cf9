package chainrule.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.SourceParser;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file read as a stream that changes between passes (replaced by a shorter file, by another of
 * as many rows, rewritten in place, rows appended) is refused at the next pass with
 * "FILE: changed while it was read", never read as a mix of two files or failed with an internal
 * error. The reference: the first pass's loss, equal to the same rows read whole.
 */
class StreamedChangeTest {
    @TempDir Path dir;

    private static final String NET = "input x = 0.1\ntarget t = 0\nweight w = 0.5\nloss L = (w*x - t)^2\n";

    private static String rows(int n, double scale) {
        StringBuilder csv = new StringBuilder("x,t\n");
        for (int i = 0; i < n; i++) {
            csv.append(String.format("%.6f,%.6f%n", scale * (i % 7) / 7.0, scale * (i % 3) / 3.0));
        }
        return csv.toString();
    }

    private void refusedAfter(String what, Function<Path, Path> change) throws Exception {
        Source nn = new Source("n.nn", NET);
        Network network = Analyzer.analyze(nn, SourceParser.parseFile(nn));
        Path file = dir.resolve(what + ".csv");
        String text = rows(3000, 1.0);
        Files.writeString(file, text);
        StreamedObjective.Header header = StreamedObjective.check(file, "d.csv", network);
        CompiledGradient compiled = CompiledGradient.compile(network.withValues(Map.of("x", 0.0, "t", 0.0)));
        double[] declared = compiled.workspace().declared();
        Dataset whole = Dataset.parse(new Source("d.csv", text), network);
        try (StreamedObjective streamed = new StreamedObjective(compiled, Optional.empty(), file, "d.csv", header, 1)) {
            assertEquals(new DatasetObjective(compiled, whole).loss(declared), streamed.loss(declared), what);
            change.apply(file);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> streamed.loss(declared), what);
            assertTrue(e.getCause().getMessage().startsWith("d.csv: changed while it was read"), what + ": " + e.getCause());
        }
    }

    private Path replaced(Path file, String text) {
        try {
            Path other = dir.resolve("other-" + file.getFileName());
            Files.writeString(other, text);
            return Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aShorterFileMovedInIsRefused() throws Exception {
        refusedAfter("shorter", f -> replaced(f, rows(1500, 1.0)));
    }

    @Test
    void anotherFileOfAsManyRowsMovedInIsRefused() throws Exception {
        refusedAfter("same-count", f -> replaced(f, rows(3000, 0.5)));
    }

    @Test
    void aFileRewrittenInPlaceWithTheSameSizeIsRefused() throws Exception {
        refusedAfter("in-place", f -> {
            try {
                FileTime before = Files.getLastModifiedTime(f);
                Files.writeString(f, rows(3000, 1.0).replace("0.142857", "0.142858"));
                Files.setLastModifiedTime(f, FileTime.fromMillis(before.toMillis() + 2000));
                return f;
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void rowsAppendedAreRefused() throws Exception {
        refusedAfter("appended", f -> {
            try {
                return Files.writeString(f, "0.5,0.5\n", java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
