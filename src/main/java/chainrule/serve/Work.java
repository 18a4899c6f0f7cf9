package chainrule.serve;

import chainrule.diag.DiagnosticException;
import chainrule.model.VertexLimit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the page's computations off the HTTP threads, within bounds: a fixed pool of
 * {@code workers} threads, each with a large stack (as the CLI runs commands, so accepted deep
 * nesting cannot overflow it) and the request's vertex limit; a bounded queue in front of it (a
 * computation that finds it full is refused at once with "busy"); and a deadline of
 * {@code timeout} from submission. {@link #submit} returns at once; the HTTP thread that asked is
 * free again, so pages, files and {@code /health} are answered whatever is computing.
 *
 * <p>At its deadline a computation is answered with an error. One still queued is removed and never
 * runs; one running is interrupted, and the library's cancellation points
 * ({@link chainrule.diag.Cancelled#check}: every new expression node, every unit of simplification
 * work, every enumerated path) end it there, so its worker is free again at once rather than when
 * the work would have ended. A stretch of work with no such point (one big print, one numeric
 * pass) is bounded by the work limits (input size, nesting, vertices, listed paths, printed size);
 * abandoned work never holds more than {@code workers} threads.
 */
final class Work {
    /** Why a computation gave no result; the message is shown on the page. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() { return status; }
    }

    /** Stack of a worker thread: as deep as the CLI's command thread allows, for accepted deep nesting. */
    private static final long STACK_BYTES = 512L << 20;

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService deadlines;
    private final long timeoutMillis;
    private final long maxVertices;
    private final AtomicInteger running = new AtomicInteger();
    /** Called on the worker thread as each computation starts (tests hold one there to order requests). */
    private volatile Runnable onStart = () -> {};

    Work(int workers, int queued, long timeoutMillis, long maxVertices) {
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued), r -> {
            Thread t = new Thread(null, r, "chainrule-serve-work-" + count.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chainrule-serve-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
        this.timeoutMillis = timeoutMillis;
        this.maxVertices = maxVertices;
    }

    /**
     * Queues {@code job} and returns its result to come: the value, or a {@link Failure} (busy,
     * past the deadline, a diagnostic, too deep, out of memory, an internal error).
     */
    <T> CompletableFuture<T> submit(Callable<T> job) {
        CompletableFuture<T> result = new CompletableFuture<>();
        FutureTask<Void> task = new FutureTask<>(() -> {
            if (result.isDone()) {
                return null;
            }
            running.incrementAndGet();
            try {
                onStart.run();
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
                result.completeExceptionally(failure(e.getCause()));
            } catch (StackOverflowError e) {
                result.completeExceptionally(new Failure(422, "the input is nested too deeply to process; simplify it or lower --max-nesting"));
            } catch (OutOfMemoryError e) {
                result.completeExceptionally(new Failure(422, "out of memory: the network is too large for this server's heap"));
            } catch (Throwable e) {
                result.completeExceptionally(failure(e));
            } finally {
                running.decrementAndGet();
            }
            return null;
        });
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new Failure(503, "the server is busy with other computations; try again"));
            return result;
        }
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            if (result.completeExceptionally(new Failure(503, "the computation took longer than " + seconds()
                    + " and was abandoned; make the network smaller or raise --timeout"))) {
                pool.remove(task);
                task.cancel(true);
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        result.whenComplete((value, error) -> deadline.cancel(false));
        return result;
    }

    private String seconds() {
        double s = timeoutMillis / 1000.0;
        return (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s)) + " s";
    }

    private static Failure failure(Throwable e) {
        if (e instanceof Failure f) {
            return f;
        }
        if (e instanceof DiagnosticException d) {
            return new Failure(422, d.render());
        }
        if (e instanceof InterruptedException || e instanceof chainrule.diag.Cancelled) {
            return new Failure(503, "interrupted");
        }
        return new Failure(500, "internal error: " + e + " (please report this with the input that caused it)");
    }

    /** Computations running now (abandoned ones included). */
    int running() { return running.get(); }

    /** Computations waiting for a worker. */
    int queued() { return pool.getQueue().size(); }

    void onStart(Runnable hook) { this.onStart = hook; }

    void stop() {
        pool.shutdownNow();
        deadlines.shutdownNow();
    }

    /** A checked exception crossing {@link VertexLimit#during}'s supplier. */
    private static final class Wrapped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Wrapped(Exception cause) {
            super(cause);
        }
    }
}
