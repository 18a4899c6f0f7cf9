package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Suggestions;
import chainrule.model.Vertex;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import chainrule.print.NonFiniteCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps every file command starts with: read, parse, analyse, apply {@code --set}; the path
 * graph is built on first use ({@code eval}, {@code check} and {@code train} compile without it,
 * which at MNIST size saves seconds).
 */
final class LoadedNetwork {
    private final Network network;
    private final Ast.File file;
    private PathGraph graph;

    private LoadedNetwork(Network network, Ast.File file) {
        this.network = network;
        this.file = file;
    }

    Network network() { return network; }

    /** The syntax tree the network was analysed from (the layer compiler lowers it). */
    Ast.File file() { return file; }

    /** The path graph of {@link #network()}, built once on first use. */
    PathGraph graph() {
        if (graph == null) {
            graph = PathGraph.of(network);
        }
        return graph;
    }

    /** Seed for random initialisation ({@code ~}) where a command has no {@code --seed}. */
    static final long DEFAULT_SEED = 1;

    /** For the symbolic commands: the element view is built at once (they all need it). */
    static LoadedNetwork load(String file, CommonOptions options) throws CliError, DiagnosticException {
        return load(file, options, DEFAULT_SEED, false);
    }

    /** As {@link #load(String, CommonOptions)}, with {@code seed} for random initialisation. */
    static LoadedNetwork load(String file, CommonOptions options, long seed) throws CliError, DiagnosticException {
        return load(file, options, seed, false);
    }

    /**
     * For the compiled commands ({@code eval}, {@code check}, {@code train}, {@code codegen}):
     * checked in full, but the element view is built only if something asks for a vertex, which
     * compiling a file written with layers never does.
     */
    static LoadedNetwork loadForCompiling(String file, CommonOptions options) throws CliError, DiagnosticException {
        return load(file, options, DEFAULT_SEED, true);
    }

    /**
     * For {@code grad} and {@code paths}: checked in full, the element view built on first use, so
     * that {@link #partialFor} can build only part of it instead.
     */
    static LoadedNetwork loadLazily(String file, CommonOptions options) throws CliError, DiagnosticException {
        return load(file, options, DEFAULT_SEED, true);
    }

    /** What a command prints from a loaded network and its values (null values: some are missing). */
    interface Report {
        String print(LoadedNetwork loaded, Values values) throws Exception;
    }

    /**
     * {@code report} made from the element view of {@code wrt}'s cone only ({@link #partialFor}),
     * or null where the whole view must answer: where {@link #partialFor} declines, where a number
     * came out nan or infinite and was recomputed from definitions the partial view may lack, and
     * where the report is refused (a printed-size bound, a non-finite number, {@code --top}'s
     * refusal), whose message the whole view words.
     */
    String fromCone(List<String> wrt, Report report) throws Exception {
        LoadedNetwork partial = partialFor(wrt);
        if (partial == null) {
            return null;
        }
        try {
            Values values = partial.valuesIfComplete();
            if (values == null) {
                return null;
            }
            String out = report.print(partial, values);
            return values.recomputedNonFinite() ? null : out;
        } catch (CliError | DiagnosticException e) {
            return null;
        }
    }

    /**
     * This network with the element view of the derivatives by {@code wrt} only
     * ({@link Network#partial}: the cone of those parameter elements up to the loss, and what its
     * definitions mention), or null where the whole view must answer: a name that is not one
     * parameter element (a vector, a typo, an input: the whole view words the message), every
     * element of some vector parameter's declaration asked for (its layer form reads the whole
     * network), a value missing (the report lists what the loss needs), a value of the op graph
     * that is not finite, or where {@link Network#partial} declines.
     */
    LoadedNetwork partialFor(List<String> wrt) throws DiagnosticException {
        if (wrt == null || wrt.isEmpty()) {
            return null;
        }
        Map<String, List<Integer>> declarations = network.parameterShapes();
        Map<String, String> declarationOf = new java.util.HashMap<>();
        boolean vectors = false;
        for (Map.Entry<String, List<Integer>> d : declarations.entrySet()) {
            vectors |= !d.getValue().isEmpty();
            for (String element : chainrule.ir.Shapes.elementNames(d.getKey(), d.getValue())) {
                declarationOf.put(element, d.getKey());
            }
        }
        Map<String, Integer> asked = new LinkedHashMap<>();
        for (String name : wrt) {
            String declaration = declarationOf.get(name);
            if (declaration == null) {
                return null;
            }
            asked.merge(declaration, 1, Integer::sum);
        }
        if (vectors) { // as LayerForm.asksForAWholeParameter counts: then grad prints its layer form
            for (Map.Entry<String, Integer> e : asked.entrySet()) {
                if (e.getValue() >= chainrule.ir.Shapes.size(declarations.get(e.getKey()))) {
                    return null;
                }
            }
        }
        if (!network.missingValues().isEmpty()) {
            return null;
        }
        Network partial = network.partial(new java.util.LinkedHashSet<>(wrt));
        if (partial == null) {
            return null;
        }
        for (double v : partial.frozenValues().values()) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return new LoadedNetwork(partial, file);
    }

    /** As {@link #loadForCompiling(String, CommonOptions)}, with {@code seed} for random initialisation. */
    static LoadedNetwork loadForCompiling(String file, CommonOptions options, long seed) throws CliError, DiagnosticException {
        return load(file, options, seed, true);
    }

