package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.data.BatchedObjective;
import chainrule.data.Dataset;
import chainrule.data.DatasetObjective;
import chainrule.diag.Source;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code h = (W @ x)/s} with s = 1e-310 over a data set of one row (review 8b, m2.nn + m2.csv):
 * ∂L/∂W = 1e-2·x/s = 1e8 (mpmath, rounded: 100000000.00000031). The loop-compiled gradient run
 * row by row divides δ by s ({@code ElementBody.backward}); before, it multiplied δ by 1/s = inf.
 */
class SubnormalDivisorRowsTest {
    static final String M2 = """
            input x[1] = [1e-300]
            input s[1] = [1e-310]
            weight W[1,1] = [[0.1]]
            h = (W @ x)/s
            loss L = 1e-2*sum(h)
            """;

    static final double EXACT = 100000000.00000031;

    private static CompiledGradient compiled(LayerProgram program) {
        CompiledGradient compiled = LayerCompiler.compile(program, null).orElseThrow();
        return compiled;
    }

    private static double[] declared(CompiledGradient compiled) {
        CompiledGradient.Workspace ws = compiled.workspace();
        ws.set("x[1]", 1e-300);
        ws.set("s[1]", 1e-310);
        ws.set("W[1,1]", 0.1);
        return ws.declared();
    }

    private static Dataset row() {
        return new Dataset(List.of("x[1]", "s[1]"), new double[][] {{1e-300, 1e-310}});
    }

    @Test
    void theLoopsRowByRowDivideBySubnormalDivisor() throws Exception {
        Ast.File ast = SourceParser.parseFile(new Source("m2.nn", M2));
        LayerProgram program = LayerLowering.lower(ast).orElseThrow();
        CompiledGradient compiled = compiled(program);
        double[] g = new double[1];
        new DatasetObjective(compiled, row()).gradient(declared(compiled), g);
        assertTrue(Math.abs(g[0] - EXACT) <= 2 * Math.ulp(EXACT), "row by row: " + g[0]);
    }

    /**
     * The batched engine, which {@code eval --data} takes for this file: its elementwise backward
     * ({@code batch.BatchEngine}, a Map whose partial is a quotient) computes δ·s^-1 as one
     * division, δ/s, not δ·(1/s) with 1/s = inf.
     */
    @Test
    void theBatchedEngineDividesBySubnormalDivisor() throws Exception {
        Ast.File ast = SourceParser.parseFile(new Source("m2.nn", M2));
        LayerProgram program = LayerLowering.lower(ast).orElseThrow();
        CompiledGradient compiled = compiled(program);
        double[] g = new double[1];
        try (BatchedObjective batched = new BatchedObjective(compiled, BatchExport.of(program), row(), 1)) {
            batched.gradient(declared(compiled), g);
        }
        assertEquals(EXACT, g[0], 2 * Math.ulp(EXACT), "batched");
    }
}
