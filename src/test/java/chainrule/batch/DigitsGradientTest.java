package chainrule.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.data.BatchedObjective;
import chainrule.data.Dataset;
import chainrule.data.DatasetObjective;
import chainrule.diag.Source;
import chainrule.layer.BatchExport;
import chainrule.layer.LayerCompiler;
import chainrule.layer.LayerLowering;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.train.Initializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real data set: examples/digits/digits.nn over all 1,797 rows of examples/digits/digits.csv. The batched
 * gradient equals a straightforward per-row reference written here by hand (textbook backprop for
 * relu then softmax cross-entropy, one row at a time, summed) to 1e-12 relative, and the
 * loop-compiled single-sample gradient summed over rows; it is the same bit for bit on 1 and 2
 * threads.
 */
class DigitsGradientTest {
    static CompiledGradient compiled;
    static BatchGraphHolder holder;
    static Dataset data;
    static double[] declared;

    record BatchGraphHolder(BatchGraph graph) {}

    @BeforeAll
    static void load() throws Exception {
        Source source = new Source("digits.nn", Files.readString(Path.of("examples/digits/digits.nn")));
        Ast.File ast = Initializer.apply(source, SourceParser.parseFile(source), 1);
        Network network = Analyzer.analyze(source, ast);
        data = Dataset.parse(new Source("digits.csv", Files.readString(Path.of("examples/digits/digits.csv"))), network);
        Map<String, Double> first = new LinkedHashMap<>();
        for (int c = 0; c < data.columns().size(); c++) {
            first.put(data.columns().get(c), data.rows()[0][c]);
        }
        network = network.withValues(first);
        compiled = LayerCompiler.compile(network, ast);
        holder = new BatchGraphHolder(BatchExport.of(LayerLowering.lower(ast, network).orElseThrow()));
        declared = compiled.workspace().declared();
        // Move off the starting point a little, so biases are not all 0 and some units are dead.
        for (int i = 0; i < declared.length; i++) {
            declared[i] += compiled.declaredNames().get(i).startsWith("b") ? 0.05 * Math.sin(i) : 0;
        }
    }

