package chainrule.bench;

import com.sun.management.OperatingSystemMXBean;
import chainrule.batch.Stages;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * {@link BatchBenchmark}'s batched gradient timed call by call, for a shared machine where JMH's
 * means mostly measure the other processes: prints, per round of N calls, the fastest single call
 * and the process CPU time per call (all threads). Run from the repository root:
 * {@code java --add-modules jdk.incubator.vector -cp target/chainrule.jar chainrule.bench.BatchTiming
 * digits|mnist64|mnist64c THREADS [N [ROUNDS]]} (without --add-modules: the loops instead of the Vector API kernel).
 * With {@code -Dchainrule.batch.stages=true} (1 thread) it also prints, per round, the time per call of
 * each stage ({@link Stages}, timed by {@link StageClock}: the kernel calls, the passes around them) and what is left of
 * the mean call outside them; the clock's own cost (about 40 ns a mark) is in the figures.
 */
public final class BatchTiming {
    private BatchTiming() {}

    public static void main(String[] args) throws Exception {
        BatchBenchmark b = new BatchBenchmark();
        b.net = args[0];
        b.threads = Integer.parseInt(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        b.setUp();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        StageClock clock = Stages.ON ? new StageClock() : null;
        if (clock != null) {
            Stages.listen(clock); // after set-up's calls
        }
        for (int round = 0; round < rounds; round++) {
            long best = Long.MAX_VALUE;
            long wall = System.nanoTime();
            long cpu = os.getProcessCpuTime();
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                b.batchedGradient();
                if (clock != null) {
                    clock.endCall();
                }
                best = Math.min(best, System.nanoTime() - s);
            }
            System.out.printf("%s, %d thread(s): fastest call %.3f ms, mean %.3f ms, process CPU %.3f ms per call%n",
                    b.net, b.threads, best / 1e6, (System.nanoTime() - wall) / 1e6 / n,
                    (os.getProcessCpuTime() - cpu) / 1e6 / n);
            if (clock != null) {
                double mean = (System.nanoTime() - wall) / 1e6 / n;
                double staged = 0;
                double least = 0;
                System.out.printf("  %-48s %10s %10s%n", "stage", "mean ms", "least ms");
                for (Map.Entry<String, long[]> e : clock.drain().entrySet()) {
                    double ms = e.getValue()[0] / 1e6 / n;
                    staged += ms;
                    least += e.getValue()[1] / 1e6;
                    System.out.printf("  %-48s %10.4f %10.4f%n", e.getKey(), ms, e.getValue()[1] / 1e6);
                }
                System.out.printf("  %-48s %10.4f %10.4f%n", "sum of the stages", staged, least);
                System.out.printf("  %-48s %10.4f%n", "rest of the call (mean)", mean - staged);
            }
        }
        b.tearDown();
    }
}
