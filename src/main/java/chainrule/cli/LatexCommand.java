package chainrule.cli;

import chainrule.latex.LatexDerivation;
import chainrule.paths.Values;
import chainrule.print.NonFiniteCheck;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "latex", mixinStandardHelpOptions = true,
        description = "A LaTeX derivation: the forward definitions, the local derivatives, every path, the closed form "
                + "and the numbers; a complete document that pdflatex compiles, or --fragment for an align* block.")
final class LatexCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--wrt", paramLabel = "W", description = "A parameter to differentiate by (repeatable; default: all).")
    List<String> wrt;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.tex", description = "Write to this file instead of standard output.")
    String output;

    @Option(names = "--fragment", description = "Only an align* block (load amsmath, and kotex for Hangul names).")
    boolean fragment;

    @Option(names = "--max-paths", paramLabel = "N", defaultValue = "100",
            description = "The most paths to list per parameter; the count is always exact (default: ${DEFAULT-VALUE}).")
    long maxPaths;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxPaths < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-paths must be 0 or more, not " + maxPaths);
        }
        LoadedNetwork loaded = LoadedNetwork.load(input.file, options);
        Values values = loaded.valuesIfComplete();
        PrintedSizeCheck.require(loaded.graph(), loaded.parameters(wrt));
        if (values != null) {
            NonFiniteCheck.requireFiniteDerivatives(loaded.graph(), values);
        }
        String latex = LatexDerivation.of(loaded.graph(), loaded.parameters(wrt), values,
                options.notation(), OutputTarget.title(input.file), maxPaths, fragment);
        OutputTarget.write(output, latex.getBytes(StandardCharsets.UTF_8));
        return 0;
    }
}
