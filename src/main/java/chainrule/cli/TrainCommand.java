package chainrule.cli;

import chainrule.compile.CompiledGradient;
import chainrule.print.Json;
import chainrule.print.Numbers;
import chainrule.train.GradientDescent;
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

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Number of steps.")
    int steps;

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
        if (steps < 0) {
            throw new ParameterException(spec.commandLine(), "--steps must be 0 or more, not " + steps);
        }
        CompiledSetup setup = CompiledSetup.prepare(input.file, options, data);
        CompiledGradient g = setup.compiled();
        boolean[] frozen = new boolean[g.parameters().size()];
        for (String name : freeze) {
            // a vector freezes all its elements; an unknown name is reported as --freeze's
            for (chainrule.model.Vertex v : setup.loaded().parameters("--freeze", List.of(name.trim()))) {
                frozen[g.parameters().indexOf(v.name())] = true;
            }
        }
        ProgressBar progress = new ProgressBar(Main.out(), options.json, System.console() != null);
        GradientDescent.Result result;
        try {
            result = GradientDescent.run(setup.objective(), setup.declared(), rate, steps, frozen, progress);
        } catch (NotFinite e) {
            if (e.step == 0) {
                EvalCommand.explainNonFinite(setup); // the starting point itself: say where it comes from
            }
            throw new CliError("the loss " + setup.lossName() + " is " + Numbers.exact(e.loss) + " at step " + e.step
                    + " of " + steps + " (it was " + Numbers.text(e.previous) + " at step " + (e.step - 1)
                    + "): gradient descent diverged; stopped there, nothing written; try a smaller --lr, such as "
                    + Numbers.text(rate / 10));
        }
        Map<String, Double> values = new LinkedHashMap<>();
        int[] index = g.parameterIndices();
        for (int i = 0; i < index.length; i++) {
            values.put(g.parameters().get(i), result.values()[index[i]]);
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
