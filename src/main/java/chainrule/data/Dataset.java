package chainrule.data;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Samples read from a CSV file: a header row naming inputs and targets of a network, then one
 * sample per row. Blank lines are skipped; cells are trimmed; every cell must be a finite number.
 * Problems are diagnostics at the offending cell ({@code FILE:LINE:COL}), naming the column.
 *
 * @param columns the declared names, one per column
 * @param rows    the values, {@code rows[r][c]} for column {@code c}
 */
public record Dataset(List<String> columns, double[][] rows) {

    /** Reads {@code source} as samples for {@code network}. */
    public static Dataset parse(Source source, Network network) throws DiagnosticException {
        return parse(source, network, Set.of());
    }

    /**
     * Reads {@code source} as samples for {@code network}; every input and target the loss reads
     * must be a column of the header, except the elements named in {@code given} (values given
     * for every row on the command line, {@code --set}): a value missing from the header is an
     * error at the header, naming it, not the file's declared value taken for every row.
     */
    public static Dataset parse(Source source, Network network, Set<String> given) throws DiagnosticException {
        List<Diagnostic> problems = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        int headerLine = 0;
        long more = 0;
        for (int line = 1; line <= source.lineCount(); line++) {
            String text = source.line(line);
            if (text.isBlank()) {
                continue;
            }
            if (headerLine == 0) {
                headerLine = line;
                header(source, network, line, split(text), columns, given, problems);
                if (problems.isEmpty()) {
                    missingColumns(source, network, line, columns, given, problems);
                }
                if (!problems.isEmpty()) {
                    throw new DiagnosticException(capped(problems, 0, "columns"));
                }
                continue;
            }
            if (problems.size() >= MAX_PROBLEMS) { // counted, not shown: as a stream counts them
                if (values(text, columns.size()) == null) {
                    more++;
                }
                continue;
            }
            double[] row = row(source, line, split(text), columns, problems);
            if (row != null) {
                rows.add(row);
            }
        }
        if (problems.isEmpty() && rows.isEmpty()) {
            int line = Math.max(1, headerLine);
            problems.add(Diagnostic.error(source, line, 1, 1, headerLine == 0
                    ? "empty data file: expected a header row naming inputs and targets, then one sample per row"
                    : "no samples: the header is not followed by any row"));
        }
        if (!problems.isEmpty()) {
            throw new DiagnosticException(capped(problems, more, "rows"));
        }
        return new Dataset(List.copyOf(columns), rows.toArray(new double[0][]));
    }

    /** Problems shown at most; the rest are counted ({@link #capped}). */
    static final int MAX_PROBLEMS = 20;

