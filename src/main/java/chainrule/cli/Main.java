package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.model.VertexLimit;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line. The library never prints or exits; this class maps outcomes to exit statuses:
 * 0 success, 1 a problem in the input or a failed check, 2 a usage error. Commands run on a thread
 * with a large stack, so deeply nested (but accepted) input cannot overflow it; anything unexpected
 * is reported in one line, never as a stack trace.
 */
@Command(name = "chainrule", mixinStandardHelpOptions = true, version = "chainrule 0.1.0",
        description = "Symbolic chain-rule paths and gradients for small neural networks.")
public final class Main implements Runnable {

    /**
     * The commands, in the order help lists them. Built by name on demand: picocli reads a
     * command's annotations by reflection, which costs start-up time, so a command line that names
     * one command builds only that one (docs/performance.md, "Start-up").
     */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    /** The names of the commands, {@code help} included, in help's order. */
    static java.util.Set<String> commandNames() {
        return COMMANDS.keySet();
    }

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("paths", PathsCommand::new);
        m.put("grad", GradCommand::new);
        m.put("diff", DiffCommand::new);
        m.put("eval", EvalCommand::new);
        m.put("check", CheckCommand::new);
        m.put("train", TrainCommand::new);
        m.put("codegen", CodegenCommand::new);
        m.put("latex", LatexCommand::new);
        m.put("graph", GraphCommand::new);
        m.put("flow", FlowCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

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
        CommandLine cl = commandLine(args.length > 0 && COMMANDS.containsKey(args[0]) && !args[0].equals("help")
                ? args[0] : null);
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
        for (String limit : new String[] {"--max-nesting", "--max-input"}) {
            if (command.hasMatchedOption(limit)) {
                Number n = command.matchedOptionValue(limit, 1);
                if (n.longValue() < 1) {
                    throw new CommandLine.ParameterException(command.commandSpec().commandLine(),
                            limit + " must be at least 1, not " + n);
                }
            }
        }
        return new VertexLimit(maxVertices).during(() -> new CommandLine.RunLast().execute(parseResult));
    }

    /** The command line with every command. */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command line with only the command {@code only} (so that only its annotations are read),
     * or with every command when {@code only} is null.
     */
    static CommandLine commandLine(String only) {
        PrintStream stdout = out();
        PrintStream stderr = err();
        CommandLine cl = new CommandLine(new Main());
        for (Map.Entry<String, Supplier<Object>> e : COMMANDS.entrySet()) {
            if (only == null || only.equals(e.getKey())) {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        cl.getCommandSpec().usageMessage().footer(HelpExamples.footer("chainrule"));
        cl.getSubcommands().forEach((name, sub) ->
                sub.getCommandSpec().usageMessage().footer(HelpExamples.footer(name)));
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
                return usageError(p, stderr);
            }
            if (ex instanceof java.io.UncheckedIOException u) { // a data file read as a stream, gone or changed meanwhile
                stderr.println("chainrule: error: " + u.getCause().getMessage());
                return 1;
            }
            stderr.println("chainrule: internal error: " + ex + " (please report this with the input that caused it)");
            return 1;
        });
        cl.setExecutionStrategy(Main::executeWithLimits);
        CommandLine diff = cl.getSubcommands().get("diff"); // built only when named: see COMMANDS
        if (diff != null) {
            diff.setUnmatchedOptionsArePositionalParams(true); // diff '-x^2' --wrt x
        }
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, stderr));
        return cl;
    }

    /**
     * What is wrong, said of the first argument that is: picocli's "Unmatched arguments from index
     * 0: 'grd', 'x'" becomes "unknown command 'grd'", and "Unknown options: '--wrtt', 'w1'" (the
     * option's value counted as a second unknown) becomes "unknown option '--wrtt'".
     */
    private static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            boolean topLevel = u.getCommandLine().getParent() == null;
            for (String arg : u.getUnmatched()) {
                if (arg.startsWith("-") && arg.length() > 1) {
                    return "unknown option '" + arg + "'";
                }
            }
            if (topLevel) {
                return "unknown command '" + first + "'; the commands are "
                        + String.join(", ", COMMANDS.keySet().stream().filter(c -> !c.equals("help")).toList());
            }
            return "unexpected argument '" + first + "'";
        }
        return ex.getMessage();
    }

    /**
     * A usage error: the one line that says what is wrong and where to read more, exit status 2
     * (CLI.md). The whole help text would bury the line that matters.
     */
    private static int usageError(CommandLine.ParameterException ex, PrintStream stderr) {
        stderr.println("chainrule: " + usageMessage(ex));
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            stderr.println("Did you mean: " + String.join(" or ", u.getSuggestions()) + "?");
        }
        stderr.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
        return 2;
    }
}
