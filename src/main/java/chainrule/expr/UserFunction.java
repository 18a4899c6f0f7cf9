package chainrule.expr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A function defined in a {@code .nn} file: {@code function swish(z) = z*sigmoid(z)}.
 *
 * <p>Its partial derivatives are derived symbolically from its body, once, and are themselves user
 * functions (named {@code swish′}, or {@code f′₁}, {@code f′₂} for several parameters), so
 * derivatives print as {@code swish′(net)} rather than an inlined body.
 *
 * <p>How a partial is derived is given at construction ({@link Derivation}): differentiation and
 * simplification live in packages above this one ({@code chainrule.diff}, {@code chainrule.simplify}),
 * so the expression layer stays free of them and of the package cycle that calling them would make.
 */
public final class UserFunction implements Fn {
    /** Derives ∂body/∂param, in its printed (simplified) form. */
    @FunctionalInterface
    public interface Derivation {
        Expr derivative(Expr body, Sym param);
    }

    private final String name;
    private final List<Sym> params;
    private final Expr body;
    private final UserFunction derivativeOf;
    private final Derivation derivation;
    private final List<UserFunction> partials;

    /**
     * @param params the parameters, as {@link SymKind#LOCAL} symbols
     * @param body   the body, in terms of the parameters and other functions only
     * @param derivation how partials are derived ({@code chainrule.diff.UserDerivation#SIMPLIFIED})
     */
    public UserFunction(String name, List<Sym> params, Expr body, Derivation derivation) {
        this(name, params, body, null, derivation);
    }

    private UserFunction(String name, List<Sym> params, Expr body, UserFunction derivativeOf, Derivation derivation) {
        this.name = name;
        this.params = List.copyOf(params);
        this.body = body;
        this.derivativeOf = derivativeOf;
        this.derivation = derivation;
        this.partials = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            partials.add(null);
        }
    }

    @Override public String sourceName() { return name; }

    @Override public int arity() { return params.size(); }

    public List<Sym> params() { return params; }

    public Expr body() { return body; }

    /** The function this one is a derivative of, or null for a function written by the user. */
    public UserFunction derivativeOf() { return derivativeOf; }

    @Override
    public double value(double[] args) {
        Map<Sym, Double> env = new HashMap<>();
        for (int i = 0; i < params.size(); i++) {
            env.put(params.get(i), args[i]);
        }
        return Evaluator.evaluate(body, sym -> {
            Double v = env.get(sym);
            if (v == null) {
                throw new IllegalStateException("free name " + sym.name() + " in function " + name);
            }
            return v;
        });
    }

    @Override
    public Expr partial(int i, List<Expr> args, Expr self) {
        return Exprs.apply(partialFunction(i), args);
    }

    /** ∂f/∂(parameter i) as a function of the same parameters, derived once and cached. */
    public synchronized UserFunction partialFunction(int i) {
        UserFunction p = partials.get(i);
        if (p == null) {
            Expr d = derivation.derivative(body, params.get(i));
            String suffix = params.size() == 1 ? "′" : "′" + subscript(i + 1);
            p = new UserFunction(name + suffix, params, d, this, derivation);
            partials.set(i, p);
        }
        return p;
    }

    /** The body with the arguments substituted for the parameters. */
    public Expr inline(List<Expr> args) {
        Map<Expr, Expr> map = new HashMap<>();
        for (int i = 0; i < params.size(); i++) {
            map.put(params.get(i), args.get(i));
        }
        return Substitution.replace(body, map);
    }

    private static String subscript(int n) {
        StringBuilder sb = new StringBuilder();
        for (char c : Integer.toString(n).toCharArray()) {
            sb.append((char) ('₀' + (c - '0')));
        }
        return sb.toString();
    }

    @Override public String toString() { return name; }
}
