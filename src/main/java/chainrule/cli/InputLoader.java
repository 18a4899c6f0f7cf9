package chainrule.cli;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code .nn} file (or standard input for {@code -}) as strict UTF-8, within a size limit. */
final class InputLoader {
    private InputLoader() {}

    static Source load(String file, long maxBytes) throws CliError, DiagnosticException {
        return load(file, maxBytes, null);
    }

    /** {@link #load(String, long)}, the too-large error with {@code help} (null: none) under it. */
    static Source load(String file, long maxBytes, String help) throws CliError, DiagnosticException {
        return load(file, maxBytes, help, false);
    }

    /**
     * A CSV data file ({@code --data}, {@code --test}) read whole: its lines as a stream reads them
     * ({@link chainrule.data.CsvLines}: LF, CRLF or CR ends a line; a NUL or invalid UTF-8 located),
     * joined by LF; the too-large error with {@code help} (null: none) under it.
     */
    static Source loadData(String file, long maxBytes, String help) throws CliError, DiagnosticException {
        return load(file, maxBytes, help, true);
    }

    private static Source load(String file, long maxBytes, String help, boolean data) throws CliError, DiagnosticException {
        byte[] bytes;
        String name = file.equals("-") ? "<stdin>" : file;
        try {
            if (file.equals("-")) {
                bytes = readAtMost(System.in, maxBytes + 1);
            } else {
                Path p = Path.of(file);
                if (Files.isDirectory(p)) {
                    throw new CliError(file + ": is a directory, not a " + (data ? "data file (CSV)" : ".nn file"));
                }
                try (InputStream in = Files.newInputStream(p)) {
                    bytes = readAtMost(in, maxBytes + 1);
                }
            }
        } catch (NoSuchFileException e) {
            throw new CliError(file + ": no such file");
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new CliError(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(name, bytes, (int) maxBytes, help, data);
        }
        return data ? chainrule.data.CsvLines.text(name, bytes) : decode(name, bytes);
    }

    /** Points at the character where the limit is passed (the bytes before it decoded leniently). */
    private static DiagnosticException tooLarge(String name, byte[] bytes, int maxBytes, String help, boolean data) {
        Source read = new Source(name, lines(new String(bytes, 0, bytes.length, StandardCharsets.UTF_8), data));
        Source before = new Source(name, lines(new String(bytes, 0, maxBytes, StandardCharsets.UTF_8), data));
        int line = before.lineCount();
        String text = before.line(line);
        int column = text.codePointCount(0, text.length()) + 1;
        Diagnostic d = Diagnostic.error(read, line, column, 1,
                "input too large: more than " + maxBytes + " bytes; raise the limit with --max-input");
        return new DiagnosticException(help == null ? d : d.withHelp(help));
    }

    /** A data file's text with its line ends as LF (a CR alone ends a line there too), a .nn file's as it is. */
    private static String lines(String text, boolean data) {
        return data ? text.replace("\r\n", "\n").replace('\r', '\n') : text;
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit));
    }

    /** Strict UTF-8; a NUL byte or invalid sequence means a binary file, reported where it occurs. */
    static Source decode(String name, byte[] bytes) throws DiagnosticException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int bad = -1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                bad = i;
                break;
            }
        }
        String text = null;
        if (bad < 0) {
            try {
                text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                bad = firstInvalid(bytes);
            }
        }
        if (text == null) {
            String before = new String(bytes, 0, Math.max(0, bad), StandardCharsets.UTF_8);
            Source partial = new Source(name, before);
            int line = partial.lineCount();
            int column = partial.line(line).codePointCount(0, partial.line(line).length()) + 1;
            throw new DiagnosticException(Diagnostic.error(partial, line, column, 1, String.format(
                    "not a text file: byte 0x%02X at offset %d is %s; .nn files are UTF-8 text",
                    bytes[bad] & 0xFF, bad, bytes[bad] == 0 ? "a NUL" : "not valid UTF-8")));
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return new Source(name, text);
    }

    private static int firstInvalid(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // Binary search for the shortest invalid prefix is overkill; decode incrementally.
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        return r.isError() ? in.position() : 0;
    }
}
