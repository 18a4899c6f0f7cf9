package chainrule.graph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs Graphviz's {@code dot} to turn DOT into a picture. The program is started with an argument
 * list, never through a shell, and the DOT goes in on standard input, so nothing in it reaches a
 * command line.
 */
public final class Graphviz {
    private Graphviz() {}

    /** The program could not be started: Graphviz is not installed (or not on the PATH). */
    public static final class NotInstalledException extends Exception {
        NotInstalledException(String program, IOException cause) {
            super("cannot run '" + program + "' (" + cause.getMessage() + ")", cause);
        }
    }

    /** {@code dot -T<format>} of the DOT text. */
    public static byte[] render(String dot, String format) throws NotInstalledException, IOException {
        return render("dot", dot, format);
    }

    static byte[] render(String program, String dot, String format) throws NotInstalledException, IOException {
        Process process;
        try {
            process = new ProcessBuilder(List.of(program, "-T" + format)).start();
        } catch (IOException e) {
            throw new NotInstalledException(program, e);
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(dot.getBytes(StandardCharsets.UTF_8));
        }
        try {
            int status = process.waitFor();
            byte[] result = output.join();
            if (status != 0) {
                throw new IOException(program + " failed (exit " + status + "): "
                        + new String(errors.join(), StandardCharsets.UTF_8).strip());
            }
            return result;
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + program, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
