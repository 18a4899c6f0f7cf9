package chainrule.print;

import chainrule.diag.TextWidth;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.ExprPrinter;
import chainrule.expr.Exprs;
import chainrule.expr.Numbers;
import chainrule.expr.Sum;
import chainrule.expr.TextPrinter;
import chainrule.expr.UserFunction;
import chainrule.model.Vertex;
import chainrule.paths.Chain;
import chainrule.paths.ClosedForm;
import chainrule.paths.Edge;
import java.util.ArrayList;
import java.util.List;

/**
 * A closed form as text, factors in backpropagation order: from the loss down to the parameter,
 * each δ before the input it multiplies, as textbooks write {@code ∂E/∂w = δ·x}:
 * {@code (δ(net_o1)·w5 + δ(net_o2)·w7)·out_h1·(1 - out_h1)·i1}. (The path listing of
 * {@code paths} keeps the forward order of each path; the factors are the same.)
 * Factors equal to 1 (a bias's input) are left out of products. Other notations (LaTeX) subclass it
 * and replace only the tokens: the product sign, grouping, the sum sign, a factor, a δ's name.
 */
public class ChainText {
    private final ExprPrinter printer;

    public ChainText(ExprPrinter printer) {
        this.printer = printer;
    }

    public static ChainText pretty() { return new ChainText(TextPrinter.pretty()); }

    public static ChainText plain() { return new ChainText(TextPrinter.plain()); }

    /**
     * δs and derivatives of the user's functions this printer's blocks have defined so far, when it
     * defines each once per output ({@link #definingOnce()}); null: every block defines what it uses.
     */
    private java.util.Set<Object> defined;

    /**
     * This printer, defining each δ and each derived function once per output: in the first block
     * ("where") that uses it, as the LaTeX derivation does; later blocks use it without repeating it.
     */
    public ChainText definingOnce() {
        defined = new java.util.HashSet<>();
        return this;
    }

    /** Whether {@code x} still needs its definition in this output (and, if so, is now taken as defined). */
    boolean toDefine(Object x) {
        return defined == null || defined.add(x);
    }

    /** Whether a block of this output has defined {@code x} already ({@link #definingOnce()}). */
    boolean isDefined(Object x) {
        return defined != null && defined.contains(x);
    }

    protected String times() { return printer == TextPrinter.plain() ? "*" : "·"; }

    /** The name of δ(v) in text. */
    public String delta(Vertex v) {
        if (printer == TextPrinter.plain()) {
            return "delta_" + v.name().replace('.', '_');
        }
        // a shared reduction by its call, δ(mean(h)): L.mean is no name of the file
        return "δ(" + chainrule.paths.FoldedReductions.callOf(v).map(printer::print).orElse(v.name()) + ")";
    }

    public String print(Chain c) {
        return render(c, false);
    }

