package chainrule.diag;

/**
 * One problem in the input, located in the source: {@code FILE:LINE:COLUMN: error: MESSAGE}, the
 * source line, and a caret under the column (with {@code ~} under the rest of the offending token).
 * Lines and columns are 1-based; columns count Unicode code points, as editors do.
 *
 * @param length how many code points to underline (at least 1)
 * @param notes  extra lines printed after the caret, each with its label: {@code note: first defined
 *               at 3:1} (a fact about the problem) or {@code help: use ^ for powers} (what to write
 *               instead), in the style of rustc
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

    /** Adds a {@code note:} line: a fact that explains the problem. */
    public Diagnostic withNote(String note) {
        return withLine("note: " + note);
    }

    /** Adds a {@code help:} line: what to write instead (for habits brought from other languages). */
    public Diagnostic withHelp(String help) {
        return withLine("help: " + help);
    }

    private Diagnostic withLine(String labelled) {
        java.util.List<String> n = new java.util.ArrayList<>(notes);
        n.add(labelled);
        return new Diagnostic(severity, source, line, column, length, message, java.util.List.copyOf(n));
    }

    /** The header line alone: {@code FILE:LINE:COLUMN: error: MESSAGE}. */
    public String header() {
        return source.name() + ":" + line + ":" + column + ": " + severity.label() + ": " + message;
    }

    /** Lines up to this many code points are shown whole; longer ones as a window around the column. */
    static final int MAX_LINE = 200;
    /** How much of a long line is shown, and how much of it comes before the column. */
    static final int WINDOW = 160;
    static final int WINDOW_BEFORE = 60;

    /** Header, source line, caret line and notes, each line ending in a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder(header()).append('\n');
        if (line <= source.lineCount()) {
            int[] text = source.line(line).codePoints().toArray();
            int col = Math.max(1, Math.min(column, text.length + 1));
            int start = text.length <= MAX_LINE ? 0
                    : Math.max(0, Math.min(col - 1 - WINDOW_BEFORE, text.length - WINDOW));
            int end = text.length <= MAX_LINE ? text.length : Math.min(text.length, start + WINDOW);
            String lead = start > 0 ? "… " : "";
            sb.append("    ").append(lead).append(shown(text, start, end)).append(end < text.length ? " …" : "").append('\n');
            sb.append("    ").append(" ".repeat(lead.length())).append(caret(text, start, col)).append('\n');
        }
        for (String note : notes) {
            sb.append("    = ").append(note).append('\n');
        }
        return sb.toString();
    }

    /**
     * Code points {@code [start, end)} of a line, tabs as spaces and control characters as �, so a
     * binary file cannot garble a terminal and every character takes the columns the caret counts.
     */
    private static String shown(int[] text, int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end; i++) {
            int cp = text[i];
            sb.appendCodePoint(cp == '\t' ? ' ' : Character.isISOControl(cp) ? '\uFFFD' : cp);
        }
        return sb.toString();
    }

    /** Spaces from {@code start} up to the column (two for wide characters such as Hangul), then ^ and ~s. */
    private String caret(int[] text, int start, int col) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < col - 1; i++) {
            sb.append(isWide(text[i]) ? "  " : " ");
        }
        sb.append('^');
        if (col - 1 < text.length && isWide(text[col - 1])) {
            sb.append('~');
        }
        for (int i = col; i < col - 1 + Math.min(length, 80); i++) {
            sb.append(i < text.length && isWide(text[i]) ? "~~" : "~");
        }
        return sb.toString();
    }

    private static boolean isWide(int cp) {
        return TextWidth.isWide(cp);
    }
}
