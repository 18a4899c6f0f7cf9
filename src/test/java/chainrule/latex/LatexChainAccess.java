package chainrule.latex;

/** Test access to {@link LatexChain}'s number formatting. */
public final class LatexChainAccess {
    private LatexChainAccess() {}

    public static String value(double v, boolean inProduct) { return LatexChain.value(v, inProduct); }
}
