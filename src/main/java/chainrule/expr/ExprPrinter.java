package chainrule.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * The layout every infix printer shares: where signs go, when a product becomes a fraction, when
 * parentheses are needed (from {@link Precedence}). Subclasses supply only the tokens: how to write
 * a number, a name, a product, a fraction, a power, a call, a group.
 *
 * <p>It lives with the expressions because {@code Expr.toString()} prints through {@link TextPrinter}
 * (keeping the expression layer free of a cycle with {@code chainrule.print}); the token hooks are
 * public so that printers in {@code chainrule.print} can decorate one another (the elementwise
 * printer delegates to a text or LaTeX printer).
 */
public abstract class ExprPrinter {

    /** A rendered subexpression and the precedence of its outermost operator. */
    public record Printed(String text, int prec) {}

    public final String print(Expr e) {
        return render(e).text();
    }

    /**
     * The expression as the operand of an operator written before it, such as {@code d/dx}: in
     * parentheses unless it is a power, a call or an atom. {@code d/dx x²·y + sin(y)} reads as d/dx
     * applied to the first term only, {@code d/dx x²·y} as {@code (d/dx x²)·y} and {@code d/dx -x²}
     * as a subtraction; textbooks write {@code d/dx (x²·y + sin(y))}. A LaTeX fraction alone is
     * grouped by its bar.
     */
    public final String printOperand(Expr e) {
        Printed p = render(e);
        return p.prec() < Precedence.POWER && !isSelfGrouped(p.text()) ? group(p.text()) : p.text();
    }

    /** Whether the text is one block that needs no brackets as an operand (LaTeX's lone {@code \frac}). */
    public boolean isSelfGrouped(String text) { return false; }

    public abstract String number(double v);

    public abstract String symbol(Sym s);

    /**
     * The precedence of a name or number as written: an atom, except where the printer writes it
     * as an operation ({@code 3\times10^{25}} is a product, so its square needs parentheses).
     */
    public int leafPrecedence(String text) { return Precedence.ATOM; }

    /** Joins factors of a product. */
    public abstract String times(List<String> factors);

    /** numerator over denominator; {@code denPrec} is the denominator's precedence. */
    public abstract String fraction(String numerator, String denominator, int denPrec);

    /** Whether {@link #fraction} wraps its operands itself (LaTeX's \frac) or relies on precedence. */
    public boolean fractionIsGrouping() { return false; }

    public abstract String power(String base, Expr exponent, String exponentText);

    public abstract String call(Apply a, List<String> args);

    public abstract String group(String s);

    public String plus() { return " + "; }

    public String minus() { return " - "; }

    public String negative() { return "-"; }

    /**
     * Whether a product is written as 0: a printer that writes names as their values says so for a
     * product with a factor whose value is 0 and which is 0 ({@code 0 \cdot \log(0.37)} in a forward
     * pass with a target of 0, or {@code -0/0.37}), and drops such a term from a sum. A printer
     * of formulas writes every term.
     */
    protected boolean vanishes(Product p) { return false; }

    /**
     * Whether a printer that writes names as their values leaves a lone name out of a sum of
     * several terms because its value is 0 ({@code p - t} with t = 0 is written {@code 0.58}, not
     * {@code 0.58 - 0}). A printer of formulas writes every term.
     */
    protected boolean vanishes(Sym name) { return false; }

    public Printed render(Expr e) {
        return e.accept(new Expr.Visitor<Printed>() {
            @Override public Printed num(Num n) {
                if (isFractionText(n)) {
                    // 1/3 prints as a fraction, which binds like a product: x^(1/3), (2/3)·…
                    String f = fraction(n.numerator().abs().toString(), n.denominator().toString(), Precedence.ATOM);
                    return n.signum() < 0 ? new Printed(negative() + f, Precedence.UNARY) : new Printed(f, Precedence.PRODUCT);
                }
                String t = numberText(n);
                return new Printed(t, n.value() < 0 ? Precedence.UNARY : leafPrecedence(t));
            }

            @Override public Printed sym(Sym s) {
                String t = symbol(s);
                return new Printed(t, leafPrecedence(t));
            }

            @Override public Printed sum(Sum s) { return renderSum(s); }

            @Override public Printed product(Product p) {
                return vanishes(p) ? render(Exprs.ZERO) : renderProduct(p);
            }

            @Override public Printed power(Power p) { return renderPower(p); }

            @Override public Printed apply(Apply a) {
                List<String> args = new ArrayList<>(a.args().size());
                for (Expr x : a.args()) {
                    args.add(render(x).text());
                }
                return new Printed(call(a, args), Precedence.ATOM);
            }
        });
    }

