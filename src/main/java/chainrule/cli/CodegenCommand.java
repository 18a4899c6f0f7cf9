package chainrule.cli;

import chainrule.codegen.Language;
import chainrule.codegen.SourceGenerator;
import chainrule.compile.Tape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "codegen", mixinStandardHelpOptions = true,
        description = "Source code of a function computing the loss and the whole gradient, using only the "
                + "language's standard library; with --main, a program printing the same JSON as eval --json.")
final class CodegenCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--lang", required = true, paramLabel = "java|c|python", description = "The language.")
    String lang;

    @Option(names = "--main", description = "Add an entry point that evaluates at the file's values and prints eval --json's "
            + "text, byte for byte (C and Python: except where the C library's exp, log, tanh, ... round a last bit "
            + "differently from Java's; docs/api.md).")
    boolean main;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write to this file instead of standard output; for Java the class is named after it "
                    + "(-o MazurGradient.java gives class MazurGradient).")
    String output;

    @Option(names = "--class", paramLabel = "NAME",
            description = "The Java class's name (default: the -o file's name, else " + SourceGenerator.JAVA_CLASS + ").")
    String className;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The limit forms of the gradient entries that may meet a removable singularity (docs/hardening.md). */
    static chainrule.codegen.LimitFallbacks limitFallbacks(chainrule.model.Network network) {
        chainrule.paths.PathGraph graph = chainrule.paths.PathGraph.of(network);
        return new chainrule.codegen.LimitFallbacks(chainrule.paths.Limits.fallbackForms(graph), chainrule.paths.Limits.moved(graph));
    }

    @Override
    public Integer call() throws Exception {
        Language language = Language.byOptionName(lang);
        if (language == null) {
            throw new ParameterException(spec.commandLine(), "--lang must be java, c or python, not '" + lang + "'");
        }
        String javaClass = javaClass(language);
        LoadedNetwork loaded = LoadedNetwork.loadForCompiling(input.file, options);
        if (main) {
            loaded.network().requireValues();
        }
        var program = chainrule.layer.LayerLowering.lower(loaded.file(), loaded.network());
        // written with layers: loops from the layer program, unless removable singularities need
        // the straight-line code's limit fallbacks (a small file only); eval compiles the same
        // choice (CompiledSetup.straightLine), so --main prints its numbers to the last bit
        Tape unrolled = CompiledSetup.straightLine(loaded.network(), program.isPresent()) ? Tape.of(loaded.network()) : null;
        if (program.isPresent() && unrolled == null) {
            OutputTarget.write(output, chainrule.codegen.LoopSourceGenerator.generate(program.get(), language, input.file,
                    loaded.network().lossName(), loaded.network().values(), main, javaClass).getBytes(StandardCharsets.UTF_8));
            return 0;
        }
        Tape tape = unrolled != null ? unrolled : Tape.of(loaded.network());
        int statements = SourceGenerator.statements(tape);
        if (language == Language.JAVA && statements > SourceGenerator.JAVA_MAX_STATEMENTS) {
            throw new CliError(input.file + ": the generated Java function would have " + statements
                    + " statements, more than javac compiles into one method (about "
                    + SourceGenerator.JAVA_MAX_STATEMENTS + ": a method's bytecode is limited to 64 KB); generate C or"
                    + " Python instead (--lang c, --lang python), or use eval, check or train, which compile layers to loops");
        }
        OutputTarget.write(output, SourceGenerator.generate(tape, language, main, javaClass, limitFallbacks(loaded.network()))
                .getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    /**
     * The Java class's name: {@code --class}, else the base name of the {@code -o} file, else the
     * default. javac wants a public class in a file of its name, so a name that is not a Java
     * identifier, or a {@code --class} that differs from the file's name, is a usage error.
     */
    private String javaClass(Language language) {
        String fromFile = null;
        if (output != null && !output.equals("-")) {
            Path name = Path.of(output).getFileName();
            String base = name == null ? "" : name.toString();
            if (base.endsWith(".java")) {
                fromFile = base.substring(0, base.length() - ".java".length());
            }
        }
        if (className != null) {
            if (language != Language.JAVA) {
                throw new ParameterException(spec.commandLine(), "--class names a Java class; it is only for --lang java");
            }
            if (!isJavaIdentifier(className)) {
                throw new ParameterException(spec.commandLine(), "--class " + className
                        + ": not a Java class name (letters, digits, _ and $, not starting with a digit, not a keyword)");
            }
            if (fromFile != null && !fromFile.equals(className)) {
                throw new ParameterException(spec.commandLine(), "--class " + className + " does not match -o " + output
                        + ": javac wants the public class " + className + " in " + className + ".java");
            }
            return className;
        }
        if (language != Language.JAVA || fromFile == null) {
            return SourceGenerator.JAVA_CLASS;
        }
        if (!isJavaIdentifier(fromFile)) {
            throw new ParameterException(spec.commandLine(), "-o " + output + ": '" + fromFile
                    + "' is not a Java class name, and javac wants the class in a file of its name; "
                    + "name the file like MazurGradient.java");
        }
        return fromFile;
    }

    private static boolean isJavaIdentifier(String name) {
        return SourceVersion.isIdentifier(name) && !SourceVersion.isKeyword(name, SourceVersion.RELEASE_17);
    }
}
