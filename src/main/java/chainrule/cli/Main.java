package chainrule.cli;

import chainrule.diag.DiagnosticException;
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
        subcommands = {PathsCommand.class, GradCommand.class, DiffCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    private static final PrintStream ERR = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);

    static PrintStream out() { return OUT; }

    static PrintStream err() { return ERR; }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (paths, grad, diff, ...)");
    }

    public static void main(String[] args) {
        int[] status = {0};
        Thread worker = new Thread(null, () -> status[0] = run(args), "chainrule", 1L << 30);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status[0] = 1;
        }
        OUT.flush();
        ERR.flush();
        System.exit(status[0]);
    }

    /** Runs one command line and returns its exit status (used by main and by tests). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        try {
            return cl.execute(args);
        } catch (StackOverflowError e) {
            OUT.flush();
            ERR.println("chainrule: error: the input is nested too deeply to process; simplify it or lower --max-nesting");
            return 1;
        } catch (OutOfMemoryError e) {
            OUT.flush();
            ERR.println("chainrule: error: out of memory; the network is too large for this heap (raise it with java -Xmx)");
            return 1;
        }
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(OUT, true));
        cl.setErr(new java.io.PrintWriter(ERR, true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            OUT.flush();
            if (ex instanceof DiagnosticException d) {
                ERR.print(d.render());
                return 1;
            }
            if (ex instanceof CliError c) {
                ERR.println("chainrule: error: " + c.getMessage());
                return 1;
            }
            if (ex instanceof CommandLine.ParameterException p) {
                ERR.println("chainrule: " + p.getMessage());
                p.getCommandLine().usage(ERR);
                return 2;
            }
            ERR.println("chainrule: internal error: " + ex + " (please report this with the input that caused it)");
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            ERR.println("chainrule: " + ex.getMessage());
            ex.getCommandLine().usage(ERR);
            return 2;
        });
        return cl;
    }
}
