package chainrule.cli;

import chainrule.print.Notation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options shared by the commands that read a network (CLI.md's "common options"). */
final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--json", description = "Machine-readable output on standard output.")
    boolean json;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Override a declared value (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--notation", paramLabel = "default|book", defaultValue = "default",
            description = "Label factors as input/activation/weight/loss (default) or as the book does: 들 나 액 웨.")
    String notation;

    @Option(names = "--max-nesting", paramLabel = "N", defaultValue = "1000",
            description = "Deepest nesting of brackets, unary signs and ^ accepted (default: ${DEFAULT-VALUE}).")
    int maxNesting;

    @Option(names = "--max-input", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Largest input accepted, in bytes (default: ${DEFAULT-VALUE}).")
    long maxInput;

    Notation notation() {
        return switch (notation) {
            case "default", "text" -> Notation.DEFAULT;
            case "book" -> Notation.BOOK;
            default -> throw new ParameterException(spec.commandLine(),
                    "--notation must be 'default' or 'book', not '" + notation + "'");
        };
    }

    /** The {@code --set} pairs, parsed; malformed ones are usage errors (exit 2). */
    Map<String, Double> overrides() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new ParameterException(spec.commandLine(), "--set needs NAME=VALUE, got '" + s + "'");
            }
            String name = s.substring(0, eq).trim();
            String value = s.substring(eq + 1).trim();
            try {
                double v = Double.parseDouble(value);
                if (!Double.isFinite(v) || value.matches("(?i).*[a-df-z].*")) {
                    throw new NumberFormatException();
                }
                out.put(name, v);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--set " + name + ": '" + value + "' is not a finite number");
            }
        }
        return out;
    }
}
