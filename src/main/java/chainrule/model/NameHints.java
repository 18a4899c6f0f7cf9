package chainrule.model;

import chainrule.parse.Ast;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Help for names that are not known. For a function: what to write instead of a name from another
 * language or library: {@code ln} (the language's {@code log} is the natural logarithm), {@code log10}, {@code pow}, {@code max(0, x)},
 * {@code σ}, and capitalised built-ins ({@code ReLU}). Only unknown names reach here, so a function
 * the primitive table gains later is never shadowed by a hint. For a name: the declaration it
 * probably lacks ({@code weight w2 = …} beside a declared {@code w1}).
 */
final class NameHints {
    private NameHints() {}

    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("ln", "log is the natural logarithm: write log(x)"),
            Map.entry("log10", "log is the natural logarithm; for base 10 write log(x)/log(10)"),
            Map.entry("log2", "log is the natural logarithm; for base 2 write log(x)/log(2)"),
            Map.entry("log1p", "write log(1 + x)"),
            Map.entry("expm1", "write exp(x) - 1"),
            Map.entry("pow", "use ^ for powers: write x^y"),
            Map.entry("power", "use ^ for powers: write x^y"),
            Map.entry("square", "use ^ for powers: write x^2"),
            Map.entry("max", "for max(0, x) write relu(x); for a larger of two, relu(a - b) + b"),
            Map.entry("maximum", "for max(0, x) write relu(x)"),
            Map.entry("min", "for min(0, x) write -relu(-x); for a smaller of two, a - relu(a - b)"),
            Map.entry("σ", "the logistic function is written sigmoid(x)"),
            Map.entry("sigma", "the logistic function is written sigmoid(x)"),
            Map.entry("logistic", "the logistic function is written sigmoid(x)"),
            Map.entry("expit", "the logistic function is written sigmoid(x)"),
            Map.entry("heaviside", "the Heaviside step is written step(x)"),
            Map.entry("signum", "write sign(x)"),
            Map.entry("fabs", "write abs(x)"));

    /**
     * A {@code help:} line for an unknown function {@code name}, or null.
     *
     * @param known the functions that exist, for the capitalisation hint
     */
    static String help(String name, Collection<String> known) {
        return HINTS.containsKey(name.toLowerCase(Locale.ROOT)) || known.contains(name.toLowerCase(Locale.ROOT))
                ? hint(name, known) : null;
    }

    /** Whether the hint replaces "did you mean": {@code log2} is not a typo for {@code log}. */
    static boolean replacesSuggestion(String name) {
        return HINTS.containsKey(name.toLowerCase(Locale.ROOT));
    }

    private static String hint(String name, Collection<String> known) {
        String lower = name.toLowerCase(Locale.ROOT);
        String hint = HINTS.get(lower);
        if (hint != null) {
            return hint;
        }
        for (String k : known) {
            if (k.equals(lower)) {
                return "built-in functions are lowercase: write " + k + "(…)";
            }
        }
        return null;
    }

    /**
     * The declaration an undefined name probably lacks, or null: a name of the same family as a
     * declared parameter ({@code w2} beside {@code w1}, {@code W2} beside {@code W1[2,3]}, {@code b_o}
     * beside {@code b_h}) is declared like it, with its kind and, for a vector, a shape to fill in;
     * without a relative, {@code w…}, {@code W…} and {@code θ…} are weights and {@code b…} biases.
     */
    static String undeclaredParameter(String text, Map<String, Ast.Declarator> declared,
                                      Map<String, Ast.DeclKind> declaredKind) {
        String family = family(text);
        if (family.isEmpty()) {
            return null;
        }
        for (Map.Entry<String, Ast.Declarator> e : declared.entrySet()) {
            Ast.DeclKind kind = declaredKind.get(e.getKey());
            if ((kind == Ast.DeclKind.WEIGHT || kind == Ast.DeclKind.BIAS) && family(e.getKey()).equals(family)) {
                int dims = e.getValue().shape().size();
                String shape = dims == 0 ? "" : dims == 1 ? "[n]" : "[rows, columns]";
                return kind.keyword() + " " + text + shape + " = …";
            }
        }
        // No declared relative: the letters textbooks use for weights and biases.
        return switch (family) {
            case "w", "W", "θ", "theta" -> "weight " + text + " = …";
            case "b" -> "bias " + text + " = …";
            default -> null;
        };
    }

    /** A name without its trailing digits, underscores and suffix after the last '_': {@code w}, {@code W}, {@code b}. */
    private static String family(String name) {
        String s = name.replaceAll("[0-9]+$", "");
        int underscore = s.lastIndexOf('_');
        if (underscore > 0 && s.length() == name.length()) {
            s = s.substring(0, underscore); // b_o, b_h
        }
        return s.replaceAll("_+$", "");
    }

}
