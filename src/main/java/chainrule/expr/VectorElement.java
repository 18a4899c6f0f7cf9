package chainrule.expr;

import java.util.List;
import java.util.Optional;

/**
 * Element {@code index} (0-based; printed 1-based) of a vector function of {@code size} arguments:
 * {@code softmax(z)[j]}. It is a third kind of {@link Fn} beside {@link Primitive} and
 * {@link UserFunction} because its value and partials depend on all {@code size} arguments at once
 * and on which element it is, which neither a fixed-arity primitive nor a user function can say.
 * Two elements are equal when their function, index and size are (a record), so applications
 * intern as usual.
 */
public record VectorElement(VectorPrimitive primitive, int index, int size) implements Fn {

    public VectorElement {
        if (size < 1 || index < 0 || index >= size) {
            throw new IllegalArgumentException("element " + index + " of " + size);
        }
    }

    @Override public String sourceName() { return primitive.sourceName(); }

    @Override public int arity() { return size; }

    @Override public double value(double[] args) { return primitive.value(args, index); }

    @Override
    public Expr partial(int i, List<Expr> args, Expr self) {
        return primitive.partial(i, index, args, self);
    }

    /**
     * The vector the arguments are, when they are exactly its elements in order: {@code p.in} for
     * {@code p.in[1] … p.in[n]}, so printers can write {@code softmax(p.in)[2]}; empty otherwise.
     */
    public static Optional<String> vectorOf(List<Expr> args) {
        String base = null;
        for (int k = 0; k < args.size(); k++) {
            if (!(args.get(k) instanceof Sym s)) {
                return Optional.empty();
            }
            String suffix = "[" + (k + 1) + "]";
            if (!s.name().endsWith(suffix) || s.name().length() == suffix.length()) {
                return Optional.empty();
            }
            String b = s.name().substring(0, s.name().length() - suffix.length());
            if (base != null && !base.equals(b)) {
                return Optional.empty();
            }
            base = b;
        }
        return Optional.ofNullable(base);
    }

    /**
     * The one elementwise expression the arguments are, when argument i is it at index i + 1 of
     * every vector it names: {@code k·z} for {@code k·z[1] … k·z[n]}, so printers can write
     * {@code softmax(k·z)[2]} for a softmax of an expression (not the list of its n elements, which
     * is no valid source). Its vector names are symbols named like the vectors, of the elements'
     * kind. Empty when some argument names an element at another index, or when no argument names
     * an element at all. Printing only: the names the element view prints are {@code z[i]}.
     */
    public static Optional<Expr> commonArgument(List<Expr> args) {
        Expr common = null;
        boolean anyElement = false;
        for (int k = 0; k < args.size(); k++) {
            String suffix = "[" + (k + 1) + "]";
            boolean[] foreign = new boolean[1];
            boolean[] replaced = new boolean[1];
            Expr e = Substitution.replace(args.get(k), (Expr x) -> {
                if (!(x instanceof Sym s)) {
                    return null;
                }
                if (s.name().endsWith(suffix) && s.name().length() > suffix.length()) {
                    replaced[0] = true;
                    return Exprs.sym(s.name().substring(0, s.name().length() - suffix.length()), s.kind());
                }
                foreign[0] |= s.name().endsWith("]");
                return s;
            });
            if (foreign[0] || (common != null && e != common)) {
                return Optional.empty();
            }
            anyElement |= replaced[0];
            common = e;
        }
        return anyElement ? Optional.ofNullable(common) : Optional.empty();
    }

    @Override public String toString() { return primitive.sourceName() + "[" + (index + 1) + "]"; }
}
