package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import chainrule.diff.UserDerivation;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every derived user function (g′₁, swish′) a printed output uses is defined in it, transitively
 * (h′₁ = g′₁ + 1 defines g′₁ too), once per "where" block; and each definition is the derivative:
 * it equals central finite differences of the user's function.
 */
class DerivedDefinitionsTest {

    private static final String FILE = """
            input x = 0.5
            weight w = 0.3, v = 1.2
            function g(u,c) = u*sigmoid(c*u)
            function h(u,c) = g(u,c) + u
            loss L = h(w*x, v)
            """;

    @TempDir Path dir;

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, status, () -> err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final Pattern USED = Pattern.compile("([A-Za-z_]\\w*′[₀-₉]*)\\(");
    private static final Pattern DEFINED = Pattern.compile("^\\s*(?:where\\s+)?([A-Za-z_]\\w*′[₀-₉]*)\\([^)]*\\) = ");

    /** Names used anywhere in the output are defined, each once per output (issue 11). */
    private static void everyUseDefined(String output) {
        Set<String> used = new LinkedHashSet<>();
        Matcher m = USED.matcher(output);
        while (m.find()) {
            used.add(m.group(1));
        }
        Set<String> defined = new HashSet<>();
        for (String block : output.split("\n\\s*\n")) {
            for (String line : block.split("\n")) {
                Matcher d = DEFINED.matcher(line);
                if (d.find()) {
                    assertTrue(defined.add(d.group(1)), () -> d.group(1) + " defined twice in\n" + output);
                }
            }
        }
        assertFalse(used.isEmpty(), output);
        assertTrue(defined.containsAll(used), () -> "used " + used + ", defined " + defined + ":\n" + output);
    }

    @Test
    void gradAndPathsDefineDerivativesOfDerivatives() throws Exception {
        Path file = dir.resolve("gh.nn");
        Files.writeString(file, FILE);
        String grad = run("grad", file.toString());
        everyUseDefined(grad);
        assertTrue(grad.contains("g′₁(u, c) = "), grad);
        everyUseDefined(run("paths", "--wrt=w", file.toString()));
        everyUseDefined(run("paths", "--wrt=v", file.toString()));
        everyUseDefined(run("grad", "examples/swish.nn"));
        for (String definition : definitions()) {
            assertTrue(grad.contains(definition), () -> definition + " not in\n" + grad);
        }
    }

    private static final Pattern DELTA_USED = Pattern.compile("δ\\(([^()]*(?:\\[[^]]*\\])?)\\)");
    private static final Pattern DELTA_DEFINED = Pattern.compile("δ\\(([^()]*(?:\\[[^]]*\\])?)\\)\\s*= ∂");

    /** The reviewer's nasty.nn: δ(m) is used by several parameters' forms and defined once in the output. */
    @Test
    void everyDeltaDefinedOncePerOutput() throws Exception {
        Path file = dir.resolve("nasty.nn");
        Files.writeString(file, """
                input x[3] = [0.5, -1.2, 2.0]
                target y[2] = [0.3, 0.7]
                weight W[2,3] = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
                weight a = 0.2, k = 1.3, s = 0.7
                bias b[2] = [0.05, -0.1]
                function g(u, v) = u*sigmoid(v*u) + v^2/(1 + u^2)
                function h2(u, c) = g(u, c) - leaky_relu(u, 0.3)
                z = W @ x + b
                q = h2(z, a) * s
                r = log_softmax(q * k)
                m = W[1,2] * q[2] + abs(q[1])^k
                loss L = -sum(y*r) + 0.1*m^2 + mean(W^2) + sum(softplus(z)/ (1 + x[1]^2))
                """);
        for (String[] args : List.of(new String[] {"grad", file.toString()},
                new String[] {"grad", "--wrt=a", "--wrt=s", "--wrt=W[1,2]", file.toString()})) {
            String out = run(args);
            everyUseDefined(out);
            Set<String> defined = new HashSet<>();
            Matcher d = DELTA_DEFINED.matcher(out);
            while (d.find()) {
                String name = d.group(1);
                assertTrue(defined.add(name), () -> "δ(" + name + ") defined twice:\n" + out);
            }
            Matcher u = DELTA_USED.matcher(out.replaceAll("δ\\(name\\)", ""));
            while (u.find()) {
                String name = u.group(1);
                assertTrue(defined.contains(name), () -> "δ(" + name + ") used, never defined:\n" + out);
            }
            assertTrue(out.contains("δ(m) = ∂L/∂m"), out);
        }
    }

    private static final Pattern LATEX_USED = Pattern.compile(
            "(\\\\partial_\\{\\d+\\}\\\\operatorname\\{\\w+\\}|\\\\operatorname\\{\\w+\\}')");

    private static void latexDefinesEveryUse(String tex) {
        int at = tex.indexOf("used above:");
        assertTrue(at > 0, tex);
        Set<String> used = new LinkedHashSet<>();
        Matcher m = LATEX_USED.matcher(tex.substring(0, at));
        while (m.find()) {
            used.add(m.group(1));
        }
        List<String> defined = new ArrayList<>();
        for (String row : tex.substring(at).split("\n")) {
            Matcher d = LATEX_USED.matcher(row);
            if (row.contains("&=") && d.find() && d.start() == 0) {
                defined.add(d.group(1));
            }
            Matcher inBody = LATEX_USED.matcher(row);
            while (inBody.find()) {
                used.add(inBody.group(1));
            }
        }
        assertEquals(new HashSet<>(defined).size(), defined.size(), () -> "defined twice: " + defined);
        assertFalse(used.isEmpty());
        assertTrue(defined.containsAll(used), () -> "used " + used + ", defined " + defined + ":\n" + tex);
    }

    @Test
    void latexDefinesTheDerivativesItUses() throws Exception {
        Path file = dir.resolve("gh.nn");
        Files.writeString(file, FILE);
        latexDefinesEveryUse(run("latex", file.toString()));
        latexDefinesEveryUse(run("latex", "examples/swish.nn"));
    }

    /** g and h built here, their partials' definitions checked against finite differences, as the text prints them. */
    private static List<String> definitions() {
        Sym u = Exprs.local("u");
        Sym c = Exprs.local("c");
        UserFunction g = new UserFunction("g", List.of(u, c),
                Exprs.mul(u, Exprs.apply(Primitive.SIGMOID, Exprs.mul(c, u))), UserDerivation.SIMPLIFIED);
        UserFunction h = new UserFunction("h", List.of(u, c),
                Exprs.add(Exprs.apply(g, List.of(u, c)), u), UserDerivation.SIMPLIFIED);
        List<UserFunction> all = ChainText.closure(List.of(h.partialFunction(0), h.partialFunction(1)));
        assertEquals(4, all.size(), all::toString);
        double[] at = {0.15, 1.2};
        double step = 1e-5;
        List<String> out = new ArrayList<>();
        for (UserFunction f : all) {
            UserFunction of = f.derivativeOf();
            int i = of.partialFunction(0) == f ? 0 : 1;
            double[] up = at.clone();
            double[] down = at.clone();
            up[i] += step;
            down[i] -= step;
            double fd = (of.value(up) - of.value(down)) / (2 * step);
            assertEquals(fd, f.value(at), 1e-8, f::toString);
            out.add(ChainText.pretty().definition(f));
        }
        return out;
    }
}
