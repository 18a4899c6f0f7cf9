package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Analyzer#check} (names, shapes and values, no element view) against the full analysis:
 * on every example and golden file, good or bad, the same diagnostics; on good ones the same
 * declared names, parameters and values before expanding, nothing expanded by asking for them,
 * and the same vertices and definitions once expanded.
 */
class ShapeCheckTest {
    static Stream<Path> files() throws Exception {
        List<Path> out = new ArrayList<>();
        for (String dir : new String[] {"examples", "src/test/resources/golden", "src/test/resources/golden/errors"}) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".nn")).sorted().forEach(out::add);
            }
        }
        out.addAll(List.of(Path.of("../shared/cases/variance-875.nn"), Path.of("../shared/cases/slow-grad-variance.nn")));
        return out.stream().filter(Files::exists);
    }

    @ParameterizedTest
    @MethodSource("files")
    void sameDiagnosticsAndSameNetwork(Path file) throws Exception {
        Source source = new Source(file.getFileName().toString(), Files.readString(file));
        Ast.File ast;
        try {
            ast = SourceParser.parseFile(source);
        } catch (DiagnosticException e) {
            return; // a syntax error: neither analysis runs
        }
        String fullErrors = null;
        String checkErrors = null;
        Network full = null;
        Network checked = null;
        try {
            full = Analyzer.analyze(source, ast);
        } catch (DiagnosticException e) {
            fullErrors = e.render();
        }
        try {
            checked = Analyzer.check(source, ast);
        } catch (DiagnosticException e) {
            checkErrors = e.render();
        }
        assertEquals(fullErrors, checkErrors);
        if (full == null) {
            return;
        }
        List<String> declared = new ArrayList<>();
        full.vertices().forEach(v -> {
            if (v.kind().isDeclared()) {
                declared.add(v.name());
            }
        });
        assertEquals(declared, checked.declaredNames());
        assertEquals(full.parameters().stream().map(Vertex::name).toList(), checked.parameterNames());
        assertEquals(full.values(), checked.values());
        assertEquals(full.loss().name(), checked.lossName());
        for (String name : declared) {
            assertTrue(checked.isDeclaredElement(name), name);
        }
        assertFalse(checked.isExpanded(), "nothing above needs the element view");
        assertEquals(full.missingValues().stream().map(Vertex::name).toList(),
                checked.missingValues().stream().map(Vertex::name).toList());
        assertEquals(full.vertices().stream().map(v -> v.name() + " " + v.kind() + " = " + v.definition()).toList(),
                checked.vertices().stream().map(v -> v.name() + " " + v.kind() + " = " + v.definition()).toList());
        assertTrue(checked.isExpanded());
    }

    /** What eval does on a file written with layers: the loop compiler never needs the element view. */
    @org.junit.jupiter.api.Test
    void compilingALayeredFileBuildsNoElementVertex() throws Exception {
        String text = """
                input x[784] = 0.5
                target y[10] = 0.1
                weight W1[128,784] = 0.01, W2[10,128] = 0.02
                bias b1[128] = 0.1, b2[10] = 0
                h = relu(W1 @ x + b1)
                p = softmax(W2 @ h + b2)
                loss L = cross_entropy(p, y)
                """;
        Source source = new Source("mnist.nn", text);
        Ast.File ast = SourceParser.parseFile(source);
        Network checked = Analyzer.check(source, ast);
        checked.requireValues();
        var compiled = chainrule.layer.LayerCompiler.compile(checked, ast);
        assertTrue(compiled.tape().isEmpty(), "compiled to loops");
        assertEquals(101_770, compiled.parameters().size());
        double[] grad = new double[compiled.parameters().size()];
        double loss = compiled.workspace().gradient(grad);
        assertFalse(checked.isExpanded());
        // The same numbers as the element view's interpreter (which expands it).
        assertEquals(checked.forward().get("L"), loss, 1e-12 * Math.abs(loss));
        assertTrue(checked.isExpanded());
    }
}
