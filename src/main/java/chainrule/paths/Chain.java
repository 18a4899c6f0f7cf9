package chainrule.paths;

import chainrule.model.Vertex;
import java.util.List;

/**
 * The factored sum of path products, as a series-parallel expression over edge factors. Order is
 * kept exactly as along the paths (a normalising product would sort it away), so it prints the way
 * a derivation is written: {@code i1 · σ′ · (w5 · σ′ · ∂E + w7 · σ′ · ∂E)}.
 */
public sealed interface Chain permits Chain.Factor, Chain.Series, Chain.Parallel, Chain.Delta {

    /** One edge's local derivative. */
    record Factor(Edge edge) implements Chain {}

    /** A product along consecutive edges; empty means 1. */
    record Series(List<Chain> parts) implements Chain {
        public Series {
            parts = List.copyOf(parts);
        }
    }

    /** A sum over alternative continuations (at least two). */
    record Parallel(List<Chain> alternatives) implements Chain {
        public Parallel {
            alternatives = List.copyOf(alternatives);
        }
    }

    /** δ(v) = ∂loss/∂v, named because several paths meet at v; defined in the closed form's deltas. */
    record Delta(Vertex vertex) implements Chain {}

    /** One method per form, so every printer and evaluator handles each (Java 17 has no pattern switch). */
    interface Visitor<R> {
        R factor(Factor f);
        R series(Series s);
        R parallel(Parallel p);
        R delta(Delta d);
    }

    static <R> R visit(Chain c, Visitor<R> v) {
        if (c instanceof Factor f) {
            return v.factor(f);
        } else if (c instanceof Series s) {
            return v.series(s);
        } else if (c instanceof Parallel p) {
            return v.parallel(p);
        } else {
            return v.delta((Delta) c);
        }
    }
}
