package chainrule.layer;

import chainrule.expr.Primitive;

/**
 * What a source back end ({@code chainrule.codegen}) tells the layer ops about its language, so
 * that each op writes its own loops as source text next to its bytecode ({@link Node#forwardSource},
 * {@link Node#backwardSource}).
 */
public interface SourceSyntax {
    /** A number literal. */
    String number(double v);

    /** A built-in's expression template ({@code {0}}, {@code {1}} for its arguments). */
    String template(Primitive.Lowering l);

    /** {@code 1 / base} with IEEE semantics at 0. */
    String reciprocal(String base);

    /** {@code a / b} with IEEE semantics at 0 ({@code a} and {@code b} locals, literals or parenthesised): a step of a quotient ({@code expr.QuotientEntry}). */
    String quotient(String a, String b);

    /** Whether blocks are braces ({@code for (...) {}}, Java and C) rather than indentation (Python). */
    boolean braces();

    /** What starts a new local double ({@code double } or nothing). */
    String declare();

    /** What ends a statement. */
    String end();

    /** A whole comment line holding {@code text} (names in it made safe for the source's encoding). */
    String comment(String text);

    /** The larger of two doubles. */
    String max(String a, String b);
}
