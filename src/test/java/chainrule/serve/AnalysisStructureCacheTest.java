package chainrule.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.print.Notation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The playground reuses the last network's analysis and path graph when an edit changes only
 * declared numbers ({@link StructureCache}). Its answer must be exactly the fresh analysis's: random
 * edits of the examples (numbers in declarations, numbers in definitions, values that are not
 * finite or make the loss undefined, renamed names, added spaces, sliders, random weights), each
 * answered once after the previous text (reused when it can be) and once with every cache emptied,
 * compared as whole JSON objects but for the timings.
 */
// the playground's caches are static: tests that count or clear them do not run beside others using them
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
class AnalysisStructureCacheTest {
    private static final Analysis.Limits LIMITS = new Analysis.Limits(10_000, 1 << 20, 2_000_000);
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_0-9.\\]])-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final String[] NUMBERS = {"0", "1", "-1", "0.5", "-0.25", "3", "1e-3", "2.5E2", "1e300", "1e400", "0.123456789", "-7"};

    @AfterEach
    void forget() {
        Analysis.clearCaches();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mazur.nn", "mlp-relu.nn", "softmax.nn", "hangul.nn", "deep-sigmoid.nn", "swish.nn", "mazur-vector.nn"})
    void reusedAnswersAreTheFreshOnes(String example) throws IOException {
        String text = Files.readString(Path.of("examples", example));
        Random random = new Random(example.hashCode());
        long reusedBefore = StructureCache.reused();
        int compared = 0;
        for (int i = 0; i < 40; i++) {
            String edited = edit(text, random);
            Analysis.Request r = request(example, edited, random);
            Analysis.clearCaches();
            Map<String, Object> before = withoutTimes(Analysis.of(request(example, text, random), LIMITS, null));
            Map<String, Object> reused = withoutTimes(Analysis.of(r, LIMITS, null));
            Map<String, Object> reusedFlow = withoutTimes(Analysis.of(r, LIMITS, "flow"));
            Analysis.clearCaches();
            Map<String, Object> fresh = withoutTimes(Analysis.of(r, LIMITS, null));
            Analysis.clearCaches();
            Map<String, Object> freshFlow = withoutTimes(Analysis.of(r, LIMITS, "flow"));
            assertEquals(fresh, reused, example + " edit " + i + ":\n" + edited);
            assertEquals(freshFlow, reusedFlow, example + " edit " + i + " (flow):\n" + edited);
            compared++;
            if (Boolean.TRUE.equals(fresh.get("ok"))) {
                text = edited; // the next edit starts from this text, as typing does
            }
            assertTrue(before.containsKey("ok"));
        }
        assertEquals(40, compared);
        // a third of these edits keep the structure (a number of another length moves what follows
        // it on its line, and positions count): the reused path must have been taken (else this
        // test would compare two fresh analyses)
        assertTrue(StructureCache.reused() - reusedBefore >= 5, "reused " + (StructureCache.reused() - reusedBefore) + " times");
    }

    /** A random edit: mostly one declared number, sometimes a number in a definition, a name or a space. */
    private static String edit(String text, Random random) {
        List<int[]> declared = new ArrayList<>();
        List<int[]> defined = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            int lineStart = text.lastIndexOf('\n', m.start()) + 1;
            String line = text.substring(lineStart, m.start()).stripLeading();
            if (line.startsWith("#") || text.substring(lineStart, m.start()).contains("#")) {
                continue;
            }
            boolean declaration = line.matches("^(input|target|weight|bias|const)\\b.*") || line.startsWith("[") || line.startsWith("]");
            (declaration && !line.contains("~") ? declared : defined).add(new int[] {m.start(), m.end()});
        }
        int kind = random.nextInt(10);
        if (kind < 7 && !declared.isEmpty()) {
            int n = 1 + random.nextInt(3);
            String out = text;
            for (int k = 0; k < n; k++) { // from the end, so earlier positions stay valid
                int[] at = declared.get(declared.size() - 1 - random.nextInt(declared.size()));
                declared.removeIf(x -> x[0] >= at[0]);
                out = out.substring(0, at[0]) + NUMBERS[random.nextInt(NUMBERS.length)] + out.substring(at[1]);
                if (declared.isEmpty()) {
                    break;
                }
            }
            return out;
        }
        if (kind == 7 && !defined.isEmpty()) {
            int[] at = defined.get(random.nextInt(defined.size()));
            return text.substring(0, at[0]) + NUMBERS[random.nextInt(NUMBERS.length)] + text.substring(at[1]);
        }
        if (kind == 8) {
            int at = text.indexOf('=', random.nextInt(text.length()));
            return at < 0 ? text + "\n" : text.substring(0, at) + " " + text.substring(at);
        }
        return text.replaceFirst("\\bloss (\\S+)", "loss $1x");
    }

    private static Analysis.Request request(String name, String text, Random random) {
        Map<String, Double> sets = new LinkedHashMap<>();
        if (random.nextInt(4) == 0) {
            for (String p : List.of("w1", "w5", "b1", "W1[1,1]", "x[2]")) {
                if (random.nextBoolean()) {
                    sets.put(p, random.nextGaussian());
                }
            }
        }
        Long seed = random.nextInt(5) == 0 ? (long) random.nextInt(1000) : null;
        String wrt = List.of("w1", "w5", "W1[1,1]", "W2[2,3]", "b2[1]", "").get(random.nextInt(6));
        return new Analysis.Request(name, text, wrt, sets, seed, random.nextBoolean() ? Notation.BOOK : Notation.DEFAULT);
    }

    private static Map<String, Object> withoutTimes(Map<String, Object> answer) {
        Map<String, Object> out = new LinkedHashMap<>(answer);
        out.remove("phases");
        out.remove("millis");
        return out;
    }
}
