package chainrule.print;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How identifiers are typeset in LaTeX math, and the guarantee that no identifier can break or
 * inject LaTeX: every character is mapped through a whitelist, never pasted raw.
 *
 * <p>The rules, in the order they apply (see {@code docs/latex.md}):
 * <ul>
 *   <li>{@code W1[1,2]} (a vector element) → {@code W^{(1)}_{1,2}}, and the whole vector, by
 *       {@link #vector}, {@code W^{(1)}}: the name's own subscript becomes a superscript in
 *       parentheses so the indices can have the subscript; {@code h.in} (an implicit
 *       pre-activation) → {@code h^{\mathrm{in}}}, its element {@code h^{\mathrm{in}}_{1}}.</li>
 *   <li>A name that starts or ends with {@code _} ({@code __w__}) is one word, underscores and all.</li>
 *   <li>{@code net_h1} → {@code \mathrm{net}_{h1}}: the part before the first {@code _} is the
 *       base, the rest the subscript (further {@code _} become commas: {@code a_b_c} → {@code a_{b,c}}).</li>
 *   <li>{@code w1} → {@code w_{1}}: trailing digits become a subscript.</li>
 *   <li>A base of one letter stays italic ({@code w}, {@code E}); a longer one is upright
 *       ({@code \mathrm{net}}), as a multi-letter name is one word, not a product of letters.</li>
 *   <li>Greek letter names and Greek letters become the letter: {@code alpha1} and {@code α1} →
 *       {@code \alpha_{1}}, {@code Delta} → {@code \Delta}.</li>
 *   <li>Hangul goes in {@code \text{...}} (a document using it loads {@code kotex}); any other
 *       character is written as its code point, {@code \langle\mathrm{U{+}00E9}\rangle}.</li>
 * </ul>
 * Distinct names can look alike ({@code w1} and {@code w_1} both typeset as w₁), as they would by hand.
 */
public final class LatexNames {
    private LatexNames() {}

    private static final Pattern ELEMENT = Pattern.compile("(.+)\\[([0-9]+(?:\\s*,\\s*[0-9]+)*)\\]");
    private static final Pattern LETTERS_DIGITS = Pattern.compile("(\\p{L}+)([0-9]+)");

    /** Greek letter names, in alphabet order; those without a LaTeX command of their own are Latin. */
    private static final List<String> GREEK = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta",
            "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma",
            "tau", "upsilon", "phi", "chi", "psi", "omega");
    private static final String GREEK_LOWER = "αβγδεζηθικλμνξοπρστυφχψω";
    private static final String GREEK_UPPER = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ";
    private static final Map<String, String> GREEK_WORDS = new HashMap<>();
    private static final Map<Character, String> GREEK_LETTERS = new HashMap<>();

    static {
        // Capitals with a glyph of their own in LaTeX; the others look Latin (A, B, E, ...).
        java.util.Set<String> ownCapitals = java.util.Set.of("gamma", "delta", "theta", "lambda", "xi", "pi", "sigma",
                "upsilon", "phi", "psi", "omega");
        for (int i = 0; i < GREEK.size(); i++) {
            String name = GREEK.get(i);
            String lower = name.equals("omicron") ? "o" : "\\" + name;
            String capital = name.substring(0, 1).toUpperCase() + name.substring(1);
            String upper = ownCapitals.contains(name) ? "\\" + capital : "\\mathrm{" + latinLookalike(i) + "}";
            GREEK_WORDS.put(name, lower);
            GREEK_WORDS.put(capital, upper);
            GREEK_LETTERS.put(GREEK_LOWER.charAt(i), lower);
            GREEK_LETTERS.put(GREEK_UPPER.charAt(i), upper);
        }
        GREEK_LETTERS.put('ς', "\\varsigma");
    }

    /** The Latin capital that a Greek capital without its own LaTeX glyph looks like. */
    private static char latinLookalike(int greekIndex) {
        return "ABGDEZHQIKLMNXOPPSTYFXYW".charAt(greekIndex);
    }

    /** An identifier (a vertex, a parameter, a vector element) as LaTeX math. */
    public static String name(String identifier) {
        String core = identifier;
        String indices = null;
        Matcher element = ELEMENT.matcher(core);
        if (element.matches()) {
            core = element.group(1);
            indices = element.group(2).replaceAll("\\s", "");
        }
        String suffix = derivedSuffix(core);
        if (suffix != null) {
            core = core.substring(0, core.length() - suffix.length() - 1);
        }
        if (indices != null) {
            return vectorName(core, suffix) + "_{" + indices + "}";
        }
        String out = scalar(core);
        return suffix != null ? attach(out, "^", "\\mathrm{" + suffix.replace("_", "\\_") + "}") : out;
    }

    /**
     * The suffix of a vertex chainrule names after a definition — {@code in} of a pre-activation
     * {@code h.in}, {@code mean} of a shared reduction {@code v.mean} (then {@code mean2} …) — or
     * null. An identifier of the language has no dot, so a dot is always such a suffix.
     */
    private static String derivedSuffix(String core) {
        int dot = core.lastIndexOf('.');
        if (dot <= 0 || dot == core.length() - 1) {
            return null;
        }
        String suffix = core.substring(dot + 1);
        return suffix.matches("[a-z_]+[0-9]*") ? suffix : null;
    }

    /**
     * A whole vector or matrix ({@code W1}, {@code h.in}), named as its elements are, so that
     * {@code W1} and {@code W1[1,2]} read as one name: {@code W^{(1)}} and {@code W^{(1)}_{1,2}}.
     * The name's own subscript (trailing digits, or what follows an {@code _}) becomes a superscript
     * in parentheses, as in textbooks' W⁽¹⁾, leaving the subscript to the indices.
     */
    public static String vector(String identifier) {
        String core = identifier;
        String suffix = derivedSuffix(core);
        if (suffix != null) {
            core = core.substring(0, core.length() - suffix.length() - 1);
        }
        return vectorName(core, suffix);
    }

    /** The base of a vector's name with its superscripts: {@code W^{(1)}}, {@code h^{\mathrm{in}}}. */
    private static String vectorName(String core, String suffix) {
        String base;
        String own = null;
        int underscore = core.indexOf('_', 1);
        Matcher m = LETTERS_DIGITS.matcher(core);
        if (plainUnderscores(core) && underscore > 0 && underscore < core.length() - 1) {
            base = word(core.substring(0, underscore));
            own = subscript(core.substring(underscore + 1));
        } else if (m.matches()) {
            base = word(m.group(1));
            own = m.group(2);
        } else {
            base = word(core);
        }
        List<String> sup = new java.util.ArrayList<>();
        if (own != null) {
            sup.add("(" + own + ")");
        }
        if (suffix != null) {
            sup.add("\\mathrm{" + suffix.replace("_", "\\_") + "}");
        }
        if (sup.isEmpty()) {
            return base;
        }
        String b = base.contains("_") && !base.contains("\\_") || base.contains("^") ? "{" + base + "}" : base;
        return b + "^{" + String.join(",", sup) + "}";
    }

    /**
     * Whether an {@code _} in the name separates a base from a subscript: not when the name starts
     * or ends with one ({@code __w__}, {@code _w}, {@code w_}), which is part of the name itself.
     */
    private static boolean plainUnderscores(String core) {
        return !core.startsWith("_") && !core.endsWith("_");
    }

    /** δ for a vertex, a shared reduction by its call ({@code \delta_{\operatorname{mean}(h)}}). */
    public static String delta(chainrule.model.Vertex v) {
        return chainrule.paths.FoldedReductions.callOf(v).flatMap(LatexPrinter::folded)
                .map(call -> "\\delta_{" + call + "}").orElseGet(() -> delta(v.name()));
    }

    /** δ for a vertex: {@code \delta_{\mathrm{net}_{o1}}}. */
    public static String delta(String identifier) {
        return "\\delta_{" + name(identifier) + "}";
    }

    /** A function's name for {@code \operatorname{...}}: letters kept, everything else mapped. */
    public static String operatorName(String identifier) {
        return word(identifier).replaceFirst("^\\\\mathrm\\{([^{}]*)\\}$", "$1");
    }

    /** {@code base_{sub}} or {@code base^{sup}}, bracing a base that already has scripts. */
    private static String attach(String base, String script, String content) {
        String b = base.contains("_") || base.contains("^") ? "{" + base + "}" : base;
        return b + script + "{" + content + "}";
    }

    private static String scalar(String core) {
        int underscore = core.indexOf('_', 1);
        if (plainUnderscores(core) && underscore > 0 && underscore < core.length() - 1) {
            return attach(word(core.substring(0, underscore)), "_", subscript(core.substring(underscore + 1)));
        }
        Matcher m = LETTERS_DIGITS.matcher(core);
        if (m.matches()) {
            return attach(word(m.group(1)), "_", m.group(2));
        }
        return word(core);
    }

    /** A subscript: parts separated by commas; one-letter parts italic, words upright. */
    private static String subscript(String tail) {
        StringBuilder sb = new StringBuilder();
        for (String part : tail.split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(leadingLetters(part) >= 2 ? word(part) : characters(part));
        }
        return sb.length() == 0 ? "\\_" : sb.toString();
    }

    private static int leadingLetters(String s) {
        int n = 0;
        while (n < s.length() && s.charAt(n) >= 'A' && s.charAt(n) <= 'z' && Character.isLetter(s.charAt(n))) {
            n++;
        }
        return n;
    }

    /**
     * A word: a Greek letter name becomes the letter, one character stays italic, a longer word is
     * upright; Hangul runs go in {@code \text}.
     */
    private static String word(String w) {
        String greek = GREEK_WORDS.get(w);
        if (greek != null) {
            return greek;
        }
        return render(w, w.codePointCount(0, w.length()) > 1);
    }

    /** Each character by itself: ASCII letters italic, digits plain, the rest mapped. */
    private static String characters(String s) {
        return render(s, false);
    }

    /** Walks the code points, ASCII runs upright or not, Hangul runs in one {@code \text} each. */
    private static String render(String s, boolean upright) {
        StringBuilder out = new StringBuilder();
        StringBuilder ascii = new StringBuilder();
        StringBuilder hangul = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (isAsciiWordChar(c)) {
                flush(out, hangul, "\\text{", "}");
                ascii.append(c == '_' ? "\\_" : String.valueOf((char) c));
            } else if (LatexText.isHangul(c)) {
                flushAscii(out, ascii, upright);
                hangul.appendCodePoint(c);
            } else {
                flushAscii(out, ascii, upright);
                flush(out, hangul, "\\text{", "}");
                out.append(other(c));
            }
        }
        flushAscii(out, ascii, upright);
        flush(out, hangul, "\\text{", "}");
        return out.toString().trim();
    }

    private static void flushAscii(StringBuilder out, StringBuilder ascii, boolean upright) {
        if (upright) {
            flush(out, ascii, "\\mathrm{", "}");
        } else {
            flush(out, ascii, "", "");
        }
    }

    private static void flush(StringBuilder out, StringBuilder run, String open, String close) {
        if (run.length() > 0) {
            out.append(open).append(run).append(close);
            run.setLength(0);
        }
    }

    /** A character that is neither an ASCII letter, digit, underscore nor Hangul. */
    private static String other(int c) {
        String greek = c <= 0xFFFF ? GREEK_LETTERS.get((char) c) : null;
        if (greek != null) {
            return greek + " ";
        }
        return String.format("\\langle\\mathrm{U{+}%04X}\\rangle ", c);
    }

    private static boolean isAsciiWordChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
