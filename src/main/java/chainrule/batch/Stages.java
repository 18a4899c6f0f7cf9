package chainrule.batch;

/**
 * Where a batched evaluation's stages begin and end, for a timing harness
 * ({@code chainrule.bench.BatchTiming} with {@code -Dchainrule.batch.stages=true}; docs/performance.md):
 * the engine names each stage as it ends, and a {@link Listener} the harness installs reads its
 * clock. The library itself reads no clock. Off unless the JVM starts with that property: then
 * {@link #ON} is a constant false and C2 removes every call.
 */
public final class Stages {
    /** Whether stages are reported (fixed at class initialisation). */
    public static final boolean ON = Boolean.getBoolean("chainrule.batch.stages");

    /** Told where stages begin and end, on the thread that runs them. */
    public interface Listener {
        /** A stage begins (what came since the last mark is no stage). */
        void start();

        /** The stage named {@code stage} ends here. */
        void mark(String stage);
    }

    private static volatile Listener listener;

    private Stages() {}

    /** Installs {@code l} (null: none) for every thread. */
    public static void listen(Listener l) {
        listener = l;
    }

    static void start() {
        Listener l = listener;
        if (l != null) {
            l.start();
        }
    }

    static void mark(String stage) {
        Listener l = listener;
        if (l != null) {
            l.mark(stage);
        }
    }
}
