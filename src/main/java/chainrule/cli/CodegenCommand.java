package chainrule.cli;

import chainrule.codegen.Language;
import chainrule.codegen.SourceGenerator;
import chainrule.compile.Tape;
import java.util.concurrent.Callable;
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

    @Option(names = "--main", description = "Add an entry point that evaluates at the file's values and prints JSON.")
    boolean main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Language language = Language.byOptionName(lang);
        if (language == null) {
            throw new ParameterException(spec.commandLine(), "--lang must be java, c or python, not '" + lang + "'");
        }
        LoadedNetwork loaded = LoadedNetwork.loadForCompiling(input.file, options);
        if (main) {
            loaded.network().requireValues();
        }
        var program = chainrule.layer.LayerLowering.lower(loaded.file(), loaded.network());
        if (program.isPresent()) { // written with layers: loops from the layer program
            Main.out().print(chainrule.codegen.LoopSourceGenerator.generate(program.get(), language, input.file,
                    loaded.network().lossName(), loaded.network().values(), main));
            return 0;
        }
        Tape tape = Tape.of(loaded.network());
        int statements = SourceGenerator.statements(tape);
        if (language == Language.JAVA && statements > SourceGenerator.JAVA_MAX_STATEMENTS) {
            throw new CliError(input.file + ": the generated Java function would have " + statements
                    + " statements, more than javac compiles into one method (about "
                    + SourceGenerator.JAVA_MAX_STATEMENTS + ": a method's bytecode is limited to 64 KB); generate C or"
                    + " Python instead (--lang c, --lang python), or use eval, check or train, which compile layers to loops");
        }
        Main.out().print(SourceGenerator.generate(tape, language, main));
        return 0;
    }
}
