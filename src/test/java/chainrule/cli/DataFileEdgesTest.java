package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV reads the same whole and as a stream (a small {@code --max-input} forces the stream): LF,
 * CRLF and CR line ends give the numbers LF gives; a NUL or invalid UTF-8 is one error at its line
 * and column both ways; errors past 20 are counted ("and N more"), in the header too; a column that
 * {@code --set} also gives is an error naming both; quoted cells say quoting is not supported;
 * messages about data files name data files, not .nn files.
 */
class DataFileEdgesTest {
    @TempDir Path dir;

    private static final String NET = "input x = 0.5\ntarget t = 0\nweight a = 0.7, b = -0.2\nh = tanh(a*x + b)\n"
            + "loss L = (h - t)^2\n";
    /** Above the .nn file's size, below every CSV's here. */
    private static final String MAX = "200";

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws Exception {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code rows} rows of x,t, lines ended by {@code end}. */
    private static String rows(int rows, String end) {
        StringBuilder b = new StringBuilder("x,t").append(end);
        for (int i = 0; i < rows; i++) {
            b.append((i % 11) / 5.0 - 1).append(',').append((i % 7) / 7.0).append(end);
        }
        return b.toString();
    }

    /** Whole and streamed: the same status, output and errors; returns the whole run. */
    private Cli bothWays(String... args) {
        Cli whole = Cli.run(args);
        String[] small = java.util.Arrays.copyOf(args, args.length + 2);
        small[args.length] = "--max-input";
        small[args.length + 1] = MAX;
        Cli streamed = Cli.run(small);
        assertEquals(whole.status(), streamed.status(), whole.err() + "\n---\n" + streamed.err());
        assertEquals(whole.out(), streamed.out());
        assertEquals(whole.err(), streamed.err());
        return whole;
    }

    @Test
    void crCrlfAndLfLineEndsReadTheSameRows() throws Exception {
        Path nn = write("n.nn", NET);
        Cli lf = Cli.run("eval", nn.toString(), "--data", write("lf.csv", rows(60, "\n")).toString(), "--json");
        assertEquals(0, lf.status(), lf.err());
        assertTrue(lf.out().contains("\"loss\""), lf.out());
        for (String end : new String[] {"\r", "\r\n"}) {
            Path csv = write("e" + end.length() + ".csv", rows(60, end));
            Cli r = bothWays("eval", nn.toString(), "--data", csv.toString(), "--json");
            assertEquals(0, r.status(), r.err());
            assertEquals(lf.out(), r.out());
        }
        // a CR alone inside a row ends the line there, both ways
        Path stray = write("stray.csv", rows(60, "\n").replace("\n0.0,", "\n0.0\r,"));
        Cli r = bothWays("eval", nn.toString(), "--data", stray.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(stray + ":"), r.err());
    }

