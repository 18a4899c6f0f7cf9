package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Generates {@code codegen --lang L --main} programs for several {@code .nn} files, builds and runs
 * them as cheaply as the tools allow (Java: one in-process javac over all files and one JVM running
 * every class's {@code main}; C: one gcc per file, as each file has its own {@code main}; Python:
 * one interpreter running every file), and reads what each prints (eval's JSON).
 */
final class GeneratedPrograms {
    private GeneratedPrograms() {}

    /** One program's source, and what it printed: the loss's name and value, and each gradient entry in printed order. */
    record Printed(String source, String lossName, double loss, Map<String, Double> gradient) {}

    /** A separator printed between programs; no generated program prints it. */
    private static final String SEPARATOR = "----- chainrule next program -----";

    /** {@code codegen FILE --lang LANG --main}, for Java with {@code --class CLASS}: the source it prints. */
    static String codegen(Path file, String lang, String javaClass) {
        List<String> args = new ArrayList<>(List.of("codegen", file.toString(), "--lang", lang, "--main"));
        if (lang.equals("java")) {
            args.addAll(List.of("--class", javaClass));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        assertEquals(0, status, String.join(" ", args) + ":\n" + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The name of the Java class of the {@code i}th program given to {@link #run}. */
    static String javaClass(int i) {
        return "Case" + i;
    }

    /**
     * Builds and runs each generated {@code --main} program in {@code lang} ({@code java}, {@code c}
     * or {@code python}; a Java program's class is {@link #javaClass}) in {@code dir}, and reads
     * what it prints; skips (an assumption) when the language's tool is not installed.
     */
    static List<Printed> run(String lang, Path dir, List<String> texts) throws Exception {
        List<String> outputs = outputs(lang, dir, texts);
        List<Printed> printed = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            printed.add(parse(texts.get(i), outputs.get(i), lang + " program " + i));
        }
        return printed;
    }

    /**
     * Builds and runs each program as {@link #run} does, and returns what each printed, as text
     * (without surrounding white space): what {@code codegen --main}'s user reads.
     */
    static List<String> outputs(String lang, Path dir, List<String> texts) throws Exception {
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Path file = dir.resolve(switch (lang) {
                case "java" -> javaClass(i) + ".java";
                case "c" -> "case" + i + ".c";
                default -> "case" + i + ".py";
            });
            Files.writeString(file, texts.get(i));
            sources.add(file);
        }
        List<String> outputs = switch (lang) {
            case "java" -> java(dir, sources);
            case "c" -> c(dir, sources);
            case "python" -> python(dir, sources);
            default -> throw new IllegalArgumentException(lang);
        };
        assertEquals(texts.size(), outputs.size(), lang + ": one output per program: " + outputs);
        return outputs;
    }

    private static List<String> java(Path dir, List<Path> sources) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: the tests need a JDK");
        Path driver = dir.resolve("RunAll.java");
        Files.writeString(driver, """
                public final class RunAll {
                    public static void main(String[] classes) throws Exception {
                        for (String c : classes) {
                            Class.forName(c).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
                            System.out.println("%s");
                        }
                    }
                }
                """.formatted(SEPARATOR));
        List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-encoding", "US-ASCII", "-Xlint:all", "-Werror"));
        sources.forEach(s -> args.add(s.toString()));
        args.add(driver.toString());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            int status = javac.run(null, out, out, args.toArray(String[]::new));
            assertEquals(0, status, "javac:\n" + log.toString(StandardCharsets.UTF_8));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", dir.toString(), "RunAll"));
        sources.forEach(s -> command.add(s.getFileName().toString().replace(".java", "")));
        return split(exec(dir, command));
    }

    /**
     * One gcc run builds every program into one executable: each file is compiled as written in a
     * translation unit of its own ({@code #include}d by a wrapper that renames its two external
     * names, {@code main} and {@code chainrule_gradient}), and a driver calls every {@code main} in
     * turn, printing the separator after each.
     */
    private static List<String> c(Path dir, List<Path> sources) throws Exception {
        assumeTrue(installed("gcc", "--version"), "gcc is not installed: the generated C code of OpTableTest is not checked");
        List<String> command = new ArrayList<>(List.of("gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o",
                dir.resolve("all").toString()));
        if (installed("gcc", "-march=native", "-x", "c", "-E", "-o", "/dev/null", "/dev/null")) {
            // as a user may build it: optimised for this CPU, multiply-adds free to fuse (fused ones round
            // once, and would change the last bits: the generated code's pragma forbids it)
            command.addAll(List.of("-O2", "-march=native", "-ffp-contract=fast"));
        }
        StringBuilder driver = new StringBuilder("#include <stdio.h>\n");
        StringBuilder calls = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            Path wrapper = dir.resolve("wrap" + i + ".c");
            Files.writeString(wrapper, "#define main cr_program_main_" + i + "\n#define chainrule_gradient cr_program_gradient_" + i
                    + "\n#include \"" + sources.get(i).getFileName() + "\"\n");
            command.add(wrapper.toString());
            driver.append("int cr_program_main_").append(i).append("(void);\n");
            calls.append("    cr_program_main_").append(i).append("();\n    fflush(stdout);\n    printf(\"%s\\n\", \"")
                    .append(SEPARATOR).append("\");\n");
        }
        driver.append("int main(void) {\n").append(calls).append("    return 0;\n}\n");
        Path main = dir.resolve("driver.c");
        Files.writeString(main, driver.toString());
        command.add(main.toString());
        command.add("-lm");
        exec(dir, command);
        return split(exec(dir, List.of(dir.resolve("all").toString())));
    }

    private static List<String> python(Path dir, List<Path> sources) throws Exception {
        assumeTrue(installed("python3", "--version"), "python3 is not installed: the generated Python code of OpTableTest is not checked");
        List<String> command = new ArrayList<>(List.of("python3", "-c",
                "import runpy, sys\nfor p in sys.argv[1:]:\n    runpy.run_path(p, run_name='__main__')\n    print('"
                        + SEPARATOR + "', flush=True)\n"));
        sources.forEach(s -> command.add(s.toString()));
        return split(exec(dir, command));
    }

    private static List<String> split(String out) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.equals(SEPARATOR)) {
                parts.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        assertEquals("", current.toString().strip(), "output after the last program");
        return parts;
    }

    private static boolean installed(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String exec(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + ": still running after 300 s");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static final Pattern PRINTED = Pattern.compile(
            "\\{\"loss\": \\{\"name\": \"([^\"]*)\", \"value\": ([^}]*)\\}, \"gradient\": \\{(.*)\\}\\}");
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]*)\": ([^,\"]*)(?:, |$)");

    /** eval's JSON (CLI.md), as the generated {@code --main} prints it; {@code null} (not finite) is NaN. */
    private static Printed parse(String source, String json, String what) {
        Matcher m = PRINTED.matcher(json.strip());
        assertTrue(m.matches(), what + ": not eval's JSON:\n" + json);
        Map<String, Double> gradient = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(m.group(3));
        int at = 0;
        while (e.find()) {
            assertEquals(at, e.start(), what + ": gradient entries: " + m.group(3));
            gradient.put(e.group(1), number(e.group(2)));
            at = e.end();
        }
        assertEquals(m.group(3).length(), at, what + ": gradient entries: " + m.group(3));
        return new Printed(source, m.group(1), number(m.group(2)), gradient);
    }

    private static double number(String text) {
        return text.equals("null") ? Double.NaN : Double.parseDouble(text);
    }
}