    /**
     * The first {@link #MAX_PROBLEMS} of {@code problems}, the last one noting how many more there
     * are: those past them in the list, and {@code more} counted without being made ({@code what}:
     * "rows" or "columns" with errors).
     */
    static List<Diagnostic> capped(List<Diagnostic> problems, long more, String what) {
        long hidden = more + Math.max(0, problems.size() - MAX_PROBLEMS);
        if (hidden == 0) {
            return problems;
        }
        List<Diagnostic> shown = new ArrayList<>(problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())));
        int last = shown.size() - 1;
        shown.set(last, shown.get(last).withNote(String.format("and %,d more %s with errors, not shown", hidden,
                hidden == 1 ? what.substring(0, what.length() - 1) : what)));
        return shown;
    }

    private record Cell(String text, int column, int length) {}

    /** Splits a line at commas; columns are 1-based code-point positions of each trimmed cell. */
    private static List<Cell> split(String line) {
        List<Cell> cells = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = line.indexOf(',', start);
            int end = comma < 0 ? line.length() : comma;
            String raw = line.substring(start, end);
            int lead = 0;
            while (lead < raw.length() && Character.isWhitespace(raw.charAt(lead))) {
                lead++;
            }
            String text = raw.trim();
            int column = line.codePointCount(0, start + lead) + 1;
            cells.add(new Cell(text, column, Math.max(1, text.codePointCount(0, text.length()))));
            if (comma < 0) {
                return cells;
            }
            start = comma + 1;
        }
    }

    private static void header(Source source, Network network, int line, List<Cell> cells, List<String> columns,
                               Set<String> given, List<Diagnostic> problems) {
        Set<String> seen = new HashSet<>();
        for (Cell c : cells) {
            Vertex v = network.vertex(c.text()).orElse(null);
            if (c.text().indexOf('"') >= 0) {
                problems.add(Diagnostic.error(source, line, c.column(), c.length(),
                        "column " + c.text() + " is quoted; quoting is not supported in data files")
                        .withHelp("write the names and numbers without quotes: " + c.text().replace("\"", "")));
            } else if (v == null || (v.kind() != VertexKind.INPUT && v.kind() != VertexKind.TARGET)) {
                String what = v == null ? "is not declared in " + network.source().name()
                        : "is a " + v.kind().word() + ", not an input or target";
                problems.add(Diagnostic.error(source, line, c.column(), c.length(),
                        "column '" + c.text() + "' " + what + "; the header must name inputs and targets"));
            } else if (!seen.add(c.text())) {
                problems.add(Diagnostic.error(source, line, c.column(), c.length(),
                        "column '" + c.text() + "' appears twice in the header"));
            } else if (given.contains(c.text())) {
                problems.add(Diagnostic.error(source, line, c.column(), c.length(),
                        "column '" + c.text() + "' is also given on the command line (--set); a value comes from one place")
                        .withHelp("leave out --set to use the column's values, or remove the column to use --set's value for every row"));
            }
            columns.add(c.text());
        }
    }

    /** Names listed in a missing-columns error before "and N more". */
    private static final int LISTED = 8;

    /** An error at the header for the inputs and targets the loss reads that it does not name (none: nothing). */
    private static void missingColumns(Source source, Network network, int line, List<String> columns, Set<String> given,
                                       List<Diagnostic> problems) {
        Set<String> named = new HashSet<>(columns);
        List<Vertex> absent = new ArrayList<>();
        for (Vertex v : network.vertices()) {
            if ((v.kind() == VertexKind.INPUT || v.kind() == VertexKind.TARGET) && !named.contains(v.name())
                    && !given.contains(v.name())) {
                absent.add(v);
            }
        }
        if (absent.isEmpty()) { // the usual case, without a pass over the definitions
            return;
        }
        // What the loss reads: one backward pass, since each definition uses only earlier ones.
        Set<chainrule.expr.Sym> needed = new HashSet<>();
        needed.add(network.loss().symbol());
        List<Vertex> definitions = network.definitions();
        for (int i = definitions.size() - 1; i >= 0; i--) {
            Vertex v = definitions.get(i);
            if (needed.contains(v.symbol())) {
                needed.addAll(chainrule.model.Symbols.free(v.definition()));
            }
        }
        List<String> missing = new ArrayList<>();
        for (Vertex v : absent) {
            if (needed.contains(v.symbol())) {
                missing.add(v.name());
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < Math.min(LISTED, missing.size()); i++) {
            names.append(i == 0 ? "" : ", ").append('\'').append(missing.get(i)).append('\'');
        }
        if (missing.size() > LISTED) {
            names.append(" and ").append(missing.size() - LISTED).append(" more");
        }
        String text = source.line(line);
        problems.add(Diagnostic.error(source, line, 1, Math.max(1, text.codePointCount(0, text.length())),
                "no column for " + names + ", which the loss "
                        + network.lossName() + " reads; every input and target the loss reads must be a column")
                .withHelp("add " + (missing.size() == 1 ? "the column" : "the columns") + " to the header and the rows;"
                        + " a value the same for every row can be given with --set NAME=VALUE, or declared const in "
                        + network.source().name()));
    }

    private static double[] row(Source source, int line, List<Cell> cells, List<String> columns,
                                List<Diagnostic> problems) {
        if (cells.size() != columns.size()) {
            // a long row: at its first cell past the header's; a short one: at its last cell
            Cell at = cells.get(cells.size() > columns.size() ? columns.size() : cells.size() - 1);
            problems.add(Diagnostic.error(source, line, at.column(), at.length(),
                    "row has " + count(cells.size(), "value") + " but the header names " + count(columns.size(), "column")));
            return null;
        }
        double[] row = new double[cells.size()];
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            try {
                if (hasLetter(cell.text())) {
                    throw new NumberFormatException();
                }
                row[c] = Double.parseDouble(cell.text());
                if (!Double.isFinite(row[c])) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(Diagnostic.error(source, line, cell.column(), cell.length(), cell.text().indexOf('"') >= 0
                        ? "column '" + columns.get(c) + "': " + cell.text() + " is quoted; quoting is not supported in data files,"
                                + " write the number without quotes"
                        : "column '" + columns.get(c) + "': '" + cell.text() + "' is not a finite number"));
                return null;
            }
        }
        return row;
    }

    /**
     * Whether {@code text} has an ASCII letter other than e or E: words such as NaN or Infinity,
     * hexadecimal, and Java's type suffixes (1d, 2f), which {@link Double#parseDouble} would take,
     * are not numbers here.
     */
    private static boolean hasLetter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = (char) (text.charAt(i) | 0x20);
            if (c >= 'a' && c <= 'z' && c != 'e') {
                return true;
            }
        }
        return false;
    }

    /**
     * The values of one data line of {@code columns} cells, as {@link #parseRow} reads them, or
     * null where it would report a problem: the fast way for a file read as a stream, whose lines
     * were all checked before (no diagnostics, no source kept).
     */
    static double[] values(String text, int columns) {
        double[] row = new double[columns];
        int start = 0;
        for (int c = 0; c < columns; c++) {
            int comma = text.indexOf(',', start);
            if ((comma < 0) != (c == columns - 1)) {
                return null; // too few cells, or too many
            }
            String cell = text.substring(start, comma < 0 ? text.length() : comma).trim();
            if (hasLetter(cell)) {
                return null;
            }
            try {
                row[c] = Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!Double.isFinite(row[c])) {
                return null;
            }
            start = comma + 1;
        }
        return row;
    }

    /**
     * One data line of a file whose header named {@code columns}: its values, or null after adding
     * a diagnostic to {@code problems} ({@code source} shows the line).
     */
    static double[] parseRow(Source source, int line, String text, List<String> columns, List<Diagnostic> problems) {
        return row(source, line, split(text), columns, problems);
    }

    /** Number of samples. */
    public int size() { return rows.length; }

    /** {@code 1 value}, {@code 3 values}. */
    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
