package chainrule.cli;

import chainrule.compile.CompiledGradient;
import chainrule.data.RowObjective;
import chainrule.expr.Numbers;
import chainrule.print.Json;
import chainrule.train.GradientDescent;
import chainrule.train.Minibatch;
import chainrule.train.NonFiniteLoss;
import chainrule.train.Optimizer;
import chainrule.train.SourceRewriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Gradient descent on the parameters (all but the frozen ones), with a progress bar and the "
                + "loss as it falls; -o writes the file back with the trained values.")
final class TrainCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--lr", required = true, paramLabel = "R", description = "Learning rate (step size).")
    double rate;

    @Option(names = "--steps", paramLabel = "N", description = "Number of steps (minibatches with --batch).")
    Integer steps;

    @Option(names = "--epochs", paramLabel = "E",
            description = "Instead of --steps: passes over the training rows (with --data).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N",
            description = "Rows per step, drawn from the training rows shuffled each epoch (with --data; default: all rows).")
    Integer batch;

    @Option(names = "--optimizer", paramLabel = "sgd|momentum|adam", defaultValue = "sgd",
            description = "sgd (x -= lr*g), momentum (0.9) or adam (0.9, 0.999, 1e-8). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for shuffling, --split and random initialisation (~). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--split", paramLabel = "F",
            description = "Hold out this fraction of the --data rows (drawn under --seed) to evaluate on, e.g. 0.2.")
    Double split;

    @Option(names = "--test", paramLabel = "CSV", description = "Held-out samples to evaluate on (same header form as --data).")
    String test;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for --data (default: every core); the numbers do not depend on it.")
    Integer threads;

    @Option(names = "--freeze", split = ",", paramLabel = "N,...", description = "Parameters to keep fixed.")
    List<String> freeze = new ArrayList<>();

    @Option(names = "--data", paramLabel = "CSV", description = "Train on the mean loss over these samples.")
    String data;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.nn",
            description = "Write the file with the trained values (comments and layout kept).")
    Path output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new ParameterException(spec.commandLine(), "--lr must be a positive finite number, not " + rate);
        }
        Optimizer method = Optimizer.named(optimizer);
        if (method == null) {
            throw new ParameterException(spec.commandLine(), "--optimizer must be sgd, momentum or adam, not '" + optimizer + "'");
        }
        if ((steps == null) == (epochs == null)) {
            throw new ParameterException(spec.commandLine(), steps == null ? "give --steps N or --epochs E"
                    : "give --steps or --epochs, not both");
        }
        if (steps != null && steps < 0) {
            throw new ParameterException(spec.commandLine(), "--steps must be 0 or more, not " + steps);
        }
        if (epochs != null && epochs < 0) {
            throw new ParameterException(spec.commandLine(), "--epochs must be 0 or more, not " + epochs);
        }
        if (batch != null && batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be 1 or more, not " + batch);
        }
        if (split != null && !(split > 0 && split < 1)) {
            throw new ParameterException(spec.commandLine(), "--split must be a fraction between 0 and 1, such as 0.2, not "
                    + java.math.BigDecimal.valueOf(split).stripTrailingZeros().toPlainString());
        }
        if (split != null && test != null) {
            throw new ParameterException(spec.commandLine(), "give --split or --test, not both");
        }
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1 or more, not " + threads);
        }
        if (data == null && (epochs != null || batch != null || split != null || test != null)) {
            String which = epochs != null ? "--epochs" : batch != null ? "--batch" : split != null ? "--split" : "--test";
            throw new ParameterException(spec.commandLine(), which + " needs --data CSV: the samples to train on");
        }
        CompiledSetup setup = CompiledSetup.prepare(input.file, options, data,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads, seed);
        CompiledGradient g = setup.compiled();
        boolean[] frozen = new boolean[g.parameters().size()];
        for (String name : freeze) {
            // a vector freezes all its elements; an unknown name is reported as --freeze's
            for (chainrule.model.Vertex v : setup.loaded().parameters("--freeze", List.of(name.trim()))) {
                frozen[g.parameters().indexOf(v.name())] = true;
            }
        }
        if (data != null || method != Optimizer.SGD) {
            return minibatch(setup, frozen, method);
        }
        ProgressBar progress = new ProgressBar(Main.out(), options.json, System.console() != null);
        GradientDescent.Result result;
        try {
            result = GradientDescent.run(setup.objective(), setup.declared(), rate, steps, frozen, progress);
        } catch (NonFiniteLoss e) { // a gradient or a parameter: the loss is checked by the progress bar
            explain(setup, e); // at the starting point itself: say where it comes from
            throw new CliError(e.getMessage());
        } catch (NotFinite e) {
            if (e.step == 0) {
                EvalCommand.explainNonFinite(setup); // the starting point itself: say where it comes from
            }
            throw new CliError("the loss " + setup.lossName() + " is " + Numbers.exact(e.loss) + " at step " + e.step
                    + " of " + steps + " (it was " + Numbers.text(e.previous) + " at step " + (e.step - 1)
                    + "): gradient descent diverged; stopped there, nothing written; try a smaller --lr, such as "
                    + Numbers.text(rate / 10));
        }
        Map<String, Double> values = trainedValues(setup, g, result.values(), frozen);
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("steps", steps);
            out.put("loss", result.loss());
            out.put("initial_loss", progress.initialLoss);
            out.put("values", new LinkedHashMap<String, Object>(values));
            Main.out().println(Json.write(out));
        } else {
            Main.out().println(setup.lossName() + " = " + Numbers.text(result.loss()) + " after " + steps
                    + " steps (from " + Numbers.text(progress.initialLoss) + ")");
            values.forEach((k, v) -> Main.out().println("  " + k + " = " + Numbers.exact(v)));
            if (output != null) {
                Main.out().println("wrote " + output);
            }
        }
        return 0;
    }

    /** Training through {@link Minibatch}: with --data (any options), or an optimizer other than sgd. */
    private int minibatch(CompiledSetup setup, boolean[] frozen, Optimizer method) throws Exception {
        CompiledGradient g = setup.compiled();
        RowObjective objective = setup.objective() instanceof RowObjective r ? r : new OneSample(setup.objective());
        Minibatch.Part train = new Minibatch.Part(objective, null);
        Minibatch.Part held = null;
        if (split != null) {
            int n = objective.size();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Random random = new java.util.Random(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int testRows = (int) Math.round(split * n);
            if (testRows == 0 || testRows == n) {
                throw new CliError("--split " + java.math.BigDecimal.valueOf(split).stripTrailingZeros().toPlainString() + " of " + n + " rows leaves " + (testRows == 0 ? "no held-out" : "no training")
                        + " rows");
            }
            int[] trainIndex = java.util.Arrays.copyOfRange(order, 0, n - testRows);
            int[] testIndex = java.util.Arrays.copyOfRange(order, n - testRows, n);
            java.util.Arrays.sort(trainIndex); // file order, so the shuffle under --seed alone decides minibatches
            java.util.Arrays.sort(testIndex);
            train = new Minibatch.Part(objective, trainIndex);
            held = new Minibatch.Part(objective, testIndex);
        } else if (test != null) {
            // read whole, or as a stream over --max-input; an error at its header if it lacks a column --data gives
            held = new Minibatch.Part(setup.objectiveFor(test, data, options), null);
        }
        if (setup.objective() instanceof chainrule.data.StreamedObjective streamed && batch != null && batch < train.size()) {
            // Minibatches are drawn from rows shuffled every epoch: random access, which a file
            // read as a stream (in file order, a chunk at a time) does not have. Refused where the
            // limit is passed, as the file's size is what decided it.
            streamed.close();
            if (held != null && held.objective() instanceof AutoCloseable c) {
                c.close();
            }
            InputLoader.loadData(data, options.maxInput, "--batch draws minibatches of rows shuffled every epoch, which needs"
                    + " every row in memory; a data file larger than --max-input is read as a stream, in file order, for"
                    + " full-batch training only (with --steps or --epochs, --split or --test); raise --max-input to load it,"
                    + " or leave out --batch");
            throw new CliError(data + ": --batch needs the rows in memory; raise --max-input"); // the file shrank meanwhile
        }
        int rows = train.size();
        int perEpoch = batch == null || batch >= rows ? 1 : (rows + batch - 1) / batch;
        long total = steps != null ? steps : (long) epochs * perEpoch;
        if (total > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(), "--epochs " + epochs + " is more than " + Integer.MAX_VALUE + " steps");
        }
        int n = (int) total;
        EpochProgress progress = new EpochProgress(n, options.json, System.console() != null, held != null);
        Minibatch.Result result;
        try {
            result = Minibatch.run(train, held, setup.declared(),
                    new Minibatch.Settings(rate, n, batch == null ? 0 : batch, method, seed, frozen), progress);
        } catch (NonFiniteLoss e) {
            progress.finish();
            explain(setup, e);
            throw new CliError(e.getMessage());
        } finally {
            if (objective instanceof AutoCloseable c) {
                c.close();
            }
            if (held != null && held.objective() != objective && held.objective() instanceof AutoCloseable c) {
                c.close();
            }
        }
        progress.finish();
        if (held != null && !Double.isFinite(result.testLoss())) {
            // the held-out rows were never a step's: a row of them that is not finite at the trained
            // values is an error like a training row's, and nothing is written
            if (split != null) {
                BadRow.locate(setup, result.values(), "held out by --split, at the trained values (nothing written): ");
            }
            throw new CliError("the held-out loss " + (split != null ? "" : "over " + test + " ") + "is "
                    + Numbers.rounded(result.testLoss(), 6) + " at the trained values; nothing was written. "
                    + (split != null ? "Every held-out row alone is finite: their sum overflows"
                        : "Find the row: chainrule eval " + input.file + " --data " + test));
        }
        Map<String, Double> values = trainedValues(setup, g, result.values(), frozen);
        boolean classifier = !Double.isNaN(result.accuracy());
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("steps", n);
            out.put("epochs", (double) n / perEpoch);
            out.put("loss", result.loss());
            out.put("initial_loss", result.initialLoss());
            if (classifier) {
                out.put("accuracy", result.accuracy());
            }
            if (held != null) {
                out.put("test_rows", held.size());
                out.put("test_loss", result.testLoss());
                if (classifier) {
                    out.put("test_accuracy", result.testAccuracy());
                }
            }
            List<Object> history = new ArrayList<>();
            for (Minibatch.Point p : result.history()) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("step", p.step());
                point.put("epoch", p.epoch());
                point.put("loss", p.loss());
                if (classifier) {
                    point.put("accuracy", p.accuracy());
                }
                if (held != null) {
                    point.put("test_loss", p.testLoss());
                    if (classifier) {
                        point.put("test_accuracy", p.testAccuracy());
                    }
                }
                history.add(point);
            }
            out.put("history", history);
            out.put("values", new LinkedHashMap<String, Object>(values));
            Main.out().println(Json.write(out));
            return 0;
        }
        Main.out().println(setup.lossName() + " = " + Numbers.text(result.loss()) + " after " + n + " steps"
                + (data != null ? " (" + Numbers.text((double) n / perEpoch) + " epochs)" : "")
                + ", from " + Numbers.text(result.initialLoss()));
        if (data != null) {
            Main.out().println("training: " + rows + " rows, loss " + Numbers.rounded(result.loss(), 6)
                    + (classifier ? ", accuracy " + percent(result.accuracy()) : ""));
        }
        if (held != null) {
            Main.out().println("held-out: " + held.size() + " rows, loss " + Numbers.rounded(result.testLoss(), 6)
                    + (classifier ? ", accuracy " + percent(result.testAccuracy()) : ""));
        }
        if (values.size() <= LISTED) {
            values.forEach((k, v) -> Main.out().println("  " + k + " = " + Numbers.exact(v)));
        } else {
            Main.out().println(values.size() + " parameter values" + (output == null ? " (-o OUT.nn writes them; --json lists them)" : ""));
        }
        if (output != null) {
            Main.out().println("wrote " + output);
        }
        return 0;
    }

    /**
     * A stop at step 0 (the starting values) is the network's or the data's: with --data, the
     * first row that is not finite, at its line; without, the vertex where it starts. A gradient
     * that is not finite later may come from one row too (relu(nan) = 0 can keep the loss finite):
     * that row, if there is one. Returns when there is nothing more to say than {@code e}'s message.
     */
    private void explain(CompiledSetup setup, NonFiniteLoss e) throws Exception {
        boolean start = e.step() == 0 && e.kind() != NonFiniteLoss.Kind.PARAMETER;
        if (data != null && (start || e.kind() == NonFiniteLoss.Kind.GRADIENT)) {
            double[] at = e.values() != null ? e.values() : setup.declared();
            BadRow.locate(setup, at, start
                    ? "at step 0 of training (the starting values, not the learning rate; stopped, nothing written): "
                    : "at step " + e.step() + " of training (stopped, nothing written; if the steps are diverging, try a"
                            + " smaller --lr): ");
        } else if (data == null && start) {
            EvalCommand.explainNonFinite(setup);
        }
    }

    /** More trained values than this are not listed in the text output. */
    private static final int LISTED = 50;

    static String percent(double fraction) {
        return String.format(java.util.Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** The file's own values as the only sample, for an optimizer other than sgd without --data. */
    private record OneSample(chainrule.compile.Objective single) implements RowObjective {
        @Override public int size() { return 1; }

        @Override public boolean isClassifier() { return false; }

        @Override
        public chainrule.batch.BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum) {
            double loss = gradSum == null ? single.loss(declared) : single.gradient(declared, gradSum);
            return new chainrule.batch.BatchEvaluator.Sums(loss, 0, 1);
        }

        @Override public CompiledGradient compiled() { return single.compiled(); }

        @Override public double loss(double[] declared) { return single.loss(declared); }

        @Override public double gradient(double[] declared, double[] gradOut) { return single.gradient(declared, gradOut); }

        @Override public boolean kinkBetween(double[] low, double[] high) { return single.kinkBetween(low, high); }
    }

    /**
     * On a terminal, a bar on standard error redrawn in place with the step's loss and accuracy;
     * otherwise a line on standard output at about every tenth of the run, from the history
     * (mean loss and accuracy over the epoch, held-out numbers); nothing with {@code --json}.
     */
    private static final class EpochProgress implements Minibatch.Progress {
        private static final int WIDTH = 30;
        private final int steps;
        private final boolean quiet;
        private final boolean terminal;
        private final boolean held;
        private long lastDraw;
        private int nextLine;
        private boolean drawn;

        EpochProgress(int steps, boolean quiet, boolean terminal, boolean held) {
            this.steps = steps;
            this.quiet = quiet;
            this.terminal = terminal;
            this.held = held;
        }

        @Override
        public void step(int step, int steps, double loss, double accuracy) {
            if (quiet || !terminal) {
                return;
            }
            long now = System.nanoTime();
            if (step == steps - 1 || step == 0 || now - lastDraw > 50_000_000L) {
                lastDraw = now;
                int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * (step + 1) / steps);
                Main.err().print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + (step + 1) + "/" + steps
                        + "  loss " + Numbers.rounded(loss, 6) + (Double.isNaN(accuracy) ? "" : "  acc " + percent(accuracy))
                        + "   ");
                Main.err().flush();
                drawn = true;
            }
        }

        @Override
        public void point(Minibatch.Point p) {
            if (quiet || terminal || (p.step() < nextLine && p.step() != steps)) {
                return;
            }
            nextLine = p.step() + Math.max(1, steps / 10);
            Main.out().println("step " + p.step() + "/" + steps + "  epoch " + Numbers.rounded(p.epoch(), 4)
                    + "  loss " + Numbers.rounded(p.loss(), 8)
                    + (Double.isNaN(p.accuracy()) ? "" : "  accuracy " + percent(p.accuracy()))
                    + (held ? "  held-out loss " + Numbers.rounded(p.testLoss(), 8)
                    + (Double.isNaN(p.testAccuracy()) ? "" : "  accuracy " + percent(p.testAccuracy())) : ""));
        }

        void finish() {
            if (drawn) {
                Main.err().println();
                drawn = false;
            }
        }
    }

    /**
     * Each parameter's trained value, by name, in declaration order; with {@code -o}, the file is
     * written with them (frozen parameters keep their text as they were).
     */
    private Map<String, Double> trainedValues(CompiledSetup setup, CompiledGradient g, double[] declared,
                                              boolean[] frozen) throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        int[] index = g.parameterIndices();
        for (int i = 0; i < index.length; i++) {
            values.put(g.parameters().get(i), declared[index[i]]);
        }
        if (output != null) {
            Map<String, Double> trained = new LinkedHashMap<>(values);
            for (int i = 0; i < frozen.length; i++) {
                if (frozen[i]) {
                    trained.remove(g.parameters().get(i)); // written as they were
                }
            }
            write(setup, trained);
        }
        return values;
    }

    private void write(CompiledSetup setup, Map<String, Double> values) throws Exception {
        String text = SourceRewriter.withValues(setup.network().source(), values);
        try {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliError("-o " + output + ": cannot write: " + e.getMessage());
        }
    }

    /** The first loss that is nan or infinite stops training (thrown by {@link ProgressBar#step}). */
    private static final class NotFinite extends RuntimeException {
        final int step;
        final double loss;
        final double previous;

        NotFinite(int step, double loss, double previous) {
            super(null, null, false, false);
            this.step = step;
            this.loss = loss;
            this.previous = previous;
        }
    }

    /**
     * On a terminal, one line redrawn in place; otherwise a plain line at every tenth of the run;
     * nothing with {@code --json}, whose output must be the JSON alone.
     */
    private static final class ProgressBar implements GradientDescent.Progress {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private final boolean quiet;
        private final boolean terminal;
        private double initialLoss = Double.NaN;
        private long lastDraw;

        ProgressBar(PrintStream out, boolean quiet, boolean terminal) {
            this.out = out;
            this.quiet = quiet;
            this.terminal = terminal;
        }

        private double previous = Double.NaN;

        @Override
        public void step(int step, int steps, double loss) {
            if (!Double.isFinite(loss)) {
                if (terminal && !quiet) {
                    out.println();
                }
                throw new NotFinite(step, loss, previous);
            }
            previous = loss;
            if (step == 0) {
                initialLoss = loss;
            }
            if (quiet) {
                return;
            }
            if (terminal) {
                long now = System.nanoTime();
                if (step == steps || step == 0 || now - lastDraw > 50_000_000L) {
                    lastDraw = now;
                    int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * step / steps);
                    out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + step + "/" + steps
                            + "  loss " + Numbers.rounded(loss, 8) + "   ");
                    if (step == steps) {
                        out.println();
                    }
                    out.flush();
                }
            } else if (step == steps || steps < 10 || step % (steps / 10) == 0) {
                out.println("step " + step + "/" + steps + "  loss " + Numbers.exact(loss));
            }
        }
    }
}
