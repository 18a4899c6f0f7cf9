package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.model.VertexLimit;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line. The library never prints or exits; this class maps outcomes to exit statuses:
 * 0 success, 1 a problem in the input or a failed check, 2 a usage error. Commands run on a thread
 * with a large stack, so deeply nested (but accepted) input cannot overflow it; anything unexpected
 * is reported in one line, never as a stack trace.
 */
@Command(name = "chainrule", mixinStandardHelpOptions = true, version = "chainrule 0.1.0",
        description = "Symbolic chain-rule paths and gradients for small neural networks.",
        subcommands = {PathsCommand.class, GradCommand.class, DiffCommand.class,
                EvalCommand.class, CheckCommand.class, TrainCommand.class, CodegenCommand.class,
                LatexCommand.class, GraphCommand.class, FlowCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    private record Streams(PrintStream out, PrintStream err) {}

    private static final ThreadLocal<Streams> STREAMS = new ThreadLocal<>();

    /** Standard output of the running command (UTF-8 whatever the platform default). */
    static PrintStream out() { return STREAMS.get().out(); }

    /** Standard error of the running command. */
    static PrintStream err() { return STREAMS.get().err(); }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (paths, grad, diff, ...)");
    }

    public static void main(String[] args) {
        int[] status = {0};
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream( // one write per 64 KB, not per line
                new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        Thread worker = new Thread(null, () -> status[0] = run(out, err, args), "chainrule", 1L << 30);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status[0] = 1;
        }
        out.flush();
        err.flush();
        System.exit(status[0]);
    }

    /**
     * Runs one command line, writing to the given streams, and returns its exit status. Used by
     * {@link #main} and by tests (which run it on a thread with an ordinary stack).
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Streams previous = STREAMS.get();
        STREAMS.set(new Streams(out, err));
        try {
            return execute(args);
        } finally {
            out.flush();
            err.flush();
            STREAMS.set(previous);
        }
    }

    private static int execute(String... args) {
        PrintStream stdout = out();
        PrintStream stderr = err();
        CommandLine cl = commandLine();
        try {
            return cl.execute(args);
        } catch (StackOverflowError e) {
            stdout.flush();
            stderr.println("chainrule: error: the input is nested too deeply to process; simplify it or lower --max-nesting");
            return 1;
        } catch (OutOfMemoryError e) {
            stdout.flush();
            stderr.println("chainrule: error: out of memory; the network is too large for this heap (raise it with java -Xmx)");
            return 1;
        }
    }

    /**
     * Runs the chosen command with its {@code --max-vertices} as the analyser's limit: every
     * command loads its network through the analyser, so the limit is set once here.
     */
    private static int executeWithLimits(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult command = parseResult;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        long maxVertices = command.commandSpec().findOption("--max-vertices") == null
                ? VertexLimit.DEFAULT.maxVertices()
                : command.matchedOptionValue("--max-vertices", VertexLimit.DEFAULT.maxVertices());
        if (maxVertices < 1) {
            throw new CommandLine.ParameterException(command.commandSpec().commandLine(),
                    "--max-vertices must be at least 1, not " + maxVertices);
        }
        return new VertexLimit(maxVertices).during(() -> new CommandLine.RunLast().execute(parseResult));
    }

    static CommandLine commandLine() {
        PrintStream stdout = out();
        PrintStream stderr = err();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(stdout, true));
        cl.setErr(new java.io.PrintWriter(stderr, true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            stdout.flush();
            if (ex instanceof DiagnosticException d) {
                stderr.print(d.render());
                return 1;
            }
            if (ex instanceof CliError c) {
                stderr.println("chainrule: error: " + c.getMessage());
                return 1;
            }
            if (ex instanceof CommandLine.ParameterException p) {
                stderr.println("chainrule: " + p.getMessage());
                p.getCommandLine().usage(stderr);
                return 2;
            }
            stderr.println("chainrule: internal error: " + ex + " (please report this with the input that caused it)");
            return 1;
        });
        cl.setExecutionStrategy(Main::executeWithLimits);
        cl.setParameterExceptionHandler((ex, args) -> {
            stderr.println("chainrule: " + ex.getMessage());
            ex.getCommandLine().usage(stderr);
            return 2;
        });
        return cl;
    }
}
