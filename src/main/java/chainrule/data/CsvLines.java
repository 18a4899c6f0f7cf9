package chainrule.data;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a CSV data file, read from its bytes one way whether the file is held whole
 * ({@link #text}) or read as a stream ({@link #next}), so that both see the same lines and refuse
 * the same bytes at the same place:
 * <ul>
 *   <li>a line ends at LF, CRLF or a CR alone (Excel for Mac writes CR): a CR inside a row ends it
 *       there, as a spreadsheet reading the file would;</li>
 *   <li>a byte-order mark at the start is dropped;</li>
 *   <li>a NUL byte or bytes that are not UTF-8 are an error at their line and column (the file is
 *       not text), with the byte's offset in the file.</li>
 * </ul>
 */
public final class CsvLines implements AutoCloseable {
    private final InputStream in;
    private final String name;
    private final byte[] buffer = new byte[1 << 16];
    private int filled;
    private int at;
    /** Offset in the file of {@code buffer[0]}. */
    private long base;
    private byte[] line = new byte[256];
    private int length;
    private int number;
    private boolean afterCr;
    private boolean ended;

    public CsvLines(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Line number of the line {@link #next} returned last (1-based). */
    public int number() { return number; }

    /**
     * The next line without its terminator, or null at the end of the file.
     *
     * @throws DiagnosticException a NUL byte or invalid UTF-8 in the line, located
     */
    public String next() throws IOException, DiagnosticException {
        if (ended) {
            return null;
        }
        length = 0;
        long start = -1;
        while (true) {
            if (at == filled) {
                base += filled;
                filled = Math.max(0, in.read(buffer));
                at = 0;
                if (filled == 0) {
                    ended = true;
                    if (start < 0) {
                        return null; // nothing after the last terminator
                    }
                    break;
                }
            }
            byte b = buffer[at++];
            if (afterCr) {
                afterCr = false;
                if (b == '\n') { // CRLF: one terminator
                    continue;
                }
            }
            if (start < 0) {
                start = base + at - 1;
            }
            if (b == '\n') {
                break;
            }
            if (b == '\r') {
                afterCr = true;
                break;
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, 2 * length);
            }
            line[length++] = b;
        }
        number++;
        String text = decode(start);
        if (number == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text;
    }

    private String decode(long start) throws DiagnosticException {
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b == 0) {
                throw notText(start, i);
            }
            ascii &= b > 0;
        }
        if (ascii) {
            return new String(line, 0, length, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
            java.nio.CharBuffer out = java.nio.CharBuffer.allocate(length + 1);
            decoder.reset().decode(bytes, out, true);
            throw notText(start, bytes.position());
        }
    }

    /** The error at byte {@code i} of the current line (which starts at {@code start} in the file). */
    private DiagnosticException notText(long start, int i) {
        String before = new String(line, 0, i, StandardCharsets.UTF_8);
        if (number == 1 && before.startsWith("\uFEFF")) {
            before = before.substring(1);
        }
        Source shown = new Source(name, "\n".repeat(number - 1) + before);
        int column = before.codePointCount(0, before.length()) + 1;
        return new DiagnosticException(Diagnostic.error(shown, number, column, 1, String.format(
                "not a text file: byte 0x%02X at offset %d is %s; a CSV data file must be UTF-8 text",
                line[i] & 0xFF, start + i, line[i] == 0 ? "a NUL" : "not valid UTF-8")));
    }

    /**
     * All of {@code bytes} as one text, its lines joined by LF: the lines {@link #next} reads,
     * numbered the same, for a {@link Source} of the whole file.
     */
    public static Source text(String name, byte[] bytes) throws DiagnosticException {
        StringBuilder text = new StringBuilder(bytes.length);
        try (CsvLines lines = new CsvLines(new ByteArrayInputStream(bytes), name)) {
            String l;
            while ((l = lines.next()) != null) {
                text.append(lines.number() == 1 ? "" : "\n").append(l);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // not from an array
        }
        return new Source(name, text.toString());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
