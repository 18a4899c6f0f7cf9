package chainrule.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void identifiersAreSlotPrefixedAsciiWhateverTheName() {
        assertEquals("v3_class", Names.identifier("v", 3, "class"));
        assertEquals("v7_uB4E41", Names.identifier("v", 7, "들1"));
        assertEquals("v0__", Names.identifier("v", 0, "_"));
        assertEquals("v5_h_in", Names.identifier("v", 5, "h.in"));
        assertEquals("a9", Names.identifier("a", 9, null));
    }

    @Test
    void commentsCannotBeClosedOrContinued() {
        String c = Names.comment("x*/ y\\\n\u2028#");
        assertFalse(c.contains("*/"));
        assertFalse(c.contains("\\"));
        assertFalse(c.contains("\n"));
        assertFalse(c.contains("\u2028"));
        assertEquals("xU+002A/U+0020yU+005CU+000AU+2028U+0023", c);
    }
}
