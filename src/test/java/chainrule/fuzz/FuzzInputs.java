package chainrule.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Hostile {@code .nn} texts for the fuzz properties: random bytes, token soup, and the valid files
 * of {@code examples/} mutated (characters deleted, duplicated, swapped or replaced, tokens
 * inserted, numbers made huge, Unicode and control characters dropped in). Mutating valid files
 * reaches far deeper (analysis, paths, compilation) than random text, which the parser rejects early.
 */
public final class FuzzInputs {
    private FuzzInputs() {}

    /** Tokens of the language, near-misses of them, and characters that have tripped lexers before. */
    public static final List<String> TOKENS = List.of(
            "input ", "target ", "weight ", "bias ", "const ", "loss ", "function ",
            "w ", "x ", "E ", "h ", "들1 ", "나 ", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "exp", "log",
            "sqrt", "abs", "sin", "cos", "step", "sign", "f", "f(z) ",
            "softmax", "log_softmax", "mse", "cross_entropy", "sum", "mean", "x[2] ", "W[2,3] ", "[1, 2] ", "[[1], [2]] ",
            "= ", "+ ", "- ", "* ", "/ ", "^ ", "@ ", ", ", "; ", "(", ")", "[", "]",
            "0 ", "0.5 ", "1 ", "-1 ", "1.2.3 ", "1e ", "1e999 ", "-1e999 ", "1e-999 ", "4.9e-324 ",
            "1.7976931348623157e308 ", "99999999999999999999999999999 ", "$ ", "\t", "\n", "\n", "\n",
            "# note\n", "\\\n", "\u0000", "\u0007", "\u001b[31m", "\u200b", "\u202e", "\ufeff", "\ud55c\uae00 ",
            "\uac00", "\ud83d\ude00", "\r\n", "\r");

    /** Text made of {@link #TOKENS}. */
    public static Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(40).map(ts -> String.join("", ts));
    }

    /** Arbitrary bytes, decoded as the CLI decodes them (invalid UTF-8 must be reported, not crash). */
    public static Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    /** The example files, each mutated a few times. */
    public static Arbitrary<String> mutatedExamples() {
        return Arbitraries.of(examples()).flatMap(text -> mutation().list().ofMinSize(1).ofMaxSize(6)
                .map(ms -> {
                    String out = text;
                    for (Mutation m : ms) {
                        out = m.apply(out);
                    }
                    return out;
                }));
    }

    /** Every kind of input above, mutated examples most often since they get furthest. */
    public static Arbitrary<byte[]> anyInput() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, mutatedExamples().map(FuzzInputs::utf8)),
                net.jqwik.api.Tuple.of(2, tokenSoup().map(FuzzInputs::utf8)),
                net.jqwik.api.Tuple.of(1, randomBytes()));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The texts of {@code examples/*.nn}. */
    public static List<String> examples() {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            List<String> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".nn")).sorted().toList()) {
                out.add(Files.readString(p));
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no examples/*.nn found from " + Path.of("").toAbsolutePath());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One edit at a relative position (0..1) of the text. */
    record Mutation(Kind kind, double where, double other, String token) {
        enum Kind { DELETE, DUPLICATE, SWAP, INSERT_TOKEN, REPLACE_NUMBER, DELETE_LINE }

        String apply(String s) {
            if (s.isEmpty()) {
                return token;
            }
            int i = (int) (where * s.length());
            int j = (int) (other * s.length());
            switch (kind) {
                case DELETE:
                    return s.substring(0, i) + s.substring(Math.min(s.length(), i + 1 + (int) (other * 4)));
                case DUPLICATE:
                    int end = Math.min(s.length(), i + 1 + (int) (other * 8));
                    return s.substring(0, end) + s.substring(i, end) + s.substring(end);
                case SWAP:
                    int a = Math.min(i, j);
                    int b = Math.max(i, j);
                    if (a == b || b >= s.length()) {
                        return s;
                    }
                    return s.substring(0, a) + s.charAt(b) + s.substring(a + 1, b) + s.charAt(a) + s.substring(b + 1);
                case INSERT_TOKEN:
                    return s.substring(0, i) + token + s.substring(i);
                case REPLACE_NUMBER:
                    return s.replaceFirst("\\d+(\\.\\d+)?",
                            java.util.regex.Matcher.quoteReplacement(token.strip().isEmpty() ? "1e999" : token.strip()));
                case DELETE_LINE:
                    int start = s.lastIndexOf('\n', i) + 1;
                    int stop = s.indexOf('\n', i);
                    return s.substring(0, start) + (stop < 0 ? "" : s.substring(stop + 1));
                default:
                    throw new AssertionError(kind);
            }
        }
    }

    static Arbitrary<Mutation> mutation() {
        Arbitrary<String> numberish = Arbitraries.of("1e999", "-1e999", "1e-999", "0", "-0", "NaN", "Infinity",
                "99999999999999999999999999999", "4.9e-324", "1.7976931348623157e308", "1e308", "-800", "800");
        Arbitrary<String> token = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(TOKENS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(3)),
                net.jqwik.api.Tuple.of(1, Arbitraries.chars().range('\uac00', '\ud7a3').map(String::valueOf)));
        return Combinators.combine(Arbitraries.of(Mutation.Kind.class), Arbitraries.doubles().between(0, 0.999).ofScale(4),
                        Arbitraries.doubles().between(0, 0.999).ofScale(4), Arbitraries.oneOf(token, numberish))
                .as(Mutation::new);
    }
}