    @Test
    void theDataSetIsWhatTheLicenseFileSays() {
        assertEquals(1797, data.size());
        assertEquals(74, data.columns().size());
        int[] perClass = new int[10];
        for (double[] row : data.rows()) {
            double ones = 0;
            for (int k = 0; k < 10; k++) {
                ones += row[64 + k];
                if (row[64 + k] == 1) {
                    perClass[k]++;
                }
            }
            assertEquals(1, ones);
            for (int j = 0; j < 64; j++) {
                assertTrue(row[j] >= 0 && row[j] <= 16 && row[j] == Math.rint(row[j]));
            }
        }
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, perClass);
    }

    @Test
    void gradientEqualsHandWrittenBackpropPerRow() {
        double[] grad = new double[compiled.parameters().size()];
        double loss;
        try (BatchedObjective batched = new BatchedObjective(compiled, holder.graph(), data, 2)) {
            loss = batched.gradient(declared, grad);
        }
        Map<String, Double> reference = new LinkedHashMap<>();
        double referenceLoss = handWritten(reference);
        assertEquals(referenceLoss, loss, 1e-12 * referenceLoss);
        double scale = 0;
        for (double v : reference.values()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < grad.length; i++) {
            String name = compiled.parameters().get(i);
            double expected = reference.get(name);
            assertEquals(expected, grad[i], 1e-12 * Math.max(Math.abs(expected), scale), name);
        }

        DatasetObjective perRow = new DatasetObjective(compiled, data);
        double[] compiledRows = new double[grad.length];
        assertEquals(perRow.gradient(declared, compiledRows), loss, 1e-12 * loss);
        for (int i = 0; i < grad.length; i++) {
            assertEquals(compiledRows[i], grad[i], 1e-12 * Math.max(Math.abs(compiledRows[i]), scale));
        }
    }

    @Test
    void bitIdenticalOnOneAndTwoThreads() {
        double[][] grads = new double[2][compiled.parameters().size()];
        double[] losses = new double[2];
        for (int t = 1; t <= 2; t++) {
            try (BatchedObjective batched = new BatchedObjective(compiled, holder.graph(), data, t)) {
                losses[t - 1] = batched.gradient(declared, grads[t - 1]);
            }
        }
        assertEquals(Double.doubleToRawLongBits(losses[0]), Double.doubleToRawLongBits(losses[1]));
        assertArrayEquals(grads[0], grads[1]);
    }

    /**
     * Evaluations of at most 32 rows take digits' first layer as {@code Zᵀ = W1·Xᵀ}, with the
     * block's Xᵀ kept with the data between evaluations ({@code Rows.transposed}) and the block
     * read where pack put it: every third range of 24 rows (592 of them; their kept transposes outgrow
     * the room the data allow, so the later ones are transposed afresh each time) gives the bits of
     * the same rows through an index (copied and transposed per block), and the same again on a
     * second pass over the kept blocks.
     */
    @Test
    void keptTransposesAndInPlaceRowsGiveTheBitsOfCopies() {
        int[] columns = new int[data.columns().size()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = compiled.declaredIndex(data.columns().get(c));
        }
        BatchEngine engine = new BatchEngine(holder.graph(), columns);
        BatchEngine.Rows rows = engine.pack(data.rows());
        int[] identity = new int[data.size()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        int n = compiled.parameters().size();
        try (BatchEvaluator evaluator = new BatchEvaluator(engine, 1)) {
            for (int pass = 0; pass < 2; pass++) {
                for (int from = 0; from + 24 <= data.size(); from += pass == 0 ? 3 : 97) {
                    double[] inOrder = new double[n];
                    double[] indexed = new double[n];
                    BatchEvaluator.Sums a = evaluator.evaluate(declared, rows, null, from, from + 24, inOrder);
                    BatchEvaluator.Sums b = evaluator.evaluate(declared, rows, identity, from, from + 24, indexed);
                    assertEquals(Double.doubleToRawLongBits(b.loss()), Double.doubleToRawLongBits(a.loss()), "rows " + from);
                    assertArrayEquals(indexed, inOrder, "rows " + from);
                }
            }
        }
    }

    /** Mean loss; the mean gradient by element name. Per row: h = relu(W1·x/16 + b1), z = W2·h + b2, L = lse(z) − z[class]. */
    private static double handWritten(Map<String, Double> gradient) {
        double[] w1 = new double[32 * 64];
        double[] b1 = new double[32];
        double[] w2 = new double[10 * 32];
        double[] b2 = new double[10];
        for (int i = 0; i < 32; i++) {
            b1[i] = value("b1[" + (i + 1) + "]");
            for (int j = 0; j < 64; j++) {
                w1[i * 64 + j] = value("W1[" + (i + 1) + "," + (j + 1) + "]");
            }
        }
        for (int k = 0; k < 10; k++) {
            b2[k] = value("b2[" + (k + 1) + "]");
            for (int i = 0; i < 32; i++) {
                w2[k * 32 + i] = value("W2[" + (k + 1) + "," + (i + 1) + "]");
            }
        }
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[32];
        double[] gw2 = new double[w2.length];
        double[] gb2 = new double[10];
        double total = 0;
        for (double[] row : data.rows()) {
            double[] x = new double[64];
            for (int j = 0; j < 64; j++) {
                x[j] = row[j] / 16;
            }
            double[] pre = new double[32];
            double[] h = new double[32];
            for (int i = 0; i < 32; i++) {
                double s = b1[i];
                for (int j = 0; j < 64; j++) {
                    s += w1[i * 64 + j] * x[j];
                }
                pre[i] = s;
                h[i] = Math.max(0, s);
            }
            double[] z = new double[10];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 10; k++) {
                double s = b2[k];
                for (int i = 0; i < 32; i++) {
                    s += w2[k * 32 + i] * h[i];
                }
                z[k] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += Math.exp(z[k] - max);
            }
            double lse = max + Math.log(sum);
            double[] dz = new double[10];
            for (int k = 0; k < 10; k++) {
                double y = row[64 + k];
                total += y * (lse - z[k]);
                dz[k] = Math.exp(z[k] - lse) - y;
            }
            double[] dh = new double[32];
            for (int k = 0; k < 10; k++) {
                gb2[k] += dz[k];
                for (int i = 0; i < 32; i++) {
                    gw2[k * 32 + i] += dz[k] * h[i];
                    dh[i] += w2[k * 32 + i] * dz[k];
                }
            }
            for (int i = 0; i < 32; i++) {
                double d = pre[i] > 0 ? dh[i] : 0;
                gb1[i] += d;
                for (int j = 0; j < 64; j++) {
                    gw1[i * 64 + j] += d * x[j];
                }
            }
        }
        int n = data.size();
        for (int i = 0; i < 32; i++) {
            gradient.put("b1[" + (i + 1) + "]", gb1[i] / n);
            for (int j = 0; j < 64; j++) {
                gradient.put("W1[" + (i + 1) + "," + (j + 1) + "]", gw1[i * 64 + j] / n);
            }
        }
        for (int k = 0; k < 10; k++) {
            gradient.put("b2[" + (k + 1) + "]", gb2[k] / n);
            for (int i = 0; i < 32; i++) {
                gradient.put("W2[" + (k + 1) + "," + (i + 1) + "]", gw2[k * 32 + i] / n);
            }
        }
        return total / n;
    }

    private static double value(String name) {
        return declared[compiled.declaredIndex(name)];
    }
}
