package chainrule.expr;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.ZERO;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;

import chainrule.runtime.Fns;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The table of built-in functions. Each entry declares, side by side: its name and arity, default
 * arguments, numeric value, local partial derivatives (which may reuse the forward output
 * {@code self}), its pretty-text and LaTeX forms, its lowering to Java, C and Python source, and the
 * runtime method that compiled bytecode calls. Adding an activation means adding one entry here
 * (plus a method in {@link Fns} if it needs one) and its tests; every printer and back end reads
 * this table.
 *
 * <p>Source templates use {@code {0}}, {@code {1}} for the arguments. Helper names start with
 * {@code cr_}; code generators map user identifiers so they can never collide with them.
 */
public enum Primitive implements Fn {

    SIGMOID("sigmoid", 1, new double[0], a -> Fns.sigmoid(a[0]),
            (i, args, self) -> mul(self, sub(ONE, self)),
            "σ", "\\sigma\\left({0}\\right)",
            new Lowering("cr_sigmoid({0})", "cr_sigmoid({0})", "cr_sigmoid({0})",
                    "static double cr_sigmoid(double x) { if (x >= 0) return 1.0 / (1.0 + Math.exp(-x)); double e = Math.exp(x); return e / (1.0 + e); }",
                    "static double cr_sigmoid(double x) { if (x >= 0) return 1.0 / (1.0 + exp(-x)); double e = exp(x); return e / (1.0 + e); }",
                    "def cr_sigmoid(x):\n    if x >= 0:\n        return 1.0 / (1.0 + math.exp(-x))\n    e = math.exp(x)\n    return e / (1.0 + e)\n"),
            "sigmoid"),

    TANH("tanh", 1, new double[0], a -> Fns.tanh(a[0]),
            (i, args, self) -> sub(ONE, pow(self, num(2))),
            "tanh", "\\tanh\\left({0}\\right)",
            new Lowering("Math.tanh({0})", "tanh({0})", "math.tanh({0})", "", "", ""),
            "tanh"),

    RELU("relu", 1, new double[0], a -> Fns.relu(a[0]),
            (i, args, self) -> stepOf(args.get(0)),
            "relu", "\\operatorname{relu}\\left({0}\\right)",
            new Lowering("cr_relu({0})", "cr_relu({0})", "cr_relu({0})",
                    "static double cr_relu(double x) { return x > 0 ? x : 0.0; }",
                    "static double cr_relu(double x) { return x > 0 ? x : 0.0; }",
                    "def cr_relu(x):\n    return x if x > 0 else 0.0\n"),
            "relu"),

    LEAKY_RELU("leaky_relu", 2, new double[] {0.01}, a -> Fns.leakyRelu(a[0], a[1]),
            (i, args, self) -> i == 0
                    ? apply(leakyStep(), args)
                    : sub(args.get(0), apply(relu(), List.of(args.get(0)))),
            "leaky_relu", "\\operatorname{leaky\\_relu}\\left({0}, {1}\\right)",
            new Lowering("cr_leaky_relu({0}, {1})", "cr_leaky_relu({0}, {1})", "cr_leaky_relu({0}, {1})",
                    "static double cr_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }",
                    "static double cr_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }",
                    "def cr_leaky_relu(x, a):\n    return x if x > 0 else a * x\n"),
            "leakyRelu"),

    SOFTPLUS("softplus", 1, new double[0], a -> Fns.softplus(a[0]),
            (i, args, self) -> apply(sigmoid(), args),
            "softplus", "\\operatorname{softplus}\\left({0}\\right)",
            new Lowering("cr_softplus({0})", "cr_softplus({0})", "cr_softplus({0})",
                    "static double cr_softplus(double x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }",
                    "static double cr_softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }",
                    "def cr_softplus(x):\n    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))\n"),
            "softplus"),

    EXP("exp", 1, new double[0], a -> Math.exp(a[0]),
            (i, args, self) -> self,
            "exp", "e^{{0}}",
            new Lowering("Math.exp({0})", "exp({0})", "cr_exp({0})", "", "",
                    "def cr_exp(x):\n    try:\n        return math.exp(x)\n    except OverflowError:\n        return math.inf\n"),
            "exp"),

    LOG("log", 1, new double[0], a -> Math.log(a[0]),
            (i, args, self) -> pow(args.get(0), num(-1)),
            "log", "\\log\\left({0}\\right)",
            new Lowering("Math.log({0})", "log({0})", "cr_log({0})", "", "",
                    "def cr_log(x):\n    if x > 0:\n        return math.log(x)\n    return -math.inf if x == 0 else math.nan\n"),
            "log"),

    SQRT("sqrt", 1, new double[0], a -> Math.sqrt(a[0]),
            (i, args, self) -> mul(num(0.5), pow(self, num(-1))),
            "sqrt", "\\sqrt{{0}}",
            new Lowering("Math.sqrt({0})", "sqrt({0})", "cr_sqrt({0})", "", "",
                    "def cr_sqrt(x):\n    return math.sqrt(x) if x >= 0 else math.nan\n"),
            "sqrt"),

    ABS("abs", 1, new double[0], a -> Math.abs(a[0]),
            (i, args, self) -> apply(sign(), args),
            "abs", "\\left|{0}\\right|",
            new Lowering("Math.abs({0})", "fabs({0})", "abs({0})", "", "", ""),
            "abs"),

    SIN("sin", 1, new double[0], a -> Math.sin(a[0]),
            (i, args, self) -> apply(cos(), args),
            "sin", "\\sin\\left({0}\\right)",
            new Lowering("Math.sin({0})", "sin({0})", "math.sin({0})", "", "", ""),
            "sin"),

