package chainrule.bench;

import chainrule.batch.Stages;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clock behind {@link Stages} for {@link BatchTiming}: per stage, the time since the previous
 * mark, summed over a call ({@link #endCall}), then over the round and as the least of any one
 * call ({@link #drain}). One thread's (the 1-thread timings); each mark costs about 40 ns, which
 * is in the figures.
 */
final class StageClock implements Stages.Listener {
    private final Map<String, long[]> nanos = new LinkedHashMap<>();
    private long last = System.nanoTime();

    @Override
    public void start() {
        last = System.nanoTime();
    }

    @Override
    public void mark(String stage) {
        long now = System.nanoTime();
        long[] t = nanos.computeIfAbsent(stage, s -> new long[] {0, 0, Long.MAX_VALUE});
        t[0] += now - last;
        last = now;
    }

    /** Ends one call: each stage's time in it counts towards its total and, if less, its least so far. */
    void endCall() {
        for (long[] t : nanos.values()) {
            t[1] += t[0];
            t[2] = Math.min(t[2], t[0]);
            t[0] = 0;
        }
    }

    /** Per stage since the last drain, in first-seen order: its total and its least nanoseconds in one call; then zeroes them. */
    Map<String, long[]> drain() {
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