    private static LoadedNetwork load(String file, CommonOptions options, long seed, boolean lazy) throws CliError, DiagnosticException {
        Source source = InputLoader.load(file, options.maxInput);
        var ast = SourceParser.parseFile(source, new SourceParser.Limits(options.maxNesting, (int) Math.min(Integer.MAX_VALUE, options.maxInput)));
        ast = chainrule.train.Initializer.apply(source, ast, seed);
        Network network = lazy ? Analyzer.check(source, ast) : Analyzer.analyze(source, ast);
        Map<String, Double> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, CommonOptions.SetValue> e : options.setValues().entrySet()) {
            overrides.putAll(elementValues(network, e.getKey(), e.getValue()));
        }
        for (String name : overrides.keySet()) {
            if (network.isDeclaredElement(name)) {
                continue;
            }
            Vertex v = network.vertex(name).orElse(null);
            if (v == null || !v.kind().isDeclared()) {
                if (v != null) {
                    throw new CliError("--set " + name + ": '" + name + "' is " + v.kind().withArticle()
                            + ", computed from its definition; only declared names (input, target, weight, bias, const) take values");
                }
                List<String> declared = new ArrayList<>();
                network.vertices().forEach(x -> {
                    if (x.kind().isDeclared()) {
                        declared.add(x.name());
                    }
                });
                throw new CliError("--set " + name + ": " + source.name() + " declares no input, target, weight, bias or const named '"
                        + name + "'" + Suggestions.didYouMean(name, declared));
            }
        }
        network = network.withValues(overrides);
        return new LoadedNetwork(network, ast);
    }

    /**
     * One {@code --set} as element values: a vector takes a list of its shape ({@code x=[1,2]}) or
     * one number for every element; anything else is the name itself.
     */
    private static Map<String, Double> elementValues(Network network, String name, CommonOptions.SetValue value) throws CliError {
        List<Integer> shape = network.declaredShape(name).orElse(null);
        Map<String, Double> out = new LinkedHashMap<>();
        if (shape == null) {
            if (!value.shape().isEmpty()) {
                throw new CliError("--set " + name + ": a list of values is only for a vector declaration, and '" + name + "' is not one");
            }
            out.put(name, value.values().get(0));
            return out;
        }
        if (!value.shape().isEmpty() && !value.shape().equals(shape)) {
            throw new CliError("--set " + name + ": '" + name + "' has shape " + shapeText(shape) + ", but the list has shape "
                    + shapeText(value.shape()) + "; give a list of that shape or one number for every element");
        }
        List<String> elements = network.elementNames(name);
        for (int k = 0; k < elements.size(); k++) {
            out.put(elements.get(k), value.values().get(value.shape().isEmpty() ? 0 : k));
        }
        return out;
    }

    private static String shapeText(List<Integer> shape) {
        return shape.toString().replace(" ", "");
    }

    /**
     * The forward values, or null when some value the loss needs is missing. A value that is not
     * finite is an error at the vertex where it first appears, never printed as a silent nan.
     */
    Values valuesIfComplete() throws DiagnosticException {
        return network.missingValues().isEmpty() ? finiteValues() : null;
    }

    /** The forward values; a missing or non-finite value is an error. */
    Values requireValues() throws DiagnosticException {
        network.requireValues();
        return finiteValues();
    }

    private Values finiteValues() throws DiagnosticException {
        Values values = Values.of(network);
        NonFiniteCheck.require(network, values.vertices());
        return values;
    }

    /** The parameters named by {@code --wrt} (a vector parameter: all its elements), or all of them. */
    List<Vertex> parameters(List<String> wrt) throws CliError {
        return parameters("--wrt", wrt);
    }

    /**
     * The parameters named by {@code option} (a vector parameter: all its elements), or all of them;
     * an error names {@code option}, so that {@code train --freeze w9} does not speak of --wrt.
     */
    List<Vertex> parameters(String option, List<String> wrt) throws CliError {
        if (wrt == null || wrt.isEmpty()) {
            return network.parameters();
        }
        List<Vertex> out = new ArrayList<>();
        for (String name : wrt) {
            List<String> elements = network.elementNames(name);
            if (elements.isEmpty() || network.vertex(elements.get(0)).map(e -> !e.kind().isParameter()).orElse(true)) {
                out.add(parameter(option, name));
            }
            for (String element : elements) {
                out.add(parameter(option, element));
            }
        }
        return out;
    }

    Vertex parameter(String name) throws CliError {
        return parameter("--wrt", name);
    }

    /** The parameter {@code name}, given by {@code option} (which an error names). */
    Vertex parameter(String option, String name) throws CliError {
        Vertex v = network.vertex(name).orElse(null);
        List<String> elements = network.elementNames(name);
        if (v == null && !elements.isEmpty()) {
            if (!network.vertex(elements.get(0)).orElseThrow().kind().isParameter()) {
                return parameter(option, elements.get(0)); // says what kind it is instead
            }
            throw new CliError(option + " " + name + ": '" + name + "' is a vector; name one element, as in " + option + " '"
                    + elements.get(0) + "'");
        }
        if (v == null || !v.kind().isParameter()) {
            List<String> names = new ArrayList<>();
            for (Vertex p : network.parameters()) {
                names.add(p.name());
            }
            if (v == null) {
                String guess = Suggestions.didYouMean(name, names);
                throw new CliError(option + " " + name + ": there is no '" + name + "'"
                        + (guess.isEmpty() ? "; the parameters are " + String.join(", ", names) : guess));
            }
            throw new CliError(option + " " + name + ": '" + name + "' is " + v.kind().withArticle()
                    + ", not a weight or bias; the parameters are " + String.join(", ", names));
        }
        return v;
    }
}