    private String render(Chain c, boolean inProduct) {
        return Chain.visit(c, new Chain.Visitor<String>() {
            @Override public String factor(Chain.Factor f) { return edgeFactor(f.edge(), inProduct); }

            @Override public String series(Chain.Series s) {
                // backpropagation order: the factor nearest the loss first, the parameter's input
                // last, as δ·x (see the class comment)
                List<String> parts = new ArrayList<>();
                // A quotient factor among others in text: its numerator in place, its denominator
                // after all the factors, as a textbook writes c·x/(2·r), not c·(1/(2·r))·x.
                List<Expr> denominators = new ArrayList<>();
                boolean collect = splitsQuotients() && s.parts().size() > 1;
                boolean negated = false;
                for (int i = s.parts().size() - 1; i >= 0; i--) {
                    Chain x = s.parts().get(i);
                    if (x instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE) {
                        continue;
                    }
                    if ((collect || fractionsDivide() && s.parts().size() > 1) && writesFormulas() && x instanceof Chain.Factor f
                            && f.edge().factor() instanceof chainrule.expr.Num q && q.isExact() && q.isFraction()) {
                        // a fraction among other factors divides them: mean(h)/16, never mean(h)·1/16
                        if (q.signum() < 0) {
                            negated = !negated;
                        }
                        denominators.add(Exprs.rational(q.denominator(), java.math.BigInteger.ONE));
                        if (!q.numerator().abs().equals(java.math.BigInteger.ONE)) {
                            parts.add(printer.print(Exprs.rational(q.numerator().abs(), java.math.BigInteger.ONE)));
                        }
                        continue;
                    }
                    if (negativeNumber(x) && writesFormulas() && s.parts().size() > 1) {
                        if (x instanceof Chain.Factor f && f.edge().factor() instanceof chainrule.expr.Num n && n.negate().isOne()) {
                            negated = !negated; // -δ(c[1]), not -1·δ(c[1])
                            continue;
                        }
                        // a negative constant factor is the product's coefficient: -2.01·δ(y), not δ(y)·(-2.01)
                        parts.add(0, render(x, false));
                        continue;
                    }
                    Expr[] quotient = collect && x instanceof Chain.Factor f ? quotient(f.edge().factor()) : null;
                    if (quotient != null) {
                        denominators.add(quotient[1]);
                        if (quotient[0] != Exprs.ONE) {
                            parts.add(factorText(quotient[0], true));
                        }
                        continue;
                    }
                    String part = render(x, s.parts().size() > 1);
                    // a fraction followed by more factors is bracketed, so that (p - t)/(p·(1 - p))
                    // cannot be read as dividing by everything after it
                    if (x instanceof Chain.Factor && followedByAFactor(s, i) && !printer.fractionIsGrouping() && hasTopLevelSlash(part)) {
                        part = groupFactor(part);
                    }
                    parts.add(part);
                }
                if (!denominators.isEmpty()) {
                    String over = (negated ? "-" : "") + over(parts.isEmpty() ? "1" : String.join(times(), parts), Exprs.mul(denominators));
                    return inProduct ? groupFactor(over) : over;
                }
                if (negated) {
                    String text = "-" + (parts.isEmpty() ? "1" : String.join(times(), parts));
                    return inProduct ? groupFactor(text) : text;
                }
                if (parts.isEmpty()) {
                    return "1";
                }
                return parts.size() == 1 ? render(onlyNonUnit(s), inProduct) : String.join(times(), parts);
            }

            @Override public String parallel(Chain.Parallel p) {
                if (p.alternatives().isEmpty()) {
                    return "0";
                }
                StringBuilder sb = new StringBuilder();
                for (Chain x : p.alternatives()) {
                    String part = render(x, false);
                    if (sb.isEmpty()) {
                        sb.append(part);
                    } else if (part.startsWith("-")) {
                        sb.append(minus()).append(part, 1, part.length()); // a - b, never a + -b
                    } else {
                        sb.append(plus()).append(part);
                    }
                }
                String sum = sb.toString();
                return inProduct ? groupSum(sum) : sum;
            }

            @Override public String delta(Chain.Delta d) { return ChainText.this.delta(d.vertex()); }
        });
    }

    /** Whether quotient factors of a product are written over one denominator (plain and pretty text; LaTeX has \\frac). */
    protected boolean splitsQuotients() { return !printer.fractionIsGrouping(); }

    /**
     * Whether an exact fraction 1/k among a product's factors divides the others even where
     * quotients are not split ({@link #splitsQuotients}): LaTeX's {@code \frac{\operatorname{mean}(h)}{128}}.
     */
    protected boolean fractionsDivide() { return false; }

    /** {@code numerator} divided by {@code den}: {@code numerator/den}, the denominator grouped unless a positive integer. */
    protected String over(String numerator, Expr den) {
        String denText = printer.print(den);
        if (den instanceof chainrule.expr.Product || den instanceof Sum
                || den instanceof chainrule.expr.Num n && !(n.isInteger() && n.signum() > 0)) {
            denText = groupFactor(denText);
        }
        return numerator + "/" + denText;
    }

    /**
     * {@code text} without the group {@code open … close} (a LaTeX {@code \left( … \right)}, as
     * {@link #groupFactor} writes it) around it whole, where it is one group: a fraction's
     * numerator needs none. {@code (a)·(b)}, two groups, is left as it is.
     */
    protected static String withoutOuterGroup(String text, String open, String close) {
        if (!text.startsWith(open) || !text.endsWith(close)) {
            return text;
        }
        int depth = 0;
        for (int i = 0; i < text.length() - close.length(); i++) {
            if (text.startsWith("\\left", i) && !text.startsWith("\\leftarrow", i)) {
                depth++;
            } else if (text.startsWith("\\right", i) && !text.startsWith("\\rightarrow", i)) {
                depth--;
                if (depth == 0) {
                    return text; // the first group closes before the end: (a)·(b)
                }
            }
        }
        return text.substring(open.length(), text.length() - close.length());
    }

