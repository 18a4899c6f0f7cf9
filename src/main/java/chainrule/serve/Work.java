package chainrule.serve;

import chainrule.model.VertexLimit;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the page's computations within bounds: at most {@code workers} at once, each on its own
 * thread with a large stack (as the CLI runs commands, so accepted deep nesting cannot overflow it)
 * and the request's vertex limit, and each waited for at most {@code timeout}. A computation that
 * passes the timeout is answered with an error at once; its thread keeps its permit until it ends
 * (the work limits — input size, nesting, vertices, listed paths — bound how long that is), and
 * requests for pages and files are served by other threads all along.
 */
final class Work {
    /** Why a computation gave no result; the message is shown on the page. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() { return status; }
    }

    private final Semaphore permits;
    private final long timeoutMillis;
    private final long maxVertices;

    Work(int workers, long timeoutMillis, long maxVertices) {
        this.permits = new Semaphore(workers, true);
        this.timeoutMillis = timeoutMillis;
        this.maxVertices = maxVertices;
    }

    <T> T run(Callable<T> job) throws Failure {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            if (!permits.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new Failure(503, "the server is busy with other computations; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(503, "interrupted");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(null, () -> {
            try {
                result.complete(new VertexLimit(maxVertices).during(() -> {
                    try {
                        return job.call();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new Wrapped(e);
                    }
                }));
            } catch (Wrapped e) {
                result.completeExceptionally(e.getCause());
            } catch (StackOverflowError e) {
                result.completeExceptionally(new Failure(422, "the input is nested too deeply to process; simplify it or lower --max-nesting"));
            } catch (OutOfMemoryError e) {
                result.completeExceptionally(new Failure(422, "out of memory: the network is too large for this server's heap"));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                permits.release();
            }
        }, "chainrule-serve-work", 512L << 20);
        worker.setDaemon(true);
        worker.start();
        try {
            long left = Math.max(1, deadline - System.nanoTime());
            return result.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Failure(503, "the computation took longer than " + timeoutMillis / 1000.0
                    + " s and was abandoned; make the network smaller or raise --timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(503, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Failure f) {
                throw f;
            }
            if (e.getCause() instanceof chainrule.diag.DiagnosticException d) {
                throw new Failure(422, d.render());
            }
            throw new Failure(500, "internal error: " + e.getCause() + " (please report this with the input that caused it)");
        }
    }

    /** A checked exception crossing {@link VertexLimit#during}'s supplier. */
    private static final class Wrapped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Wrapped(Exception cause) {
            super(cause);
        }
    }
}
