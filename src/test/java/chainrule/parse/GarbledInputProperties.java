package chainrule.parse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.fuzz.FuzzInputs;
import chainrule.model.Analyzer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a user types, parsing and analysis end in a network or in diagnostics that point into
 * the source: a line that exists, a column on it (or just past its end, where something is
 * missing), and a rendering whose caret line has exactly one caret. Garbled token soup is where
 * ANTLR's error recovery leaves holes in the parse tree (a keyword where a name should be once
 * crashed the AST builder). The inputs come from {@link FuzzInputs}, shared with the command-line
 * fuzz test ({@code chainrule.cli.CliFuzzProperties}).
 */
class GarbledInputProperties {

    @Property(tries = 400)
    void garbledInputGivesANetworkOrDiagnosticsInsideTheSource(@ForAll("statements") List<String> tokens) {
        Source source = new Source("fuzz.nn", String.join("", tokens));
        try {
            Analyzer.analyze(source);
        } catch (DiagnosticException e) {
            assertFalse(e.diagnostics().isEmpty());
            for (Diagnostic d : e.diagnostics()) {
                assertTrue(d.line() >= 1 && d.line() <= source.lineCount(), d.header());
                String line = source.line(d.line());
                assertTrue(d.column() >= 1 && d.column() <= line.codePointCount(0, line.length()) + 1,
                        d.header() + " on line '" + line + "'");
                String[] rendered = d.render().split("\n");
                assertTrue(rendered.length >= 3, d.render());
                assertTrue(rendered[2].strip().startsWith("^") && rendered[2].chars().filter(c -> c == '^').count() == 1,
                        d.render());
            }
        }
    }

    @Provide
    Arbitrary<List<String>> statements() {
        return Arbitraries.of(FuzzInputs.TOKENS).list().ofMinSize(0).ofMaxSize(30);
    }

    /** Valid files mutated get past the parser into analysis, where other diagnostics are made. */
    @Property(tries = 300)
    void mutatedExamplesGiveANetworkOrDiagnosticsInsideTheSource(@ForAll("mutated") String text) {
        garbledInputGivesANetworkOrDiagnosticsInsideTheSource(List.of(text));
    }

    @Provide
    Arbitrary<String> mutated() {
        return FuzzInputs.mutatedExamples();
    }
}
