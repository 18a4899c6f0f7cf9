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
        LoadedNetwork loaded = LoadedNetwork.load(input.file, options);
        if (main) {
            loaded.network().requireValues();
        }
        Main.out().print(SourceGenerator.generate(Tape.of(loaded.network()), language, main));
        return 0;
    }
}
