package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.Role;
import chainrule.paths.Values;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --notation book} labels follow the roles, not the names: the loss factor is ∂(loss)/∂나
 * after the loss's own name (E, 오차), and a vertex is marked 들 or 나 by what it is (a
 * pre-activation named 나1 is marked 들; an activation named 나쁨 is marked 나), except where its name
 * is that mark, numbered (나2). The roles themselves are checked against the network's definitions:
 * the activation is the vertex defined by sigmoid or tanh, its argument the pre-activation.
 */
class BookNotationRolesTest {
    private static final String NET = """
            input x = 0.5
            target t = 1
            weight w = 0.3, v = -0.2
            나1 = w*x
            나쁨 = tanh(나1)
            들2 = v*나쁨
            나2 = sigmoid(들2)
            loss LOSS = (나2 - t)^2
            """;

    private static Network network(String loss) throws Exception {
        return Analyzer.analyze(new Source("roles.nn", NET.replace("LOSS", loss)));
    }

    @Test
    void theLossLabelIsTheLosssOwnName() throws Exception {
        for (String loss : List.of("L", "E", "오차")) {
            Network net = network(loss);
            PathGraph graph = PathGraph.of(net);
            assertEquals("∂" + loss + "/∂나", Notation.BOOK.role(Role.LOSS, loss));
            assertEquals("loss", Notation.DEFAULT.role(Role.LOSS, loss));
            PathsReport report = PathsReport.of(graph, net.vertex("w").orElseThrow(), 100, Values.of(net), Notation.BOOK);
            String text = report.text();
            assertTrue(text.contains("∂" + loss + "/∂나"), text);
            if (!loss.equals("L")) {
                assertFalse(text.contains("∂L/∂나"), text);
            }
            String latex = chainrule.latex.LatexDerivation.of(graph, List.of(net.vertex("w").orElseThrow()), Values.of(net),
                    Notation.BOOK, "roles.nn", 100, false);
            assertTrue(latex.contains("\\text{$\\partial$" + loss + "/$\\partial$나}"), latex);
        }
    }

    @Test
    void verticesAreMarkedByTheirRoles() throws Exception {
        Network net = network("E");
        PathGraph graph = PathGraph.of(net);
        // the roles from the definitions: 나쁨 and 나2 are activations, 나1 and 들2 their arguments
        assertTrue(net.vertex("나쁨").orElseThrow().isActivation());
        assertTrue(net.vertex("나2").orElseThrow().isActivation());
        assertFalse(net.vertex("나1").orElseThrow().isActivation());
        assertEquals("나1(들)", Notation.BOOK.vertex(graph, net.vertex("나1").orElseThrow()));
        assertEquals("나쁨(나)", Notation.BOOK.vertex(graph, net.vertex("나쁨").orElseThrow()));
        assertEquals("들2", Notation.BOOK.vertex(graph, net.vertex("들2").orElseThrow()));
        assertEquals("나2", Notation.BOOK.vertex(graph, net.vertex("나2").orElseThrow()));
        assertTrue(Notation.namedAs("들2[3]", "들"));
        assertFalse(Notation.namedAs("나쁨", "나"));
    }
}
