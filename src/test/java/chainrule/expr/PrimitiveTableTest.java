package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.runtime.Fns;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Walks every entry of the primitive table and checks that every form exists and agrees: value,
 * local derivative (against a finite difference), names, LaTeX, source lowerings with their
 * helpers, and the runtime method compiled code calls. A new entry is checked without new tests.
 */
class PrimitiveTableTest {

    /** Points away from every kink (0) and inside every domain (log, sqrt: positive). */
    static final double[] POINTS = {-2.3, -0.7, 0.4, 1.3, 3.1};
    static final double[] SECOND_ARGS = {0.01, 0.2, 0.5};

    static boolean positiveOnly(Primitive p) {
        return p == Primitive.LOG || p == Primitive.SQRT || p == Primitive.LOG2 || p == Primitive.LOG10;
    }

    /** A sample point moved into the primitive's domain: (−1, 1) for asin, acos, atanh; [1, ∞) for acosh. */
    static double intoDomain(Primitive p, double x) {
        if (positiveOnly(p)) {
            return Math.abs(x);
        }
        if (p == Primitive.ASIN || p == Primitive.ACOS || p == Primitive.ATANH) {
            return x / 3.5;
        }
        if (p == Primitive.ACOSH) {
            return 1 + Math.abs(x);
        }
        if (p == Primitive.TAN) { // inside (-π/2, π/2) with room: a central difference across the pole is meaningless
            return x / 2.2;
        }
        return x;
    }

    static List<double[]> samplePoints(Primitive p) {
        List<double[]> out = new ArrayList<>();
        for (double x : POINTS) {
            double x0 = intoDomain(p, x);
            if (p.arity() == 0) {
                out.add(new double[0]);
            } else if (p.arity() == 1) {
                out.add(new double[] {x0});
            } else {
                for (double a : SECOND_ARGS) {
                    out.add(new double[] {x0, a});
                }
            }
        }
        return out;
    }

    static List<Expr> argSymbols(Primitive p) {
        List<Expr> args = new ArrayList<>();
        for (int i = 0; i < p.arity(); i++) {
            args.add(Exprs.local("a" + i));
        }
        return args;
    }

    static Map<String, Double> env(double[] point) {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < point.length; i++) {
            m.put("a" + i, point[i]);
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void partialDerivativesMatchFiniteDifferences(Primitive p) {
        List<Expr> args = argSymbols(p);
        Expr self = Exprs.apply(p, args);
        for (int i = 0; i < p.arity(); i++) {
            Expr partial = p.partial(i, args, self);
            for (double[] point : samplePoints(p)) {
                int k = i;
                double exact = Evaluator.evaluate(partial, env(point));
                double numeric = FiniteDifference.derivative(t -> {
                    double[] q = point.clone();
                    q[k] = t;
                    return p.value(q);
                }, point[i]);
                assertEquals(numeric, exact, FiniteDifference.tolerance(exact, 0),
                        () -> "∂" + p + "/∂arg" + k + " = " + partial + " at " + Arrays.toString(point));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void theRuntimeMethodExistsAndAgreesWithTheTable(Primitive p) throws Exception {
        Class<?>[] params = new Class<?>[p.arity()];
        Arrays.fill(params, double.class);
        Method m = Fns.class.getMethod(p.runtimeMethod(), params);
        assertTrue(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()), p.runtimeMethod());
        assertSame(double.class, m.getReturnType());
        assertEquals("(" + "D".repeat(p.arity()) + ")D", p.runtimeDescriptor());
        assertEquals(Primitive.RUNTIME_OWNER, Fns.class.getName().replace('.', '/'));
        for (double[] point : samplePoints(p)) {
            Object[] boxed = Arrays.stream(point).boxed().toArray();
            assertEquals(p.value(point), (double) m.invoke(null, boxed), 0.0, p + " at " + Arrays.toString(point));
        }
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void namesAndTemplatesHaveEveryArgument(Primitive p) {
        assertSame(p, Primitive.byName(p.sourceName()).orElseThrow());
        assertFalse(p.prettyName().isBlank());
        assertTrue(p.minArity() >= (p.isConstant() ? 0 : 1) && p.minArity() <= p.arity());
        assertEquals(p.arity() - p.minArity(), p.defaults().length);
        Primitive.Lowering l = p.lowering();
        for (String template : List.of(p.latexTemplate(), l.java(), l.c(), l.python())) {
            assertEquals(placeholders(p.arity()), placeholdersIn(template), p + ": " + template);
        }
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void everyHelperATemplateCallsIsDefined(Primitive p) {
        Primitive.Lowering l = p.lowering();
        assertHelper(l.java(), l.javaHelper(), "static double ");
        assertHelper(l.c(), l.cHelper(), "static double ");
        assertHelper(l.python(), l.pythonHelper(), "def ");
    }

    private static void assertHelper(String template, String helper, String definitionPrefix) {
        Matcher m = Pattern.compile("\\b(cr_\\w+)\\(").matcher(template);
        if (m.find()) {
            assertTrue(helper.contains(definitionPrefix + m.group(1) + "("), template + " needs " + m.group(1) + " in " + helper);
        } else {
            assertEquals("", helper, "a helper nothing calls: " + helper);
        }
    }

    private static List<String> placeholders(int arity) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < arity; i++) {
            out.add("{" + i + "}");
        }
        return out;
    }

    /** The distinct placeholders in order of first use. */
    private static List<String> placeholdersIn(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\\d\\}").matcher(template); // as LatexPrinter.fill reads them: log_{10} is no placeholder
        while (m.find()) {
            if (!out.contains(m.group())) {
                out.add(m.group());
            }
        }
        out.sort(null);
        return out;
    }
}
