package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.Test;

/**
 * Evaluations of two blocks (9 to 128 rows), where the weight gradients of the matrices read by
 * MatVecs are made over both blocks at once (BatchEngine.DeferredProducts: δᵀ four rows at a time
 * and X in strips where the matrix has a multiple of four rows, rows otherwise), against the
 * per-row reference to 1e-12, the same bits on 1, 2 and 3 threads, and the same rows in order
 * (read in place) and through an index (copied). The
 * widths include several groups of four rows (8, 12, 36: a review found rows 4–7 of each group of
 * eight read the wrong δ there, unseen by the random networks, whose layers are at most 6 wide), a
 * width of 33 and two hidden layers (the second matrix's X a hidden layer, copied by the blocks).
 */
class DeferredProductsTest {

    @Test
    void twoBlockEvaluationsGiveThePerRowSum() throws Exception {
        Random r = new Random(11);
        int[][] cases = {{8, 16}, {12, 9}, {36, 64}, {36, 65}, {33, 100}, {4, 128}, {16, 127}};
        for (int[] c : cases) {
            for (int depth = 1; depth <= 2; depth++) {
                check(r, c[0], depth, c[1]);
            }
        }
    }

    private static void check(Random r, int hidden, int depth, int rows) throws Exception {
        String text = network(r, hidden, depth);
        Ast.File ast = SourceParser.parseFile(new Source("deferred.nn", text));
        LayerProgram program = LayerLowering.lower(ast).orElseThrow();
        CompiledGradient compiled = LayerCompiler.compile(program, null).orElseThrow();
        CompiledGradient.Workspace ws = compiled.workspace();
        VALUES.forEach(ws::set);
        double[] declared = ws.declared();
        Dataset data = data(r, rows);
        BatchGraph graph = BatchExport.of(program);
        int p = compiled.parameters().size();
        double[] expected = new double[p];
        new DatasetObjective(compiled, data).gradient(declared, expected);
        double scale = 0;
        for (double g : expected) {
            scale = Math.max(scale, Math.abs(g));
        }
        double[][] got = new double[3][p];
        int[] identity = new int[rows]; // the same rows through an index: copied by the blocks, not read in place
        for (int i = 0; i < rows; i++) {
            identity[i] = i;
        }
        double[] byIndex = new double[p];
        for (int t = 1; t <= 3; t++) {
            try (BatchedObjective batched = new BatchedObjective(compiled, graph, data, t)) {
                batched.gradient(declared, got[t - 1]);
                if (t == 1) {
                    batched.sums(declared, identity, 0, rows, byIndex);
                }
            }
        }
        String where = hidden + " wide, " + depth + " hidden layer(s), " + rows + " rows\n" + text;
        for (int i = 0; i < p; i++) {
            assertTrue(Math.abs(expected[i] - got[0][i]) <= 1e-12 * scale,
                    compiled.parameters().get(i) + ": expected " + expected[i] + " but was " + got[0][i] + "; " + where);
        }
        assertArrayEquals(got[0], got[1], "2 threads; " + where);
        assertArrayEquals(got[0], got[2], "3 threads; " + where);
        double[] sums = new double[p];
        try (BatchedObjective batched = new BatchedObjective(compiled, graph, data, 1)) {
            batched.sums(declared, null, 0, rows, sums);
        }
        assertArrayEquals(sums, byIndex, "rows by index against rows in order; " + where);
    }

    private static String network(Random r, int hidden, int depth) {
        VALUES.clear();
        StringBuilder s = new StringBuilder("input x[5]\ntarget y[3]\n");
        s.append("weight W1[").append(hidden).append(",5] = ").append(matrix(r, "W1", hidden, 5)).append('\n');
        s.append("bias b1[").append(hidden).append("] = ").append(vector(r, "b1[#]", hidden)).append('\n');
        String last = "h1";
        if (depth == 2) {
            s.append("weight V[").append(hidden).append(',').append(hidden).append("] = ").append(matrix(r, "V", hidden, hidden)).append('\n');
        }
        s.append("weight W2[3,").append(hidden).append("] = ").append(matrix(r, "W2", 3, hidden)).append('\n');
        s.append("h1 = relu(W1 @ x + b1)\n");
        if (depth == 2) {
            s.append("h2 = tanh(V @ h1)\n");
            last = "h2";
        }
        s.append("z = W2 @ ").append(last).append("\nloss L = cross_entropy(softmax(z), y)\n");
        return s.toString();
    }

    /** The values written in the last network made, by element name (the workspace starts without them). */
    private static final java.util.Map<String, Double> VALUES = new java.util.HashMap<>();

    private static String vector(Random r, String name, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < n; j++) {
            double v = Math.round(r.nextGaussian() * 0.5e6) / 1e6;
            VALUES.put(name.replace("#", Integer.toString(j + 1)), v);
            s.append(j > 0 ? ", " : "").append(v);
        }
        return s.append(']').toString();
    }

    private static String matrix(Random r, String name, int m, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < m; i++) {
            s.append(i > 0 ? ", " : "").append(vector(r, name + "[" + (i + 1) + ",#]", n));
        }
        return s.append(']').toString();
    }

    private static Dataset data(Random r, int rows) {
        List<String> columns = List.of("x[1]", "x[2]", "x[3]", "x[4]", "x[5]", "y[1]", "y[2]", "y[3]");
        double[][] d = new double[rows][columns.size()];
        for (double[] row : d) {
            for (int c = 0; c < 5; c++) {
                row[c] = r.nextGaussian();
            }
            row[5 + r.nextInt(3)] = 1;
        }
        return new Dataset(new ArrayList<>(columns), d);
    }
}
