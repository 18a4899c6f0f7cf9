package chainrule.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chainrule.cli.Main;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.Path;
import chainrule.paths.PathEnumerator;
import chainrule.paths.PathGraph;
import chainrule.print.Notation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The DOT: highlighted edges are exactly those on the paths, it parses with Graphviz, names cannot escape. */
class NetworkDotTest {
    private static final Pattern EDGE = Pattern.compile("(?m)^  (n\\d+) -> (n\\d+) \\[(.*)\\];$");
    private static final Pattern NODE = Pattern.compile("(?m)^  (n\\d+) \\[label=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Network mazur() throws Exception {
        return Analyzer.analyze(new Source("mazur.nn", Files.readString(java.nio.file.Path.of("examples/mazur.nn"))));
    }

    @Test
    void highlightedEdgesAreExactlyTheEdgesOnPathsFromW() throws Exception {
        Network net = mazur();
        PathGraph g = PathGraph.of(net);
        for (String name : new String[] {"w1", "b1", "w5"}) {
            Vertex w = net.vertex(name).orElseThrow();
            String dot = NetworkDot.of(g, w, Notation.DEFAULT);
            Map<String, String> names = new HashMap<>();
            Matcher n = NODE.matcher(dot);
            while (n.find()) {
                names.put(n.group(1), n.group(2));
            }
            Set<String> highlighted = new HashSet<>();
            int edges = 0;
            Matcher m = EDGE.matcher(dot);
            while (m.find()) {
                edges++;
                if (m.group(3).contains(NetworkDot.HIGHLIGHT)) {
                    highlighted.add(names.get(m.group(1)) + "->" + names.get(m.group(2)));
                }
            }
            Set<String> expected = new HashSet<>();
            for (Path p : PathEnumerator.first(g, w, 1000)) {
                for (Edge e : p.edges()) {
                    expected.add(e.from().name() + "->" + e.to().name());
                }
            }
            assertEquals(expected, highlighted, name);
            int all = 0;
            for (Vertex v : g.vertices()) {
                all += g.outgoing(v).size();
            }
            assertEquals(all, edges, "every edge is drawn");
        }
    }

    @Test
    void ranksFollowDepthLeftToRight() throws Exception {
        PathGraph g = PathGraph.of(mazur());
        var ranks = NetworkDot.ranks(g);
        Map<String, Integer> rank = new HashMap<>();
        ranks.forEach((r, vs) -> vs.forEach(v -> rank.put(v.name(), r)));
        for (Vertex v : g.vertices()) {
            for (Edge e : g.outgoing(v)) {
                assertTrue(rank.get(e.from().name()) < rank.get(e.to().name()), e.from().name() + " -> " + e.to().name());
            }
        }
        assertEquals(rank.get("w1"), rank.get("i1"));
        assertEquals(rank.get("out_h1"), rank.get("w5"), "a weight sits just before the node it feeds");
    }

    @Test
    void labelsAreEscaped() {
        assertEquals("a\\\"b\\\\c", NetworkDot.escape("a\"b\\c\n"));
    }

    @Test
    void dotParsesTheOutputAsSvg() throws Exception {
        assumeTrue(dotInstalled() || System.getenv("CI") != null, "Graphviz's dot is not installed: SVG check skipped");
        PathGraph g = PathGraph.of(mazur());
        String svg = new String(Graphviz.render(NetworkDot.of(g, g.network().vertex("w1").orElseThrow(), Notation.BOOK), "svg"),
                StandardCharsets.UTF_8);
        assertTrue(svg.contains("<svg") && svg.contains("net_h1"), svg);
    }

    @Test
    void aMissingProgramIsReportedNotThrownRaw() {
        assertThrows(Graphviz.NotInstalledException.class, () -> Graphviz.render("chainrule-no-such-dot-program", "digraph{}", "svg"));
    }

    @Test
    void graphCommandWritesDotAndRejectsAnUnknownParameter() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "graph", "examples/mazur.nn", "--wrt", "w1");
        assertEquals(0, status);
        String dot = out.toString(StandardCharsets.UTF_8);
        assertTrue(dot.startsWith("digraph network {") && dot.contains("rankdir=LR"));
        status = Main.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                "graph", "examples/mazur.nn", "--wrt", "nope");
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("chainrule: error: --wrt nope"));
    }

    static boolean dotInstalled() {
        try {
            Graphviz.render("digraph{}", "svg");
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
