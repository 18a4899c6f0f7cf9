package chainrule.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.fuzz.FuzzInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The hand-written {@link FastParser} against ANTLR's parser of the grammar, the reference: on every
 * text, it gives up exactly when ANTLR reports an error, and otherwise builds an equal tree (names,
 * numbers, every source position). Examples, golden inputs (errors included), shared cases,
 * garbled token soup, mutated examples and expressions built to exercise precedence and
 * associativity.
 */
class FastParserTest {

    /** Both parsers on {@code text}: the same tree, or both refuse. */
    static void sameAsAntlr(String text) {
        Source source = new Source("t.nn", text);
        Ast.File reference;
        try {
            reference = SourceParser.parseFileAntlrOnly(source);
        } catch (DiagnosticException e) {
            reference = null;
        }
        Ast.File direct = SourceParser.parseFileDirectOnly(source);
        if (reference == null) {
            assertNull(direct, () -> "ANTLR rejects, the fast parser accepts:\n" + text);
        } else {
            assertEquals(reference, direct, () -> "different trees for:\n" + text);
        }
    }

    static void sameExpressionAsAntlr(String text) {
        Source source = new Source("<expr>", text);
        Ast.Expr reference;
        try {
            reference = SourceParser.parseExpressionAntlrOnly(source);
        } catch (DiagnosticException e) {
            reference = null;
        }
        Ast.Expr direct = SourceParser.parseExpressionDirectOnly(source);
        if (reference == null) {
            assertNull(direct, () -> "ANTLR rejects, the fast parser accepts: " + text);
        } else {
            assertEquals(reference, direct, () -> "different trees for: " + text);
        }
    }

    @Test
    void everyFileInTheRepositoryParsesAlike() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"examples", "src/test/resources", "../shared/cases"}) {
            Path root = Path.of(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".nn")).forEach(files::add);
            }
        }
        assertTrue(files.size() > 50, "found only " + files);
        int accepted = 0;
        for (Path f : files) {
            String text = Files.readString(f);
            sameAsAntlr(text);
            if (SourceParser.parseFileDirectOnly(new Source("t.nn", text)) != null) {
                accepted++;
            }
        }
        assertTrue(accepted > 30, "the fast parser accepted only " + accepted + " of " + files.size());
    }

    @Test
    void precedenceAndAssociativity() {
        for (String e : List.of("-x^2", "2^-x^2", "2^-x*3", "x^2^3", "a-b-c", "a/b/c", "a*b@c/d", "-a*b", "+a-+b",
                "--x", "-(x)^2", "a+b*c^d^-e*f-g", "f(a, b+c)[1]", "W[1, i+1] * x", "f()", "x[1]^2", "(a)(b)",
                "1e3*.5-2.", "a ^ b * c ^ d", "- - - a ^ b", "a @ b @ c", "x +", "* x", "f(a,)", "x[]")) {
            sameExpressionAsAntlr(e);
            sameAsAntlr("loss L = " + e);
        }
    }

    @Test
    void declarationsAndStatements() {
        for (String text : List.of("input x[2] = [1, -2.5]\nweight W[2,2] ~ normal(0, +0.1) = [[1,2],[3,4]]\nloss L = sum(W @ x)",
                "weight a = -3, b ~ xavier, c ~ uniform(-1, 1); loss L = a*b*c",
                "\n\n;input x\n\n;; loss L = x ;\n", "function f(a, b) = a*b\nfunction g() = 1\nloss L = f(1, g())",
                "input x[2] = [1,\n 2]\nloss L = x[1] +\n x[2]", "loss L = (x\n", "input x = [1, 2,, 3]", "input x loss L = x",
                "weight w = 1.2.3\nloss L = w", "loss L = x ×y", "", "\n", "input x[2] = [1, [2]]")) {
            sameAsAntlr(text);
        }
    }

    @Property(tries = 400)
    void tokenSoupParsesAlike(@ForAll("soup") List<String> tokens) {
        sameAsAntlr(String.join("", tokens));
        sameExpressionAsAntlr(String.join("", tokens));
    }

    @Provide
    Arbitrary<List<String>> soup() {
        return Arbitraries.of(FuzzInputs.TOKENS).list().ofMinSize(0).ofMaxSize(30);
    }

    @Property(tries = 300)
    void mutatedExamplesParseAlike(@ForAll("mutated") String text) {
        sameAsAntlr(text);
    }

    @Provide
    Arbitrary<String> mutated() {
        return FuzzInputs.mutatedExamples();
    }

    @Property(tries = 400)
    void randomExpressionsParseAlike(@ForAll("expressions") String text) {
        sameExpressionAsAntlr(text);
        sameAsAntlr("h = " + text + "\nloss L = h");
    }

    @Provide
    Arbitrary<String> expressions() {
        Arbitrary<String> atom = Arbitraries.of("x", "2", "1.5e-3", "W[1,2]", "f(x)", "g(x, y)", "(a)", "relu(x)");
        Arbitrary<String> op = Arbitraries.of(" + ", " - ", " * ", " / ", " ^ ", " @ ", "^-", "*-", "+-", "-+");
        Arbitrary<String> prefix = Arbitraries.of("", "", "-", "+", "--", "(");
        Arbitrary<String> term = net.jqwik.api.Combinators.combine(prefix, atom).as((p, a) -> p + a);
        return net.jqwik.api.Combinators.combine(term.list().ofMinSize(1).ofMaxSize(8), op.list().ofSize(7),
                Arbitraries.integers().between(0, 3)).as((terms, ops, closers) -> {
            StringBuilder sb = new StringBuilder(terms.get(0));
            for (int i = 1; i < terms.size(); i++) {
                sb.append(ops.get(i - 1)).append(terms.get(i));
            }
            long open = sb.chars().filter(c -> c == '(').count() - sb.chars().filter(c -> c == ')').count();
            for (long i = 0; i < Math.min(open, closers + open / 2); i++) {
                sb.append(')');
            }
            return sb.toString();
        });
    }

    @Test
    void aLargeFileTakesTheFastPath() {
        StringBuilder sb = new StringBuilder("input x[300] = [");
        for (int i = 0; i < 300; i++) {
            sb.append(i == 0 ? "" : ", ").append(i % 7 == 0 ? "-" : "").append(i).append(".25");
        }
        sb.append("]\nloss L = sum(x)^2\n");
        assertNotNull(SourceParser.parseFileDirectOnly(new Source("t.nn", sb.toString())));
        sameAsAntlr(sb.toString());
    }
}
