package chainrule.cli;

import chainrule.model.Vertex;
import chainrule.paths.PathGraph;
import chainrule.print.PrintedSize;
import java.util.Collection;

/** {@link PrintedSize}'s bound as a command-line error (exit 1), before anything is simplified or printed. */
final class PrintedSizeCheck {
    private PrintedSizeCheck() {}

    static void require(PathGraph graph, Collection<Vertex> parameters) throws CliError {
        String tooLarge = PrintedSize.tooLarge(graph, parameters);
        if (tooLarge != null) {
            throw new CliError(tooLarge);
        }
    }
}