    /**
     * Whether an exact number prints as a fraction: every number whose decimal expansion does not
     * end (1/3, 2/3), and those whose denominator is 2, 4, 5, 8, 10 or 16, typed or computed —
     * halves as textbooks write ½(t − o)², {@code x/8} differentiating to {@code 1/8}, the mean of 5
     * squared errors to {@code 2·(o - y)/5} ((2/n)·(o − t)), {@code x/10} to {@code 1/10}; a typed
     * {@code 0.2} prints {@code 1/5}. Finer decimals print as the decimals they are, as the input
     * writes them: {@code 0.05}, {@code 0.15}, and a weight decay {@code 0.01·w²} differentiates to
     * {@code 0.02·w}.
     */
    public static boolean isFractionText(Num n) {
        if (!n.isFraction()) {
            return false;
        }
        int q = n.denominator().bitLength() <= 13 ? n.denominator().intValue() : 0;
        // a mean's 1/128 or 3/256 reads better than 0.0078125 and 0.01171875; 1/100 stays 0.01
        boolean powerOfTwo = q > 16 && Integer.bitCount(q) == 1 && n.numerator().bitLength() <= 10;
        return q == 2 || q == 4 || q == 5 || q == 8 || q == 10 || q == 16 || powerOfTwo || !n.isTerminatingDecimal();
    }

    /** A number that is not a fraction: the shortest decimal, or the exact decimal when a double cannot hold it. */
    private String numberText(Num n) {
        if (n.isExact() && n.isInteger()) {
            String sci = scientificInteger(n.numerator());
            if (sci != null) {
                return sci;
            }
        }
        boolean ordinary = Double.isFinite(n.value()) && n.value() != 0;
        if (n.isFraction()) {
            java.math.BigDecimal d = n.decimal();
            if (!ordinary || new java.math.BigDecimal(Numbers.exact(n.value())).compareTo(d) != 0) {
                return d.toPlainString(); // 0.10000000000000000000001, written exactly
            }
        } else if (n.isExact() && n.numerator().bitLength() > 53) {
            java.math.BigInteger i = n.numerator();
            if (!ordinary || new java.math.BigDecimal(Numbers.exact(n.value())).compareTo(new java.math.BigDecimal(i)) != 0) {
                return i.toString();
            }
        }
        return number(n.value());
    }

    /**
     * An exact integer of 16 digits or more whose scientific form is shorter, written in it:
     * {@code 300000000000000000000} as {@code 3e20} ({@link #scientific}); the mantissa keeps every
     * significant digit, so the text reads back as the same exact integer. Null for the others
     * ({@code 123456789012345678901} stays as it is).
     */
    private String scientificInteger(java.math.BigInteger i) {
        java.math.BigInteger abs = i.abs();
        if (abs.bitLength() < 50) { // below 2^49 < 10^15: at most 15 digits
            return null;
        }
        String digits = abs.toString();
        if (digits.length() < 16) {
            return null;
        }
        String significant = digits.replaceFirst("0+$", "");
        int exponent = digits.length() - 1;
        String mantissa = significant.length() == 1 ? significant : significant.charAt(0) + "." + significant.substring(1);
        String plain = mantissa + "e" + exponent;
        if (plain.length() >= digits.length()) {
            return null;
        }
        return (i.signum() < 0 ? "-" : "") + scientific(mantissa, exponent);
    }

    /** A number written as mantissa times ten to the exponent: {@code 3e20} (LaTeX: {@code 3 \times 10^{20}}). */
    public String scientific(String mantissa, int exponent) {
        return mantissa + "e" + exponent;
    }

