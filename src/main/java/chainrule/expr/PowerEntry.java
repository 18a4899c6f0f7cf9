package chainrule.expr;

import chainrule.runtime.Fns;

/**
 * The table entry of a power {@code b^e}, laid out like a {@link Primitive} entry: its value, the
 * runtime method bytecode calls, and how every back end writes it. A power is not a built-in one
 * can call ({@code ^} is syntax, and its node is {@link Power}), so it is not an enum constant of
 * the primitive table; but it is written down once, here: the bytecode emitter
 * ({@code compile.ExprEmitter}, shared by the tape and the loop compiler), the straight-line
 * source generator and the loop source writer all ask {@link #form} and use {@link #LOWERING}.
 *
 * <p>The rule, read by all of them: a square is {@code b * b} inline (exact, and what a person
 * writes), a reciprocal {@code 1 / b} inline (with the language's IEEE division at 0), anything
 * else a call of {@code pow} ({@link Fns#pow} in bytecode and the interpreter, {@code cr_pow} in
 * generated source, which again squares a runtime exponent of 2 exactly). A power with a negative
 * exponent inside a product is not computed by this entry but divided out ({@link QuotientEntry}).
 * Its derivative is the
 * chain rule's ({@code diff.Differentiator}), its printed forms the printers' precedence table.
 */
public final class PowerEntry {
    private PowerEntry() {}

    /** How a power is computed, decided by its exponent. */
    public enum Form {
        /** {@code b * b}. */
        SQUARE,
        /** {@code 1 / b}. */
        RECIPROCAL,
        /** {@code pow(b, e)}. */
        CALL
    }

    /** The form of {@code b^exponent}: inline for the numbers 2 and -1, else a call. */
    public static Form form(Expr exponent) {
        if (exponent instanceof Num n && n.value() == 2.0) {
            return Form.SQUARE;
        }
        if (exponent instanceof Num n && n.value() == -1.0) {
            return Form.RECIPROCAL;
        }
        return Form.CALL;
    }

    /** The value, as the interpreter and compiled code compute it. */
    public static double value(double base, double exponent) {
        return Fns.pow(base, exponent);
    }

    /** Name of the static method in {@link Fns} that computes a {@link Form#CALL} power. */
    public static final String RUNTIME_METHOD = "pow";

    /** JVM descriptor of {@link #RUNTIME_METHOD}. */
    public static final String RUNTIME_DESCRIPTOR = "(DD)D";

    /** A {@link Form#SQUARE} in source text, {@code {0}} the base (a local or a literal). */
    public static final String SQUARE_TEMPLATE = "{0} * {0}";

    /** A {@link Form#CALL} in Java, C and Python source, with the helper each needs. */
    public static final Primitive.Lowering LOWERING = new Primitive.Lowering(
            "cr_pow({0}, {1})", "cr_pow({0}, {1})", "cr_pow({0}, {1})",
            "static double cr_pow(double b, double e) { return e == 2.0 ? b * b : Math.pow(b, e); }",
            "static double cr_pow(double b, double e) { return e == 2.0 ? b * b : pow(b, e); }",
            "def cr_pow(b, e):\n    if e == 2.0:\n        return b * b\n    try:\n        return math.pow(b, e)\n"
                    + "    except OverflowError:\n        return math.inf\n    except ValueError:\n"
                    + "        return math.inf if b == 0 else math.nan\n");

    /** A power in source text: {@code base} and {@code exponent} already written; reciprocals go through {@code reciprocal}. */
    public static String source(Form form, String base, String exponent, String callTemplate,
                                java.util.function.UnaryOperator<String> reciprocal) {
        return switch (form) {
            case SQUARE -> SQUARE_TEMPLATE.replace("{0}", base);
            case RECIPROCAL -> reciprocal.apply(base);
            case CALL -> callTemplate.replace("{0}", base).replace("{1}", exponent);
        };
    }
}
