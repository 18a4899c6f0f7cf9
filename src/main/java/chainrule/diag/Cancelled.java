package chainrule.diag;

/**
 * Cooperative cancellation: thrown by {@link #check()} when the thread running a computation has
 * been interrupted (the playground's {@code serve} interrupts a computation it abandoned at its
 * {@code --timeout}). The long loops of the library call {@link #check()} — every new expression
 * node (so differentiation, simplification and expansion), every unit of simplification work, every
 * path enumerated — so an abandoned computation ends within a node or two instead of running on
 * to its natural end. A thread nobody interrupts (the command line) never sees it; checking is a
 * read of the thread's interrupt flag.
 */
public final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Cancelled() {
        super("the computation was cancelled", null, false, false);
    }

    /**
     * Throws {@link Cancelled} when this thread has been interrupted (the flag is left set) — except
     * inside a class's static initializer: one that throws leaves its class unusable for the rest
     * of the process (every later use is a NoClassDefFoundError), so the initializer is let finish
     * and the next check outside it stops the computation. The stack is looked at only once the
     * flag is set.
     */
    public static void check() {
        if (Thread.currentThread().isInterrupted() && !initializingAClass()) {
            throw new Cancelled();
        }
    }

    private static boolean initializingAClass() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("<clinit>")));
    }
}
