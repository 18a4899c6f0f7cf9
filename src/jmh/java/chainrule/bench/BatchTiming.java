package chainrule.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * {@link BatchBenchmark}'s batched gradient timed call by call, for a shared machine where JMH's
 * means mostly measure the other processes: prints, per round of N calls, the fastest single call
 * and the process CPU time per call (all threads). Run from the repository root:
 * {@code java --add-modules jdk.incubator.vector -cp target/chainrule.jar chainrule.bench.BatchTiming
 * digits|mnist64 THREADS [N [ROUNDS]]} (without --add-modules: the loops instead of the Vector API kernel).
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
        for (int round = 0; round < rounds; round++) {
            long best = Long.MAX_VALUE;
            long wall = System.nanoTime();
            long cpu = os.getProcessCpuTime();
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                b.batchedGradient();
                best = Math.min(best, System.nanoTime() - s);
            }
            System.out.printf("%s, %d thread(s): fastest call %.3f ms, mean %.3f ms, process CPU %.3f ms per call%n",
                    b.net, b.threads, best / 1e6, (System.nanoTime() - wall) / 1e6 / n,
                    (os.getProcessCpuTime() - cpu) / 1e6 / n);
        }
        b.tearDown();
    }
}
