package chainrule.bench;

/** The two benchmark networks, as {@code .nn} text, and the hand-written gradients they are measured against. */
final class Networks {
    private Networks() {}

    static final String MAZUR = """
            input  i1 = 0.05, i2 = 0.10
            target t1 = 0.01, t2 = 0.99
            weight w1 = 0.15, w2 = 0.20, w3 = 0.25, w4 = 0.30
            weight w5 = 0.40, w6 = 0.45, w7 = 0.50, w8 = 0.55
            bias   b1 = 0.35, b2 = 0.60
            net_h1 = w1*i1 + w2*i2 + b1
            out_h1 = sigmoid(net_h1)
            net_h2 = w3*i1 + w4*i2 + b1
            out_h2 = sigmoid(net_h2)
            net_o1 = w5*out_h1 + w6*out_h2 + b2
            out_o1 = sigmoid(net_o1)
            net_o2 = w7*out_h1 + w8*out_h2 + b2
            out_o2 = sigmoid(net_o2)
            loss E = 0.5*(t1 - out_o1)^2 + 0.5*(t2 - out_o2)^2
            """;

    static final int INPUTS = 8;
    static final int WIDTH = 32;
    static final int HIDDEN = 3;

    /** Initial weight of layer {@code l}, unit {@code j}, input {@code i}: small, deterministic, both signs. */
    static double weight(int l, int j, int i) {
        return (((l * 31 + j * 7 + i * 13) % 17) - 8) / 40.0;
    }

    static double bias(int l, int j) {
        return (((l * 5 + j * 3) % 11) - 5) / 50.0;
    }

    static double input(int i) {
        return (i % 5 - 2) / 4.0;
    }

    static final double TARGET = 0.3;

    /** {@value #INPUTS} inputs, {@value #HIDDEN} tanh layers of {@value #WIDTH}, one sigmoid output, squared error. */
    static String deep() {
        StringBuilder src = new StringBuilder();
        for (int i = 1; i <= INPUTS; i++) {
            src.append("input x").append(i).append(" = ").append(input(i)).append('\n');
        }
        src.append("target y = ").append(TARGET).append('\n');
        String[] previous = new String[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            previous[i] = "x" + (i + 1);
        }
        StringBuilder body = new StringBuilder();
        for (int l = 1; l <= HIDDEN + 1; l++) {
            int width = l == HIDDEN + 1 ? 1 : WIDTH;
            String[] current = new String[width];
            for (int j = 1; j <= width; j++) {
                StringBuilder pre = new StringBuilder();
                for (int i = 1; i <= previous.length; i++) {
                    String w = "w" + l + "_" + j + "_" + i;
                    src.append("weight ").append(w).append(" = ").append(weight(l, j, i)).append('\n');
                    pre.append(w).append('*').append(previous[i - 1]).append(" + ");
                }
                String b = "b" + l + "_" + j;
                src.append("bias ").append(b).append(" = ").append(bias(l, j)).append('\n');
                pre.append(b);
                String name = "h" + l + "_" + j;
                body.append("z").append(name).append(" = ").append(pre).append('\n');
                body.append(name).append(" = ").append(l == HIDDEN + 1 ? "sigmoid" : "tanh").append("(z").append(name).append(")\n");
                current[j - 1] = name;
            }
            previous = current;
        }
        return src + body.toString() + "loss L = 0.5*(y - " + previous[0] + ")^2\n";
    }
}