    @Test
    void aNulOrInvalidUtf8IsLocatedBothWays() throws Exception {
        Path nn = write("n.nn", NET);
        String text = rows(60, "\n");
        int at = text.indexOf("\n", text.length() / 2) + 3; // third byte of a line in the middle
        int line = (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        for (byte bad : new byte[] {0, (byte) 0xE9}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            bytes[at] = bad;
            Path csv = write("bad" + (bad & 0xFF) + ".csv", bytes);
            Cli r = bothWays("eval", nn.toString(), "--data", csv.toString());
            assertEquals(1, r.status());
            assertTrue(r.err().startsWith(csv + ":" + line + ":3: error: not a text file: byte 0x"
                    + String.format("%02X", bad & 0xFF) + " at offset " + at), r.err());
            assertTrue(r.err().contains("a CSV data file must be UTF-8 text"), r.err());
            assertFalse(r.err().contains(".nn"), r.err());
        }
    }

    @Test
    void errorsPastTwentyAreCountedBothWays() throws Exception {
        Path nn = write("n.nn", NET);
        StringBuilder b = new StringBuilder("x,t\n");
        for (int i = 0; i < 100; i++) {
            b.append(i % 3 == 0 ? "oops," : "0.5,").append("0.1\n");
        }
        Cli r = bothWays("eval", nn.toString(), "--data", write("many.csv", b.toString()).toString());
        assertEquals(1, r.status());
        assertEquals(20, r.err().split(": error: ", -1).length - 1, r.err());
        assertTrue(r.err().contains("and 14 more rows with errors, not shown"), r.err()); // 34 bad rows
        StringBuilder header = new StringBuilder("x,t");
        for (int i = 0; i < 25; i++) {
            header.append(",u").append(i);
        }
        Path wide = write("wide.csv", header + "\n" + "1,".repeat(26) + "1\n" + ("0," + "1,".repeat(26) + "1\n").repeat(8));
        r = bothWays("eval", nn.toString(), "--data", wide.toString());
        assertEquals(1, r.status());
        assertEquals(20, r.err().split(": error: ", -1).length - 1, r.err());
        assertTrue(r.err().contains("and 5 more columns with errors, not shown"), r.err());
    }

    @Test
    void aColumnAlsoSetOnTheCommandLineIsAnError() throws Exception {
        Path nn = write("n.nn", NET);
        Path csv = write("d.csv", rows(60, "\n"));
        Cli r = bothWays("eval", nn.toString(), "--data", csv.toString(), "--set", "t=100");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(csv + ":1:3: error: column 't' is also given on the command line (--set)"), r.err());
        r = bothWays("eval", nn.toString(), "--data", write("x.csv", rows(60, "\n").replace(",", ",0,")
                .replace("x,0,t", "x,t,u").replaceAll("(?m)^x,t,u$", "x,u").replaceAll(",0,[^,\n]*", "")).toString(),
                "--set", "t=0.25");
        assertEquals(1, r.status()); // u is not declared: still its own error, not the --set one
        assertFalse(r.err().contains("--set)"), r.err());
    }

    @Test
    void quotedCellsSayQuotingIsNotSupported() throws Exception {
        Path nn = write("n.nn", NET);
        Cli r = bothWays("eval", nn.toString(), "--data", write("qh.csv", rows(60, "\n").replace("x,t", "\"x\",t")).toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("column \"x\" is quoted; quoting is not supported in data files"), r.err());
        r = bothWays("eval", nn.toString(), "--data", write("qc.csv", rows(60, "\n").replace("\n0.0,", "\n\"0.0\",")).toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("column 'x': \"0.0\" is quoted; quoting is not supported in data files"), r.err());
    }

    @Test
    void messagesNameDataFiles() throws Exception {
        Path nn = write("n.nn", NET);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Cli r = Cli.run("eval", nn.toString(), "--data", sub.toString());
        assertEquals(1, r.status());
        assertEquals("chainrule: error: " + sub + ": is a directory, not a data file (CSV)\n", r.err());
        Path csv = write("d.csv", rows(60, "\n"));
        r = Cli.run("train", nn.toString(), "--data", csv.toString(), "--lr", "0.1", "--steps", "1", "--split", "0.0001");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("chainrule: error: --split 0.0001 of 60 rows"), r.err());
        r = Cli.run("flow", nn.toString(), "--data", csv.toString(), "--max-input", MAX);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("input too large") && r.err().contains("= help: flow keeps every row's factors"), r.err());
    }

    /**
     * A row with a cell too many is pointed at that cell, not the last one that fits; a short row
     * at its last cell; "1 value", not "1 values" (a review found both).
     */
    @Test
    void aRowOfTheWrongLengthIsPointedAtWhereItGoesWrong() throws Exception {
        Path nn = write("n.nn", NET);
        String text = rows(30, "\n") + "0.5,0.25,7\n0.5\n";
        Path csv = write("short.csv", text);
        Cli r = bothWays("eval", nn.toString(), "--data", csv.toString());
        assertEquals(1, r.status(), r.err());
        String[] lines = r.err().split("\n");
        assertEquals(csv + ":32:10: error: row has 3 values but the header names 2 columns", lines[0], r.err());
        assertEquals("    0.5,0.25,7", lines[1]);
        assertEquals("             ^", lines[2]);
        assertEquals(csv + ":33:1: error: row has 1 value but the header names 2 columns", lines[3], r.err());
    }
}
