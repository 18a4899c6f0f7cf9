package chainrule.expr;

import java.util.List;

/** A named variable. */
public final class Sym extends Node implements Expr {
    private final String name;
    private final SymKind kind;

    Sym(long id, String name, SymKind kind) {
        super(id, List.of());
        this.name = name;
        this.kind = kind;
    }

    public String name() { return name; }

    public SymKind kind() { return kind; }

    @Override public <R> R accept(Visitor<R> v) { return v.sym(this); }
}
