package chainrule.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fast reading of a streamed file's lines ({@link Dataset#values}) takes exactly the lines the
 * checked reading ({@link Dataset#parseRow}, the one with diagnostics, as for a file read whole)
 * takes, with the same numbers.
 */
class DatasetValuesTest {
    @Test
    void theFastReadingAgreesWithTheCheckedOne() {
        String[] lines = {"1,2", " 1.5 , -2e-3 ", "1e308,4.9e-324", "-0,+0.5", ".5,5.", "1,", ",1", "1", "1,2,3", "NaN,1",
            "1,Infinity", "0x1p3,1", "1d,2", "2f,1", "1e,2", "e,1", "1 2,3", "1,\t7\t", "1e400,1", "-1e400,2", "١,2", "1,2 ",
            "1E5,2E-5", "  ,1"};
        List<String> columns = List.of("a", "b");
        for (String line : lines) {
            List<Diagnostic> problems = new ArrayList<>();
            double[] checked = Dataset.parseRow(new Source("t.csv", line), 1, line, columns, problems);
            double[] fast = Dataset.values(line, columns.size());
            assertEquals(checked == null, fast == null, line);
            if (checked != null) {
                assertArrayEquals(checked, fast, line);
            }
        }
    }
}
