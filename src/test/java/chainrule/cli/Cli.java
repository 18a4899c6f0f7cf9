package chainrule.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the command line in-process and captures what it prints. */
record Cli(int status, String out, String err) {
    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs on a thread with the big stack {@link Main#main} gives commands, within a time limit (a
     * command still running then is left behind on its daemon thread).
     */
    static Cli runBounded(long seconds, String... args) throws TimeoutException {
        CompletableFuture<Cli> future = new CompletableFuture<>();
        Thread worker = new Thread(null, () -> {
            try {
                future.complete(run(args));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, "cli", 1L << 30);
        worker.setDaemon(true);
        worker.start();
        try {
            return future.get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        } catch (ExecutionException e) {
            throw new AssertionError("Main.run threw " + e.getCause(), e.getCause());
        }
    }
}
