package chainrule.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/textbook.md}: classic derivations, the textbook's form beside chainrule's, produced
 * by running each command and compared with the page, so the page cannot drift from what the
 * program prints. To regenerate after an intended change, run
 * <pre>
 * mvn -q -o test -Dtest=TextbookPageTest -Dtextbook.update=true
 * </pre>
 * and read the diff of {@code docs/textbook.md}: each row is a claim that chainrule's form is
 * the textbook's (or says how it differs).
 */
class TextbookPageTest {
    static final Path PAGE = Path.of("docs/textbook.md");
    static final String DIR = "src/test/resources/textbook/";

    /**
     * One derivation: the textbook's form, the command, and the start of the output line that
     * holds chainrule's form.
     */
    record Row(String topic, String textbook, String lineStart, String... args) {
        static Row of(String topic, String textbook, String lineStart, String... args) {
            return new Row(topic, textbook, lineStart, args);
        }
    }

    static final List<Row> ROWS = List.of(
            Row.of("Logistic regression, binary cross-entropy", "(p − t)·x₁", "∂L/∂w1 =",
                    "grad", DIR + "logistic-regression.nn", "--wrt", "w1"),
            Row.of("Logistic regression, the bias", "p − t", "∂L/∂b =",
                    "grad", DIR + "logistic-regression.nn", "--wrt", "b"),
            Row.of("Sigmoid outputs with binary cross-entropy, a layer", "δ(o) = o − y", "where δ(o.in)",
                    "grad", "examples/mlp-relu.nn"),
            Row.of("Softmax with cross-entropy, a layer (one-hot y)", "δ(z) = p − y", "where δ(p.in)",
                    "grad", "examples/softmax.nn"),
            Row.of("Softmax with cross-entropy, one weight", "(p₂ − y₂)·h₁", "∂L/∂W2[2,1] =",
                    "grad", "examples/softmax.nn", "--wrt", "W2[2,1]"),
            Row.of("log_softmax with negative log-likelihood", "softmax(z)₁ − y₁", "∂L/∂b[1] =",
                    "grad", DIR + "log-softmax-nll.nn", "--wrt", "b[1]"),
            Row.of("Softmax with cross-entropy, a target not summing to 1", "δ(z) = p·Σy − y", "where δ(p.in)",
                    "grad", DIR + "softmax-soft-target.nn"),
            Row.of("log_softmax with negative log-likelihood, a target not summing to 1", "softmax(z)₁·Σy − y₁",
                    "∂L/∂b[1] =", "grad", DIR + "log-softmax-soft-target.nn", "--wrt", "b[1]"),
            Row.of("Mean squared error over n = 3 outputs", "δ(o) = (2/n)·(o − t)", "where δ(o)",
                    "grad", DIR + "mse.nn"),
            Row.of("Squared error with L2 weight decay", "(y − t)·x + λ·w", "∂L/∂w =",
                    "grad", DIR + "weight-decay.nn", "--wrt", "w"),
            Row.of("A tanh hidden unit", "(y − t)·w₂·(1 − h²)·x", "∂L/∂w1 =",
                    "grad", DIR + "tanh-hidden.nn", "--wrt", "w1"),
            Row.of("A sigmoid hidden unit", "(y − t)·w₂·h·(1 − h)·x", "∂L/∂w1 =",
                    "grad", DIR + "sigmoid-hidden.nn", "--wrt", "w1"),
            Row.of("Mazur, an output weight", "(out_o1 − t1)·out_o1·(1 − out_o1)·out_h1", "∂E/∂w5 =",
                    "grad", "examples/mazur.nn", "--wrt", "w5"),
            Row.of("Mazur, a hidden weight", "(Σₒ δₒ·wₒ)·out_h1·(1 − out_h1)·i1", "∂E/∂w1 =",
                    "grad", "examples/mazur.nn", "--wrt", "w1"),
            Row.of("Quotient rule", "(a·d − b·c)/(c·x + d)²", "  = ", "diff", "(a*x+b)/(c*x+d)", "--wrt", "x"),
            Row.of("Product rule", "2x·sin x + x²·cos x", "  = ", "diff", "x^2*sin(x)", "--wrt", "x"),
            Row.of("Chain rule", "2x·cos(x²)", "  = ", "diff", "sin(x^2)", "--wrt", "x"),
            Row.of("xˣ", "xˣ·(ln x + 1)", "  = ", "diff", "x^x", "--wrt", "x"),
            Row.of("Cube root", "1/(3·x^(2/3))", "  = ", "diff", "x^(1/3)", "--wrt", "x"),
            Row.of("Gaussian bump", "−x·exp(−x²/2)", "  = ", "diff", "exp(-x^2/2)", "--wrt", "x"),
            Row.of("Swish", "σ(x)·(1 + x·(1 − σ(x)))", "  = ", "diff", "x*sigmoid(x)", "--wrt", "x"),
            Row.of("Sigmoid", "σ(x)·(1 − σ(x))", "  = ", "diff", "sigmoid(x)", "--wrt", "x"),
            Row.of("tanh", "1 − tanh²(x)", "  = ", "diff", "tanh(x)", "--wrt", "x"),
            Row.of("Softplus", "σ(x) = eˣ/(eˣ + 1)", "  = ", "diff", "log(1+exp(x))", "--wrt", "x"),
            Row.of("ReLU", "step(x) (0 at x = 0)", "  = ", "diff", "relu(x)", "--wrt", "x"),
            Row.of("Square root", "1/(2·√x)", "  = ", "diff", "sqrt(x)", "--wrt", "x"),
            Row.of("Reciprocal", "−1/x²", "  = ", "diff", "1/x", "--wrt", "x"),
            Row.of("log(x² + 1)", "2x/(x² + 1)", "  = ", "diff", "log(x^2+1)", "--wrt", "x"),
            Row.of("Gaussian negative log-likelihood, the mean", "(μ − x)/σ²", "  = ",
                    "diff", "(x-m)^2/(2*s^2)", "--wrt", "m"),
            Row.of("tan", "1 + tan²(x) = sec²(x)", "  = ", "diff", "tan(x)", "--wrt", "x"),
            Row.of("atan", "1/(1 + x²)", "  = ", "diff", "atan(x)", "--wrt", "x"),
            Row.of("eˣ (e the constant)", "eˣ", "  = ", "diff", "e^x", "--wrt", "x"),
            Row.of("Mean of binary cross-entropy written out, a layer of n = 3", "δ(z) = (p − y)/n", "where δ(p.in)",
                    "grad", DIR + "bce-mean.nn"),
            Row.of("A weight used in two layers", "δₒ·(h + w·h·(1 − h)·x)", "∂L/∂w =",
                    "grad", DIR + "tied.nn", "--wrt", "w"),
            Row.of("Tied weights of a vector network, one element", "(Σₖ δ(oₖ)·Wₖ₁)·h₁·(1 − h₁)·x₂ + δ(o₁)·h₂", "∂L/∂W[1,2] =",
                    "grad", DIR + "tied-vector.nn", "--wrt", "W[1,2]"),
            Row.of("A square-root unit", "c·x/(2·√(w·x))", "∂L/∂w =", "grad", DIR + "sqrt-unit.nn"),
            Row.of("BCE with logits plus BCE of σ (σ(−w) = 1 − σ(w))", "2·(σ(w) − t)", "  = ",
                    "diff", "bce_with_logits(w, t) + binary_cross_entropy(sigmoid(w), t)", "--wrt", "w"),
            Row.of("abs(x) written as max(x, −x) (ties: ½ to each side)", "sign(x)", "  = ", "diff", "max(x, -x)", "--wrt", "x"),
            Row.of("exp(log x) for x > 0", "x", "  = ", "diff", "y*exp(log(x))", "--wrt", "y"),
            Row.of("Product and chain rule over one root", "(2x² + 1)/√(x² + 1)", "  = ", "diff", "x*sqrt(x^2+1)", "--wrt", "x"),
            Row.of("e^(−√x)", "−e^(−√x)/(2√x)", "  = ", "diff", "exp(-sqrt(x))", "--wrt", "x"),
            Row.of("tanh of asinh", "3/(9x² + 1)^(3/2)", "  = ", "diff", "tanh(asinh(3*x))", "--wrt", "x"),
            Row.of("A hyperbolic quotient (chainrule writes the equal 2 − cosh² for 1 − sinh²)", "(1 − sinh²x)/cosh³x", "  = ",
                    "diff", "sinh(x)/(1+sinh(x)^2)", "--wrt", "x"),
            Row.of("Quotient rule over a root", "1/(x² + 1)^(3/2)", "  = ", "diff", "x/sqrt(x^2+1)", "--wrt", "x"),
            Row.of("tanh written with exponentials", "4/(eˣ + e⁻ˣ)²", "  = ", "diff", "(exp(x)-exp(-x))/(exp(x)+exp(-x))", "--wrt", "x"),
            Row.of("x² written as e^(2·ln x)", "2x", "  = ", "diff", "exp(2*log(x))", "--wrt", "x"),
            Row.of("An exact value: cos(π/3) = 1/2", "x/2 → 1/2", "  = ", "diff", "x*cos(pi/3)", "--wrt", "x"),
            Row.of("A mean of sixteen squared errors", "δ(o) = (2/n)·(o − t) = (o − t)/8", "where δ(o)", "grad", DIR + "mse16.nn"));

