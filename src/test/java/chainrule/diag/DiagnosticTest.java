package chainrule.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How a diagnostic is laid out: the caret must land under the right character whatever the line holds. */
class DiagnosticTest {

    @Test
    void caretCountsWideCharactersAsTwoColumns() {
        Source s = new Source("k.nn", "loss E = 나1 + q\n");
        assertEquals("""
                k.nn:1:15: error: undefined name 'q'
                    loss E = 나1 + q
                                   ^
                """, Diagnostic.error(s, 1, 15, 1, "undefined name 'q'").render());
    }

    @Test
    void tabsAreShownAsOneSpaceSoTheCaretStaysAligned() {
        Source s = new Source("t.nn", "\tloss E = q\n");
        assertEquals("    " + " loss E = q\n" + "    " + " ".repeat(10) + "^\n",
                Diagnostic.error(s, 1, 11, 1, "m").render().lines().skip(1)
                        .map(l -> l + "\n").reduce("", String::concat));
    }

    @Test
    void aLongLineIsShownAsAWindowWithTheCaretUnderTheColumn() {
        String before = "a".repeat(500);
        String line = before + "XYZ" + "b".repeat(500);
        Source s = new Source("long.nn", line);
        String[] rendered = Diagnostic.error(s, 1, 501, 3, "here").render().split("\n");
        String shown = rendered[1];
        String caret = rendered[2];
        int at = caret.indexOf('^');
        assertEquals("XYZ", shown.substring(at, at + 3), "the caret is under the reported column");
        assertEquals("^~~", caret.substring(at));
        assertEquals(true, shown.startsWith("    … ") && shown.endsWith(" …"), shown);
        assertEquals(true, shown.length() < 200, "the window is short: " + shown.length());
    }

    @Test
    void aColumnNearTheEndOfALongLineIsShownToo() {
        String line = "c".repeat(1000) + "!";
        String[] rendered = Diagnostic.error(new Source("e.nn", line), 1, 1001, 1, "end").render().split("\n");
        int at = rendered[2].indexOf('^');
        assertEquals('!', rendered[1].charAt(at));
        assertEquals(false, rendered[1].endsWith("…"));
    }

    @Test
    void controlCharactersAreMadeVisible() {
        Source s = new Source("b.nn", "w\u0001x = 1");
        assertEquals("    w\uFFFDx = 1", Diagnostic.error(s, 1, 2, 1, "m").render().split("\n")[1]);
    }
}
