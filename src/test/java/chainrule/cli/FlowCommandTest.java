package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chainrule flow} and {@code paths --top} as a user runs them. */
class FlowCommandTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<Double> numbers(String json, String key) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }

    @Test
    void jsonHasTheShapeOfTheSpecWithDepthOneNearestTheLoss() {
        Run r = run("flow", "examples/chain10-sigmoid.nn", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{\"layers\": [{\"depth\": 1, \"act\": {\"min\": "), r.out());
        assertEquals(List.of(1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d, 9d, 10d), numbers(r.out(), "depth"));
        List<Double> accumulated = numbers(r.out(), "accumulated");
        assertEquals(10, accumulated.size());
        assertTrue(accumulated.get(9) <= Math.pow(0.25, 10));
        assertEquals(10, numbers(r.out(), "grad_norm").size());
        for (String key : List.of("\"weight\": {\"min\"", "\"product\": {\"min\"", "\"median\"", "\"max\"")) {
            assertTrue(r.out().contains(key), key);
        }
    }

    @Test
    void reluChainAccumulatesExactlyOne() {
        Run r = run("flow", "examples/chain10-relu.nn", "--json");
        assertEquals(List.of(1d, 1d, 1d, 1d, 1d, 1d, 1d, 1d, 1d, 1d), numbers(r.out(), "accumulated"));
    }

    @Test
    void setChangesTheNumbers() {
        // With every weight 0.5 instead of 1, depth 1's product halves its activation derivative.
        List<String> args = new ArrayList<>(List.of("flow", "examples/chain10-relu.nn", "--json"));
        for (int k = 1; k <= 10; k++) {
            args.add("--set");
            args.add("w" + k + "=0.5");
        }
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals(Math.pow(0.5, 10), numbers(r.out(), "accumulated").get(9), 0.0);
    }

    @Test
    void bookNotationLabelsTheColumnsAsTheBookDoes() {
        Run r = run("flow", "examples/mazur.nn", "--notation", "book");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("|액|") && r.out().contains("|웨|") && r.out().contains("|액·웨|"), r.out());
        // the accumulated product at depth 2 of Mazur's network, as in GradientFlowTest: 0.0859 × 0.0542
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("2 │") && l.contains("0.00466")), r.out());
    }

    @Test
    void chartsAreWrittenAsPngAndSvg(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("flow.png");
        Run r = run("flow", "examples/chain10-sigmoid.nn", "--format", "png", "-o", png.toString());
        assertEquals(0, r.status(), r.err());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(720, image.getWidth());
        assertEquals(440, image.getHeight());

        Run svg = run("flow", "examples/chain10-sigmoid.nn", "--format", "svg");
        assertEquals(0, svg.status(), svg.err());
        assertTrue(svg.out().contains("<svg") && svg.out().contains("gradient flow: chain10-sigmoid.nn"), svg.out());
        assertTrue(svg.out().contains("depth (1 = the layer nearest the loss)"));
    }

    @Test
    void pngWithoutAnOutputFileIsAUsageError() {
        Run r = run("flow", "examples/mazur.nn", "--format", "png");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--format png needs -o"), r.err());
    }

    @Test
    void anUnwritableOutputIsReportedInOneLine(@TempDir Path dir) {
        Path out = dir.resolve("no/such/dir/flow.svg");
        Run r = run("flow", "examples/mazur.nn", "--format", "svg", "-o", out.toString());
        assertEquals(1, r.status());
        assertEquals("chainrule: error: " + out + ": cannot write: no such directory\n", r.err());
    }

    @Test
    void aMissingValueIsReportedAtItsDeclaration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("missing.nn");
        Files.writeString(file, "input x\nweight w = 1\nloss L = sigmoid(w*x)\n");
        Run r = run("flow", file.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(file + ":1:7: error: input 'x' has no value"), r.err());
        Run top = run("paths", file.toString(), "--wrt", "w", "--top", "1");
        assertEquals(1, top.status());
        assertTrue(top.err().contains("input 'x' has no value"), top.err());
    }

    @Test
    void topListsTheLargestPathsFirst() {
        // b1 has four paths in Mazur's network; the largest goes through out_h2 and out_o1.
        Run r = run("paths", "examples/mazur.nn", "--wrt", "b1", "--top", "2", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"count\": 4"));
        assertTrue(r.out().contains("\"paths\": [{\"nodes\": [\"b1\", \"net_h2\", \"out_h2\", \"net_o1\", \"out_o1\", \"E\"]"), r.out());
        Run all = run("paths", "examples/mazur.nn", "--wrt", "b1", "--json");
        List<Double> values = new ArrayList<>();
        Matcher m = Pattern.compile("\\], \"value\": ([-0-9.eE]+)\\}").matcher(all.out());
        while (m.find()) {
            values.add(Math.abs(Double.parseDouble(m.group(1))));
        }
        assertEquals(4, values.size(), all.out());
        values.sort(java.util.Comparator.reverseOrder());
        Matcher topValues = Pattern.compile("\\], \"value\": ([-0-9.eE]+)\\}").matcher(r.out());
        for (int i = 0; i < 2; i++) {
            assertTrue(topValues.find());
            assertEquals(values.get(i), Math.abs(Double.parseDouble(topValues.group(1))));
        }
        assertTrue(run("paths", "examples/mazur.nn", "--wrt", "b1", "--top", "2").out()
                .startsWith("∂E/∂b1: 4 paths from b1 to E (showing the 2 of largest |product|, largest first)"));
    }

    /** docs/flow.md shows what the commands it names print (docs/scripts/make-flow-images.sh regenerates it). */
    @Test
    void theDocsShowWhatTheirCommandsPrint() throws Exception {
        String doc = Files.readString(Path.of("docs/flow.md"));
        for (String command : List.of("flow examples/chain10-sigmoid.nn --notation book",
                "flow examples/chain10-relu.nn --notation book",
                "paths examples/mazur.nn --wrt b1 --top 2 --notation book")) {
            Run r = run(command.split(" "));
            assertEquals(0, r.status(), r.err());
            assertTrue(doc.contains("`chainrule " + command + "`\n\n```\n" + r.out() + "```"), command);
        }
        for (String image : List.of("flow-chain10-sigmoid.png", "flow-chain10-relu.png")) {
            assertTrue(doc.contains("(images/" + image + ")") && Files.exists(Path.of("docs/images", image)), image);
        }
    }
}
