package chainrule.diag;

/**
 * One problem in the input, located in the source: {@code FILE:LINE:COLUMN: error: MESSAGE}, the
 * source line, and a caret under the column (with {@code ~} under the rest of the offending token).
 * Lines and columns are 1-based; columns count Unicode code points, as editors do.
 *
 * @param length how many code points to underline (at least 1)
 * @param notes  extra lines printed after the caret, such as {@code note: first defined at 3:1}
 */
public record Diagnostic(Severity severity, Source source, int line, int column, int length,
                         String message, java.util.List<String> notes) {

    public enum Severity {
        ERROR("error"), WARNING("warning");

        private final String label;

        Severity(String label) {
            this.label = label;
        }

        public String label() { return label; }
    }

    public static Diagnostic error(Source source, int line, int column, int length, String message) {
        return new Diagnostic(Severity.ERROR, source, line, column, Math.max(1, length), message, java.util.List.of());
    }

    public Diagnostic withNote(String note) {
        java.util.List<String> n = new java.util.ArrayList<>(notes);
        n.add(note);
        return new Diagnostic(severity, source, line, column, length, message, java.util.List.copyOf(n));
    }

    /** The header line alone: {@code FILE:LINE:COLUMN: error: MESSAGE}. */
    public String header() {
        return source.name() + ":" + line + ":" + column + ": " + severity.label() + ": " + message;
    }

    /** Header, source line, caret line and notes, each line ending in a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder(header()).append('\n');
        String text = source.line(line);
        if (!text.isEmpty() || line <= source.lineCount()) {
            String shown = displayLine(text);
            sb.append("    ").append(shown).append('\n');
            sb.append("    ").append(caretLine(text, column, length)).append('\n');
        }
        for (String note : notes) {
            sb.append("    = note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    /** The source line with control characters made visible, so a binary file cannot garble a terminal. */
    private static String displayLine(String text) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (++shown > 200) {
                sb.append(" …");
                break;
            }
            sb.appendCodePoint(cp == '\t' ? ' ' : Character.isISOControl(cp) ? '�' : cp);
        }
        return sb.toString();
    }

    /** Spaces up to the column (two for wide characters such as Hangul), then ^ and ~s. */
    static String caretLine(String text, int column, int length) {
        StringBuilder sb = new StringBuilder();
        int col = 1;
        int shown = 0;
        for (int i = 0; i < text.length() && col < column; col++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (++shown > 200) {
                break;
            }
            sb.append(isWide(cp) ? "  " : " ");
        }
        sb.append('^');
        int under = 1;
        int i = text.offsetByCodePoints(0, Math.min(text.codePointCount(0, text.length()), Math.max(0, column - 1)));
        for (int k = 1; k < Math.min(length, 80); k++) {
            int w = 1;
            if (i < text.length()) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                w = isWide(cp) ? 2 : 1;
                if (k == 1 && w == 2) {
                    sb.append(' ');
                }
            }
            sb.append("~".repeat(w));
            under++;
        }
        return sb.toString();
    }

    private static boolean isWide(int cp) {
        return chainrule.print.TextWidth.isWide(cp);
    }
}
