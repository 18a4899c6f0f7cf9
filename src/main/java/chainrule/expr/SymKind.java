package chainrule.expr;

/**
 * What a name stands for. The kind is part of a symbol's identity only so that canonical order can
 * put a weight before the input it multiplies ({@code w1*i1}), the way people write it.
 */
public enum SymKind {
    /** A trainable parameter: a weight or a bias. */
    PARAMETER,
    /** A named constant ({@code const}). */
    CONSTANT,
    /** An input or a target: data, never differentiated. */
    DATA,
    /** A defined node (an intermediate value, an implicit pre-activation, or the loss). */
    NODE,
    /** A free name: a variable in {@code diff}, or a parameter inside a user function body. */
    LOCAL
}
