package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.batch.BatchGraph;
import chainrule.compile.CompiledGradient;
import chainrule.data.BatchedObjective;
import chainrule.data.Dataset;
import chainrule.data.DatasetObjective;
import chainrule.diag.Source;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The batched engine (matrix products over blocks of rows, {@code chainrule.batch}) against the
 * straightforward reference: the loop-compiled network run one row at a time and the per-row
 * losses and gradients added up. Random layered networks cover every op, broadcast scalars and
 * biases, user functions and every loss; the data sets have a number of rows that leaves a
 * partial block. The result is also the same bit for bit on 1, 2 and 3 threads.
 */
class BatchedGradientTest {
    private static final double RELATIVE = 1e-12;

    @Property(tries = 150)
    void batchedGradientEqualsThePerRowSum(@ForAll long seed) throws Exception {
        check(seed, 1 + new Random(seed ^ 77).nextInt(300));
    }

    /**
     * Fewer rows than the layers are wide, as a minibatch of a wide network: the engine then
     * computes the forward products as {@code Zᵀ = W·Xᵀ} (the block's inputs transposed, not W),
     * and one or two blocks.
     */
    @Property(tries = 60)
    void fewRowsGiveThePerRowSum(@ForAll long seed) throws Exception {
        check(seed, 1 + new Random(seed ^ 78).nextInt(6));
    }

    private static void check(long seed, int rows) throws Exception {
        LayeredNetworks n = LayeredNetworks.generate(seed, false);
        Ast.File ast = SourceParser.parseFile(new Source("vector.nn", n.vector()));
        LayerProgram program = LayerLowering.lower(ast).orElseThrow();
        CompiledGradient compiled = LayerCompiler.compile(program, null).orElseThrow();
        CompiledGradient.Workspace ws = compiled.workspace();
        n.values().forEach(ws::set);
        double[] declared = ws.declared();
        Dataset data = randomData(n, new Random(seed), rows);
        BatchGraph graph = BatchExport.of(program);

        DatasetObjective reference = new DatasetObjective(compiled, data);
        int p = compiled.parameters().size();
        double[] expected = new double[p];
        double expectedLoss = reference.gradient(declared, expected);

        double[][] gradients = new double[3][p];
        double[] losses = new double[3];
        for (int t = 1; t <= 3; t++) {
            try (BatchedObjective batched = new BatchedObjective(compiled, graph, data, t)) {
                losses[t - 1] = batched.gradient(declared, gradients[t - 1]);
                assertEquals(losses[t - 1], batched.loss(declared), "loss without the gradient");
            }
        }
        String where = "\n" + n.vector() + "rows: " + data.size();
        assertClose(expectedLoss, losses[0], Math.abs(expectedLoss), "loss" + where);
        // Where a gradient is zero in exact arithmetic (a dead relu layer feeding a loss whose
        // terms cancel: a broadcast bias under softmax cross-entropy has Σ(softmax − y) = 0), both
        // sums are rounding noise of the loss's terms (up to ~1e-15 for a mean over 120 rows,
        // differing in their first digits between summation orders): so gradients are compared
        // at the scale of the loss at least.
        double floor = Math.max(1e-6, Math.abs(expectedLoss));
        for (double g : expected) {
            floor = Math.max(floor, Math.abs(g));
        }
        for (int i = 0; i < p; i++) {
            assertClose(expected[i], gradients[0][i], floor, compiled.parameters().get(i) + where);
        }
        for (int t = 1; t < 3; t++) {
            assertEquals(Double.doubleToRawLongBits(losses[0]), Double.doubleToRawLongBits(losses[t]), "loss, threads" + where);
            assertArrayEquals(gradients[0], gradients[t], "gradient on " + (t + 1) + " threads" + where);
        }
    }

    /** Rows of random inputs x and targets y (positive, as the losses of probabilities need). */
    static Dataset randomData(LayeredNetworks n, Random r, int rows) {
        List<String> columns = new ArrayList<>();
        for (String name : n.values().keySet()) {
            if (name.startsWith("x[") || name.startsWith("y[")) {
                columns.add(name);
            }
        }
        double[][] data = new double[rows][columns.size()];
        for (double[] row : data) {
            for (int c = 0; c < row.length; c++) {
                row[c] = columns.get(c).startsWith("y[") ? 0.05 + 0.9 * r.nextDouble() : r.nextDouble() * 4 - 2;
            }
        }
        return new Dataset(columns, data);
    }

    private static void assertClose(double expected, double actual, double scale, String what) {
        double tolerance = RELATIVE * Math.max(Math.abs(expected), scale) + 1e-300;
        assertTrue(Math.abs(expected - actual) <= tolerance || (Double.isNaN(expected) && Double.isNaN(actual)),
                what + ": expected " + expected + " but was " + actual);
    }
}
