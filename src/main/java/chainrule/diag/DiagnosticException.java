package chainrule.diag;

import java.util.List;

/**
 * Thrown by the library when the input has problems; carries every diagnostic found. The library
 * never prints or exits: the CLI renders these and chooses the exit status.
 */
public final class DiagnosticException extends Exception {
    private final List<Diagnostic> diagnostics;

    public DiagnosticException(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "error" : diagnostics.get(0).header(), null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public DiagnosticException(Diagnostic d) {
        this(List.of(d));
    }

    public List<Diagnostic> diagnostics() { return diagnostics; }

    /** Every diagnostic rendered, in order. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diagnostics) {
            sb.append(d.render());
        }
        return sb.toString();
    }
}
