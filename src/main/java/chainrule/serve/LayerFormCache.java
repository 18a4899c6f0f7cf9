package chainrule.serve;

import chainrule.paths.LayerForm;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The layer forms last recognised for one structure (one {@link StructureCache} entry), reused at
 * the next values of that structure. Recognising them reads 100,000 element edges at 784-128-10,
 * runs a forward and a reverse pass at a pseudo-random probe point and checks every candidate: about
 * nine tenths of an edit's time once the structure is reused, and none of it changes when only
 * numbers change. A kept form is used only where {@link LayerForm#sameAt} holds, that is where
 * {@link LayerForm#of} would give exactly the same forms (its δs are checked against reverse
 * accumulation at the new values, as {@code of} checks them); otherwise they are recognised afresh
 * and kept instead.
 *
 * <p>One form per structure, replaced whole (an {@link AtomicReference}); a {@link LayerForm} is
 * not changed once made, so worker threads share it safely.
 */
final class LayerFormCache {
    /** How many edits used a kept form (tests check that the reused path was taken). */
    private static final AtomicLong REUSED = new AtomicLong();

    private final AtomicReference<LayerForm> last = new AtomicReference<>();

    static long reused() { return REUSED.get(); }

    /** The layer forms of {@code graph} at {@code values}: the kept ones when they are the same there, else recognised. */
    LayerForm at(PathGraph graph, Values values) {
        LayerForm kept = last.get();
        if (kept != null && kept.sameAt(graph, values)) {
            REUSED.incrementAndGet();
            return kept;
        }
        LayerForm form = LayerForm.of(graph, values);
        last.set(form);
        return form;
    }
}
