package chainrule.serve;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.paths.PathGraph;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The structure of the last network analysed, kept for the next edit. Most edits in the playground
 * change only numbers (a slider, a value typed in a declaration): the new text then has the same
 * syntax tree as the last one but for the values of its declarations, and its network is the last
 * one with other declared values. Its analysis (names, shapes, the element view of 100,000
 * vertices at 784-128-10) and its path graph (edges, path counts and every factor derived so far)
 * are reused, and only what depends on values is computed again: the forward pass, the checks and
 * δs; the layer forms are kept too ({@link LayerFormCache}) and checked at the new values.
 *
 * <p>Exactly what a fresh analysis gives: the trees must be equal record for record (names,
 * positions, expressions and the numbers in them, shapes, initialisers) except the numbers of
 * declared values, which the analyser only copies into the network's values; a value list must
 * keep its nesting and lengths. Anything else, a number that is not finite, or any diagnostic on
 * the reused path (its message must quote the new text) falls back to a fresh analysis.
 * {@code AnalysisStructureCacheTest} compares both answers on random edits.
 *
 * <p>One entry, replaced whole (an {@link AtomicReference} to an immutable record), so it is
 * bounded and safe to share between the server's worker threads.
 */
final class StructureCache {
    private StructureCache() {}

    /**
     * An analysed network (values as written, before sliders) with the syntax tree it came from, its
     * path graph and the layer forms last recognised for it.
     */
    private record Entry(String name, Analysis.Limits limits, Ast.File ast, Network network, PathGraph graph,
                         LayerFormCache forms) {}

    private static final AtomicReference<Entry> LAST = new AtomicReference<>();
    /** How many analyses were reused (tests check that the reused path was taken). */
    private static final java.util.concurrent.atomic.AtomicLong REUSED = new java.util.concurrent.atomic.AtomicLong();

    static long reused() { return REUSED.get(); }

    /** Keeps a freshly analysed network for the next edit; gives the layer-form cache of its structure. */
    static LayerFormCache remember(Ast.File ast, Network analysed, PathGraph graph, Analysis.Request r, Analysis.Limits limits) {
        LayerFormCache forms = new LayerFormCache();
        LAST.set(new Entry(r.name(), limits, ast, analysed, graph, forms));
        return forms;
    }

    /** Forgets the kept network (tests). */
    static void clear() {
        LAST.set(null);
    }

    /**
     * The prepared network of {@code ast} from the kept structure, or null when it does not apply
     * (then the caller analyses the text).
     */
    static Analysis.Prepared reuse(Source source, Ast.File ast, Analysis.Request r, Analysis.Limits limits) {
        Entry e = LAST.get();
        if (e == null || !e.name().equals(r.name()) || !e.limits().equals(limits)) {
            return null;
        }
        Map<String, Double> values = new java.util.HashMap<>();
        try {
            if (!sameStructure(e.ast(), ast, e.network(), values)) {
                return null;
            }
        } catch (StackOverflowError deep) {
            return null; // comparing a very deep expression: the analysis reports on it
        }
        try {
            Network network = e.network().withValues(values);
            Analysis.Prepared p = Analysis.prepared(Analysis.applied(source, ast, network, r), e.graph(), e.forms());
            REUSED.incrementAndGet();
            return p;
        } catch (DiagnosticException problem) {
            return null; // rendered from the new text by a fresh analysis
        }
    }

    /**
     * Whether {@code b} is {@code a} with other declared numbers only; collects b's declared values
     * that differ from a's (element names as the analyser gives them) into {@code values}: the kept
     * network holds a's numbers as written, so only those need setting, and comparing the two trees'
     * numbers is cheaper than a map of 100,000 values checked name by name.
     */
    private static boolean sameStructure(Ast.File a, Ast.File b, Network network, Map<String, Double> values) {
        List<Ast.Statement> as = a.statements();
        List<Ast.Statement> bs = b.statements();
        if (as.size() != bs.size()) {
            return false;
        }
        for (int i = 0; i < as.size(); i++) {
            Ast.Statement x = as.get(i);
            Ast.Statement y = bs.get(i);
            if (x instanceof Ast.Declaration dx && y instanceof Ast.Declaration dy) {
                if (dx.kind() != dy.kind() || !dx.keyword().equals(dy.keyword())
                        || dx.declarators().size() != dy.declarators().size()) {
                    return false;
                }
                for (int k = 0; k < dx.declarators().size(); k++) {
                    if (!sameDeclarator(dx.declarators().get(k), dy.declarators().get(k), network, values)) {
                        return false;
                    }
                }
            } else if (!x.equals(y)) {
                return false; // definitions and functions: equal as written, positions and numbers included
            }
        }
        return true;
    }

    private static boolean sameDeclarator(Ast.Declarator x, Ast.Declarator y, Network network, Map<String, Double> values) {
        if (!x.name().equals(y.name()) || !x.shape().equals(y.shape()) || !java.util.Objects.equals(x.init(), y.init())) {
            return false;
        }
        if (x.value() == null || y.value() == null) {
            return x.value() == y.value();
        }
        String name = x.name().text();
        if (!network.values().containsKey(name) && network.declaredShape(name).isEmpty()) {
            return false; // a scalar whose value the analyser did not take: let it say why
        }
        if (network.declaredShape(name).isEmpty()) {
            if (!(x.value() instanceof Ast.Scalar r) || !(y.value() instanceof Ast.Scalar s) || !Double.isFinite(s.value())) {
                return false;
            }
            if (!same(r, s)) {
                values.put(name, s.value());
            }
            return true;
        }
        List<String> elements = network.elementNames(name);
        if (!network.values().containsKey(elements.get(0))) {
            return false; // a list the analyser did not take
        }
        if (x.value() instanceof Ast.Scalar r && y.value() instanceof Ast.Scalar s) {
            if (!Double.isFinite(s.value())) {
                return false;
            }
            if (!same(r, s)) {
                for (String element : elements) {
                    values.put(element, s.value()); // one number for every element
                }
            }
            return true;
        }
        int[] next = {0};
        return sameList(x.value(), y.value(), elements, next, values) && next[0] == elements.size();
    }

    /** The same number (bit for bit: 0 and -0 differ), so the kept network already has it. */
    private static boolean same(Ast.Scalar a, Ast.Scalar b) {
        return Double.doubleToLongBits(a.value()) == Double.doubleToLongBits(b.value());
    }

    /** Same nesting and lengths; b's numbers in row-major order, as the analyser flattens them. */
    private static boolean sameList(Ast.Value x, Ast.Value y, List<String> elements, int[] next, Map<String, Double> values) {
        if (x instanceof Ast.Scalar r && y instanceof Ast.Scalar s) {
            if (!Double.isFinite(s.value()) || next[0] >= elements.size()) {
                return false;
            }
            int at = next[0]++;
            if (!same(r, s)) {
                values.put(elements.get(at), s.value());
            }
            return true;
        }
        if (x instanceof Ast.Array ax && y instanceof Ast.Array ay && ax.items().size() == ay.items().size()) {
            for (int i = 0; i < ax.items().size(); i++) {
                if (!sameList(ax.items().get(i), ay.items().get(i), elements, next, values)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
