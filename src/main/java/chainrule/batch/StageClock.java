package chainrule.batch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a batched evaluation's time goes, stage by stage, for the timing harness
 * ({@code chainrule.bench.BatchTiming --stages}; docs/performance.md): on only when the JVM starts
 * with {@code -Dchainrule.batch.stages=true}, else {@link #ON} is a constant false and C2 removes
 * every call. One clock per thread; the harness reads the calling thread's (1 thread).
 */
public final class StageClock {
    /** Whether stages are timed (fixed at class initialisation). */
    public static final boolean ON = Boolean.getBoolean("chainrule.batch.stages");

    private static final ThreadLocal<StageClock> CLOCK = ThreadLocal.withInitial(StageClock::new);

    private final Map<String, long[]> nanos = new LinkedHashMap<>();
    private long last = System.nanoTime();

    private StageClock() {}

    /** This thread's clock. */
    public static StageClock get() {
        return CLOCK.get();
    }

    /** Starts timing the next stage (the time since the last mark is dropped). */
    void start() {
        last = System.nanoTime();
    }

    /** Charges the time since the last mark to {@code stage}. */
    void mark(String stage) {
        long now = System.nanoTime();
        long[] t = nanos.computeIfAbsent(stage, s -> new long[] {0, 0, Long.MAX_VALUE});
        t[0] += now - last;
        last = now;
    }

    /**
     * Ends one call: each stage's time in it counts towards its total and, if less, its fastest
     * call so far ({@link #drain}).
     */
    public void endCall() {
        for (long[] t : nanos.values()) {
            t[1] += t[0];
            t[2] = Math.min(t[2], t[0]);
            t[0] = 0;
        }
    }

    /**
     * Per stage since the last drain, in first-seen order: its total nanoseconds and its least
     * in one call ({@link #endCall}); then zeroes them.
     */
    public Map<String, long[]> drain() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : nanos.entrySet()) {
            long[] t = e.getValue();
            out.put(e.getKey(), new long[] {t[1], t[2] == Long.MAX_VALUE ? 0 : t[2]});
            t[0] = 0;
            t[1] = 0;
            t[2] = Long.MAX_VALUE;
        }
        return out;
    }
}
