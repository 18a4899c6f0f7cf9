package chainrule.paths;

import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Lists the paths from a vertex to the loss lazily, depth first, in edge order, along the spec's
 * graph ({@link PathGraph#pathOutgoing}: no shared reduction on the way). Only edges into
 * vertices that reach the loss are followed, so every step makes progress and producing the next
 * path costs at most the path's length; callers stop after {@code --max-paths}.
 */
public final class PathEnumerator implements Iterator<Path> {
    private final PathGraph graph;
    private final List<Edge> stack = new ArrayList<>();
    private final List<Integer> choice = new ArrayList<>();
    private Path next;

    public PathEnumerator(PathGraph graph, Vertex from) {
        this.graph = graph;
        if (graph.pathReachesLoss(from) && from != graph.network().loss()) {
            descend(from);
            next = new Path(stack);
        }
    }

    /** Follows the first live edge from {@code v} repeatedly down to the loss. */
    private void descend(Vertex v) {
        while (v != graph.network().loss()) {
            List<Edge> out = graph.pathOutgoing(v);
            int i = firstLive(out, 0);
            stack.add(out.get(i));
            choice.add(i);
            v = out.get(i).to();
        }
    }

    private int firstLive(List<Edge> out, int start) {
        for (int i = start; i < out.size(); i++) {
            if (graph.pathReachesLoss(out.get(i).to())) {
                return i;
            }
        }
        return -1;
    }

    @Override public boolean hasNext() { return next != null; }

    @Override
    public Path next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        Path result = next;
        next = advance() ? new Path(stack) : null;
        return result;
    }

    /** Moves to the next path: backtrack to the deepest vertex with an untried live edge. */
    private boolean advance() {
        while (!stack.isEmpty()) {
            chainrule.diag.Cancelled.check(); // an abandoned enumeration stops here
            int depth = stack.size() - 1;
            Edge last = stack.remove(depth);
            int tried = choice.remove(depth);
            List<Edge> out = graph.pathOutgoing(last.from());
            int i = firstLive(out, tried + 1);
            if (i >= 0) {
                stack.add(out.get(i));
                choice.add(i);
                descend(out.get(i).to());
                return true;
            }
        }
        return false;
    }

    /** Up to {@code limit} paths from {@code from}. */
    public static List<Path> first(PathGraph graph, Vertex from, long limit) {
        List<Path> out = new ArrayList<>();
        PathEnumerator it = new PathEnumerator(graph, from);
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }
}
