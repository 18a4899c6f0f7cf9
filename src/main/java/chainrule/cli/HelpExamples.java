package chainrule.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two or three example commands per command, shown at the end of its {@code --help} (picocli's
 * footer). They live in one table so the docs test ({@code DocsCommandsTest}) can run every one of
 * them: an example that stops working fails the build.
 */
final class HelpExamples {
    private HelpExamples() {}

    /** Command name → example command lines (without the leading {@code chainrule}). */
    static final Map<String, List<String>> EXAMPLES = examples();

    private static Map<String, List<String>> examples() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("chainrule", List.of(
                "grad examples/mazur.nn",
                "paths examples/mazur.nn --wrt w1",
                "diff 'sin(x)^2*exp(x)' --wrt x --set x=0.5"));
        m.put("paths", List.of(
                "paths examples/mazur.nn --wrt w1",
                "paths examples/mazur-book.nn --wrt w1 --notation book",
                "paths examples/deep-sigmoid.nn --wrt w1 --top 3"));
        m.put("grad", List.of(
                "grad examples/mazur.nn",
                "grad examples/mazur.nn --wrt w1 --wrt w5 --json",
                "grad examples/mazur-vector.nn --wrt W1"));
        m.put("diff", List.of(
                "diff 'sin(x)^2*exp(x)' --wrt x",
                "diff 'sigmoid(w*x)' --wrt w --set w=0.5 --set x=2"));
        m.put("eval", List.of(
                "eval examples/mazur.nn",
                "eval examples/softmax.nn --json"));
        m.put("check", List.of(
                "check examples/mazur.nn",
                "check examples/softmax.nn --json"));
        m.put("train", List.of(
                "train examples/mazur.nn --lr 0.5 --steps 10000 --freeze b1,b2",
                "train examples/mazur.nn --lr 0.5 --steps 100 -o trained.nn"));
        m.put("codegen", List.of(
                "codegen examples/mazur.nn --lang python --main",
                "codegen examples/mazur.nn --lang java -o MazurGradient.java",
                "codegen examples/mazur.nn --lang c -o mazur.c"));
        m.put("latex", List.of(
                "latex examples/mazur.nn --wrt w1 -o mazur.tex",
                "latex examples/mazur.nn --wrt w5 --fragment"));
        m.put("graph", List.of(
                "graph examples/mazur.nn --wrt w1",
                "graph examples/mazur.nn --wrt w1 --format png -o mazur.png"));
        m.put("flow", List.of(
                "flow examples/chain10-sigmoid.nn",
                "flow examples/chain10-relu.nn --format svg -o flow.svg"));
        m.put("serve", List.of(
                "serve examples/mazur.nn",
                "serve --port 9000"));
        return m;
    }

    /** The footer for {@code command}'s help, or none. */
    static String[] footer(String command) {
        List<String> lines = EXAMPLES.get(command);
        if (lines == null) {
            return new String[0];
        }
        String[] out = new String[lines.size() + 2];
        out[0] = "";
        out[1] = "Examples:";
        for (int i = 0; i < lines.size(); i++) {
            out[i + 2] = "  chainrule " + lines.get(i);
        }
        return out;
    }
}
