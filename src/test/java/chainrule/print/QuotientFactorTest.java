package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quotient edge factor among others in a closed form is written over one denominator, as a
 * textbook writes it: {@code c·x/(2·r)}, not {@code c·(1/(2·r))·x} (issue 11, sqrt leftovers). The
 * values are the chain rule worked by hand.
 */
class QuotientFactorTest {
    @TempDir Path dir;

    private String grad(String source, String... options) throws Exception {
        Path file = dir.resolve("n.nn");
        Files.writeString(file, source);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[options.length + 2];
        args[0] = "grad";
        args[1] = file.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test void aReciprocalFactorGoesUnderTheOthers() throws Exception {
        String text = grad("input x = 2\nconst c = 3\nweight w = 0.5\nr = sqrt(w*x)\nloss L = c*r\n");
        assertEquals("∂L/∂w = c·x/(2·r)", text.lines().filter(l -> l.startsWith("∂L/∂w")).findFirst().orElseThrow());
        // c·x/(2·sqrt(w·x)) at w = 0.5, x = 2
        assertEquals("{\"loss\": {\"name\": \"L\", \"value\": 3}, \"gradient\": {\"w\": 3}, \"formulas\": {\"w\": \"c*x/(2*r)\"}}",
                grad("input x = 2\nconst c = 3\nweight w = 0.5\nr = sqrt(w*x)\nloss L = c*r\n", "--json").trim());
    }

    @Test void aSumTimesAQuotient() throws Exception {
        String text = grad("input x = 2\nweight w = 0.5, v = 0.3\nr = sqrt(w*x)\nq = log(v + r)\nloss L = q*r\n");
        assertEquals("∂L/∂w = (r/q.in + q)·x/(2·r)", text.lines().filter(l -> l.startsWith("∂L/∂w")).findFirst().orElseThrow());
        double r = Math.sqrt(0.5 * 2);
        double expected = (r / (0.3 + r) + Math.log(0.3 + r)) * 2 / (2 * r);
        String value = text.lines().filter(l -> l.trim().startsWith("= ")).findFirst().orElseThrow().trim().substring(2);
        assertEquals(expected, Double.parseDouble(value), 1e-9);
    }
}
