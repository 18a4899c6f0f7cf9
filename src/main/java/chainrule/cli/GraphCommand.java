package chainrule.cli;

import chainrule.graph.Graphviz;
import chainrule.graph.NetworkDot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "The network as Graphviz DOT (or an SVG/PNG picture where Graphviz is installed), "
                + "layered left to right, each edge labelled with its factor, the paths from W highlighted.")
final class GraphCommand implements Callable<Integer> {
    /** What {@code --format} accepts. */
    enum Format { dot, svg, png }

    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--wrt", paramLabel = "W", description = "Highlight the paths from this parameter to the loss.")
    String wrt;

    @Option(names = "--format", paramLabel = "dot|svg|png", defaultValue = "dot",
            description = "dot (default), or svg/png drawn by Graphviz's dot program.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Write to this file instead of standard output (required for png; -o - writes it to standard output).")
    String output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (format == Format.png && output == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--format png needs -o OUT.png: a PNG is not written to a terminal (-o - sends it to standard output)");
        }
        LoadedNetwork loaded = LoadedNetwork.load(input.file, options);
        String dot = NetworkDot.of(loaded.graph(), wrt == null ? null : loaded.parameter(wrt), options.notation());
        byte[] bytes;
        if (format == Format.dot) {
            bytes = dot.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                bytes = Graphviz.render(dot, format.name());
            } catch (Graphviz.NotInstalledException e) {
                throw new CliError("--format " + format + " needs Graphviz's 'dot' program, which is not installed: "
                        + "install Graphviz (apt-get install graphviz), or use --format dot and render it elsewhere");
            } catch (IOException e) {
                throw new CliError(e.getMessage());
            }
        }
        OutputTarget.write(output, bytes);
        return 0;
    }
}