    /**
     * {numerator, denominator} of a factor that divides (a power with a negative exponent among its
     * factors), or null: not a quotient, a negative numerator (kept whole, as {@code (-1/x²)}) or a
     * sum over a denominator.
     */
    static Expr[] quotient(Expr e) {
        List<Expr> factors = e instanceof chainrule.expr.Product p ? p.factors() : List.of(e);
        List<Expr> num = new ArrayList<>();
        List<Expr> den = new ArrayList<>();
        for (Expr f : factors) {
            if (f instanceof chainrule.expr.Power pw && pw.exponent() instanceof chainrule.expr.Num n && n.signum() < 0) {
                den.add(Exprs.pow(pw.base(), n.negate()));
            } else if (f instanceof chainrule.expr.Num c && c.isExact() && c.isFraction()) {
                num.add(Exprs.rational(c.numerator(), java.math.BigInteger.ONE));
                den.add(Exprs.rational(c.denominator(), java.math.BigInteger.ONE));
            } else {
                num.add(f);
            }
        }
        if (den.isEmpty() || den.size() == 1 && den.get(0) instanceof chainrule.expr.Num) {
            return null; // x/2 stays a factor of its own
        }
        Expr n = Exprs.mul(num);
        // A sum over a denominator ((p - t)/(p·(1 - p)), the loss's own factor) stays whole, bracketed:
        // split, its denominator would stand apart from the edge it belongs to.
        return ExprPrinter.isNegative(n) || n instanceof Sum ? null : new Expr[] {n, Exprs.mul(den)};
    }

