package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Apply;
import chainrule.expr.VectorElement;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The structure the analysis states ({@link Vertex#group()}, {@link Vertex#index()},
 * {@link Network#group(String)}) against what the file says: on every example and golden file,
 * a declaration's group has the shape written in its declaration (read from the syntax tree here,
 * not from the analysis), each definition's group is that definition, a pre-activation belongs to
 * its activation and has its elements at the same indices, and the groups partition the vertices.
 */
class VertexStructureTest {

    static Stream<Path> files() throws Exception {
        List<Path> out = new ArrayList<>();
        for (String dir : new String[] {"examples", "examples/digits", "src/test/resources/golden",
                "src/test/resources/textbook", "src/test/resources/golden/errors"}) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".nn")).sorted().forEach(out::add);
            }
        }
        out.addAll(List.of(Path.of("../shared/cases/variance-875.nn"), Path.of("../shared/cases/slow-grad-variance.nn")));
        return out.stream().filter(Files::exists);
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyVertexHasTheGroupAndIndexTheFileDeclares(Path file) throws Exception {
        Source source = new Source(file.getFileName().toString(), Files.readString(file));
        Ast.File ast;
        Network network;
        try {
            ast = SourceParser.parseFile(source);
            network = Analyzer.analyze(source, ast);
        } catch (DiagnosticException e) {
            return; // an error file: no network
        }
        checkStructure(network, ast);
    }

    @Test
    void hangulAndLookalikeNamesHaveTheStructureOfTheirDeclarations() throws Exception {
        // Names the grammar admits: any letters, combining marks, digits and _. Among them names
        // that end like an index or a pre-activation once printed (in, in1, mean), a definition
        // whose name is another's pre-activation without the dot, Hangul, and a mark.
        String text = """
                input 입력[3] = [0.5, -1, 2]
                target 정답[2] = [0, 1]
                weight 가중치1[16,3] = 0.1, W_in[2,16] = -0.2
                bias in[16] = 0.1, mean = 0.3
                const é = 2
                hin = tanh(가중치1 @ 입력 + in)
                h = hin * é
                in1 = softmax(W_in @ h + mean)
                loss L = -sum(정답 * log(in1)) + mean(h - mean(h))^2
                """;
        Source source = new Source("hangul.nn", text);
        Ast.File ast = SourceParser.parseFile(source);
        Network network = Analyzer.analyze(source, ast);
        checkStructure(network, ast);
        VertexGroup w = network.group("가중치1").orElseThrow();
        assertEquals(List.of(16, 3), w.shape());
        assertEquals(List.of(2, 3), network.vertex("가중치1[2,3]").orElseThrow().index());
        assertEquals(VertexGroup.Origin.PRE_ACTIVATION, network.group("hin.in").orElseThrow().origin());
        assertEquals("hin", network.group("hin.in").orElseThrow().owner());
        assertEquals(VertexGroup.Origin.DEFINITION, network.group("hin").orElseThrow().origin());
        assertEquals(VertexGroup.Origin.DEFINITION, network.group("in1").orElseThrow().origin());
        assertEquals(VertexGroup.Origin.PRE_ACTIVATION, network.group("in1.in").orElseThrow().origin());
        assertEquals(VertexGroup.Origin.DECLARATION, network.group("in").orElseThrow().origin());
        assertEquals(List.of(16), network.group("in").orElseThrow().shape());
        VertexGroup shared = network.group("L.mean").orElseThrow(); // mean(h) over 16 elements, shared
        assertEquals(VertexGroup.Origin.SHARED_REDUCTION, shared.origin());
        assertEquals("L", shared.owner());
        assertTrue(network.group("mean").orElseThrow().isScalar());
        assertSame(network.vertex("mean").orElseThrow().group(), network.group("mean").orElseThrow());
    }

    /** Checks every vertex of {@code network} against the declarations and definitions of {@code ast}. */
    static void checkStructure(Network network, Ast.File ast) {
        Map<String, List<Integer>> declaredShapes = new HashMap<>();
        Map<String, Ast.Definition> definitions = new HashMap<>();
        for (Ast.Statement s : ast.statements()) {
            if (s instanceof Ast.Declaration d) {
                for (Ast.Declarator x : d.declarators()) {
                    List<Integer> shape = new ArrayList<>();
                    x.shape().forEach(dim -> shape.add(Integer.parseInt(dim.text())));
                    declaredShapes.put(x.name().text(), shape);
                }
            } else if (s instanceof Ast.Definition def) {
                definitions.put(def.name().text(), def);
            }
        }
        Map<VertexGroup, Integer> seen = new IdentityHashMap<>();
        for (Vertex v : network.vertices()) {
            VertexGroup g = v.group();
            String where = v.name() + " in " + g;
            assertNotNull(g, v.name());
            assertSame(v, g.element(v.flat()), where);
            assertEquals(v.flat(), Tensor.flatIndex(g.shape(), v.index().stream().mapToInt(Integer::intValue).toArray()), where);
            assertEquals(product(g.shape()), g.size(), where);
            assertSame(g, network.group(g.name()).orElseThrow(), where);
            seen.merge(g, 1, Integer::sum);
            // the printed name is the group's name and the index, as LANGUAGE.md prints elements
            assertEquals(g.isScalar() ? g.name() : g.name() + v.index().toString().replace(" ", ""), v.name(), where);
            switch (g.origin()) {
                case DECLARATION -> {
                    assertTrue(v.kind().isDeclared(), where);
                    assertEquals(declaredShapes.get(g.name()), g.shape(), where);
                    assertEquals(g.name(), g.owner(), where);
                }
                case DEFINITION -> {
                    assertTrue(definitions.containsKey(g.name()), where);
                    assertEquals(g.name(), g.owner(), where);
                    assertEquals(definitions.get(g.name()).isLoss(), v.kind() == VertexKind.LOSS, where);
                    if (v.isActivation() && v.definition() instanceof Apply a && !(a.fn() instanceof VectorElement)) {
                        // an elementwise activation reads its pre-activation at its own index
                        Vertex in = network.vertex(v.activationInput());
                        if (in.group().origin() == VertexGroup.Origin.PRE_ACTIVATION) {
                            assertEquals(g.name(), in.group().owner(), where);
                            assertEquals(v.index(), in.index(), where);
                        }
                    }
                }
                case PRE_ACTIVATION -> {
                    assertEquals(VertexKind.PRE_ACTIVATION, v.kind(), where);
                    assertTrue(definitions.containsKey(g.owner()), where);
                    assertEquals(network.group(g.owner()).orElseThrow().shape(), g.shape(), where);
                }
                case SHARED_REDUCTION -> {
                    assertTrue(g.isScalar(), where);
                    assertTrue(definitions.containsKey(g.owner()), where);
                }
            }
        }
        for (Map.Entry<VertexGroup, Integer> e : seen.entrySet()) {
            assertEquals(e.getKey().size(), e.getValue(), "every element of " + e.getKey() + " is a vertex");
        }
        assertEquals(seen.size(), network.groups().size());
        for (String name : declaredShapes.keySet()) {
            assertEquals(declaredShapes.get(name), network.group(name).orElseThrow().shape(), name);
        }
    }

    private static int product(List<Integer> shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
