package chainrule.expr;

import java.util.List;

/** Identity, depth and size bookkeeping shared by every node class. */
abstract class Node {
    final long id;
    final int depth;
    final long treeSize;
    private final int hash;
    private final List<Expr> children;
    /** {@link ExprOrder#degree}, computed on first use (NaN until then); a benign race: same value. */
    double degree = Double.NaN;

    Node(long id, List<? extends Expr> children) {
        this.id = id;
        this.children = List.copyOf(children);
        int d = 0;
        long size = 1;
        for (Expr c : children) {
            d = Math.max(d, c.depth());
            size = saturatingAdd(size, c.treeSize());
        }
        this.depth = d + 1;
        this.treeSize = size;
        this.hash = Long.hashCode(id * 0x9E3779B97F4A7C15L);
    }

    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    public final long id() { return id; }

    public final int depth() { return depth; }

    public final long treeSize() { return treeSize; }

    public final List<Expr> children() { return children; }

    @Override public final int hashCode() { return hash; }

    @Override public final boolean equals(Object o) { return this == o; }

    @Override public String toString() { return TextPrinter.plain().print((Expr) this); }
}
