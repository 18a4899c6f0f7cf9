package chainrule.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * The table entry of a quotient, laid out like {@link PowerEntry}: how every back end computes a
 * product that has factors with a negative exponent. The normal form writes {@code a/b} as the
 * product {@code a·b^-1}, but it is never computed as {@code a·(1/b)}: that rounds twice where
 * {@code a/b} rounds once (so the last bit differs from PyTorch's and NumPy's {@code a/b}), and
 * {@code 1/b} overflows for |b| below about 5.6e-309 where {@code a/b} may be finite
 * ({@code 2e-300/1e-310} is 2e10).
 *
 * <p>The rule, read by the interpreter ({@link Evaluator}), the bytecode emitter
 * ({@code compile.ExprEmitter}, shared by the tape and the loop compiler), the tape's fused
 * products and reverse pass ({@code compile.Tape}), and the source of every generated language
 * ({@code codegen.SourceGenerator}, {@code layer.SourceWriter}):
 * <ol>
 *   <li>the numerator — every factor that is not a negative power, the coefficient among them —
 *       is multiplied out in the product's order (1 when there is none);</li>
 *   <li>then it is divided by each denominator factor in turn, in the product's order: a factor
 *       {@code b^-n} for an integer n from 1 to {@link #MAX_REPEATED_DIVISIONS} divides by b
 *       n times ({@code a·b^-2} is {@code a/b/b}, the derivative {@code -a·b^-2} of a/b is
 *       {@code -(a/b)/b}); any other negative power {@code b^e} divides once by {@code b^-e}
 *       (computed as the power entry computes it).</li>
 * </ol>
 *
 * <p>Why each denominator in turn, not the numerator over the product of the denominators: the
 * product of the denominators underflows or overflows as soon as they are all small or all large
 * ({@code b·b} is 0 for b = 1e-170, although {@code 1e-300/b/b} is 1e40), and a repeated factor
 * is the common case (every derivative of a quotient has one). Dividing in turn, the running
 * quotient moves monotonically when the denominators are all below 1 in magnitude (or all above):
 * an intermediate can then overflow (underflow) only if the result does. Both ways round once per
 * denominator factor. Lone powers ({@code b^-1} alone, {@code b^-2} alone) are not products: they
 * keep the power entry's forms ({@code 1/b}, {@code pow(b, -2)}).
 */
public final class QuotientEntry {
    private QuotientEntry() {}

    /** The most times a factor {@code b^-n} divides by b; a larger n divides once by {@code b^n}. */
    public static final int MAX_REPEATED_DIVISIONS = 4;

    /** Whether {@code factor} of a product is a denominator: a power with a negative number for exponent. */
    public static boolean isDenominator(Expr factor) {
        return factor instanceof Power p && p.exponent() instanceof Num n && n.value() < 0;
    }

    /** How many times a denominator factor divides by its {@link #operand}: n for {@code b^-n} (n ≤ {@link #MAX_REPEATED_DIVISIONS}), else 1; 0 for a numerator factor. */
    public static int divisions(Expr factor) {
        if (!isDenominator(factor)) {
            return 0;
        }
        double e = ((Num) ((Power) factor).exponent()).value();
        return e == Math.rint(e) && e >= -MAX_REPEATED_DIVISIONS ? (int) -e : 1;
    }

    /**
     * What a factor is computed from: a denominator's divisor (its base, or {@code b^-e} for an
     * exponent that is not a small integer), any other factor itself.
     */
    public static Expr operand(Expr factor) {
        if (!isDenominator(factor)) {
            return factor;
        }
        Power p = (Power) factor;
        Num e = (Num) p.exponent();
        boolean repeated = e.value() == Math.rint(e.value()) && e.value() >= -MAX_REPEATED_DIVISIONS;
        return repeated ? p.base() : Exprs.pow(p.base(), e.negate());
    }

    /** Whether {@code e} is a product computed with a division. */
    public static boolean divides(Expr e) {
        if (!(e instanceof Product p)) {
            return false;
        }
        for (Expr f : p.factors()) {
            if (isDenominator(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a node is computed from, in the order of its children: a dividing product's denominator
     * factors replaced by their {@link #operand divisors}, any other node's children as they are.
     * The back ends push (or lower) these, then {@link #fold} them.
     */
    public static List<Expr> operands(Expr node) {
        if (!divides(node)) {
            return node.children();
        }
        List<Expr> factors = node.children();
        List<Expr> out = new ArrayList<>(factors.size());
        for (Expr f : factors) {
            out.add(operand(f));
        }
        return out;
    }

    /** The operations a back end performs, on values of its own kind (a double, source text, pushes of bytecode). */
    public interface Operations<T> {
        /** The value 1 (a product with no numerator). */
        T one();

        /** The value of operand {@code k} (the {@link #operands} index). */
        T operand(int k);

        /** {@code a * b}. */
        T times(T a, T b);

        /** {@code a / b}, with IEEE division's infinities and nan at 0. */
        T over(T a, T b);
    }

    /**
     * The product computed by the rule: the numerator factors multiplied in order, then each
     * denominator divided out in turn. Operands are asked for in the order they are used (a stack
     * machine can push them as asked), a repeated division asking again.
     */
    public static <T> T fold(Product p, Operations<T> ops) {
        List<Expr> factors = p.factors();
        T acc = null;
        boolean started = false; // not acc != null: a stack machine's values are all null
        for (int k = 0; k < factors.size(); k++) {
            if (!isDenominator(factors.get(k))) {
                acc = started ? ops.times(acc, ops.operand(k)) : ops.operand(k);
                started = true;
            }
        }
        if (!started) {
            acc = ops.one();
        }
        for (int k = 0; k < factors.size(); k++) {
            for (int d = divisions(factors.get(k)); d > 0; d--) {
                acc = ops.over(acc, ops.operand(k));
            }
        }
        return acc;
    }
}
