package chainrule.print;

import chainrule.model.Vertex;
import chainrule.paths.Chain;
import chainrule.paths.ClosedForm;
import chainrule.paths.PathGraph;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bound on a printed formula's size that {@code grad}, {@code paths}, {@code latex} and the
 * playground share with {@code diff}: a derivative over {@link #MAX} tree nodes (names, numbers and
 * operations, as written out) is refused with advice instead of being simplified and printed —
 * 990 nested {@code sin} make a 4 KB file whose derivative writes out 490,000 nodes (2.4 MB of
 * text, 55 MB of LaTeX) — or over 4 times the size of the network's own definitions, when that
 * is more (a large accepted input may have a derivative as large). The size is read before anything expensive: each local derivative's tree
 * size is known when it is made, and the closed form is walked as it reads (a δ is one name),
 * stopping as soon as the bound is passed.
 */
public final class PrintedSize {
    /** The largest formula written out, in tree nodes: the same bound as {@code diff}'s. */
    public static final long MAX = 20_000;

    private PrintedSize() {}

    /**
     * Null when every formula the derivatives by {@code parameters} print (their local derivatives,
     * closed forms and δ definitions) is within {@link #MAX}; otherwise what is too large, for an
     * error message ("the derivative of the loss with respect to w ... more than 20000 ...").
     */
    public static String tooLarge(PathGraph graph, Collection<Vertex> parameters) {
        long limit = limit(graph);
        Set<Vertex> seenDeltas = new HashSet<>();
        List<ClosedForm> shared = new ArrayList<>();
        for (Vertex w : parameters) {
            ClosedForm form = ClosedForm.of(graph, w);
            long n = size(form.chain(), limit);
            if (n > limit) {
                return message(graph, w, n, limit);
            }
            if (form.sharesDeltas()) {
                // a large network's shared δs: their closure is worked out once, below, as the
                // report does (form by form, each would work out the same closure again)
                shared.add(form);
                continue;
            }
            String tooLarge = tooLargeDelta(graph, w, form.deltas(), seenDeltas, limit);
            if (tooLarge != null) {
                return tooLarge;
            }
        }
        return shared.isEmpty() ? null : tooLargeDelta(graph, null, ClosedForm.deltasOf(graph, shared), seenDeltas, limit);
    }

    /** The first δ definition not seen before that is over the limit, named by {@code w} (or the δ's own vertex when null). */
    private static String tooLargeDelta(PathGraph graph, Vertex w, Map<Vertex, Chain> deltas, Set<Vertex> seen, long limit) {
        for (var d : deltas.entrySet()) {
            if (d.getValue() != null && seen.add(d.getKey())) {
                long m = size(d.getValue(), limit);
                if (m > limit) {
                    return message(graph, w != null ? w : d.getKey(), m, limit);
                }
            }
        }
        return null;
    }

    /**
     * {@link #MAX}, or {@link #INPUT_FACTOR} times the size of the network's own definitions when
     * that is more: a derivative as long as a (large, accepted) input is not an explosion — a
     * 5,000-level power tower's derivative writes the tower twice — but one growing as its square
     * (nested functions) is.
     */
    private static long limit(PathGraph graph) {
        long input = 0;
        for (Vertex v : graph.network().vertices()) {
            if (v.definition() != null) {
                input = Math.min(Long.MAX_VALUE / (2 * INPUT_FACTOR), input + v.definition().treeSize());
            }
        }
        return Math.max(MAX, INPUT_FACTOR * input);
    }

    /** How many times its input's size a derivative may be written out at most (when that is over {@link #MAX}). */
    static final long INPUT_FACTOR = 4;

    private static String message(PathGraph graph, Vertex w, long n, long limit) {
        // past twice the limit the count stops: say so, not "over N ..., more than the N"
        return "the derivative of " + graph.network().loss().name() + " with respect to " + w.name() + " is "
                + (n > limit + limit ? "over " + String.format("%,d", limit + limit) : String.format("%,d", n))
                + " terms and operations written out, more than the " + String.format("%,d", limit)
                + " printed at most; `chainrule eval FILE` gives its value without the formula";
    }

    /** The chain's tree size as written (each local derivative's size, a δ one name), saturating past {@link #MAX}. */
    private static long size(Chain chain, long limit) {
        long[] total = {0};
        Chain.visit(chain, new Chain.Visitor<Void>() {
            @Override public Void factor(Chain.Factor f) {
                total[0] = Math.min(Long.MAX_VALUE / 2, total[0] + f.edge().factor().treeSize());
                return null;
            }

            @Override public Void series(Chain.Series s) {
                for (Chain c : s.parts()) {
                    if (total[0] > limit) {
                        return null;
                    }
                    total[0]++;
                    Chain.visit(c, this);
                }
                return null;
            }

            @Override public Void parallel(Chain.Parallel p) {
                for (Chain c : p.alternatives()) {
                    if (total[0] > limit) {
                        return null;
                    }
                    total[0]++;
                    Chain.visit(c, this);
                }
                return null;
            }

            @Override public Void delta(Chain.Delta d) {
                total[0]++;
                return null;
            }
        });
        return total[0];
    }
}
