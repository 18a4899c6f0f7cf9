package chainrule.simplify;

/**
 * A deterministic budget for simplification, counted in units of work (a node visited, a term
 * looked at, a monomial multiplied), never in time: the same input stops at the same place on an
 * idle and on a loaded machine, so every printed form is the same on both. The runner and the
 * rules charge the same counter; a rule that finds the budget spent gives up (returns null) and
 * the runner keeps the best form it has.
 */
public final class Work {
    private final long limit;
    private long spent;

    public Work(long limit) {
        this.limit = limit;
    }

    /** A budget that never runs out (for applying one rule in a test). */
    public static Work unlimited() {
        return new Work(Long.MAX_VALUE);
    }

    /** Charges {@code units}; false once the budget is spent. */
    public boolean charge(long units) {
        chainrule.diag.Cancelled.check(); // an abandoned computation stops here, not at its budget
        spent = spent > Long.MAX_VALUE - units ? Long.MAX_VALUE : spent + units;
        return spent <= limit;
    }

    public boolean exhausted() {
        return spent > limit;
    }

    public long spent() {
        return spent;
    }

    public long limit() {
        return limit;
    }
}
