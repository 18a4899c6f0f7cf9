package chainrule.train;

/**
 * How a step moves the parameters given the gradient g and the learning rate η:
 * <ul>
 *   <li>{@code sgd}: {@code x ← x − η·g};</li>
 *   <li>{@code momentum} (heavy ball, as PyTorch's SGD with momentum 0.9): {@code v ← 0.9·v + g},
 *       {@code x ← x − η·v};</li>
 *   <li>{@code adam} (Kingma &amp; Ba, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected):
 *       {@code m ← β₁m + (1−β₁)g}, {@code v ← β₂v + (1−β₂)g²},
 *       {@code x ← x − η·m̂/(√v̂ + ε)}.</li>
 * </ul>
 */
public enum Optimizer {
    SGD, MOMENTUM, ADAM;

    static final double MOMENTUM_DECAY = 0.9;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    /** The name as typed on the command line. */
    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** The optimizer named {@code word} ({@code sgd}, {@code momentum}, {@code adam}), or null. */
    public static Optimizer named(String word) {
        for (Optimizer o : values()) {
            if (o.word().equals(word)) {
                return o;
            }
        }
        return null;
    }

    /** The state of one run: the velocity or moment estimates per parameter. */
    public State start(int parameters) {
        return new State(this, parameters);
    }

    public static final class State {
        private final Optimizer kind;
        private final double[] first;
        private final double[] second;
        private long steps;

        private State(Optimizer kind, int n) {
            this.kind = kind;
            this.first = kind == SGD ? null : new double[n];
            this.second = kind == ADAM ? new double[n] : null;
        }

        /**
         * One step: moves {@code x[index[i]]} for every parameter {@code i} not frozen, by gradient
         * {@code grad[i]} at learning rate {@code rate}.
         */
        public void step(double[] x, int[] index, boolean[] frozen, double[] grad, double rate) {
            steps++;
            double c1 = 1 - Math.pow(BETA1, steps);
            double c2 = 1 - Math.pow(BETA2, steps);
            for (int i = 0; i < index.length; i++) {
                if (frozen[i]) {
                    continue;
                }
                double g = grad[i];
                switch (kind) {
                    case SGD -> x[index[i]] -= rate * g;
                    case MOMENTUM -> {
                        first[i] = MOMENTUM_DECAY * first[i] + g;
                        x[index[i]] -= rate * first[i];
                    }
                    case ADAM -> {
                        first[i] = BETA1 * first[i] + (1 - BETA1) * g;
                        second[i] = BETA2 * second[i] + (1 - BETA2) * g * g;
                        x[index[i]] -= rate * (first[i] / c1) / (Math.sqrt(second[i] / c2) + EPSILON);
                    }
                }
            }
        }
    }
}
