package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diff.Differentiator;
import chainrule.print.LatexPrinter;

import chainrule.runtime.Fns;
import chainrule.simplify.Simplifier;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector table (softmax, log_softmax) entry by entry: element partials against finite
 * differences at random points (also far from 0, where only the stable forms stay finite), the
 * runtime methods, the source templates and helpers, and the values at ±800.
 */
class VectorPrimitiveTest {

    static List<Expr> argSymbols(int n) {
        List<Expr> args = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            args.add(Exprs.local("z" + k));
        }
        return args;
    }

    static Map<String, Double> env(double[] z) {
        Map<String, Double> m = new HashMap<>();
        for (int k = 0; k < z.length; k++) {
            m.put("z" + k, z[k]);
        }
        return m;
    }

    @Provide
    Arbitrary<double[]> logits() {
        // a common offset up to ±800 moves the inputs where exp overflows; the values must not care
        return Arbitraries.doubles().between(-4, 4).array(double[].class).ofMinSize(1).ofMaxSize(6)
                .flatMap(z -> Arbitraries.of(0.0, 0.0, 37.5, -600.0, 800.0, -800.0).map(offset -> {
                    double[] shifted = z.clone();
                    for (int k = 0; k < shifted.length; k++) {
                        shifted[k] += offset;
                    }
                    return shifted;
                }));
    }

    @Property(tries = 300)
    void elementPartialsMatchFiniteDifferences(@ForAll("logits") double[] z, @ForAll @IntRange(min = 0, max = 5) int jSeed) {
        int n = z.length;
        int j = jSeed % n;
        List<Expr> args = argSymbols(n);
        for (VectorPrimitive f : VectorPrimitive.values()) {
            Expr self = Exprs.apply(new VectorElement(f, j, n), args);
            for (int i = 0; i < n; i++) {
                int k = i;
                Expr partial = self instanceof Apply a ? a.fn().partial(i, args, self) : Exprs.ZERO;
                double exact = Evaluator.evaluate(partial, env(z));
                // the difference is taken at z shifted to max 0: softmax is shift-invariant, and a
                // step of 1e-4·800 would be far too coarse for the curvature
                double[] centred = centred(z);
                double numeric = FiniteDifference.derivative(t -> {
                    double[] q = centred.clone();
                    q[k] = t;
                    return f.value(q, j);
                }, centred[i]);
                assertTrue(Double.isFinite(exact), () -> f + " partial not finite at " + Arrays.toString(z));
                assertEquals(numeric, exact, FiniteDifference.tolerance(exact, 1),
                        () -> "∂" + f + "_" + j + "/∂z" + k + " = " + partial + " at " + Arrays.toString(z));
            }
        }
    }

    private static double[] centred(double[] z) {
        double max = Arrays.stream(z).max().orElseThrow();
        return Arrays.stream(z).map(x -> x - max).toArray();
    }

    @Property(tries = 200)
    void valuesAreShiftInvariantAndFinite(@ForAll("logits") double[] z, @ForAll @IntRange(min = 0, max = 5) int jSeed) {
        int j = jSeed % z.length;
        double[] c = centred(z);
        assertEquals(Fns.softmax(c, j), Fns.softmax(z, j), 1e-12);
        assertEquals(Fns.logSoftmax(c, j), Fns.logSoftmax(z, j), 1e-9 * (1 + Math.abs(Fns.logSoftmax(c, j))));
        assertTrue(Double.isFinite(Fns.logSoftmax(z, j)));
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            total += Fns.softmax(z, k);
        }
        assertEquals(1.0, total, 1e-12);
    }

    @Test
    void atPlusMinus800() {
        double[] z = {800, 0, -800};
        assertEquals(1.0, Fns.softmax(z, 0), 0.0);
        assertEquals(0.0, Fns.softmax(z, 2), 0.0); // e^-1600 is below the smallest double
        assertEquals(-1600.0, Fns.logSoftmax(z, 2), 0.0);
        assertEquals(-800.0, Fns.logSoftmax(z, 1), 0.0);
        assertEquals(0.0, Fns.logSoftmax(z, 0), 0.0);
        // the naive forms overflow: exp(800) = inf, inf/inf = nan
        assertTrue(Double.isNaN(Math.exp(800) / (Math.exp(800) + 1 + Math.exp(-800))));
        // derivatives at ±800: log_softmax_3 with respect to z1 is -softmax_1 = -1, not nan
        List<Expr> args = argSymbols(3);
        Expr logSoftmax3 = Exprs.apply(new VectorElement(VectorPrimitive.LOG_SOFTMAX, 2, 3), args);
        Map<String, Double> at = env(z);
        assertEquals(-1.0, Evaluator.evaluate(Simplifier.simplify(Differentiator.derivative(logSoftmax3, (Sym) args.get(0))), at), 0.0);
        assertEquals(1.0, Evaluator.evaluate(Simplifier.simplify(Differentiator.derivative(logSoftmax3, (Sym) args.get(2))), at), 0.0);
        Expr softmax1 = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 0, 3), args);
        assertEquals(0.0, Evaluator.evaluate(Differentiator.derivative(softmax1, (Sym) args.get(0)), at), 0.0);
        assertEquals(-0.0, Evaluator.evaluate(Differentiator.derivative(softmax1, (Sym) args.get(1)), at), 0.0);
    }

    @Test
    void logOfASoftmaxElementIsBuiltAsLogSoftmax() {
        List<Expr> args = List.of(Exprs.add(Exprs.local("a"), Exprs.local("b")), Exprs.local("c"));
        Expr softmax2 = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 1, 2), args);
        Expr log = Exprs.apply(Primitive.LOG, softmax2);
        assertSame(Exprs.apply(new VectorElement(VectorPrimitive.LOG_SOFTMAX, 1, 2), args), log);
        // and so is finite where log(softmax) would be log(0)
        assertEquals(-1600.0, Evaluator.evaluate(log, Map.of("a", 400.0, "b", 400.0, "c", -800.0)), 0.0);
    }

    @Test
    void elementsAreEqualByValueAndOrderedByIndex() {
        List<Expr> args = argSymbols(3);
        Expr a = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 0, 3), args);
        Expr b = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 0, 3), args);
        Expr c = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 2, 3), args);
        assertSame(a, b);
        assertNotEquals(a, c);
        assertTrue(ExprOrder.compareStructure(a, c) < 0 && ExprOrder.compareStructure(c, a) > 0);
    }

    @Test
    void printedByVectorNameOrByArguments() {
        List<Expr> vertex = List.of(Exprs.sym("p.in[1]", SymKind.NODE), Exprs.sym("p.in[2]", SymKind.NODE));
        Expr named = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 1, 2), vertex);
        assertEquals("softmax(p.in)[2]", TextPrinter.plain().print(named));
        assertEquals("\\operatorname{softmax}\\mathopen{}\\left(p^{\\mathrm{in}}\\right)_{2}", LatexPrinter.latex().print(named));
        List<Expr> reversed = List.of(vertex.get(1), vertex.get(0));
        Expr listed = Exprs.apply(new VectorElement(VectorPrimitive.LOG_SOFTMAX, 0, 2), reversed);
        assertEquals("log_softmax(p.in[2], p.in[1])[1]", TextPrinter.plain().print(listed));
    }

    @ParameterizedTest
    @EnumSource(VectorPrimitive.class)
    void theRuntimeMethodExistsAndAgreesWithTheTable(VectorPrimitive f) throws Exception {
        Method m = Fns.class.getMethod(f.runtimeMethod(), double[].class, int.class);
        assertSame(double.class, m.getReturnType());
        assertEquals("([DI)D", f.runtimeDescriptor());
        assertSame(f, VectorPrimitive.byName(f.sourceName()).orElseThrow());
        double[] z = {0.3, -1.2, 2.5, 0.0};
        for (int j = 0; j < z.length; j++) {
            assertEquals(f.value(z, j), (double) m.invoke(null, z, j), 0.0);
        }
        double naive = Math.exp(z[2]) / (Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2]) + Math.exp(z[3]));
        assertEquals(f == VectorPrimitive.SOFTMAX ? naive : Math.log(naive), f.value(z, 2), 1e-14);
    }

    @ParameterizedTest
    @EnumSource(VectorPrimitive.class)
    void templatesTakeTheVectorAndHelpersAreDefined(VectorPrimitive f) {
        Primitive.Lowering l = f.lowering();
        for (String template : List.of(l.java(), l.c(), l.python())) {
            assertTrue(template.contains("{args}") && template.contains("{j}"), template);
        }
        assertTrue(l.c().contains("{n}"), "C needs the length: " + l.c());
        assertHelper(l.java(), l.javaHelper(), "static double ");
        assertHelper(l.c(), l.cHelper(), "static double ");
        assertHelper(l.python(), l.pythonHelper(), "def ");
        assertTrue(f.latexName().startsWith("\\operatorname{"), f.latexName());
    }

    private static void assertHelper(String template, String helper, String definitionPrefix) {
        Matcher m = Pattern.compile("\\b(cr_\\w+)\\(").matcher(template);
        assertTrue(m.find(), template);
        assertTrue(helper.contains(definitionPrefix + m.group(1) + "("), template + " needs " + m.group(1) + " in " + helper);
    }
}
