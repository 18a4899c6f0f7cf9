package chainrule.cli;

import chainrule.serve.PlaygroundServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "A local web playground on 127.0.0.1: edit a network and see its graph, paths, closed forms, "
                + "δs and gradient flow update as you type; Save writes FILE back. Ctrl-C stops it.")
final class ServeCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The .nn file to edit (the only file the server reads, and writes on Save); without it, start from the examples.")
    String file;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8737",
            description = "The port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-nesting", paramLabel = "N", defaultValue = "1000",
            description = "Deepest nesting of brackets, unary signs and ^ accepted (default: ${DEFAULT-VALUE}).")
    int maxNesting;

    @Option(names = "--max-input", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Largest request body (the text of a network) accepted, in bytes (default: ${DEFAULT-VALUE}).")
    int maxInput;

    @Option(names = "--max-vertices", paramLabel = "N", defaultValue = "2000000",
            description = "Most vertices a network may have (default: ${DEFAULT-VALUE}).")
    long maxVertices;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Longest a request may compute before it is answered with an error (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Out-of-range values are usage errors (exit 2), as picocli's own are: checked before anything starts.
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, not " + port);
        }
        if (maxInput < 1) {
            throw new ParameterException(spec.commandLine(), "--max-input must be at least 1, not " + maxInput);
        }
        if (maxNesting < 1) {
            throw new ParameterException(spec.commandLine(), "--max-nesting must be at least 1, not " + maxNesting);
        }
        if (!(timeout > 0) || Double.isInfinite(timeout)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive finite number of seconds, not " + timeout);
        }
        if ("-".equals(file)) {
            throw new ParameterException(spec.commandLine(), "serve edits a file and cannot read standard input; name a .nn file");
        }
        Path path = file == null ? null : Path.of(file);
        if (path != null) {
            // The file is read as every command reads it, with the same errors (no such file, a
            // directory, unreadable, too large, not UTF-8); a file that does not parse is served, to be fixed.
            InputLoader.load(file, maxInput);
        }
        PlaygroundServer server;
        try {
            server = PlaygroundServer.start(new PlaygroundServer.Config(path, port, maxNesting, maxInput, maxVertices,
                    (long) (timeout * 1000), Math.max(2, Runtime.getRuntime().availableProcessors())));
        } catch (BindException e) {
            throw new CliError("port " + port + " on 127.0.0.1 is in use; choose another with --port N (0 picks a free one)");
        } catch (IOException e) {
            throw new CliError("cannot start the server: " + e.getMessage());
        }
        Main.out().println("chainrule playground: " + server.url() + (path == null ? "" : "  (editing " + file + ")"));
        Main.out().println("listening on 127.0.0.1 only; Ctrl-C stops it");
        Main.out().flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
