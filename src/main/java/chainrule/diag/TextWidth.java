package chainrule.diag;

/** Terminal column widths, so tables stay aligned with Hangul (two columns per syllable). */
public final class TextWidth {
    private TextWidth() {}

    public static int of(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            w += isWide(cp) ? 2 : Character.getType(cp) == Character.NON_SPACING_MARK ? 0 : 1;
        }
        return w;
    }

    /** {@code s} padded with spaces to {@code width} columns. */
    public static String pad(String s, int width) {
        int w = of(s);
        return w >= width ? s : s + " ".repeat(width - w);
    }

    /** East Asian wide characters (Hangul, CJK, fullwidth forms) take two terminal columns. */
    public static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
