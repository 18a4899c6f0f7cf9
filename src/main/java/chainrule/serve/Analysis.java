package chainrule.serve;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Numbers;
import chainrule.flow.FlowTable;
import chainrule.flow.GradientFlow;
import chainrule.graph.PathEdges;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.paths.ClosedForm;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import chainrule.print.ChainText;
import chainrule.print.LatexNames;
import chainrule.print.LatexPrinter;
import chainrule.print.LayerFormText;
import chainrule.print.NonFiniteCheck;
import chainrule.print.Notation;
import chainrule.print.PathsReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Everything the page shows for one state of the editor, computed by the same library calls as the
 * commands: {@code paths} ({@link PathsReport#json()}), {@code grad} (reverse accumulation and
 * layer forms), {@code flow} ({@link FlowTable#json()}), diagnostics as {@code FILE:LINE:COL}
 * messages, plus what only a page needs: a layout of the graph and formulas in LaTeX for KaTeX.
 * A problem in the text is not an exception here but part of the answer ({@code diagnostics}).
 */
final class Analysis {
    /** Graphs with more vertices than this are not drawn (a browser cannot lay out 100,000 boxes usefully). */
    static final int MAX_DRAWN_VERTICES = 400;
    /** The most paths listed in the table, as {@code paths --max-paths} defaults to. */
    static final int MAX_PATHS = 100;
    /**
     * The most element closed forms in the layer-forms text (parameters without a recognised layer
     * form); the rest are counted, and the parameter menu shows any one of them. Without a cap a
     * 784-128-10 network whose layer forms are not recognised sent 565 MB that the browser could not render.
     */
    static final int MAX_ELEMENT_FORMS = 20;
    /** The most scalar values given a slider; a larger network is edited in the text. */
    static final int MAX_SLIDERS = 300;

    private Analysis() {}

    /** What the page asks: the text, a parameter to follow, values set by sliders, a random seed for weights. */
    record Request(String name, String text, String wrt, Map<String, Double> sets, Long randomSeed, Notation notation) {}

    /** A network loaded from the page's text with its values set, or the diagnostics that stopped it. */
    record Loaded(Source source, Ast.File ast, Network network, Map<String, Double> applied) {}

    /** Parses and analyses the request's text, then applies the random weights and slider values. */
    static Loaded load(Request r, Limits limits) throws DiagnosticException {
        Source source = new Source(r.name(), r.text());
        Ast.File ast = SourceParser.parseFile(source, new SourceParser.Limits(limits.maxNesting(), limits.maxInput()));
        Network network = Analyzer.analyze(source, ast, new chainrule.model.VertexLimit(limits.maxVertices()));
        return applied(source, ast, network, r);
    }

    /** The random weights and slider values of the request applied to an analysed network. */
    static Loaded applied(Source source, Ast.File ast, Network network, Request r) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (r.randomSeed() != null) {
            values.putAll(randomWeights(network, r.randomSeed()));
        }
        for (Map.Entry<String, Double> e : r.sets().entrySet()) {
            // A slider whose name was just edited away is ignored, not an error: the text is what counts.
            network.vertex(e.getKey()).filter(v -> v.kind().isDeclared()).ifPresent(v -> values.put(e.getKey(), e.getValue()));
        }
        return new Loaded(source, ast, network.withValues(values), values);
    }

    /**
     * New values for every weight (biases keep theirs): uniform in ±1 for a scalar weight, in
     * ±1/√fan-in for an element of a weight matrix (Glorot-style, so a 784-wide layer does not saturate).
     */
    static Map<String, Double> randomWeights(Network network, long seed) {
        Random random = new Random(seed);
        Map<String, Double> out = new LinkedHashMap<>();
        for (Vertex v : network.parameters()) {
            if (v.kind() != chainrule.model.VertexKind.WEIGHT) {
                continue;
            }
            double scale = 1;
            if (v.isElement()) {
                List<Integer> shape = v.group().shape();
                scale = 1 / Math.sqrt(shape.get(shape.size() - 1));
            }
            out.put(v.name(), Math.round((random.nextDouble() * 2 - 1) * scale * 1e4) / 1e4);
        }
        return out;
    }

    /** The work limits of one request, from the serve command's options. */
    record Limits(int maxNesting, int maxInput, long maxVertices) {}

    /** The text and values a computation depends on (not the parameter followed or the notation). */
    private record Key(String name, String text, Map<String, Double> sets, Long seed, Limits limits) {}

    /**
     * A loaded network with its path graph and values, or the diagnostics that stopped it; the
     * layer forms of its structure, and the layer-forms text per notation once made.
     */
    record Prepared(Loaded loaded, PathGraph graph, Values values, DiagnosticException problem,
                    LayerFormCache forms, Map<Notation, String> layerForms) {}

    /**
     * The last few prepared networks: following another parameter, switching notation or fetching the
     * flow of a large network does not parse and analyse its text again (at 784-128-10 that is most
     * of the time). Entries are immutable and shared between requests.
     */
    private static final Map<Key, Prepared> CACHE = new LinkedHashMap<>(4, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override protected boolean removeEldestEntry(Map.Entry<Key, Prepared> eldest) { return size() > 2; }
    };

    /** Forgets every kept network (tests compare a reused analysis with a fresh one). */
    static void clearCaches() {
        synchronized (CACHE) {
            CACHE.clear();
        }
        StructureCache.clear();
    }

    /**
     * The prepared network of a request, from the last few texts, from the last structure with other
     * numbers, or analysed afresh; records its steps in {@code phases} ({@code parse}, then
     * {@code reuse} or {@code analyse}; {@code prepare} when the text and values were prepared before).
     */
    private static Prepared prepare(Request r, Limits limits, Map<String, Object> phases, long[] last) {
        Key key = new Key(r.name(), r.text(), Map.copyOf(r.sets()), r.randomSeed(), limits);
        synchronized (CACHE) {
            Prepared p = CACHE.get(key);
            if (p != null) {
                phase(phases, "prepare", last);
                return p;
            }
        }
        Prepared p;
        try {
            Source source = new Source(r.name(), r.text());
            Ast.File ast = SourceParser.parseFile(source, new SourceParser.Limits(limits.maxNesting(), limits.maxInput()));
            phase(phases, "parse", last);
            p = StructureCache.reuse(source, ast, r, limits);
            phase(phases, p == null ? "analyse" : "reuse", last);
            if (p == null) {
                Network analysed = Analyzer.analyze(source, ast, new chainrule.model.VertexLimit(limits.maxVertices()));
                PathGraph graph = PathGraph.of(analysed);
                LayerFormCache forms = StructureCache.remember(ast, analysed, graph, r, limits);
                p = prepared(applied(source, ast, analysed, r), graph, forms);
            }
        } catch (DiagnosticException e) {
            p = new Prepared(null, null, null, e, null, Map.of());
        }
        synchronized (CACHE) {
            CACHE.put(key, p);
        }
        return p;
    }

    /**
     * The forward pass and the finiteness checks of a loaded network over {@code base}, a path graph
     * of the same structure (its own or one kept by {@link StructureCache}).
     */
    static Prepared prepared(Loaded loaded, PathGraph base, LayerFormCache forms) throws DiagnosticException {
        Network network = loaded.network();
        PathGraph graph = base.withValuesOf(network);
        Values values = null;
        if (network.missingValues().isEmpty()) {
            values = Values.shared(network); // kept with the structure, read by concurrent requests
            NonFiniteCheck.require(network, values.vertices());
            NonFiniteCheck.requireFiniteDerivatives(graph, values);
        }
        return new Prepared(loaded, graph, values, null, forms, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /**
     * The page's JSON for one request. {@code part} "flow" gives only the flow chart's data: for a
     * large network the page asks for it after the formulas, which are then not kept waiting.
     */
    static Map<String, Object> of(Request r, Limits limits, String part) {
        long start = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> phases = new LinkedHashMap<>();
        long[] last = {start};
        Prepared prepared = prepare(r, limits, phases, last);
        if (prepared.problem() != null) {
            return failure(prepared.problem());
        }
        if (phases.containsKey("analyse")) {
            phase(phases, "analyse", last); // the rest of a fresh analysis: path graph, forward pass, checks
        }
        Network network = prepared.loaded().network();
        PathGraph graph = prepared.graph();
        Values values = prepared.values();
        boolean drawn = graph.pathVertices().size() <= MAX_DRAWN_VERTICES;
        if ("flow".equals(part)) {
            out.put("ok", true);
            if (values != null) {
                out.put("flow", new FlowTable(network.loss().name(), GradientFlow.of(graph, values), r.notation()).json());
            }
            phase(phases, "flow", last);
            out.put("phases", phases);
            out.put("millis", (System.nanoTime() - start) / 1e6);
            return out;
        }
        out.put("ok", true);
        out.put("diagnostics", List.of());
        Vertex loss = network.loss();
        out.put("loss", loss.name());
        out.put("lossLatex", LatexNames.name(loss.name()));
        if (values != null) {
            out.put("lossValue", values.vertex(loss.name()));
            out.put("lossText", Numbers.text(values.vertex(loss.name())));
        } else {
            List<String> missing = new ArrayList<>();
            network.missingValues().forEach(v -> missing.add(v.name()));
            out.put("missing_values", missing);
        }
        out.put("declared", declared(network, values));
        List<String> parameters = new ArrayList<>();
        for (Vertex p : network.parameters()) {
            parameters.add(p.name());
        }
        out.put("parameterCount", parameters.size());
        out.put("parameters", parameters.size() <= MAX_SLIDERS * 10 ? parameters : parameters.subList(0, MAX_SLIDERS * 10));
        Vertex wrt = network.vertex(r.wrt() == null ? "" : r.wrt()).filter(v -> v.kind().isParameter())
                .orElse(network.parameters().isEmpty() ? null : network.parameters().get(0));
        out.put("vertexCount", graph.pathVertices().size());
        phase(phases, "declared", last);
        if (drawn) {
            out.put("graph", graph(graph, values));
        }
        if (wrt != null) {
            out.put("wrt", wrt.name());
            out.put("paths", paths(graph, wrt, values, drawn));
        }
        phase(phases, "paths", last);
        if (LayerFormText.applies(graph)) {
            Values v = values;
            out.put("layerForms", prepared.layerForms().computeIfAbsent(r.notation(), n -> LayerFormText.gradient(graph,
                    network.parameters(), v, n, MAX_ELEMENT_FORMS, prepared.forms().at(graph, v))));
        } else if (values != null) {
            Map<String, Object> gradient = new LinkedHashMap<>();
            ReverseAccumulator.gradient(graph, values).forEach((name, g) -> gradient.put(name, List.of(g, Numbers.text(g))));
            out.put("gradient", gradient);
        }
        phase(phases, "gradient", last);
        if (values != null && drawn) {
            out.put("flow", new FlowTable(loss.name(), GradientFlow.of(graph, values), r.notation()).json());
            phase(phases, "flow", last);
        } else if (values != null) {
            out.put("flowDeferred", true);
        }
        out.put("phases", phases);
        out.put("millis", (System.nanoTime() - start) / 1e6);
        return out;
    }

    /** Adds the milliseconds since the last phase to {@code name}'s (the page shows where the time goes). */
    private static void phase(Map<String, Object> phases, String name, long[] last) {
        long now = System.nanoTime();
        double millis = Math.round((now - last[0]) / 1e4) / 100.0;
        phases.merge(name, millis, (a, b) -> Math.round(((Double) a + (Double) b) * 100) / 100.0);
        last[0] = now;
    }

    /** The answer for a text with problems: each diagnostic with its position and the CLI's rendering. */
    static Map<String, Object> failure(DiagnosticException e) {
        List<Object> list = new ArrayList<>();
        for (Diagnostic d : e.diagnostics()) {
            list.add(diagnostic(d));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", false);
        out.put("diagnostics", list);
        return out;
    }

    static Map<String, Object> diagnostic(Diagnostic d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", d.line());
        m.put("column", d.column());
        m.put("length", d.length());
        m.put("message", d.message());
        m.put("header", d.header());
        m.put("rendered", d.render());
        return m;
    }

    /** Scalar declarations (sliders) and vector declarations (their shape only). */
    private static List<Object> declared(Network network, Values values) {
        List<Object> out = new ArrayList<>();
        Set<String> vectors = new java.util.LinkedHashSet<>();
        int scalars = 0;
        for (Vertex v : network.vertices()) {
            if (!v.kind().isDeclared()) {
                continue;
            }
            if (v.isElement()) {
                String base = v.group().name();
                if (vectors.add(base)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", base);
                    m.put("kind", v.kind().word());
                    m.put("shape", v.group().shape());
                    out.add(m);
                }
                continue;
            }
            if (++scalars > MAX_SLIDERS) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("kind", v.kind().word());
            Double value = network.values().get(v.name());
            m.put("value", value);
            out.add(m);
        }
        return out;
    }

    /** The graph with its layered layout, each edge with its factor (text and LaTeX), role and value. */
    private static Map<String, Object> graph(PathGraph graph, Values values) {
        GraphLayout layout = GraphLayout.of(graph);
        List<Object> vertices = new ArrayList<>();
        ChainText pretty = ChainText.pretty();
        for (Vertex v : graph.pathVertices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("kind", v.kind().word());
            m.put("book", Notation.BOOK.vertex(graph, v));
            m.put("layer", layout.layer(v));
            m.put("row", layout.row(v));
            if (values != null) {
                m.put("value", values.vertex(v.name()));
            }
            vertices.add(m);
        }
        List<Object> edges = new ArrayList<>();
        for (Vertex v : graph.pathVertices()) {
            for (Edge e : graph.pathOutgoing(v)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("from", e.from().name());
                m.put("to", e.to().name());
                m.put("factor", pretty.factorText(e.printedFactor(), false));
                m.put("role", e.role().label());
                m.put("bookRole", chainrule.print.Notation.bookLabel(e.role(), graph.network().loss().name()));
                if (values != null) {
                    m.put("value", values.of(e));
                    m.put("valueText", Numbers.rounded(values.of(e), 10));
                }
                edges.add(m);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layers", layout.layerCount());
        out.put("rows", layout.maxRows());
        out.put("vertices", vertices);
        out.put("edges", edges);
        return out;
    }

    /**
     * {@code paths --json}'s object for {@code wrt}, with what the page adds: the vertices in book
     * notation, each factor's LaTeX, the edges on w's paths (to highlight exactly them) and the
     * closed form and its δs in LaTeX.
     */
    private static Map<String, Object> paths(PathGraph graph, Vertex wrt, Values values, boolean drawn) {
        PathsReport report = PathsReport.of(graph, wrt, MAX_PATHS, values, Notation.BOOK);
        Map<String, Object> out = report.json();
        Map<String, String> book = new LinkedHashMap<>();
        List<Object> edgeList = new ArrayList<>();
        for (Edge e : PathEdges.from(graph, wrt)) {
            book.put(e.from().name(), Notation.BOOK.vertex(graph, e.from()));
            book.put(e.to().name(), Notation.BOOK.vertex(graph, e.to()));
            if (drawn) {
                edgeList.add(List.of(e.from().name(), e.to().name()));
            }
        }
        out.put("bookNames", book);
        out.put("edges", edgeList);
        ChainText pretty = ChainText.pretty();
        List<Object> texts = new ArrayList<>();
        for (var p : report.paths()) {
            List<Object> factors = new ArrayList<>();
            for (Edge e : p.edges()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("text", pretty.factorText(e.printedFactor(), true));
                f.put("latex", LatexPrinter.latex().print(e.printedFactor()));
                if (values != null) {
                    f.put("valueText", Numbers.rounded(values.of(e), 10));
                }
                factors.add(f);
            }
            texts.add(Map.of("factors", factors, "valueText", values == null ? "" : Numbers.text(p.value(values))));
        }
        out.put("shown", texts);
        ClosedForm form = report.closedForm();
        KatexChain katex = new KatexChain();
        String loss = graph.network().loss().name();
        Map<String, Object> formula = new LinkedHashMap<>();
        formula.put("lhs", KatexChain.partial(loss, wrt.name()));
        formula.put("latex", katex.print(form.chain()));
        formula.put("text", pretty.print(form.chain()));
        Map<Vertex, Double> adjoints = values == null ? null : ReverseAccumulator.adjointsBelow(graph, values, wrt);
        if (values != null) {
            double value = form.value(values);
            formula.put("value", value);
            formula.put("valueText", Numbers.text(value));
            formula.put("valueLatex", LatexPrinter.number(Numbers.text(value)));
        }
        List<Object> deltas = new ArrayList<>();
        for (var d : form.deltas().entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.getKey().name());
            // a shared reduction by its call, \partial L/\partial \operatorname{mean}(h)
            String partial = chainrule.paths.FoldedReductions.callOf(d.getKey()).flatMap(LatexPrinter::folded)
                    .map(call -> "\\frac{\\partial " + LatexNames.name(loss) + "}{\\partial " + call + "}")
                    .orElseGet(() -> KatexChain.partial(loss, d.getKey().name()));
            m.put("latex", katex.delta(d.getKey()) + " = " + partial + " = " + katex.print(d.getValue()));
            if (adjoints != null && adjoints.get(d.getKey()) != null) {
                m.put("valueLatex", LatexPrinter.number(Numbers.rounded(adjoints.get(d.getKey()), 10)));
            }
            deltas.add(m);
        }
        formula.put("deltas", deltas);
        out.put("formula", formula);
        return out;
    }
}
