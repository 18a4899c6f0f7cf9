package chainrule.print;

import chainrule.expr.Expr;
import chainrule.expr.ExprPrinter;
import chainrule.expr.Exprs;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.paths.LayerForm;
import chainrule.paths.LayerTerm;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LayerTerm} as a formula: {@code (W2ᵀ δ(o.in)) ⊙ h ⊙ (1 - h)}, {@code δ(h.in) ⊗ x},
 * {@code Σᵢ δ(h.in)[i]}. A δ that the form names is written by name, any other is written out.
 * With {@link #bookWords()} each factor is replaced by the book's word for it
 * ({@code (웨ᵀ δ(o.in)) ⊙ 액}). Other notations (LaTeX) subclass it and replace only the tokens.
 */
public class LayerTermText {
    /** Binding strength of a rendered form, loosest first. */
    protected static final int SUM = 0;
    protected static final int MATRIX = 1;
    protected static final int HADAMARD = 2;
    protected static final int ATOM = 3;

    /** A printed term, how tightly it binds, and whether it stands for a vector (⊙ only between two vectors). */
    private record Printed(String text, int prec, boolean vector) {
        Printed(String text, int prec) {
            this(text, prec, true);
        }
    }

    private final LayerForm form;
    private final ExprPrinter printer;
    private final boolean book;

    protected LayerTermText(LayerForm form, ExprPrinter printer, boolean book) {
        this.form = form;
        this.printer = printer instanceof ElementwisePrinter e
                ? e.withScalars(s -> form.group(s.name()).map(LayerForm.Group::isScalar).orElse(true)) : printer;
        this.book = book;
    }

    /** Formulas in text. */
    public static LayerTermText of(LayerForm form) {
        return new LayerTermText(form, ElementwisePrinter.text(), false);
    }

    /** The same shape with the book's words (액, 웨, 나, ∂L/∂나) in place of the factors. */
    public LayerTermText bookWords() {
        return new LayerTermText(form, printer, true);
    }

    public String print(LayerTerm t) {
        return render(t).text();
    }

    /** The form printed. */
    protected LayerForm form() { return form; }

    /** The name of δ(g). */
    public String delta(LayerForm.Group g) { return "δ(" + form.printedName(g) + ")"; }

    protected String name(LayerForm.Group g) { return g.name(); }

    protected String hadamard() { return " ⊙ "; }

    protected String scalarTimes() { return "·"; }

    protected String outerSign() { return " ⊗ "; }

    protected String transposeOf(String matrix) { return matrix + "ᵀ"; }

    protected String matrixTimes() { return " "; }

    protected String group(String s) { return "(" + s + ")"; }

    protected String sumOver(String vectorElement) { return "Σᵢ " + vectorElement; }

    protected String element(String vector) { return vector + "[i]"; }

    protected String inner(String a, String b) { return "⟨" + a + ", " + b + "⟩"; }

    protected String jacobianOf(LayerForm.Group output, LayerForm.Group input) {
        return "(∂" + output.name() + "/∂" + input.name() + ")ᵀ";
    }

    protected String plus() { return " + "; }

    /** One of the book's words (액, 웨, 나, ∂L/∂나) in this notation; in text, itself. */
    protected String bookWord(String word) { return word; }

    protected String minus() { return " - "; }

    private Printed render(LayerTerm t) {
        return LayerTerm.visit(t, new LayerTerm.Visitor<Printed>() {
            @Override public Printed delta(LayerTerm.Delta d) {
                if (d.group() == form.loss()) {
                    return new Printed("1", ATOM, false);
                }
                return form.isNamed(d.group()) || form.delta(d.group()) == null
                        ? new Printed(LayerTermText.this.delta(d.group()), ATOM, !d.group().isScalar())
                        : render(form.delta(d.group()));
            }

            @Override public Printed elementwise(LayerTerm.Elementwise e) {
                boolean intoLoss = e.rest() instanceof LayerTerm.Delta d && d.group() == form.loss();
                if (e.factor() == Exprs.ONE && !intoLoss) {
                    return render(e.rest());
                }
                Printed f = book ? new Printed(bookWord(Notation.bookLabel(e.role(), form.loss().name())), ATOM) : factor(e.factor());
                if (intoLoss) {
                    return f;
                }
                if (!book && e.factor() instanceof chainrule.expr.Num q && q.isExact() && q.isFraction()) {
                    // a fraction divides what it multiplies: δ(mean(h))/16, never δ(mean(h))·1/16
                    Printed rest = render(e.rest());
                    return new Printed(quotient(wrap(rest, HADAMARD), q.numerator(), q.denominator()), HADAMARD, rest.vector());
                }
                // backpropagation order, as the scalar closed forms: the δ from above first, then
                // this layer's factor, δ(h.in) = (W2ᵀ δ(o.in)) ⊙ σ′(h.in) (docs/language.md)
                Printed rest = render(e.rest());
                boolean vectors = !e.at().isScalar() && rest.vector() && (book || f.vector());
                return new Printed(wrap(rest, HADAMARD) + (vectors ? hadamard() : scalarTimes())
                        + wrap(f, HADAMARD), HADAMARD, rest.vector() || f.vector());
            }

            @Override public Printed transposed(LayerTerm.Transposed x) {
                String w = book ? bookWord("웨") : name(x.weight());
                return new Printed(transposeOf(w) + matrixTimes() + wrap(render(x.rest()), ATOM), MATRIX);
            }

            @Override public Printed outer(LayerTerm.Outer o) {
                Printed right = book ? new Printed(bookWord("나"), ATOM) : factor(o.right());
                return new Printed(wrap(render(o.rest()), ATOM) + outerSign() + wrap(right, ATOM), MATRIX);
            }

            @Override public Printed broadcast(LayerTerm.Broadcast b) {
                Printed rest = render(b.rest());
                if (b.factor() == Exprs.ONE) {
                    return new Printed(sumOver(element(wrap(rest, ATOM))), MATRIX, false);
                }
                String f = book ? bookWord(Notation.bookLabel(b.role(), form.loss().name())) : printer.print(form.printed(b.factor()));
                return new Printed(inner(f, rest.text()), ATOM, false);
            }

            @Override public Printed softmax(LayerTerm.Softmax s) {
                String p = name(s.output());
                String rest = render(s.rest()).text(); // the left of a difference needs no brackets
                return new Printed(p + hadamard() + group(rest + minus() + inner(p, rest)), HADAMARD);
            }

            @Override public Printed jacobian(LayerTerm.Jacobian j) {
                return new Printed(jacobianOf(j.output(), j.input()) + matrixTimes() + wrap(render(j.rest()), ATOM), MATRIX);
            }

            @Override public Printed sum(LayerTerm.Sum s) {
                List<String> parts = new ArrayList<>();
                boolean vector = false;
                for (LayerTerm x : s.terms()) {
                    Printed p = render(x);
                    parts.add(p.text());
                    vector |= p.vector();
                }
                return new Printed(String.join(plus(), parts), SUM, vector);
            }
        });
    }

    /** {@code rest} times the fraction {@code q}: {@code δ(mean(h))/16}, {@code -3·δ(c)/16}. */
    protected String quotient(String rest, java.math.BigInteger k, java.math.BigInteger denominator) {
        String sign = k.signum() < 0 ? "-" : "";
        String times = k.abs().equals(java.math.BigInteger.ONE) ? "" : k.abs() + scalarTimes();
        return sign + times + rest + "/" + denominator;
    }

    private Printed factor(Expr f) {
        int prec = f instanceof Sum || ExprPrinter.isNegative(f) ? SUM : f instanceof Product ? HADAMARD : ATOM;
        return new Printed(printer.print(form.printed(f)), prec, isVector(f));
    }

    /** Whether an elementwise factor names a vector ({@code x}, {@code 1 - h²}), not only scalars ({@code lambda}). */
    private boolean isVector(Expr f) {
        for (chainrule.expr.Sym s : chainrule.model.Symbols.free(f)) {
            if (form.group(s.name()).map(g -> !g.isScalar()).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /** The text, grouped when it binds more loosely than {@code needed}: {@code (W2ᵀ δ(o.in)) ⊙ h}. */
    private String wrap(Printed p, int needed) {
        return p.prec() < needed ? group(p.text()) : p.text();
    }
}
