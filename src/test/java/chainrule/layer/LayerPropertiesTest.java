package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.ClassVerifier;
import chainrule.compile.CompiledGradient;
import chainrule.compile.GradientCheck;
import chainrule.compile.Objective;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random layered networks: the loop-compiled loss and every gradient element equal the scalar
 * path's, and central finite differences.
 */
class LayerPropertiesTest {
    private static final double RELATIVE = 1e-9;

    /**
     * Every op, softmax and the losses included: the vector file is lowered straight from its
     * syntax tree; the reference is its hand-expanded scalar twin through the analyser and the tape
     * compiler.
     */
    @Property(tries = 200)
    void loopsEqualTheHandExpandedScalarNetwork(@ForAll long seed) throws Exception {
        LayeredNetworks n = LayeredNetworks.generate(seed, false);
        String where = "\n" + n.vector() + "---\n" + n.scalar();
        Ast.File ast = SourceParser.parseFile(new Source("vector.nn", n.vector()));
        CompiledGradient loops = LayerCompiler.compile(LayerLowering.lower(ast).orElseThrow(), null).orElseThrow();
        ClassVerifier.verify(loops);
        CompiledGradient.Workspace ws = loops.workspace();
        n.values().forEach(ws::set);
        CompiledGradient tape = CompiledGradient.compile(Analyzer.analyze(new Source("scalar.nn", n.scalar())));
        double[] expected = new double[tape.parameters().size()];
        double expectedLoss = tape.workspace().gradient(expected);
        double[] actual = new double[loops.parameters().size()];
        double loss = ws.gradient(actual);
        assertClose(expectedLoss, loss, 1, "loss" + where);
        assertEquals(expected.length, actual.length, where);
        double floor = largest(expected);
        for (int i = 0; i < actual.length; i++) {
            String element = loops.parameters().get(i);
            int k = tape.parameters().indexOf(n.scalarName().get(element));
            assertClose(expected[k], actual[i], floor, element + where);
        }
        assertAgreesWithFiniteDifferences(loops, ws.declared(), where);
    }

    /** Whether the analyser knows softmax and the losses (another branch adds them to the element view). */
    private static final boolean ANALYSER_KNOWS_SOFTMAX = analyserAccepts(
            "input x[2] = [1, 2]\ntarget y[2] = [0, 1]\nweight W[2,2] = 0.5\nloss L = cross_entropy(softmax(W @ x), y) + mse(x, y)\n");

    private static boolean analyserAccepts(String text) {
        try {
            Analyzer.analyze(new Source("probe.nn", text));
            return true;
        } catch (chainrule.diag.DiagnosticException e) {
            return false;
        }
    }

    /**
     * Through the analyser, as the CLI does it: the same network compiled to loops and by the tape
     * compiler from its element view (every loss once the analyser knows softmax and the losses).
     */
    @Property(tries = 150)
    void loopsEqualTheTapeOnTheElementView(@ForAll long seed) throws Exception {
        LayeredNetworks n = LayeredNetworks.generate(seed, !ANALYSER_KNOWS_SOFTMAX);
        Source source = new Source("vector.nn", n.vector());
        Ast.File ast = SourceParser.parseFile(source);
        Network network = Analyzer.analyze(source, ast);
        CompiledGradient loops = LayerCompiler.compile(network, ast);
        // every generated file is loops, a log of a named sigmoid layer too (valued from the
        // pre-activation, as the tape does: model.SigmoidLogs; SigmoidVertexLogTest checks mpmath's numbers)
        assertTrue(loops.tape().isEmpty(), "compiled to loops");
        ClassVerifier.verify(loops);
        CompiledGradient tape = CompiledGradient.compile(network);
        assertEquals(tape.parameters(), loops.parameters());
        assertEquals(tape.declaredNames(), loops.declaredNames());
        double[] expected = new double[tape.parameters().size()];
        double[] actual = new double[expected.length];
        assertClose(tape.workspace().gradient(expected), loops.workspace().gradient(actual), 1, "loss\n" + n.vector());
        double floor = largest(expected);
        for (int i = 0; i < actual.length; i++) {
            assertClose(expected[i], actual[i], floor, loops.parameters().get(i) + "\n" + n.vector());
        }
        assertAgreesWithFiniteDifferences(loops, loops.workspace().declared(), "\n" + n.vector());
    }

    static void assertAgreesWithFiniteDifferences(CompiledGradient g, double[] declared, String where) {
        List<GradientCheck.Row> rows = GradientCheck.run(Objective.single(g), declared);
        for (GradientCheck.Row r : rows) {
            assertTrue(r.ok(), r + where);
        }
    }

    /**
     * Equal to {@value #RELATIVE} relative, or within 1e-12 of {@code scale}: a derivative that is
     * zero in exact arithmetic (a bias before a softmax) is a sum of terms that cancel, so each
     * side keeps rounding noise of the size of those terms.
     */
    static void assertClose(double expected, double actual, double scale, String what) {
        double error = Math.abs(expected - actual);
        assertTrue(expected == actual || error <= RELATIVE * Math.max(Math.abs(expected), Math.abs(actual))
                || error <= 1e-12 * scale, what + ": expected " + expected + " but got " + actual);
    }

    /**
     * The scale of the terms a gradient entry is summed from: the largest entry, and at least 1
     * (the size of probabilities and targets, whose differences cancel in a softmax's gradient;
     * when a dead relu makes every entry 0 in exact arithmetic, all that is left is their rounding).
     */
    static double largest(double[] xs) {
        double m = 1;
        for (double x : xs) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

}
