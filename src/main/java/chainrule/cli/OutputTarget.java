package chainrule.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a command's document goes: the file of {@code -o}, or standard output when there is none. */
final class OutputTarget {
    private OutputTarget() {}

    static void write(String file, byte[] bytes) throws CliError {
        if (file == null || file.equals("-")) {
            Main.out().write(bytes, 0, bytes.length);
            Main.out().flush();
            return;
        }
        try {
            Files.write(Path.of(file), bytes);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new CliError("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** The file name a document is titled with: the base name, or "standard input" for {@code -}. */
    static String title(String file) {
        if (file.equals("-")) {
            return "standard input";
        }
        Path name = Path.of(file).getFileName();
        return name == null ? file : name.toString();
    }
}
