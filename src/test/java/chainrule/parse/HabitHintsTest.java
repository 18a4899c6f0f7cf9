package chainrule.parse;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The habit hints fire on their shape, not on one spelling, and never on valid text that looks
 * alike ({@code f(0,5)} is a call with two arguments; {@code 2 * w} and {@code x ^ 2} are fine).
 * The full messages are golden files ({@code errors/habit-*}).
 */
class HabitHintsTest {

    private static String help(String text) {
        DiagnosticException e = assertThrows(DiagnosticException.class,
                () -> SourceParser.parseFile(new Source("h.nn", text)));
        assertEquals(1, e.diagnostics().size(), e.render());
        return e.diagnostics().get(0).notes().stream().filter(n -> n.startsWith("help: ")).findFirst()
                .orElse("(no help) " + e.render());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "h = x**3                 | help: use ^ for powers: x^2, not x**2",
            "h = 12w                  | help: write 12*w; nothing is multiplied without '*'",
            "h = 0.25e3x              | help: write 0.25e3*x; nothing is multiplied without '*'",
            "h = 2(x)                 | help: write 2*(…); nothing is multiplied without '*'",
            "h = (x)y                 | help: write (…)*y; nothing is multiplied without '*'",
            "h = f(x)(y)              | help: write (…)*(…); nothing is multiplied without '*'",
            "INPUT x = 1              | help: keywords are lowercase: write 'input'",
            "Target y = 1             | help: keywords are lowercase: write 'target'",
            "Function f(x) = x        | help: keywords are lowercase: write 'function'",
            "Const c = 1              | help: keywords are lowercase: write 'const'",
            "weight w = 3,14159       | help: use a decimal point: 3.14159",
            "h = 1 - 0,5              | help: use a decimal point: 0.5",
            "h = x ÷ 2                | help: write / for a quotient",
            "h′ = 1                   | help: a name cannot contain a prime; write h_ for h'",
            "h = x’’                  | help: a name cannot contain a prime; write x__ for x''",
    })
    void eachHabitGetsItsHelp(String text, String expected) {
        assertEquals(expected, help(text + "\n"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "h = f(0,5)",
            "weight v[2] = [0,5]",
            "h = 2 * w",
            "h = x ^ 2",
            "input x = 1, y = 2",
            "Input = 1",
    })
    void lookalikesThatParseAreNotTouched(String text) {
        assertDoesNotThrow(() -> SourceParser.parseFile(new Source("ok.nn", text + "\n")));
    }
}
