package chainrule.diag;

import java.util.ArrayList;
import java.util.List;

/** A source text with its display name ({@code net.nn}, {@code <stdin>}, {@code <expr>}), indexed by line. */
public final class Source {
    private final String name;
    private final String text;
    private final List<Integer> lineStarts = new ArrayList<>();

    public Source(String name, String text) {
        this.name = name;
        this.text = text;
        lineStarts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts.add(i + 1);
            }
        }
    }

    public String name() { return name; }

    public String text() { return text; }

    public int lineCount() { return lineStarts.size(); }

    /** Line {@code line} (1-based) without its line terminator; empty past the end. */
    public String line(int line) {
        if (line < 1 || line > lineStarts.size()) {
            return "";
        }
        int start = lineStarts.get(line - 1);
        int end = line < lineStarts.size() ? lineStarts.get(line) - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(start, Math.max(start, end));
    }
}
