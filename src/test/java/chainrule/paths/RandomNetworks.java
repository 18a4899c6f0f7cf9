package chainrule.paths;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Random scalar networks as {@code .nn} source: 1-4 layers of width 1-4, random activations
 * (built-ins and a user function), weights and biases sometimes shared, skip connections from two
 * layers back, squared-error loss. The text is what the tests feed to the analyser, so a failure
 * shows a file one can run.
 */
final class RandomNetworks {
    private RandomNetworks() {}

    private static final String[] ACTIVATIONS = {
        "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish", "sin", "", "leaky_relu2"};

    static String source(long seed) {
        Random r = new Random(seed);
        List<String> weights = new ArrayList<>();
        List<String> biases = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        int inputs = 1 + r.nextInt(3);
        List<String> previous = new ArrayList<>();
        for (int i = 1; i <= inputs; i++) {
            previous.add("i" + i);
        }
        List<String> beforePrevious = List.of();
        int depth = 1 + r.nextInt(4);
        for (int layer = 1; layer <= depth; layer++) {
            int width = 1 + r.nextInt(4);
            List<String> current = new ArrayList<>();
            for (int j = 1; j <= width; j++) {
                StringBuilder net = new StringBuilder();
                for (String p : previous) {
                    net.append(net.length() == 0 ? "" : " + ").append(pick(r, weights, "w")).append("*").append(p);
                }
                if (!beforePrevious.isEmpty() && r.nextInt(3) == 0) { // skip connection
                    String from = beforePrevious.get(r.nextInt(beforePrevious.size()));
                    net.append(" + ").append(pick(r, weights, "w")).append("*").append(from);
                }
                if (r.nextInt(4) != 0) {
                    net.append(" + ").append(pick(r, biases, "b"));
                }
                String name = "h" + layer + "_" + j;
                String act = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
                String pre = net.toString();
                if (r.nextBoolean()) { // an explicit pre-activation node instead of the implicit h.in
                    body.append("n").append(name).append(" = ").append(pre).append('\n');
                    pre = "n" + name;
                }
                body.append(name).append(" = ").append(apply(act, pre)).append('\n');
                current.add(name);
            }
            beforePrevious = previous;
            previous = current;
        }
        StringBuilder loss = new StringBuilder();
        StringBuilder targets = new StringBuilder();
        for (int j = 0; j < previous.size(); j++) {
            targets.append(j == 0 ? "" : ", ").append("t").append(j + 1).append(" = ").append(value(r));
            loss.append(j == 0 ? "" : " + ").append("0.5*(t").append(j + 1).append(" - ").append(previous.get(j)).append(")^2");
        }
        StringBuilder src = new StringBuilder("function swish(z) = z*sigmoid(z)\n");
        src.append("input ");
        for (int i = 1; i <= inputs; i++) {
            src.append(i == 1 ? "" : ", ").append("i").append(i).append(" = ").append(value(r));
        }
        src.append("\ntarget ").append(targets).append('\n');
        declare(src, "weight", weights, r);
        declare(src, "bias", biases, r);
        src.append(body).append("loss E = ").append(loss).append('\n');
        return src.toString();
    }

    private static String apply(String act, String pre) {
        switch (act) {
            case "": return pre;
            case "leaky_relu2": return "leaky_relu(" + pre + ", 0.2)";
            default: return act + "(" + pre + ")";
        }
    }

    /** A new name, or (one time in five) one already used: a shared weight. */
    private static String pick(Random r, List<String> names, String prefix) {
        if (!names.isEmpty() && r.nextInt(5) == 0) {
            return names.get(r.nextInt(names.size()));
        }
        String name = prefix + (names.size() + 1);
        names.add(name);
        return name;
    }

    private static void declare(StringBuilder src, String keyword, List<String> names, Random r) {
        if (names.isEmpty()) {
            return;
        }
        src.append(keyword).append(' ');
        for (int k = 0; k < names.size(); k++) {
            src.append(k == 0 ? "" : ", ").append(names.get(k)).append(" = ").append(value(r));
        }
        src.append('\n');
    }

    private static String value(Random r) {
        return String.format(Locale.ROOT, "%.3f", r.nextDouble() * 3 - 1.5);
    }
}
