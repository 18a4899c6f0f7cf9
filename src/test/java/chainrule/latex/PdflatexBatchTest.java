package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** A batch compiled as one document still fails exactly the document that does not compile. */
class PdflatexBatchTest {
    private static String document(String body) {
        return "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + "\n\\end{document}\n";
    }

    @Test
    void aBrokenDocumentFailsAloneAndTheOthersPass() throws Exception {
        Pdflatex.require();
        Pdflatex.Batch batch = new Pdflatex.Batch();
        batch.add("good", () -> document("$x^2$"));
        batch.add("broken", () -> document("\\begin{align*} x &= \\frac{1}{2 \\end{align*}"));
        batch.add("other preamble", () -> "\\documentclass{article}\n\\begin{document}\nplain\n\\end{document}\n");
        batch.add("not made", () -> {
            throw new IllegalStateException("no document");
        });
        batch.add("also good", () -> document("\\begin{align*} y &= 1 \\end{align*}"));
        assertDoesNotThrow(() -> batch.assertCompiles("good"));
        assertDoesNotThrow(() -> batch.assertCompiles("also good"));
        assertDoesNotThrow(() -> batch.assertCompiles("other preamble"));
        AssertionFailedError broken = assertThrows(AssertionFailedError.class, () -> batch.assertCompiles("broken"));
        assertTrue(broken.getMessage().startsWith("broken: pdflatex failed"), broken.getMessage());
        AssertionFailedError notMade = assertThrows(AssertionFailedError.class, () -> batch.assertCompiles("not made"));
        assertTrue(notMade.getMessage().contains("no document"), notMade.getMessage());
    }
}
