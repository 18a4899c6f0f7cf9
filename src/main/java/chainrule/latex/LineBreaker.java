package chainrule.latex;

import chainrule.print.LatexPrinter;
import chainrule.print.LatexText;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Breaks long formulas across the lines of an {@code align*}, where SymPy's {@code latex()} leaves
 * one overfull line. Printers mark the places a line may break ({@link LatexPrinter#BREAK}: before
 * a {@code +}, {@code -}, {@code =} or {@code \cdot}); a mark counts only at the top level, outside
 * braces and {@code \left...\right} (which cannot span lines), and {@code \bigl(...\bigr)} groups
 * stay breakable. Lines are filled greedily up to an estimated width.
 */
final class LineBreaker {
    private LineBreaker() {}

    /** Commands that print nothing wide by themselves. */
    private static final Set<String> INVISIBLE = Set.of("left", "right", "bigl", "bigr", "mathrm", "text",
            "operatorname", "frac", "underbrace", "quad");
    private static final Pattern SMALL = Pattern.compile("_\\{(?:\\\\text\\{)?([^{}]*)\\}?\\}");
    private static final Pattern COMMAND = Pattern.compile("\\\\([a-zA-Z]+)");

    /**
     * The pieces between top-level marks, packed into lines of about {@code width} characters. When
     * a line overflows it breaks at its last {@code =} if that leaves the line at least a third full,
     * else at its last {@code +}/{@code -}, else before the piece that overflowed: a reader sees
     * whole steps and whole terms, not products cut in the middle.
     */
    static List<String> lines(String text, int width) {
        List<String> lines = new ArrayList<>();
        List<String> line = new ArrayList<>();
        for (String piece : pieces(text)) {
            line.add(piece);
            if (line.size() > 1 && width(String.join("", line)) > width) {
                int cut = bestBreak(line, width);
                lines.add(String.join("", line.subList(0, cut)).strip());
                line = new ArrayList<>(line.subList(cut, line.size()));
            }
        }
        lines.add(String.join("", line).strip());
        return lines;
    }

    /** Where to break an overflowing line (an index into its pieces, at least 1). */
    private static int bestBreak(List<String> line, int width) {
        for (String op : List.of("=", "+-")) {
            for (int j = line.size() - 1; j >= 1; j--) {
                String start = line.get(j).strip();
                if (!start.isEmpty() && op.indexOf(start.charAt(0)) >= 0
                        && width(String.join("", line.subList(0, j))) >= width / 3) {
                    return j;
                }
            }
        }
        return line.size() - 1;
    }

    /** The text without any mark. */
    static String strip(String text) {
        return text.replace(String.valueOf(LatexPrinter.BREAK), "");
    }

    private static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == LatexPrinter.BREAK) {
                if (depth == 0 && piece.length() > 0) {
                    pieces.add(piece.toString());
                    piece.setLength(0);
                }
                continue;
            }
            if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '}')) {
                piece.append(c).append(text.charAt(++i)); // an escaped brace is not a group
                continue;
            }
            if (c == '{' || text.startsWith("\\left", i) && !text.startsWith("\\leftarrow", i)) {
                depth++;
            } else if (c == '}' || text.startsWith("\\right", i) && !text.startsWith("\\rightarrow", i)) {
                depth--;
            }
            piece.append(c);
        }
        pieces.add(piece.toString());
        return pieces;
    }

    /** Roughly how many characters wide the formula prints. */
    static int width(String latex) {
        // Labels under braces and subscripts print small: count them at half their length.
        Matcher small = SMALL.matcher(strip(latex));
        StringBuilder rest = new StringBuilder();
        int smallWidth = 0;
        while (small.find()) {
            smallWidth += small.group(1).length() / 2;
            small.appendReplacement(rest, "");
        }
        small.appendTail(rest);
        return smallWidth + fullWidth(rest.toString());
    }

    private static int fullWidth(String latex) {
        Matcher m = COMMAND.matcher(latex);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, INVISIBLE.contains(m.group(1)) ? " " : "x");
        }
        m.appendTail(sb);
        String visible = sb.toString().replaceAll("[{}^_ ]", "");
        // A binary operator or relation takes the room of about three characters with its spaces.
        int operators = visible.replaceAll("[^+=]", "").length() + countCdots(latex) + latex.split(" - ", -1).length - 1;
        // Hangul syllables are about twice as wide as a Latin letter.
        return visible.codePointCount(0, visible.length()) + 2 * operators
                + (int) visible.codePoints().filter(LatexText::isHangul).count();
    }

    private static int countCdots(String latex) {
        return latex.split("\\\\cdot", -1).length - 1;
    }
}
