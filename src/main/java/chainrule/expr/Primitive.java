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
            // σ(x)·σ(−x): out·(1 − out) rounds to 0 once out rounds to 1 (x ≳ 37)
            (i, args, self) -> mul(self, apply(sigmoid(), neg(args.get(0)))),
            "σ", "\\sigma\\left({0}\\right)",
            new Lowering("cr_sigmoid({0})", "cr_sigmoid({0})", "cr_sigmoid({0})",
                    "static double cr_sigmoid(double x) { if (x >= 0) return 1.0 / (1.0 + Math.exp(-x)); double e = Math.exp(x); return e / (1.0 + e); }",
                    "static double cr_sigmoid(double x) { if (x >= 0) return 1.0 / (1.0 + exp(-x)); double e = exp(x); return e / (1.0 + e); }",
                    "def cr_sigmoid(x):\n    if x >= 0:\n        return 1.0 / (1.0 + math.exp(-x))\n    e = math.exp(x)\n    return e / (1.0 + e)\n"),
            "sigmoid", Facts.range(Range.POSITIVE)),

    TANH("tanh", 1, new double[0], a -> Fns.tanh(a[0]),
            (i, args, self) -> sub(ONE, pow(self, num(2))),
            // 1/cosh²(x): 1 − tanh² rounds to 0 once tanh rounds to ±1 (|x| ≳ 19)
            (i, args, self) -> pow(apply(cosh(), args), num(-2)),
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
            "relu", Facts.kinkAtZero(Range.NON_NEGATIVE)),

    LEAKY_RELU("leaky_relu", 2, new double[] {0.01}, a -> Fns.leakyRelu(a[0], a[1]),
            (i, args, self) -> i == 0
                    ? apply(leakyStep(), args)
                    : sub(args.get(0), apply(relu(), List.of(args.get(0)))),
            "leaky_relu", "\\operatorname{leaky\\_relu}\\left({0}, {1}\\right)",
            new Lowering("cr_leaky_relu({0}, {1})", "cr_leaky_relu({0}, {1})", "cr_leaky_relu({0}, {1})",
                    "static double cr_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }",
                    "static double cr_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }",
                    "def cr_leaky_relu(x, a):\n    return x if x > 0 else a * x\n"),
            "leakyRelu", Facts.kinkAtZero(Range.ANY)),

    SOFTPLUS("softplus", 1, new double[0], a -> Fns.softplus(a[0]),
            (i, args, self) -> apply(sigmoid(), args),
            "softplus", "\\operatorname{softplus}\\left({0}\\right)",
            new Lowering("cr_softplus({0})", "cr_softplus({0})", "cr_softplus({0})",
                    "static double cr_softplus(double x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }",
                    "static double cr_softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }",
                    "def cr_softplus(x):\n    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))\n"),
            "softplus", Facts.range(Range.POSITIVE)),

    EXP("exp", 1, new double[0], a -> Math.exp(a[0]),
            (i, args, self) -> self,
            "exp", "e^{{0}}",
            new Lowering("Math.exp({0})", "exp({0})", "cr_exp({0})", "", "",
                    "def cr_exp(x):\n    try:\n        return math.exp(x)\n    except OverflowError:\n        return math.inf\n"),
            "exp", Facts.range(Range.POSITIVE)),

    LOG("log", 1, new double[0], a -> Math.log(a[0]),
            (i, args, self) -> pow(args.get(0), num(-1)),
            "log", "\\log\\left({0}\\right)",
            new Lowering("Math.log({0})", "log({0})", "cr_log({0})", "", "",
                    "def cr_log(x):\n    if x > 0:\n        return math.log(x)\n    return -math.inf if x == 0 else math.nan\n"),
            "log"),

    SQRT("sqrt", 1, new double[0], a -> Math.sqrt(a[0]),
            (i, args, self) -> Exprs.div(ONE, mul(Exprs.TWO, self)),
            "sqrt", "\\sqrt{{0}}",
            new Lowering("Math.sqrt({0})", "sqrt({0})", "cr_sqrt({0})", "", "",
                    "def cr_sqrt(x):\n    return math.sqrt(x) if x >= 0 else math.nan\n"),
            "sqrt", Facts.range(Range.NON_NEGATIVE)),

    ABS("abs", 1, new double[0], a -> Math.abs(a[0]),
            (i, args, self) -> apply(sign(), args),
            "abs", "\\left|{0}\\right|",
            new Lowering("Math.abs({0})", "fabs({0})", "abs({0})", "", "", ""),
            "abs", Facts.kinkAtZero(Range.NON_NEGATIVE)),

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

    TAN("tan", 1, new double[0], a -> Math.tan(a[0]),
            (i, args, self) -> add(ONE, pow(self, num(2))),
            // 1/cos²(x): one rounding fewer than 1 + tan², so tan′(1) is the double nearest sec²(1)
            (i, args, self) -> pow(apply(cos(), args), num(-2)),
            "tan", "\\tan\\left({0}\\right)",
            new Lowering("Math.tan({0})", "tan({0})", "math.tan({0})", "", "", ""),
            "tan"),

    ATAN("atan", 1, new double[0], a -> Math.atan(a[0]),
            (i, args, self) -> pow(add(ONE, pow(args.get(0), num(2))), num(-1)),
            "atan", "\\arctan\\left({0}\\right)",
            new Lowering("Math.atan({0})", "atan({0})", "math.atan({0})", "", "", ""),
            "atan"),

    ASIN("asin", 1, new double[0], a -> Math.asin(a[0]),
            (i, args, self) -> invSqrt(sub(ONE, pow(args.get(0), num(2)))),
            // 1/(√(1 − x)·√(1 + x)): 1 − x² loses the digits of 1 − x near ±1
            (i, args, self) -> mul(invSqrt(sub(ONE, args.get(0))), invSqrt(add(ONE, args.get(0)))),
            "asin", "\\arcsin\\left({0}\\right)",
            new Lowering("Math.asin({0})", "asin({0})", "cr_asin({0})", "", "",
                    "def cr_asin(x):\n    return math.asin(x) if -1.0 <= x <= 1.0 else math.nan\n"),
            "asin"),

    ACOS("acos", 1, new double[0], a -> Math.acos(a[0]),
            (i, args, self) -> neg(invSqrt(sub(ONE, pow(args.get(0), num(2))))),
            (i, args, self) -> neg(mul(invSqrt(sub(ONE, args.get(0))), invSqrt(add(ONE, args.get(0))))),
            "acos", "\\arccos\\left({0}\\right)",
            new Lowering("Math.acos({0})", "acos({0})", "cr_acos({0})", "", "",
                    "def cr_acos(x):\n    return math.acos(x) if -1.0 <= x <= 1.0 else math.nan\n"),
            "acos"),

    SINH("sinh", 1, new double[0], a -> Math.sinh(a[0]),
            (i, args, self) -> apply(cosh(), args),
            "sinh", "\\sinh\\left({0}\\right)",
            new Lowering("Math.sinh({0})", "sinh({0})", "cr_sinh({0})", "", "",
                    "def cr_sinh(x):\n    try:\n        return math.sinh(x)\n    except OverflowError:\n        return math.copysign(math.inf, x)\n"),
            "sinh"),

    COSH("cosh", 1, new double[0], a -> Math.cosh(a[0]),
            (i, args, self) -> apply(sinh(), args),
            "cosh", "\\cosh\\left({0}\\right)",
            new Lowering("Math.cosh({0})", "cosh({0})", "cr_cosh({0})", "", "",
                    "def cr_cosh(x):\n    try:\n        return math.cosh(x)\n    except OverflowError:\n        return math.inf\n"),
            "cosh"),

    ASINH("asinh", 1, new double[0], a -> Fns.asinh(a[0]),
            (i, args, self) -> invSqrt(add(pow(args.get(0), num(2)), ONE)),
            "asinh", "\\operatorname{arsinh}\\left({0}\\right)",
            // C and Python compute Fns.asinh's formula too, not the C library's asinh: the same bits
            new Lowering("cr_asinh({0})", "cr_asinh({0})", "cr_asinh({0})",
                    "static double cr_asinh(double x) { double a = Math.abs(x); double r; if (a > 1e8) { r = Math.log(a) + 0.6931471805599453; } else { double t = a * a; r = Math.log1p(a + t / (1.0 + Math.sqrt(1.0 + t))); } return Math.copySign(r, x); }",
                    "static double cr_asinh(double x) { double a = fabs(x); double r; if (a > 1e8) { r = log(a) + 0.6931471805599453; } else { double t = a * a; r = log1p(a + t / (1.0 + sqrt(1.0 + t))); } return copysign(r, x); }",
                    "def cr_asinh(x):\n    a = abs(x)\n    if a > 1e8:\n        r = math.log(a) + 0.6931471805599453\n    else:\n        t = a * a\n"
                            + "        r = math.log1p(a + t / (1.0 + math.sqrt(1.0 + t)))\n    return math.copysign(r, x)\n"),
            "asinh"),

    ACOSH("acosh", 1, new double[0], a -> Fns.acosh(a[0]),
            (i, args, self) -> invSqrt(sub(pow(args.get(0), num(2)), ONE)),
            // 1/(√(x − 1)·√(x + 1)): x² − 1 cancels near 1 and overflows past 1e154
            (i, args, self) -> mul(invSqrt(sub(args.get(0), ONE)), invSqrt(add(args.get(0), ONE))),
            "acosh", "\\operatorname{arcosh}\\left({0}\\right)",
            // C and Python compute Fns.acosh's formula too, not the C library's acosh: the same bits
            new Lowering("cr_acosh({0})", "cr_acosh({0})", "cr_acosh({0})",
                    "static double cr_acosh(double x) { if (!(x >= 1.0)) return Double.NaN; if (x > 1e8) return Math.log(x) + 0.6931471805599453; double t = x - 1.0; return Math.log1p(t + Math.sqrt(2.0 * t + t * t)); }",
                    "static double cr_acosh(double x) { if (!(x >= 1.0)) return NAN; if (x > 1e8) return log(x) + 0.6931471805599453; double t = x - 1.0; return log1p(t + sqrt(2.0 * t + t * t)); }",
                    "def cr_acosh(x):\n    if not x >= 1.0:\n        return math.nan\n    if x > 1e8:\n        return math.log(x) + 0.6931471805599453\n"
                            + "    t = x - 1.0\n    return math.log1p(t + math.sqrt(2.0 * t + t * t))\n"),
            "acosh"),

    ATANH("atanh", 1, new double[0], a -> Fns.atanh(a[0]),
            (i, args, self) -> pow(sub(ONE, pow(args.get(0), num(2))), num(-1)),
            // 1/((1 − x)(1 + x)), exact in 1 − x near ±1
            (i, args, self) -> mul(pow(sub(ONE, args.get(0)), num(-1)), pow(add(ONE, args.get(0)), num(-1))),
            "atanh", "\\operatorname{artanh}\\left({0}\\right)",
            // C and Python compute Fns.atanh's formula too, not the C library's atanh: the same bits
            new Lowering("cr_atanh({0})", "cr_atanh({0})", "cr_atanh({0})",
                    "static double cr_atanh(double x) { double a = Math.abs(x); if (a > 1.0) return Double.NaN; if (a == 1.0) return Math.copySign(Double.POSITIVE_INFINITY, x); return Math.copySign(0.5 * Math.log1p(2.0 * a / (1.0 - a)), x); }",
                    "static double cr_atanh(double x) { double a = fabs(x); if (a > 1.0) return NAN; if (a == 1.0) return copysign(INFINITY, x); return copysign(0.5 * log1p(2.0 * a / (1.0 - a)), x); }",
                    "def cr_atanh(x):\n    a = abs(x)\n    if a > 1.0:\n        return math.nan\n    if a == 1.0:\n        return math.copysign(math.inf, x)\n"
                            + "    return math.copysign(0.5 * math.log1p(2.0 * a / (1.0 - a)), x)\n"),
            "atanh"),

    LOG2("log2", 1, new double[0], a -> Fns.log2(a[0]),
            (i, args, self) -> pow(mul(args.get(0), apply(log(), num(2))), num(-1)),
            "log2", "\\log_2\\left({0}\\right)",
            // log(x)/log 2 in every language, as Fns.log2 (the C library's log2 rounds differently)
            new Lowering("cr_log2({0})", "cr_log2({0})", "cr_log2({0})",
                    "static double cr_log2(double x) { return Math.log(x) / 0.6931471805599453; }",
                    "static double cr_log2(double x) { return log(x) / 0.6931471805599453; }",
                    "def cr_log2(x):\n    if x > 0:\n        return math.log(x) / 0.6931471805599453\n    return -math.inf if x == 0 else math.nan\n"),
            "log2"),

    LOG10("log10", 1, new double[0], a -> Math.log10(a[0]),
            (i, args, self) -> pow(mul(args.get(0), apply(log(), num(10))), num(-1)),
            "log10", "\\log_{10}\\left({0}\\right)",
            new Lowering("Math.log10({0})", "log10({0})", "cr_log10({0})", "", "",
                    "def cr_log10(x):\n    if x > 0:\n        return math.log10(x)\n    return -math.inf if x == 0 else math.nan\n"),
            "log10"),

    /** The error function, for the exact GELU x·(1 + erf(x/√2))/2. */
    ERF("erf", 1, new double[0], a -> Fns.erf(a[0]),
            (i, args, self) -> mul(num(2), invSqrt(piConstant()), apply(exp(), neg(pow(args.get(0), num(2))))),
            "erf", "\\operatorname{erf}\\left({0}\\right)",
            new Lowering("cr_erf({0})", "cr_erf({0})", "cr_erf({0})",
                    "static double cr_erf(double x) { if (Double.isNaN(x)) return x; double a = Math.abs(x); if (a >= 6.0) return Math.copySign(1.0, x);"
                            + " double hi = a * a; double lo = Math.fma(a, a, -hi); double g = Math.exp(-hi) * (1.0 - lo); double r;"
                            + " if (a < 2.0) { double t = a, s = a; for (int n = 1; n < 100 && t > 1e-17 * s; n++) { t *= 2.0 * hi / (2 * n + 1); s += t; } r = 1.1283791670955126 * g * s; }"
                            + " else { double f = a, c = a, d = 0.0; for (int k = 1; k < 500; k++) { double ak = 0.5 * k; d = 1.0 / (a + ak * d); c = a + ak / c; double delta = c * d; f *= delta; if (Math.abs(delta - 1.0) < 1e-16) break; } r = 1.0 - g / (1.7724538509055159 * f); }"
                            + " return Math.copySign(Math.min(1.0, r), x); }",
                    // C: the same steps (fma is exact in C99 as in Java)
                    "static double cr_erf(double x) { if (isnan(x)) return x; double a = fabs(x); if (a >= 6.0) return copysign(1.0, x);"
                            + " double hi = a * a; double lo = fma(a, a, -hi); double g = exp(-hi) * (1.0 - lo); double r;"
                            + " if (a < 2.0) { double t = a, s = a; for (int n = 1; n < 100 && t > 1e-17 * s; n++) { t *= 2.0 * hi / (2 * n + 1); s += t; } r = 1.1283791670955126 * g * s; }"
                            + " else { double f = a, c = a, d = 0.0; for (int k = 1; k < 500; k++) { double ak = 0.5 * k; d = 1.0 / (a + ak * d); c = a + ak / c; double delta = c * d; f *= delta; if (fabs(delta - 1.0) < 1e-16) break; } r = 1.0 - g / (1.7724538509055159 * f); }"
                            + " return copysign(r < 1.0 ? r : 1.0, x); }",
                    // Python: the same steps; a·a's rounding error by Dekker's exact product (Veltkamp's
                    // split), as Python before 3.13 has no fma: the same number as fma(a, a, −a·a)
                    "def cr_erf(x):\n    if x != x:\n        return x\n    a = abs(x)\n    if a >= 6.0:\n        return math.copysign(1.0, x)\n"
                            + "    hi = a * a\n    c = 134217729.0 * a\n    ah = c - (c - a)\n    al = a - ah\n"
                            + "    lo = ((ah * ah - hi) + 2.0 * ah * al) + al * al\n    g = math.exp(-hi) * (1.0 - lo)\n"
                            + "    if a < 2.0:\n        t = a\n        s = a\n        n = 1\n        while n < 100 and t > 1e-17 * s:\n"
                            + "            t *= 2.0 * hi / (2 * n + 1)\n            s += t\n            n += 1\n"
                            + "        r = 1.1283791670955126 * g * s\n    else:\n        f = a\n        c = a\n        d = 0.0\n"
                            + "        for k in range(1, 500):\n            ak = 0.5 * k\n            d = 1.0 / (a + ak * d)\n"
                            + "            c = a + ak / c\n            delta = c * d\n            f *= delta\n"
                            + "            if abs(delta - 1.0) < 1e-16:\n                break\n"
                            + "        r = 1.0 - g / (1.7724538509055159 * f)\n    return math.copysign(r if r < 1.0 else 1.0, x)\n"),
            "erf"),

    /**
     * The larger argument. At a tie the gradient is split evenly, ½ to each argument (as PyTorch's
     * {@code torch.max(a, b)} and JAX's {@code jnp.maximum} do), so ∂/∂a + ∂/∂b = 1 everywhere.
     */
    MAX("max", 2, new double[0], a -> Fns.max(a[0], a[1]),
            (i, args, self) -> apply(heaviside(), i == 0 ? sub(args.get(0), args.get(1)) : sub(args.get(1), args.get(0))),
            "max", "\\max\\left({0}, {1}\\right)",
            new Lowering("cr_max({0}, {1})", "cr_max({0}, {1})", "cr_max({0}, {1})",
                    "static double cr_max(double a, double b) { return a >= b || a != a ? a : b; }",
                    "static double cr_max(double a, double b) { return a >= b || a != a ? a : b; }",
                    "def cr_max(a, b):\n    return a if a >= b or a != a else b\n"),
            "max"),

    /** The smaller argument; the gradient is split ½–½ at a tie, as for {@link #MAX}. */
    MIN("min", 2, new double[0], a -> Fns.min(a[0], a[1]),
            (i, args, self) -> apply(heaviside(), i == 0 ? sub(args.get(1), args.get(0)) : sub(args.get(0), args.get(1))),
            "min", "\\min\\left({0}, {1}\\right)",
            new Lowering("cr_min({0}, {1})", "cr_min({0}, {1})", "cr_min({0}, {1})",
                    "static double cr_min(double a, double b) { return a <= b || a != a ? a : b; }",
                    "static double cr_min(double a, double b) { return a <= b || a != a ? a : b; }",
                    "def cr_min(a, b):\n    return a if a <= b or a != a else b\n"),
            "min"),

    /** max's and min's derivative: 1 where x &gt; 0, ½ at 0, 0 where x &lt; 0. */
    HEAVISIDE("heaviside", 1, new double[0], a -> Fns.heaviside(a[0]),
            (i, args, self) -> ZERO,
            "H", "H\\left({0}\\right)",
            new Lowering("cr_heaviside({0})", "cr_heaviside({0})", "cr_heaviside({0})",
                    "static double cr_heaviside(double x) { return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? 0.5 : x; }",
                    "static double cr_heaviside(double x) { return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? 0.5 : x; }",
                    "def cr_heaviside(x):\n    if x > 0:\n        return 1.0\n    if x < 0:\n        return 0.0\n    return 0.5 if x == 0 else x\n"),
            "heaviside"),

    /** The constant π, a call with no arguments (written {@code pi}, without parentheses). */
    PI("pi", 0, new double[0], a -> Math.PI,
            (i, args, self) -> ZERO,
            "π", "\\pi",
            new Lowering("Math.PI", "3.14159265358979323846", "math.pi", "", "", ""),
            "pi"),

    /** Euler's number e (written {@code e}); {@code e^x} is built as {@code exp(x)}. */
    E("e", 0, new double[0], a -> Math.E,
            (i, args, self) -> ZERO,
            "e", "e",
            new Lowering("Math.E", "2.71828182845904523536", "math.e", "", "", ""),
            "e"),

    /** relu's derivative: 1 where x &gt; 0, else 0. Also callable as {@code step(x)}. */
    STEP("step", 1, new double[0], a -> Fns.step(a[0]),
            (i, args, self) -> ZERO,
            "step", "\\operatorname{step}\\left({0}\\right)",
            new Lowering("cr_step({0})", "cr_step({0})", "cr_step({0})",
                    "static double cr_step(double x) { return x > 0 ? 1.0 : 0.0; }",
                    "static double cr_step(double x) { return x > 0 ? 1.0 : 0.0; }",
                    "def cr_step(x):\n    return 1.0 if x > 0 else 0.0\n"),
            "step", Facts.range(Range.NON_NEGATIVE)),

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

    /**
     * What the value of a built-in is known to be, for every argument where it is defined: the
     * sign facts simplification guards consult ({@code simplify.Positivity}).
     */
    public enum Range {
        /** &gt; 0: exp, sigmoid, softplus. */
        POSITIVE,
        /** &ge; 0: abs, relu, sqrt, step. */
        NON_NEGATIVE,
        /** Nothing known. */
        ANY
    }

    /**
     * An entry's facts: its {@link Range}, and where it is not differentiable (its kink), as the
     * argument whose zero is the kink: relu, leaky_relu and abs bend where argument 0 is 0
     * ({@code kinkArgument} = 0); -1 for a function without a kink. Gradient checks read it
     * ({@code compile.Tape}, the loop compiler's {@code KinkProbe}) to recognise a central
     * difference taken across a kink.
     */
    public record Facts(Range range, int kinkArgument) {
        static final Facts NONE = new Facts(Range.ANY, -1);

        static Facts range(Range r) { return new Facts(r, -1); }

        static Facts kinkAtZero(Range r) { return new Facts(r, 0); }
    }

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
    private final PartialRule numericPartial;
    private final String prettyName;
    private final String latexTemplate;
    private final Lowering lowering;
    private final String runtimeMethod;
    private final Facts facts;

    Primitive(String name, int arity, double[] defaults, ToDoubleFunction<double[]> value,
              PartialRule partial, String prettyName, String latexTemplate, Lowering lowering,
              String runtimeMethod) {
        this(name, arity, defaults, value, partial, partial, prettyName, latexTemplate, lowering, runtimeMethod,
                Facts.NONE);
    }

    Primitive(String name, int arity, double[] defaults, ToDoubleFunction<double[]> value,
              PartialRule partial, String prettyName, String latexTemplate, Lowering lowering,
              String runtimeMethod, Facts facts) {
        this(name, arity, defaults, value, partial, partial, prettyName, latexTemplate, lowering, runtimeMethod, facts);
    }

    Primitive(String name, int arity, double[] defaults, ToDoubleFunction<double[]> value,
              PartialRule partial, PartialRule numericPartial, String prettyName, String latexTemplate,
              Lowering lowering, String runtimeMethod) {
        this(name, arity, defaults, value, partial, numericPartial, prettyName, latexTemplate, lowering,
                runtimeMethod, Facts.NONE);
    }

    /**
     * An entry whose numbers come from a different form of the derivative than the one printed:
     * {@code partial} is the textbook form (σ′ = out·(1 − out)), {@code numericPartial} the form
     * every number producer evaluates (σ(x)·σ(−x)), which keeps its digits where the printed one
     * rounds to 0 or cancels.
     */
    Primitive(String name, int arity, double[] defaults, ToDoubleFunction<double[]> value,
              PartialRule partial, PartialRule numericPartial, String prettyName, String latexTemplate,
              Lowering lowering, String runtimeMethod, Facts facts) {
        this.facts = facts;
        this.numericPartial = numericPartial;
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

    /** The partial in the form numbers are computed from (the table's numeric column). */
    @Override public Expr numericPartial(int i, List<Expr> args, Expr self) { return numericPartial.partial(i, args, self); }

    /** Whether the numeric column differs from the printed derivative (σ, tanh, asin, …). */
    public boolean hasNumericForm() { return numericPartial != partial; }

    /** A constant written as a bare name ({@code pi}, {@code e}): a call with no arguments. */
    public boolean isConstant() { return arity == 0; }

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

    /** What the value is known to be wherever it is defined (&gt; 0, &ge; 0 or nothing). */
    public Range range() { return facts.range(); }

    /**
     * The argument whose zero is this built-in's kink (0 for relu, leaky_relu and abs), or -1 when
     * it has none: the loss may bend where that argument crosses 0.
     */
    public int kinkArgument() { return facts.kinkArgument(); }

    /** Whether an activation in the sense of the path graph: one argument, applied elementwise. */
    public boolean isActivation() { return arity == 1 || this == LEAKY_RELU; }

    /** The constant π as an expression. */
    public static Expr pi() { return apply(PI, List.of()); }

    /** The constant e as an expression. */
    public static Expr e() { return apply(E, List.of()); }

    // Rules refer to other entries through methods: an enum constant's initializer may not name a
    // constant declared after it.
    private static Primitive leakyStep() { return LEAKY_STEP; }

    private static Primitive relu() { return RELU; }

    private static Primitive sigmoid() { return SIGMOID; }

    private static Primitive cos() { return COS; }

    private static Primitive sin() { return SIN; }

    private static Primitive sign() { return SIGN; }

    private static Primitive cosh() { return COSH; }

    private static Primitive sinh() { return SINH; }

    private static Primitive log() { return LOG; }

    private static Primitive exp() { return EXP; }

    private static Primitive heaviside() { return HEAVISIDE; }

    private static Expr piConstant() { return apply(PI, List.of()); }

    /** {@code 1/sqrt(x)}, as a textbook writes the derivatives of asin, acosh, erf. */
    private static Expr invSqrt(Expr x) { return pow(apply(SQRT, List.of(x)), num(-1)); }

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
