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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The playground keeps the layer forms of a structure between edits that change only numbers
 * ({@link LayerFormCache}). The answers must be exactly the fresh analysis's: a run of random
 * number edits (weights, inputs, targets whose values then may not sum to 1, constants, numbers that
 * saturate a layer, sliders), answered in order with every cache kept, as typing does, and then
 * each answered again with every cache emptied, compared as whole JSON objects but for the timings.
 */
// the playground's caches are static: tests that count or clear them do not run beside others using them
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
class LayerFormCacheTest {
    private static final Analysis.Limits LIMITS = new Analysis.Limits(10_000, 1 << 20, 2_000_000);
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_0-9.\\]])-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    @AfterEach
    void forget() {
        Analysis.clearCaches();
    }

    @ParameterizedTest
    @ValueSource(strings = {"examples/mlp-relu.nn", "examples/softmax.nn", "examples/mazur-vector.nn",
        "src/test/resources/golden/layer-mask.nn", "src/test/resources/golden/gelu-vector.nn"})
    void keptFormsGiveTheFreshAnswers(String file) throws IOException {
        String text = Files.readString(Path.of(file));
        Random random = new Random(file.hashCode());
        List<Analysis.Request> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean saturating = random.nextInt(10) == 0;
            String edited = edit(text, random, saturating);
            requests.add(request(file, edited, random));
            if (!saturating) {
                text = edited; // a saturating number is tried once, then the edits go on without it
            }
        }
        Analysis.clearCaches();
        long keptBefore = LayerFormCache.reused();
        long structureBefore = StructureCache.reused();
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Analysis.Request r : requests) {
            kept.add(withoutTimes(Analysis.of(r, LIMITS, null)));
        }
        long keptForms = LayerFormCache.reused() - keptBefore;
        long keptStructures = StructureCache.reused() - structureBefore;
        for (int i = 0; i < requests.size(); i++) {
            Analysis.clearCaches();
            Map<String, Object> fresh = withoutTimes(Analysis.of(requests.get(i), LIMITS, null));
            assertEquals(fresh, kept.get(i), file + " edit " + i + ":\n" + requests.get(i).text());
        }
        // the kept forms were used (else this compares two fresh analyses), and not always: some
        // edits change what the forms depend on (a target that no longer sums to 1, a constant)
        assertTrue(keptForms >= 10, file + ": kept forms used " + keptForms + " times of " + keptStructures);
    }

    /**
     * Where a kept form is not the fresh one it must not be used: softmax with cross-entropy reads
     * {@code p - y} only while y's values sum to 1, and {@code p·Σy - y} after an edit of y.
     */
    @Test
    void aTargetThatNoLongerSumsToOneChangesTheForm() throws IOException {
        String text = Files.readString(Path.of("examples/softmax.nn"));
        String other = text.replace("target y[3] = [0, 1, 0]", "target y[3] = [0, 2, 0]");
        Analysis.Request first = new Analysis.Request("softmax.nn", text, "W1[1,1]", Map.of(), null, Notation.DEFAULT);
        Analysis.Request second = new Analysis.Request("softmax.nn", other, "W1[1,1]", Map.of(), null, Notation.DEFAULT);
        String before = (String) Analysis.of(first, LIMITS, null).get("layerForms");
        long structures = StructureCache.reused();
        String after = (String) Analysis.of(second, LIMITS, null).get("layerForms");
        assertEquals(structures + 1, StructureCache.reused(), "the structure is reused");
        Analysis.clearCaches();
        assertEquals(Analysis.of(second, LIMITS, null).get("layerForms"), after);
        assertTrue(before.contains("p - y"), before);
        assertTrue(after.contains("Σy"), after);
    }

    /**
     * One edit of a declared number: its last digit replaced by a random one (the same length, so
     * the structure is kept), now and then 0 or a large number that saturates a layer (9s, as many characters).
     */
    private static String edit(String text, Random random, boolean saturating) {
        List<int[]> declared = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            int lineStart = text.lastIndexOf('\n', m.start()) + 1;
            String line = text.substring(lineStart, m.start()).stripLeading();
            if (line.startsWith("#") || text.substring(lineStart, m.start()).contains("#")) {
                continue;
            }
            // a value, not a shape's extent (a number in brackets right after a name)
            if ((line.matches("^(input|target|weight|bias|const)\\b.*") || line.startsWith("[")) && !inShape(text, m.start())) {
                declared.add(new int[] {m.start(), m.end()});
            }
        }
        int[] at = declared.get(random.nextInt(declared.size()));
        String old = text.substring(at[0], at[1]);
        String number;
        if (saturating) {
            number = "9".repeat(old.length()); // as long as the old one, so the structure is kept
        } else if (random.nextInt(10) == 0) {
            number = "0";
        } else {
            // the last digit: a nudge, as a slider or typing makes; mostly the forms stay the same
            StringBuilder sb = new StringBuilder(old);
            for (int k = sb.length() - 1; k >= 0; k--) {
                if (Character.isDigit(sb.charAt(k))) {
                    sb.setCharAt(k, (char) ('0' + random.nextInt(10)));
                    break;
                }
            }
            number = sb.toString();
        }
        return text.substring(0, at[0]) + number + text.substring(at[1]);
    }

    /** Whether the number at {@code at} is inside the brackets of a shape, {@code W1[4,3]}. */
    private static boolean inShape(String text, int at) {
        int depth = 0;
        for (int k = at - 1; k >= 0 && text.charAt(k) != '\n'; k--) {
            char c = text.charAt(k);
            if (c == ']') {
                depth++;
            } else if (c == '[' && depth-- == 0) {
                return k > 0 && (Character.isLetterOrDigit(text.charAt(k - 1)) || text.charAt(k - 1) == '_');
            }
        }
        return false;
    }

    private static Analysis.Request request(String name, String text, Random random) {
        Map<String, Double> sets = new LinkedHashMap<>();
        if (random.nextInt(4) == 0) {
            for (String p : List.of("b1", "b2", "W1[1,1]", "x[2]", "b1[2]")) {
                if (random.nextBoolean()) {
                    sets.put(p, Math.round(random.nextGaussian() * 100) / 100.0);
                }
            }
        }
        Long seed = random.nextInt(6) == 0 ? (long) random.nextInt(1000) : null;
        String wrt = List.of("W1[1,1]", "W2[2,3]", "b2[1]", "").get(random.nextInt(4));
        return new Analysis.Request(Path.of(name).getFileName().toString(), text, wrt, sets, seed,
                random.nextBoolean() ? Notation.BOOK : Notation.DEFAULT);
    }

    private static Map<String, Object> withoutTimes(Map<String, Object> answer) {
        Map<String, Object> out = new LinkedHashMap<>(answer);
        out.remove("phases");
        out.remove("millis");
        return out;
    }
}
