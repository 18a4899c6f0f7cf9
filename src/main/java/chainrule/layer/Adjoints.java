package chainrule.layer;

import java.util.HashSet;
import java.util.Set;

/**
 * Which adjoints the backward pass has written so far. The first contribution to an adjoint
 * stores, later ones add: no adjoint or gradient array is cleared before a pass.
 */
final class Adjoints {
    private final Set<Node> written = new HashSet<>();

    /** Whether this is the first contribution to {@code n}'s adjoint (and records it). */
    boolean first(Node n) {
        return written.add(n);
    }

    boolean written(Node n) {
        return written.contains(n);
    }
}
