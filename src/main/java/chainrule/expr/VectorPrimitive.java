package chainrule.expr;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.ZERO;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.sub;

import chainrule.expr.Primitive.Lowering;
import chainrule.runtime.Fns;
import java.util.List;
import java.util.Optional;

/**
 * The table of built-in vector-to-vector functions, whose every output element depends on every
 * input element: {@code softmax} and {@code log_softmax}. Each entry declares, side by side like
 * {@link Primitive}: its source name, the stable numeric value of element {@code j} (the maximum
 * is subtracted before exponentiating), the local partial of element {@code j} with respect to
 * argument {@code i}, its pretty/LaTeX names, its lowering to Java, C and Python with {@code cr_*}
 * helpers, and the runtime method in {@link Fns} that bytecode and the interpreter call.
 *
 * <p>An element is applied as a {@link VectorElement}: {@code softmax(z)[j]} is
 * {@code Apply(VectorElement(SOFTMAX, j, n), [z1 … zn])}. Source templates use {@code {args}} for
 * the comma-separated arguments, {@code {n}} for their number and {@code {j}} for the 0-based index.
 */
public enum VectorPrimitive {

    SOFTMAX("softmax", Fns::softmax,
            (i, j, args, self) -> mul(self, sub(kronecker(i, j), softmaxAt(i, args))),
            "\\operatorname{softmax}",
            new Lowering("cr_softmax(new double[] {{args}}, {j})",
                    "cr_softmax((const double[]) {{args}}, {n}, {j})",
                    "cr_softmax([{args}], {j})",
                    "static double cr_softmax(double[] z, int j) { double m = z[0]; for (double x : z) { if (x > m) m = x; }"
                            + " double s = 0.0; for (double x : z) { s += Math.exp(x - m); } return Math.exp(z[j] - m) / s; }",
                    "static double cr_softmax(const double *z, int n, int j) { double m = z[0]; for (int k = 1; k < n; k++) { if (z[k] > m) m = z[k]; }"
                            + " double s = 0.0; for (int k = 0; k < n; k++) { s += exp(z[k] - m); } return exp(z[j] - m) / s; }",
                    "def cr_softmax(z, j):\n    m = z[0]\n    for x in z:\n        if x > m:\n            m = x\n"
                            + "    s = 0.0\n    for x in z:\n        s += math.exp(x - m)\n    return math.exp(z[j] - m) / s\n"),
            "softmax", Primitive.Range.POSITIVE),

    LOG_SOFTMAX("log_softmax", Fns::logSoftmax,
            (i, j, args, self) -> sub(kronecker(i, j), softmaxAt(i, args)),
            "\\operatorname{log\\_softmax}",
            new Lowering("cr_log_softmax(new double[] {{args}}, {j})",
                    "cr_log_softmax((const double[]) {{args}}, {n}, {j})",
                    "cr_log_softmax([{args}], {j})",
                    "static double cr_log_softmax(double[] z, int j) { double m = z[0]; for (double x : z) { if (x > m) m = x; }"
                            + " double s = 0.0; for (double x : z) { s += Math.exp(x - m); } return z[j] - m - Math.log(s); }",
                    "static double cr_log_softmax(const double *z, int n, int j) { double m = z[0]; for (int k = 1; k < n; k++) { if (z[k] > m) m = z[k]; }"
                            + " double s = 0.0; for (int k = 0; k < n; k++) { s += exp(z[k] - m); } return z[j] - m - log(s); }",
                    "def cr_log_softmax(z, j):\n    m = z[0]\n    for x in z:\n        if x > m:\n            m = x\n"
                            + "    s = 0.0\n    for x in z:\n        s += math.exp(x - m)\n    return z[j] - m - math.log(s)\n"),
            "logSoftmax", Primitive.Range.ANY);

    /** Element {@code j} of the function at {@code args}. */
    @FunctionalInterface
    interface ElementValue {
        double value(double[] args, int j);
    }

    /** ∂(element j)/∂(argument i), given the arguments and the element itself ({@code self}). */
    @FunctionalInterface
    interface ElementPartial {
        Expr partial(int i, int j, List<Expr> args, Expr self);
    }

    private final String name;
    private final ElementValue value;
    private final ElementPartial partial;
    private final String latexName;
    private final Lowering lowering;
    private final String runtimeMethod;
    private final Primitive.Range range;

    VectorPrimitive(String name, ElementValue value, ElementPartial partial, String latexName, Lowering lowering,
                    String runtimeMethod, Primitive.Range range) {
        this.range = range;
        this.name = name;
        this.value = value;
        this.partial = partial;
        this.latexName = latexName;
        this.lowering = lowering;
        this.runtimeMethod = runtimeMethod;
    }

    @Override public String toString() { return name; }

    /** The name used in source text. */
    public String sourceName() { return name; }

    /** Element {@code j} (0-based) at {@code args}, computed stably (see {@link Fns#softmax}). */
    public double value(double[] args, int j) { return value.value(args, j); }

    /** ∂(element j)/∂(argument i) as an expression; {@code self} is element j's application. */
    public Expr partial(int i, int j, List<Expr> args, Expr self) { return partial.partial(i, j, args, self); }

    /** The name in pretty text (the source name: there is no shorter symbol in common use). */
    public String prettyName() { return name; }

    /** The LaTeX operator, to which the printer adds the arguments and the element's subscript. */
    public String latexName() { return latexName; }

    public Lowering lowering() { return lowering; }

    /** Name of the static method in {@link Fns} computing one element: {@code (double[] z, int j)}. */
    public String runtimeMethod() { return runtimeMethod; }

    /** What every element is known to be (softmax's are &gt; 0), as {@link Primitive#range()}. */
    public Primitive.Range range() { return range; }

    /** JVM descriptor of {@link #runtimeMethod()}. */
    public String runtimeDescriptor() { return "([DI)D"; }

    private static Expr kronecker(int i, int j) { return i == j ? ONE : ZERO; }

    /** softmax's element {@code i} of the same arguments (an enum initializer may not name SOFTMAX itself). */
    private static Expr softmaxAt(int i, List<Expr> args) {
        return Exprs.apply(new VectorElement(softmax(), i, args.size()), args);
    }

    private static VectorPrimitive softmax() { return SOFTMAX; }

    /** The vector function called {@code name} in source, if any. */
    public static Optional<VectorPrimitive> byName(String name) {
        for (VectorPrimitive p : values()) {
            if (p.name.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
