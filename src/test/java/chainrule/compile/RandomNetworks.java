package chainrule.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random scalar networks as {@code .nn} text: random depth and width, random activations
 * (built-in and user-defined), weights sometimes shared between edges, skip connections from two
 * layers back, and a loss mixing squared error with other terms.
 */
public final class RandomNetworks {
    private static final String[] ACTIVATIONS = {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish", "sin", "abs", "bump"};

    private RandomNetworks() {}

    public static String generate(long seed) {
        Random r = new Random(seed);
        StringBuilder src = new StringBuilder();
        src.append("function swish(z) = z*sigmoid(z)\n");
        src.append("function bump(z) = exp(-z^2) + 0.1*z\n");
        int inputs = 1 + r.nextInt(3);
        List<String> previous = new ArrayList<>();
        List<String> beforePrevious = new ArrayList<>();
        for (int i = 1; i <= inputs; i++) {
            src.append("input x").append(i).append(" = ").append(value(r)).append('\n');
            previous.add("x" + i);
        }
        List<String> weights = new ArrayList<>();
        int depth = 1 + r.nextInt(3);
        int biasCount = 0;
        StringBuilder body = new StringBuilder();
        for (int layer = 1; layer <= depth + 1; layer++) {
            boolean output = layer == depth + 1;
            int width = output ? 1 + r.nextInt(2) : 1 + r.nextInt(4);
            List<String> current = new ArrayList<>();
            String bias = "b" + (++biasCount);
            src.append("bias ").append(bias).append(" = ").append(value(r)).append('\n');
            for (int u = 1; u <= width; u++) {
                StringBuilder pre = new StringBuilder();
                List<String> sources = new ArrayList<>(previous);
                if (!beforePrevious.isEmpty() && r.nextInt(3) == 0) {
                    sources.add(beforePrevious.get(r.nextInt(beforePrevious.size())));
                }
                for (String s : sources) {
                    String w;
                    if (!weights.isEmpty() && r.nextInt(5) == 0) {
                        w = weights.get(r.nextInt(weights.size())); // a shared weight
                    } else {
                        w = "w" + (weights.size() + 1);
                        weights.add(w);
                        src.append("weight ").append(w).append(" = ").append(value(r)).append('\n');
                    }
                    pre.append(w).append('*').append(s).append(" + ");
                }
                pre.append(bias);
                String name = "h" + layer + "_" + u;
                String act = output ? "sigmoid" : ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
                String arg = act.equals("leaky_relu") && r.nextBoolean() ? ", 0.2" : "";
                if (r.nextBoolean()) {
                    body.append("n").append(name).append(" = ").append(pre).append('\n');
                    body.append(name).append(" = ").append(act).append("(n").append(name).append(arg).append(")\n");
                } else {
                    body.append(name).append(" = ").append(act).append('(').append(pre).append(arg).append(")\n");
                }
                current.add(name);
            }
            beforePrevious = previous;
            previous = current;
        }
        StringBuilder loss = new StringBuilder();
        for (int k = 0; k < previous.size(); k++) {
            src.append("target y").append(k + 1).append(" = ").append(Math.abs(value(r)) / 2).append('\n');
            loss.append(k == 0 ? "" : " + ").append("0.5*(y").append(k + 1).append(" - ").append(previous.get(k)).append(")^2");
        }
        if (r.nextBoolean()) {
            loss.append(" - 0.1*log(").append(previous.get(0)).append(")");
        }
        if (r.nextBoolean()) {
            loss.append(" + 0.01*(").append(weights.get(0)).append("^2 + ").append(weights.get(weights.size() - 1)).append("^2)");
        }
        return src + body.toString() + "loss L = " + loss + "\n";
    }

    private static double value(Random r) {
        return Math.round((r.nextDouble() * 3 - 1.5) * 1000) / 1000.0;
    }
}
