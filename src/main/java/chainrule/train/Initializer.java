package chainrule.train;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Numbers;
import chainrule.model.Suggestions;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random initialisation ({@code weight W1[32,64] ~ he_normal}, {@code bias b ~ normal(0, 0.1)}):
 * gives every weight or bias declared with {@code ~} and without a written value the values drawn
 * from its distribution, as if they had been written, so everything after parsing is unchanged.
 * A written value ({@code = ...}) wins over the {@code ~}.
 *
 * <p>The draw depends only on the seed and the declared name (not on other declarations or their
 * order): the same file and seed give the same numbers on every machine ({@link Random}'s
 * algorithm is fixed by its specification).
 */
public final class Initializer {
    private Initializer() {}

    /** The distributions: name, number of arguments, how the arguments are described. */
    private enum Kind {
        NORMAL("normal", 2, "normal(mean, std)"),
        UNIFORM("uniform", 2, "uniform(low, high)"),
        HE_NORMAL("he_normal", 0, "he_normal"),
        HE_UNIFORM("he_uniform", 0, "he_uniform"),
        GLOROT_NORMAL("glorot_normal", 0, "glorot_normal"),
        GLOROT_UNIFORM("glorot_uniform", 0, "glorot_uniform");

        final String word;
        final int arity;
        final String form;

        Kind(String word, int arity, String form) {
            this.word = word;
            this.arity = arity;
            this.form = form;
        }

        static Kind named(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** {@code file} with every {@code ~} declarator that has no written value given drawn values. */
    public static Ast.File apply(Source source, Ast.File file, long seed) throws DiagnosticException {
        List<Diagnostic> problems = new ArrayList<>();
        List<Ast.Statement> out = new ArrayList<>();
        boolean changed = false;
        for (Ast.Statement s : file.statements()) {
            if (!(s instanceof Ast.Declaration d) || d.declarators().stream().allMatch(x -> x.init() == null)) {
                out.add(s);
                continue;
            }
            List<Ast.Declarator> declarators = new ArrayList<>();
            for (Ast.Declarator x : d.declarators()) {
                declarators.add(x.init() == null ? x : draw(source, d.kind(), x, seed, problems));
            }
            out.add(new Ast.Declaration(d.kind(), d.keyword(), declarators));
            changed = true;
        }
        if (!problems.isEmpty()) {
            throw new DiagnosticException(problems);
        }
        return changed ? new Ast.File(out) : file;
    }

    private static Ast.Declarator draw(Source source, Ast.DeclKind kind, Ast.Declarator x, long seed,
                                       List<Diagnostic> problems) {
        Ast.Init init = x.init();
        String name = x.name().text();
        if (!kind.isParameter()) {
            problems.add(error(source, init.pos(), "'" + name + "' is " + (kind == Ast.DeclKind.INPUT ? "an " : "a ")
                    + kind.keyword() + "; only weights and biases are drawn at random with ~"));
            return x;
        }
        Kind k = Kind.named(init.name().text());
        if (k == null) {
            List<String> known = new ArrayList<>();
            for (Kind each : Kind.values()) {
                known.add(each.word);
            }
            problems.add(error(source, init.name().pos(), "unknown distribution '" + init.name().text() + "'"
                    + Suggestions.didYouMean(init.name().text(), known) + " (known: " + forms() + ")"));
            return x;
        }
        if (init.arguments().size() != k.arity) {
            problems.add(error(source, init.pos(), k.arity == 0
                    ? k.word + " takes no arguments: its scale comes from the shape (write ~ " + k.word + ")"
                    : k.word + " takes " + k.arity + " numbers: " + k.form));
            return x;
        }
        double a = k.arity > 0 ? init.arguments().get(0).value() : 0;
        double b = k.arity > 1 ? init.arguments().get(1).value() : 0;
        if (k == Kind.NORMAL && !(b >= 0)) {
            problems.add(error(source, init.arguments().get(1).pos(), "the standard deviation of normal(mean, std) must be 0 or more"));
            return x;
        }
        if (k == Kind.UNIFORM && !(a <= b)) {
            problems.add(error(source, init.pos(), "uniform(low, high) needs low <= high"));
            return x;
        }
        if (x.value() != null) {
            return x; // a written value wins
        }
        int[] shape = new int[x.shape().size()];
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            try {
                shape[i] = Integer.parseInt(x.shape().get(i).text());
            } catch (NumberFormatException e) {
                return x; // the analyser reports the shape
            }
            if (shape[i] < 1) {
                return x;
            }
            size *= shape[i];
        }
        if (size > 50_000_000L) {
            return x; // the analyser reports the size
        }
        // fan-in: what one output element sums over (the columns of W in W @ x); fan-out: the rows.
        int fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        if (shape.length == 1) {
            fanIn = shape[0];
        }
        int fanOut = shape.length == 0 ? 1 : shape[0];
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        double[] v = new double[(int) size];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (k) {
                case NORMAL -> a + b * random.nextGaussian();
                case UNIFORM -> a + (b - a) * random.nextDouble();
                case HE_NORMAL -> Math.sqrt(2.0 / fanIn) * random.nextGaussian();
                case HE_UNIFORM -> Math.sqrt(6.0 / fanIn) * (2 * random.nextDouble() - 1);
                case GLOROT_NORMAL -> Math.sqrt(2.0 / (fanIn + fanOut)) * random.nextGaussian();
                case GLOROT_UNIFORM -> Math.sqrt(6.0 / (fanIn + fanOut)) * (2 * random.nextDouble() - 1);
            };
        }
        return new Ast.Declarator(x.name(), x.shape(), init, value(v, shape, 0, new int[1], init.pos()));
    }

    private static Ast.Value value(double[] v, int[] shape, int depth, int[] next, Ast.Pos pos) {
        if (depth == shape.length) {
            double d = v[next[0]++];
            return new Ast.Scalar(Numbers.exact(d), d, pos);
        }
        List<Ast.Value> items = new ArrayList<>(shape[depth]);
        for (int i = 0; i < shape[depth]; i++) {
            items.add(value(v, shape, depth + 1, next, pos));
        }
        return new Ast.Array(items, pos);
    }

    private static String forms() {
        List<String> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            out.add(k.form);
        }
        return String.join(", ", out);
    }

    private static Diagnostic error(Source source, Ast.Pos pos, String message) {
        return Diagnostic.error(source, pos.line(), pos.column(), pos.length(), message);
    }
}