    /** Whether a factor other than 1 is printed after part {@code i} (parts are printed last to first). */
    private static boolean followedByAFactor(Chain.Series s, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (!(s.parts().get(j) instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the text divides at its top level ({@code a/b}, not {@code f(a/b)} or {@code (a/b)}). */
    static boolean hasTopLevelSlash(String text) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == '/' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    private static Chain onlyNonUnit(Chain.Series s) {
        for (Chain x : s.parts()) {
            if (!(x instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE)) {
                return x;
            }
        }
        throw new AssertionError("caller checked that one part is not 1");
    }

    /** The sign between alternatives of a sum. */
    protected String plus() { return " + "; }

    /** The sign before an alternative that begins with a minus, which it replaces. */
    protected String minus() { return " - "; }

    private static boolean negativeNumber(Chain x) {
        return x instanceof Chain.Factor f && f.edge().factor() instanceof chainrule.expr.Num n && n.signum() < 0;
    }

    /** A sum of alternatives standing in a product. */
    protected String groupSum(String sum) { return "(" + sum + ")"; }

    /** A factor standing in a product that needs grouping (a sum, a negative term). */
    protected String groupFactor(String factor) { return "(" + factor + ")"; }

    /** How one edge's factor is written; a numeric notation writes its value instead. */
    protected String edgeFactor(Edge e, boolean inProduct) { return factorText(e.printedFactor(), inProduct); }

    /** A factor's text, in parentheses when it is a sum or negative and stands in a product. */
    public String factorText(Expr e, boolean inProduct) {
        String t = printer.print(e);
        return inProduct && (e instanceof Sum || ExprPrinter.isNegative(e)) ? groupFactor(t) : t;
    }

    /**
     * The closed form as a block of lines people read:
     * <pre>
     * ∂E/∂b1 = out_h1·(1 - out_h1)·(w5·δ(net_o1) + w7·δ(net_o2)) + …
     *        = 0.0187256093947
     *   where δ(net_o1) = ∂E/∂net_o1 = out_o1·(1 - out_o1)·(out_o1 - t1) = 0.138498562
     *         δ(net_o2) = ∂E/∂net_o2 = out_o2·(1 - out_o2)·(out_o2 - t2) = -0.0380982365
     * </pre>
     * The value line is last so the {@code =} signs of the formula and its value line up; the δ
     * names line up under each other.
     *
     * @param value    the derivative's value, or null when values are missing
     * @param adjoints ∂loss/∂v per vertex for the δ values, or null
     */
    public List<String> closedFormBlock(ClosedForm form, String lossName, Double value,
                                        java.util.Map<Vertex, Double> adjoints) {
        return closedFormBlock(form, lossName, value, adjoints, false);
    }

    /**
     * {@link #closedFormBlock(ClosedForm, String, Double, java.util.Map)}, with the simplified form
     * ({@link ClosedForm#simplified()}, such as {@code (p - t)·x1}) where there is one: in place of
     * the factored chain ({@code simplifiedOnly}, what {@code grad} shows), or on a line of its own
     * under it (the path listing, which keeps each edge's factor).
     */
    public List<String> closedFormBlock(ClosedForm form, String lossName, Double value,
                                        java.util.Map<Vertex, Double> adjoints, boolean simplifiedOnly) {
        Expr simplified = writesFormulas() ? form.simplified() : null;
        List<String> lines = formulaLines(form, lossName, null);
        if (simplified != null) {
            String text = printer.print(simplified);
            if (form.simplifiedTargetSum() != null && printer == TextPrinter.pretty()) {
                text += targetSumNote(form.simplifiedTargetSum());
            }
            if (simplifiedOnly) {
                lines.set(0, lhs(form, lossName) + text);
            } else {
                lines.add(" ".repeat(TextWidth.of(lhs(form, lossName)) - 2) + "= " + text);
            }
        }
        if (simplified == null && form.chainTargetSum() != null && printer == TextPrinter.pretty()) {
            lines.set(0, lines.get(0) + targetSumNote(form.chainTargetSum()));
        }
        java.util.Map<Vertex, Chain> deltas = new java.util.LinkedHashMap<>();
        form.deltas().forEach((v, c) -> {
            if (toDefine(v)) {
                deltas.put(v, c);
            }
        });
        lines.addAll(deltaLines(deltas, lossName, adjoints, WHERE, form.sharesDeltas())); // a shared δ line says what it relies on
        for (UserFunction f : derivedFunctions(form)) {
            if (!toDefine(f)) {
                continue;
            }
            String prefix = lines.size() == 1 ? WHERE : " ".repeat(WHERE.length());
            lines.add(prefix + definition(f));
        }
        if (value != null) {
            lines.add(simplified != null && !simplifiedOnly ? 2 : 1, valueLine(form, lossName, value));
        }
        return lines;
    }

    /**
     * What a form written with a target's given values relies on ({@link ClosedForm#chainTargetSum}):
     * softmax with cross-entropy is {@code p - y} as they sum to 1, {@code 9·p/5 - y} as they sum to 9/5.
     */
    private String targetSumNote(chainrule.expr.Num sum) {
        return "   (as the target's given values sum to " + printer.print(sum) + ")";
    }

    /** Whether factors are written as formulas (a notation that writes values instead says no). */
    protected boolean writesFormulas() { return true; }

    private static final String WHERE = "  where ";

    /** {@code swish′(z) = …}: the definition of a derivative of the user's function, which the file does not have. */
    String definition(UserFunction f) {
        List<String> params = new ArrayList<>();
        for (Expr p : f.params()) {
            params.add(printer.print(p));
        }
        return f.sourceName() + "(" + String.join(", ", params) + ") = " + printer.print(f.body());
    }

    /** {@code ∂E/∂w = chain}, and under it {@code = value} when the value is known (null: no line). */
    public List<String> formulaLines(ClosedForm form, String lossName, Double value) {
        List<String> lines = new ArrayList<>();
        lines.add(lhs(form, lossName) + print(form.chain()));
        if (value != null) {
            lines.add(valueLine(form, lossName, value));
        }
        return lines;
    }

    private static String lhs(ClosedForm form, String lossName) {
        return "∂" + lossName + "/∂" + form.wrt().name() + " = ";
    }

    /** {@code = value}, its sign under the formula's. */
    private static String valueLine(ClosedForm form, String lossName, double value) {
        return " ".repeat(TextWidth.of(lhs(form, lossName)) - 2) + "= " + Numbers.text(value);
    }

    /**
     * One line per δ: {@code δ(v) = ∂E/∂v = chain = value}, the first prefixed by {@code first}
     * (such as {@code "  where "}) and the others aligned under it.
     *
     * @param adjoints ∂loss/∂v per vertex for the values, or null
     */
    public List<String> deltaLines(java.util.Map<Vertex, Chain> deltas, String lossName,
                                   java.util.Map<Vertex, Double> adjoints, String first) {
        return deltaLines(deltas, lossName, adjoints, first, true);
    }

    /**
     * {@link #deltaLines(java.util.Map, String, java.util.Map, String)}; {@code noteTargetSums}
     * false where the formula's own line already says what given target sum the form relies on.
     */
    private List<String> deltaLines(java.util.Map<Vertex, Chain> deltas, String lossName,
                                    java.util.Map<Vertex, Double> adjoints, String first, boolean noteTargetSums) {
        List<String> lines = new ArrayList<>();
        boolean noted = !noteTargetSums;
        for (var e : deltas.entrySet()) {
            String prefix = lines.isEmpty() ? first : " ".repeat(first.length());
            String formula = print(e.getValue());
            String number = adjoints == null ? "" : " = " + Numbers.rounded(adjoints.get(e.getKey()), 10);
            if (number.equals(" = " + formula)) {
                number = ""; // δ(z) = ∂E/∂z = 1, not 1 = 1
            }
            // a shared δ written with the target's given values says so, on the first such line
            chainrule.expr.Num sum = noted || printer != TextPrinter.pretty() ? null : ClosedForm.targetSumBehind(e.getValue());
            noted |= sum != null;
            String by = chainrule.paths.FoldedReductions.callOf(e.getKey()).map(printer::print).orElse(e.getKey().name());
            lines.add(prefix + delta(e.getKey()) + " = ∂" + lossName + "/∂" + by + " = "
                    + formula + number + (sum == null ? "" : targetSumNote(sum)));
        }
        return lines;
    }

    /**
     * Derivatives of the user's functions that the form calls. A form with shared δs (a large
     * network) is searched factor by factor; expanding it would cost as much as the layers above.
     */
    private static List<UserFunction> derivedFunctions(ClosedForm form) {
        if (!form.sharesDeltas()) {
            return derivedFunctions(form.toExpr());
        }
        java.util.Set<UserFunction> found = new java.util.LinkedHashSet<>();
        List<Chain> chains = new ArrayList<>(List.of(form.chain()));
        chains.addAll(form.deltas().values());
        for (Chain c : chains) {
            for (Edge e : edges(c)) {
                found.addAll(directlyDerived(e.factor()));
            }
        }
        return closure(found);
    }

    /** The edges of a chain's factors, in order. */
    private static List<Edge> edges(Chain c) {
        List<Edge> out = new ArrayList<>();
        Chain.visit(c, new Chain.Visitor<Void>() {
            @Override public Void factor(Chain.Factor f) {
                out.add(f.edge());
                return null;
            }

            @Override public Void series(Chain.Series s) {
                s.parts().forEach(x -> out.addAll(edges(x)));
                return null;
            }

            @Override public Void parallel(Chain.Parallel p) {
                p.alternatives().forEach(x -> out.addAll(edges(x)));
                return null;
            }

            @Override public Void delta(Chain.Delta d) { return null; }
        });
        return out;
    }

    /**
     * Derivatives of the user's functions ({@code swish′}) that {@code e} calls, in order of first
     * appearance, followed by those their own definitions call (h′₁ = g′₁ + 1 needs g′₁), transitively,
     * each once: they have no definition in the file, so the text gives theirs, each after its first use.
     */
    public static List<UserFunction> derivedFunctions(Expr e) {
        return closure(directlyDerived(e));
    }

    /**
     * {@code roots} and every derivative their definitions call, transitively, each once: a
     * definition comes after the first definition (or the formula) that uses it.
     */
    public static List<UserFunction> closure(java.util.Collection<UserFunction> roots) {
        java.util.Set<UserFunction> all = new java.util.LinkedHashSet<>(roots);
        List<UserFunction> queue = new ArrayList<>(all);
        for (int i = 0; i < queue.size(); i++) {
            for (UserFunction g : directlyDerived(queue.get(i).body())) {
                if (all.add(g)) {
                    queue.add(g);
                }
            }
        }
        return queue;
    }

    /** The derivatives {@code e} itself calls, in order of first appearance. */
    private static List<UserFunction> directlyDerived(Expr e) {
        java.util.Set<UserFunction> found = new java.util.LinkedHashSet<>();
        java.util.Set<Expr> seen = new java.util.HashSet<>();
        java.util.Deque<Expr> todo = new java.util.ArrayDeque<>(List.of(e));
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Apply a && a.fn() instanceof UserFunction f && f.derivativeOf() != null) {
                found.add(f);
            }
            List<Expr> children = new ArrayList<>(x.children());
            java.util.Collections.reverse(children);
            children.forEach(todo::push);
        }
        return new ArrayList<>(found);
    }
}
