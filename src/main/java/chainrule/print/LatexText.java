package chainrule.print;

/**
 * Text for LaTeX's text mode (labels, headings, file names), mapped through a whitelist so that no
 * input can break the document: ASCII letters, digits, spaces and harmless punctuation stay; Hangul
 * stays (the document then loads {@code kotex}); a few symbols become math; anything else becomes
 * its code point.
 */
public final class LatexText {
    private LatexText() {}

    private static final String PLAIN = " .,:;()/+=-'!?";

    /** Symbols that the labels use (∂L/∂나, σ′, →), written as math. */
    private static final java.util.Map<Integer, String> SYMBOLS = java.util.Map.of(
            (int) '_', "\\_", (int) '∂', "$\\partial$", (int) '→', "$\\to$", (int) '·', "$\\cdot$",
            (int) 'σ', "$\\sigma$", (int) '′', "$'$");

    /** Whether the code point is Hangul (syllables or jamo), which needs {@code kotex} under pdflatex. */
    public static boolean isHangul(int c) {
        return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F);
    }

    /** Whether some character of the text is Hangul. */
    public static boolean containsHangul(String s) {
        return s.codePoints().anyMatch(LatexText::isHangul);
    }

    /** The text, safe in LaTeX text mode. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || PLAIN.indexOf(c) >= 0
                    || isHangul(c)) {
                sb.appendCodePoint(c);
            } else if (SYMBOLS.containsKey(c)) {
                sb.append(SYMBOLS.get(c));
            } else {
                sb.append(String.format("$\\langle$U+%04X$\\rangle$", c));
            }
        }
        return sb.toString();
    }
}