    COS("cos", 1, new double[0], a -> Math.cos(a[0]),
            (i, args, self) -> neg(apply(sin(), args)),
            "cos", "\\cos\\left({0}\\right)",
            new Lowering("Math.cos({0})", "cos({0})", "math.cos({0})", "", "", ""),
            "cos"),

    /** relu's derivative: 1 where x &gt; 0, else 0. Also callable as {@code step(x)}. */
    STEP("step", 1, new double[0], a -> Fns.step(a[0]),
            (i, args, self) -> ZERO,
            "step", "\\operatorname{step}\\left({0}\\right)",
            new Lowering("cr_step({0})", "cr_step({0})", "cr_step({0})",
                    "static double cr_step(double x) { return x > 0 ? 1.0 : 0.0; }",
                    "static double cr_step(double x) { return x > 0 ? 1.0 : 0.0; }",
                    "def cr_step(x):\n    return 1.0 if x > 0 else 0.0\n"),
            "step"),

    /** leaky_relu's derivative in x: 1 where x &gt; 0, else a. */
    LEAKY_STEP("leaky_step", 2, new double[] {0.01}, a -> Fns.leakyStep(a[0], a[1]),
            (i, args, self) -> i == 0 ? ZERO : sub(ONE, stepOf(args.get(0))),
            "leaky_step", "\\operatorname{leaky\\_step}\\left({0}, {1}\\right)",
            new Lowering("cr_leaky_step({0}, {1})", "cr_leaky_step({0}, {1})", "cr_leaky_step({0}, {1})",
                    "static double cr_leaky_step(double x, double a) { return x > 0 ? 1.0 : a; }",
                    "static double cr_leaky_step(double x, double a) { return x > 0 ? 1.0 : a; }",
                    "def cr_leaky_step(x, a):\n    return 1.0 if x > 0 else a\n"),
            "leakyStep"),

    /** abs's derivative: -1, 0 or 1 (0 at 0). */
    SIGN("sign", 1, new double[0], a -> Math.signum(a[0]),
            (i, args, self) -> ZERO,
            "sign", "\\operatorname{sign}\\left({0}\\right)",
            new Lowering("Math.signum({0})", "cr_sign({0})", "cr_sign({0})", "",
                    "static double cr_sign(double x) { return (x > 0) - (x < 0); }",
                    "def cr_sign(x):\n    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)\n"),
            "sign");

    /** A local partial derivative rule: argument index, arguments, the application itself. */
    @FunctionalInterface
    interface PartialRule {
        Expr partial(int i, List<Expr> args, Expr self);
    }

    /**
     * How a primitive is written in generated source: an expression template per language, and the
     * helper definitions the template relies on (empty when the standard library suffices).
     */
    public record Lowering(String java, String c, String python,
                           String javaHelper, String cHelper, String pythonHelper) {}

    private final String name;
    private final int arity;
    private final double[] defaults;
    private final ToDoubleFunction<double[]> value;
    private final PartialRule partial;
    private final String prettyName;
    private final String latexTemplate;
    private final Lowering lowering;
    private final String runtimeMethod;

    Primitive(String name, int arity, double[] defaults, ToDoubleFunction<double[]> value,
              PartialRule partial, String prettyName, String latexTemplate, Lowering lowering,
              String runtimeMethod) {
        this.name = name;
        this.arity = arity;
        this.defaults = defaults;
        this.value = value;
        this.partial = partial;
        this.prettyName = prettyName;
        this.latexTemplate = latexTemplate;
        this.lowering = lowering;
        this.runtimeMethod = runtimeMethod;
    }

    @Override public String toString() { return name; }

    @Override public String sourceName() { return name; }

    @Override public int arity() { return arity; }

    /** The fewest arguments a call may give; the rest come from {@link #defaults()}. */
    public int minArity() { return arity - defaults.length; }

    /** Default values for the trailing arguments that a call may leave out. */
    public double[] defaults() { return defaults.clone(); }

    @Override public double value(double[] args) { return value.applyAsDouble(args); }

    @Override public Expr partial(int i, List<Expr> args, Expr self) { return partial.partial(i, args, self); }

    /** The name in pretty text (σ for sigmoid). */
    public String prettyName() { return prettyName; }

    /** LaTeX with {@code {0}}, {@code {1}} for the already-typeset arguments. */
    public String latexTemplate() { return latexTemplate; }

    public Lowering lowering() { return lowering; }

    /** Owner of the static methods that compiled bytecode calls. */
    public static final String RUNTIME_OWNER = "chainrule/runtime/Fns";

    /** Name of the static method in {@link Fns} that computes this primitive. */
    public String runtimeMethod() { return runtimeMethod; }

    /** JVM descriptor of {@link #runtimeMethod()}: {@code (D)D}, {@code (DD)D}. */
    public String runtimeDescriptor() { return "(" + "D".repeat(arity) + ")D"; }

    /** Whether an activation in the sense of the path graph: one argument, applied elementwise. */
    public boolean isActivation() { return arity == 1 || this == LEAKY_RELU; }

    // Rules refer to other entries through methods: an enum constant's initializer may not name a
    // constant declared after it.
    private static Primitive leakyStep() { return LEAKY_STEP; }

    private static Primitive relu() { return RELU; }

    private static Primitive sigmoid() { return SIGMOID; }

    private static Primitive cos() { return COS; }

    private static Primitive sin() { return SIN; }

    private static Primitive sign() { return SIGN; }

    private static Expr stepOf(Expr x) { return apply(STEP, List.of(x)); }

    /** The built-in called {@code name} in source, if any. */
    public static Optional<Primitive> byName(String name) {
        for (Primitive p : values()) {
            if (p.name.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
