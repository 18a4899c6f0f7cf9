package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The readability figure of docs/readability.md: the closed form of ∂E/∂w1 for Mazur's network is
 * several times smaller than SymPy's unsimplified {@code diff} of the same loss, which has 172
 * operations ({@code count_ops}) and 363 tree nodes ({@code preorder_traversal}); see
 * {@code docs/scripts/sympy_readability.py}. Our count is the tree size of the closed form, every
 * node counted once per occurrence, as SymPy's traversal counts.
 */
class ReadabilityTest {
    static final int SYMPY_COUNT_OPS = 172;
    static final int SYMPY_NODES = 363;

    @Test
    void closedFormOfW1IsSeveralTimesSmallerThanSympys() throws Exception {
        Network net = Analyzer.analyze(new Source("mazur.nn", Files.readString(Path.of("examples/mazur.nn"))));
        PathGraph graph = PathGraph.of(net);
        Vertex w1 = net.vertex("w1").orElseThrow();
        Expr closedForm = ClosedForm.of(graph, w1).toExpr();

        // The same derivative: its value at Mazur's numbers is his published one.
        assertEquals(0.000438567734474, Evaluator.evaluate(closedForm, Values.of(net).vertices()), 1e-9 * 0.000438567734474);

        long ours = closedForm.treeSize();
        assertEquals(35, ours, "tree size of " + closedForm);
        assertTrue(ours * 4 <= SYMPY_COUNT_OPS, ours + " nodes against SymPy's " + SYMPY_COUNT_OPS + " operations");
        assertTrue(ours * 10 <= SYMPY_NODES, ours + " nodes against SymPy's " + SYMPY_NODES + " nodes");
    }
}
