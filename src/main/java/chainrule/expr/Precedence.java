package chainrule.expr;

/**
 * The one precedence table every printer uses (text, LaTeX, source code), lowest first, matching
 * the grammar: {@code + -}, then {@code * /}, then unary minus, then {@code ^}, then atoms.
 */
public final class Precedence {
    private Precedence() {}

    public static final int SUM = 1;
    public static final int PRODUCT = 2;
    public static final int UNARY = 3;
    public static final int POWER = 4;
    public static final int ATOM = 5;
}
