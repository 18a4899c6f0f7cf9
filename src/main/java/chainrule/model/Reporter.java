package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import chainrule.parse.Ast.Pos;
import java.util.ArrayList;
import java.util.List;

/** The errors one analysis finds, in every room of the analyser; reported together, by position. */
final class Reporter {
    private final Source source;
    private final List<Diagnostic> errors = new ArrayList<>();

    Reporter(Source source) {
        this.source = source;
    }

    void error(Pos pos, String message) {
        errors.add(Diagnostic.error(source, pos.line(), pos.column(), pos.length(), message));
    }

    void add(Diagnostic d) {
        errors.add(d);
    }

    /** Adds a {@code help:} line to the last error. */
    void helpOnLast(String help) {
        errors.set(errors.size() - 1, errors.get(errors.size() - 1).withHelp(help));
    }

    /** Adds a {@code note:} line to the last error. */
    void noteOnLast(String note) {
        errors.set(errors.size() - 1, errors.get(errors.size() - 1).withNote(note));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** The errors so far, sorted by line and column. */
    List<Diagnostic> sorted() {
        errors.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                : Integer.compare(a.column(), b.column()));
        return errors;
    }
}