    @Test void thePageIsWhatTheCommandsPrint() throws IOException {
        String page = page();
        if (Boolean.getBoolean("textbook.update")) {
            Files.writeString(PAGE, page, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(PAGE, StandardCharsets.UTF_8), page,
                "docs/textbook.md differs from what the commands print; regenerate with -Dtextbook.update=true");
    }

    @Test void thereAreAboutTwentyFiveDerivations() {
        assertTrue(ROWS.size() >= 25);
    }

    static String page() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Textbook derivations, side by side\n\n");
        sb.append("Each row is a derivation a course or a textbook does by hand: the form the book writes, and\n");
        sb.append("what chainrule prints for it. The page is produced by running the commands (the test\n");
        sb.append("`TextbookPageTest` runs them again and compares), so it cannot drift from the program. Network\n");
        sb.append("files are in `examples/` and `src/test/resources/textbook/`.\n\n");
        sb.append("What the simplifier does to get there is in [design.md](design.md#simplification): named\n");
        sb.append("rules, a work budget (never a clock), and the shortest form kept.\n\n");
        sb.append("| # | derivation | textbook | chainrule | command |\n");
        sb.append("| ---: | --- | --- | --- | --- |\n");
        int n = 1;
        for (Row r : ROWS) {
            String ours = "`" + line(r) + "`";
            sb.append("| ").append(n++).append(" | ").append(r.topic()).append(" | ").append(r.textbook())
                    .append(" | ").append(ours.replace("|", "\\|")).append(" | `chainrule ")
                    .append(command(r.args())).append("` |\n");
        }
        sb.append("\n## Notes\n\n");
        sb.append("- **Softmax with cross-entropy** is `p·Σy − y` in general. It reads `p − y` only where the\n");
        sb.append("  target's given values sum to 1 (a one-hot or probability target); chainrule checks the\n");
        sb.append("  values in the file and says so next to the formula (`as the target's given values sum to 1`,\n");
        sb.append("  or in the legend of a layer form). A target that does not sum to 1 keeps the general form\n");
        sb.append("  (rows 7 and 8): `p·Σy - y` in a layer form, with Σy written out for one element.\n");
        sb.append("- **Order of factors** ([language.md](language.md), \"Order of factors\"): the numeric\n");
        sb.append("  coefficient, then named constants (`λ·w`), then differences of a network's values, the\n");
        sb.append("  error or δ-like factor (`(p - t)·x1`), then names, calls, powers and other sums\n");
        sb.append("  (`σ(x)·(1 - σ(x))`); `diff` keeps the calculus order (`2·a·(x - b)`). Closed\n");
        sb.append("  forms of networks are written from the loss down to the parameter, each δ before the input\n");
        sb.append("  it multiplies (δ·x), as Mazur writes them (rows 11 to 14).\n");
        sb.append("- **Numbers** are exact: the mean squared error's `2/n` is `2·(o - t)/3`, and `x^(1/3)`'s\n");
        sb.append("  derivative has the exponent `2/3`.\n");
        sb.append("- **Mazur** keeps the shared δs of backpropagation: each δ is defined once and used by name.\n");
        return sb.toString();
    }

    /** The command line as a reader types it, with the expression quoted. */
    private static String command(String[] args) {
        List<String> parts = new ArrayList<>();
        for (String a : args) {
            parts.add(a.matches("[A-Za-z0-9_./\\-]+") ? a : "'" + a + "'");
        }
        return String.join(" ", parts);
    }

    /** chainrule's formula: the output line that starts with the row's prefix, without the prefix's label. */
    private static String line(Row r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), r.args());
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> String.join(" ", r.args()) + ": " + err.toString(StandardCharsets.UTF_8));
        for (String l : text.split("\n")) {
            if (l.startsWith(r.lineStart())) {
                String formula = l.substring(r.lineStart().length()).trim();
                if (formula.startsWith("= ")) {
                    formula = formula.substring(2);
                }
                // "δ(p.in) = ∂L/∂p.in = p - y": keep the definition's right-hand side.
                int last = r.lineStart().startsWith("where") ? formula.lastIndexOf(" = ") : -1;
                return (last >= 0 ? r.lineStart().substring("where ".length()) + " = " + formula.substring(last + 3)
                        : formula).trim();
            }
        }
        throw new AssertionError("no line starting with '" + r.lineStart() + "' in\n" + text);
    }
}
