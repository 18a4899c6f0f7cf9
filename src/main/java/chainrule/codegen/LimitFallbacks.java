package chainrule.codegen;

import chainrule.expr.Expr;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What generated code needs to give the interpreter's limit at a removable singularity
 * (docs/hardening.md, "Generated code"), computed on the symbolic side ({@code paths.Limits}) and
 * handed in, so that this package stays below the symbolic views.
 *
 * @param forms per parameter index (as in {@code Network.parameters()}), the forms of its
 *     gradient entry to try in turn where it is not finite; parameters that cannot need one are absent
 * @param moved the symbols of the parameters and of every vertex computed from one: a factor that
 *     reads none of them is a number for the limit (a const c = 0 makes {@code c·w/|w|} 0)
 */
public record LimitFallbacks(Map<Integer, List<Expr>> forms, Set<Expr> moved) {
    /** No fallbacks: the tape's code alone. */
    public static final LimitFallbacks NONE = new LimitFallbacks(Map.of(), Set.of());
}
