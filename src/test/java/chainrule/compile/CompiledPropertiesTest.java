package chainrule.compile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** On random networks: compiled = interpreter, compiled ≈ finite differences, every class verifies. */
class CompiledPropertiesTest {

    @Property(tries = 60)
    void compiledCodeAgreesWithTheInterpreter(@ForAll long seed) throws Exception {
        Network net = Analyzer.analyze(new Source("random.nn", RandomNetworks.generate(seed)));
        CompiledGradientTest.assertMatchesInterpreter(net, 1e-12);
    }

    @Property(tries = 60)
    void compiledGradientAgreesWithFiniteDifferences(@ForAll long seed) throws Exception {
        String text = RandomNetworks.generate(seed);
        Network net = Analyzer.analyze(new Source("random.nn", text));
        CompiledGradient g = CompiledGradient.compile(net);
        ClassVerifier.verify(g);
        List<GradientCheck.Row> rows = GradientCheck.run(Objective.single(g), g.workspace().declared());
        for (GradientCheck.Row r : rows) {
            assertTrue(r.ok(), r + "\n" + text);
        }
    }
}