    /** Whether a term prints with a leading minus. */
    public static boolean isNegative(Expr t) {
        return (t instanceof Num n && n.value() < 0) || (t instanceof Product p && p.coefficient() < 0);
    }

    private Printed renderSum(Sum s) {
        List<Expr> terms = groupedByIndex(new ArrayList<>(s.terms()));
        // a term of value 0, written as numbers: 0.58 - 0 is 0.58, 0·log(0.37) + … is …
        terms.removeIf(t -> t instanceof Product p && vanishes(p) || t instanceof Sym name && vanishes(name));
        if (terms.size() <= 1) {
            return render(terms.isEmpty() ? Exprs.ZERO : terms.get(0));
        }
        // Lead with a positive term when there is one: "1 - x", not "-x + 1".
        if (isNegative(terms.get(0))) {
            for (int i = 1; i < terms.size(); i++) {
                if (!isNegative(terms.get(i))) {
                    terms.add(0, terms.remove(i));
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(wrap(render(terms.get(0)), Precedence.SUM));
        for (int i = 1; i < terms.size(); i++) {
            Expr t = terms.get(i);
            if (isNegative(t)) {
                sb.append(minus()).append(wrap(render(Exprs.neg(t)), Precedence.SUM + 1));
            } else {
                sb.append(plus()).append(wrap(render(t), Precedence.SUM + 1));
            }
        }
        return new Printed(sb.toString(), Precedence.SUM);
    }

    /**
     * A sum of vectors' elements (each term an element, or a number times one) printed grouped by
     * index, as Σᵢ (yhat[i] − y[i]) reads: {@code yhat[1] - y[1] + yhat[2] - y[2]}, not the normal
     * form's {@code yhat[1] - y[1] - y[2] + yhat[2]}. Within an index the positive terms lead; the
     * indices come in the order of their first term. Any other sum keeps its order. Only the
     * printing order changes.
     */
    private static List<Expr> groupedByIndex(List<Expr> terms) {
        java.util.Map<String, List<Expr>> byIndex = new java.util.LinkedHashMap<>();
        for (Expr t : terms) {
            Expr e = t instanceof Product p && p.factors().size() == 2 && p.factors().get(0) instanceof Num ? p.factors().get(1) : t;
            String index = e instanceof Sym sym && sym.kind() != SymKind.LOCAL ? indexOf(sym.name()) : null;
            if (index == null) {
                return terms;
            }
            byIndex.computeIfAbsent(index, k -> new ArrayList<>()).add(t);
        }
        if (byIndex.size() < 2 || byIndex.size() == terms.size()) {
            return terms;
        }
        List<Expr> out = new ArrayList<>(terms.size());
        for (List<Expr> group : byIndex.values()) {
            group.stream().filter(t -> !isNegative(t)).forEach(out::add);
            group.stream().filter(ExprPrinter::isNegative).forEach(out::add);
        }
        return out;
    }

    /** The index of an element's name ({@code "1"} for {@code y[1]}, {@code "2,3"} for {@code W[2,3]}), or null. */
    private static String indexOf(String name) {
        int open = name.lastIndexOf('[');
        return open > 0 && name.endsWith("]") ? name.substring(open + 1, name.length() - 1) : null;
    }

    private Printed renderProduct(Product p) {
        Num c = p.factors().get(0) instanceof Num n ? n : Exprs.ONE;
        List<Expr> factors = p.nonNumericFactors();
        List<Expr> shown = new ArrayList<>(factors.size());
        for (Expr f : factors) {
            if (!writtenAsOne(f)) {
                shown.add(f);
            }
        }
        return renderProduct(c, shown.isEmpty() ? factors : shown);
    }

    /**
     * Whether a printer that writes names as their values leaves a factor out of a product because
     * its value is exactly 1 ({@code y \cdot \log(p)} with y = 1 is written {@code \log(0.62)}, not
     * {@code 1 \cdot \log(0.62)}). A printer of formulas writes every factor.
     */
    protected boolean writtenAsOne(Expr factor) { return false; }

    /**
     * A coefficient times factors; factors with a negative numeric exponent go under a fraction bar.
     * The denominator is rendered from the factors as they are, never rebuilt through the
     * normalising factories (which would fold {@code 0^1} or {@code 2^1} into the coefficient).
     */
    private Printed renderProduct(Num coefficient, List<Expr> canonical) {
        List<Expr> factors = printOrder(canonical);
        List<String> numerator = new ArrayList<>();
        String lonelyNumerator = null; // the last factor's text without brackets
        List<Printed> denominator = new ArrayList<>();
        double c = coefficient.value();
        if (isFractionText(coefficient)) {
            // (2/3)·x prints as 2·x/3; (1/3)·x^(-2/3) as 1/(3·x^(2/3))
            java.math.BigInteger p = coefficient.numerator().abs();
            if (!p.equals(java.math.BigInteger.ONE)) {
                numerator.add(p.toString());
            }
            denominator.add(new Printed(coefficient.denominator().toString(), Precedence.ATOM));
            c = coefficient.signum();
        } else if (!coefficient.isOne() && !coefficient.negate().isOne()) {
            numerator.add(wrap(render(coefficient.signum() < 0 ? coefficient.negate() : coefficient), Precedence.PRODUCT));
            c = coefficient.signum() * 2; // not ±1 (1.0000000000000000000001 is not 1, though its double is)
        } else {
            c = coefficient.signum();
        }
        long reciprocals = factors.stream().filter(ExprPrinter::isReciprocal).count() + (isFractionText(coefficient) ? 1 : 0);
        for (Expr f : factors) {
            // 1/0 joins no other denominator: 1/(0*y) would read back as 1/0, since 0*y is 0
            boolean lonelyZero = f instanceof Power z && z.base() instanceof Num b && b.isZero() && reciprocals > 1;
            if (isReciprocal(f) && !lonelyZero) {
                Power pw = (Power) f;
                Num n = ((Num) pw.exponent()).negate(); // exactly: 1/x^(2/3)
                denominator.add(n.isOne() ? render(pw.base()) : renderPower(pw.base(), n));
            } else {
                Printed r = render(f);
                numerator.add(wrap(r, Precedence.PRODUCT));
                lonelyNumerator = r.text();
            }
        }
        String text;
        int prec;
        if (denominator.isEmpty()) {
            if (numerator.size() == 1 && !factors.isEmpty()) {
                // Only -1 * f has a single factor (1 * f is f itself); it keeps f's precedence.
                Printed only = render(factors.get(0));
                text = numerator.get(0);
                prec = Math.max(only.prec(), Precedence.PRODUCT);
            } else {
                text = times(numerator);
                prec = Precedence.PRODUCT;
            }
        } else {
            String num = numerator.isEmpty() ? number(1) : numerator.size() == 1 ? numerator.get(0) : times(numerator);
            if (fractionIsGrouping() && numerator.size() == 1 && lonelyNumerator != null) {
                num = lonelyNumerator; // \frac groups its numerator: \frac{a d - b c}{…}, no brackets
            }
            Printed d = denominator.size() == 1 ? denominator.get(0) : timesOf(denominator);
            String denText = fractionIsGrouping() ? d.text() : wrap(d, Precedence.PRODUCT + 1);
            text = fraction(num, denText, d.prec());
            prec = Precedence.PRODUCT;
        }
        // Unary minus binds tighter than * and /, so "-a*b" and "-a/b" need no parentheses.
        return c < 0 ? new Printed(negative() + text, Precedence.UNARY) : new Printed(text, prec);
    }

    /**
     * The factors in the order they are printed (docs/language.md, "Order of factors"): after the
     * numeric coefficient, named constants ({@code π}, a {@code const} such as {@code lambda}), which
     * read as coefficients ({@code λ·w}); then differences of a network's values, such as the error
     * {@code p - t}, as textbooks write {@code (p − t)·x1} and {@code (y − t)·w2} (in {@code diff},
     * whose names have no roles, none: {@code 2·a·(x - b)}); then the other factors in the
     * canonical order of the normal form ({@link chainrule.expr.ExprOrder}): names, calls, powers,
     * other sums, so that a factor stays before the sum made from it ({@code σ(x)·(1 - σ(x))},
     * {@code x^x·(log(x) + 1)}, {@code x·(x·cos(x) + 2·sin(x))}). Only the printing order changes;
     * the interned product keeps its canonical order, and factors of one kind keep theirs.
     */
    static List<Expr> printOrder(List<Expr> factors) {
        List<Expr> out = new ArrayList<>(factors.size());
        for (int group = 0; group < 3; group++) {
            for (Expr f : factors) {
                if (printGroup(f) == group) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** 0 for a named constant, 1 for a difference, 2 for any other factor. */
    private static int printGroup(Expr f) {
        if (f instanceof Sym s && s.kind() == chainrule.expr.SymKind.CONSTANT || f instanceof Apply a && a.args().isEmpty()) {
            return 0;
        }
        return isDifference(f) ? 1 : 2;
    }

    /**
     * A difference of a network's quantities, with no number among its terms: {@code p - t},
     * {@code out_o1 - t1}, an error or a δ. A sum with a number ({@code 1 - σ(x)}, {@code log(x) + 1}) is built from
     * another factor and follows it; a sum of positive terms only is a collected factor and follows too.
     */
    static boolean isDifference(Expr f) {
        if (!(f instanceof Sum s)) {
            return false;
        }
        boolean negative = false;
        boolean positive = false;
        for (Expr t : s.terms()) {
            if (t instanceof Num) {
                return false;
            }
            if (isNegative(t)) {
                negative = true;
            } else {
                positive = true;
            }
        }
        return negative && positive && hasNetworkName(s);
    }

    /**
     * Whether a network's value (a weight, an input, a target, a vertex) occurs in the expression:
     * a difference of such values is an error, written first. In {@code diff} every name is a
     * free variable ({@code LOCAL}), with no role, and products keep the calculus order
     * {@code 2·a·(x - b)}. Stops at the first such name.
     */
    private static boolean hasNetworkName(Expr e) {
        java.util.Set<Expr> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.Deque<Expr> todo = new java.util.ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (x instanceof Sym s) {
                if (s.kind() != chainrule.expr.SymKind.LOCAL) {
                    return true;
                }
            } else if (seen.add(x)) {
                x.children().forEach(todo::push);
            }
        }
        return false;
    }

    /**
     * A factor written as 1/(base^n): a negative numeric exponent on a non-numeric base, or a
     * number's kept reciprocal ({@code 1/3}). Other powers of numbers keep their exponent
     * ({@code 2^(-0.5)}, {@code 0^(-2)}): written as a fraction they would fold differently.
     */
    private static boolean isReciprocal(Expr f) {
        return f instanceof Power pw && pw.exponent() instanceof Num n && n.value() < 0
                && (!(pw.base() instanceof Num b) || n.value() == -1 && b.value() >= 0);
    }

    private Printed timesOf(List<Printed> factors) {
        List<String> parts = new ArrayList<>(factors.size());
        for (Printed f : factors) {
            parts.add(wrap(f, Precedence.PRODUCT));
        }
        return new Printed(times(parts), Precedence.PRODUCT);
    }

    private Printed renderPower(Power p) {
        if (isReciprocal(p)) {
            return renderProduct(Exprs.ONE, List.of(p)); // 1/(x^2 + 1), not (x^2 + 1)^(-1)
        }
        return renderPower(p.base(), p.exponent());
    }

    private Printed renderPower(Expr base, Expr exponent) {
        String b = wrap(render(base), Precedence.POWER + 1);
        Printed x = render(exponent);
        String xText = x.prec() < Precedence.POWER ? group(x.text()) : x.text();
        return new Printed(power(b, exponent, xText), Precedence.POWER);
    }

    /** The text, in parentheses when its precedence is below {@code needed}. */
    public String wrap(Printed p, int needed) {
        return p.prec() < needed ? group(p.text()) : p.text();
    }
}
