package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The review's networks (rev8b): a reduction of 16 or more elements (folded to its call,
 * {@code paths.FoldedReductions}) under a division, a sqrt or a log made {@code codegen} end in
 * an internal error, as the limit fallbacks looked the call {@code sum(w)} up as a vertex. Each
 * {@code codegen --main} program must print {@code eval --json}'s text, byte for byte (the
 * reference: eval's bytecode, run in this JVM), at 15 elements (never folded) and at 16 and 64.
 * Java on every network; Python on those of exact operations (+, −, ×, ÷, √), which the C
 * library cannot round differently from Java.
 */
class FoldedReductionCodegenTest {
    /** Each network, {@code N} the vector length; {@code true}: only exact operations. */
    private static final List<Object[]> NETWORKS = List.of(
            new Object[] {"loss L = sum(c*w)/sum(w)", true},
            new Object[] {"loss L = sum(c*w)/sum(w^2)", true},
            new Object[] {"loss L = sum(c/sqrt(mean(w^2)))", true},
            new Object[] {"loss L = log(sum(exp(w))) + mean(c*w)^2", false},
            new Object[] {"const eps = 0.00001\nloss L = sum(c*(w - mean(w))/sqrt(mean((w - mean(w))^2) + eps))", true},
            new Object[] {"const eps = 0.00001\nz = (w - mean(w))/sqrt(mean((w - mean(w))^2) + eps)\nloss L = sum(c*z)", true});

    private static String network(String loss, int n) {
        StringBuilder w = new StringBuilder("[");
        StringBuilder c = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            w.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", Math.sin(1.7 * i + 0.3)));
            c.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", Math.cos(2.3 * i + 0.1)));
        }
        return "weight w[" + n + "] = " + w + "]\ninput c[" + n + "] = " + c + "]\n" + loss + "\n";
    }

    private static String[] cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {String.valueOf(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "python"})
    void codegenMainPrintsEvalJsonPastTheFoldedSize(String lang, @TempDir Path dir) throws Exception {
        List<String> sources = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Object[] net : NETWORKS) {
            if (lang.equals("python") && !(Boolean) net[1]) {
                continue;
            }
            for (int n : new int[] {15, 16, 64}) {
                Path f = dir.resolve("net" + sources.size() + ".nn");
                Files.writeString(f, network((String) net[0], n));
                String[] eval = cli("eval", f.toString(), "--json");
                assertEquals("0", eval[0], eval[2]);
                sources.add(GeneratedPrograms.codegen(f, lang, GeneratedPrograms.javaClass(sources.size())));
                expected.add(eval[1].strip());
                labels.add(net[0] + " over " + n + " elements");
            }
        }
        List<String> printed = GeneratedPrograms.outputs(lang, dir, sources);
        for (int i = 0; i < sources.size(); i++) {
            assertEquals(expected.get(i), printed.get(i).strip(), labels.get(i));
        }
    }
}
