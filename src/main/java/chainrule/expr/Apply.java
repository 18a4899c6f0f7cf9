package chainrule.expr;

import java.util.List;

/** A function applied to arguments: a built-in {@link Primitive} or a {@link UserFunction}. */
public final class Apply extends Node implements Expr {
    private final Fn fn;
    private final List<Expr> args;

    Apply(long id, Fn fn, List<Expr> args) {
        super(id, args);
        this.fn = fn;
        this.args = args;
    }

    public Fn fn() { return fn; }

    public List<Expr> args() { return args; }

    public Expr arg(int i) { return args.get(i); }

    @Override public <R> R accept(Visitor<R> v) { return v.apply(this); }
}
