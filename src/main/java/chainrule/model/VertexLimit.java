package chainrule.model;

import java.util.function.Supplier;

/**
 * The most vertices the analyser builds for one file ({@code --max-vertices}). Every element of a
 * vector is a vertex, and a vertex costs hundreds of bytes with its expressions and edges, so a
 * declaration such as {@code weight W[100000,100000]} is refused where it is written, before
 * anything is allocated, instead of ending in an {@link OutOfMemoryError}. The same budget bounds
 * a matrix product's element multiplications, each of which becomes a term and an edge.
 *
 * <p>The default leaves room for a 784-128-128-128-10 network (136,377 vertices) many times over.
 *
 * @param maxVertices the most vertices (and element products of one {@code @}) allowed
 */
public record VertexLimit(long maxVertices) {
    public static final VertexLimit DEFAULT = new VertexLimit(2_000_000);

    private static final ThreadLocal<VertexLimit> CURRENT = ThreadLocal.withInitial(() -> DEFAULT);

    public VertexLimit {
        if (maxVertices < 1) {
            throw new IllegalArgumentException("the vertex limit must be positive, not " + maxVertices);
        }
    }

    /**
     * Runs {@code body} with this limit for every analysis on this thread that is not given one
     * ({@link Analyzer#analyze(chainrule.diag.Source, chainrule.parse.Ast.File)}); the command line
     * runs each command this way.
     */
    public <T> T during(Supplier<T> body) {
        VertexLimit previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }

    /** The limit of analyses on this thread: {@link #DEFAULT} unless inside {@link #during}. */
    public static VertexLimit current() {
        return CURRENT.get();
    }

    /** {@code a × b}, or {@link Long#MAX_VALUE} when that overflows (sizes are compared with the limit). */
    static long saturatingProduct(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** How a message ends: the limit passed, and how to raise it. */
    String passed() {
        return "more than the limit of " + count(maxVertices) + " vertices; raise it with --max-vertices N";
    }

    /** A count as people read it: 10,000,000,000 (the largest ever shown is "more than" Long.MAX_VALUE). */
    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }
}
