package chainrule.layer;

import chainrule.diff.Differentiator;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Primitive;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.objectweb.asm.Opcodes;

/**
 * A scalar expression evaluated once per element, over the element symbols of its operands (a
 * scalar operand is broadcast: the same value for every element). Its derivatives come from the
 * differentiator, that is from the primitive table's and user functions' own partials: no
 * derivative rule is written twice.
 */
final class ElementBody {
    final List<Node> operands;
    final Expr expr;
    final int size;

    ElementBody(List<Node> operands, Expr expr, int size) {
        this.operands = List.copyOf(operands);
        this.expr = expr;
        this.size = size;
    }

    /** ∂expr/∂(element of {@code operand}), as an expression over the same symbols. */
    Expr partial(Node operand) {
        return Differentiator.numericDerivative(expr, operand.symbol); // numbers only: the numeric column
    }

    /** Loads every scalar operand into a local before a loop over the elements; returns the bindings. */
    Map<Sym, Integer> bindScalars(LoopWriter w) {
        Map<Sym, Integer> bound = new HashMap<>();
        for (Node o : operands) {
            if (o.size == 1) {
                int l = w.newDouble();
                w.load(o.value(), -1);
                w.storeLocal(l);
                bound.put(o.symbol, l);
            }
        }
        return bound;
    }

    /** Inside the loop: loads element {@code k} of every vector operand into its local. */
    void bindVectors(LoopWriter w, Map<Sym, Integer> bound, int k) {
        for (Node o : operands) {
            if (o.size != 1) {
                int l = bound.computeIfAbsent(o.symbol, s -> w.newDouble());
                w.load(o.value(), k);
                w.storeLocal(l);
            }
        }
    }

    /**
     * Adds {@code δ · ∂expr/∂operand} into each active operand's adjoint, where {@code delta}
     * pushes δ for element {@code k}, {@code bindMore} loads further per-element locals the
     * partials read (an elementwise op's own output), and {@code partials} are the operands'
     * partial expressions: per element for a vector operand, summed over the elements for a
     * broadcast scalar.
     */
    void backward(LoopWriter w, Adjoints adjoints, Map<Node, Expr> partials, Map<Sym, Integer> bound,
                  IntConsumer delta, IntConsumer bindMore) {
        Map<Node, Integer> sums = new LinkedHashMap<>(); // operand order: the same code on every run
        Map<Node, Boolean> firsts = new HashMap<>();
        for (Node o : partials.keySet()) {
            firsts.put(o, adjoints.first(o));
            if (o.size == 1) {
                int l = w.newDouble();
                w.pushDouble(0);
                w.storeLocal(l);
                sums.put(o, l);
            }
        }
        int d = w.newDouble();
        w.loop(0, size, 1, k -> {
            delta.accept(k);
            w.storeLocal(d);
            bindVectors(w, bound, k);
            bindMore.accept(k);
            LoopWriter.Scope scope = w.scope(bound);
            for (Map.Entry<Node, Expr> e : partials.entrySet()) {
                Node o = e.getKey();
                Runnable contribution = () -> {
                    w.loadLocal(d);
                    Expr partial = e.getValue();
                    if (QuotientEntry.isDenominator(partial)) {
                        // δ·b^-n as δ/b/…/b (QuotientEntry), never δ·(1/b): 1/b overflows for a subnormal b
                        for (int n = QuotientEntry.divisions(partial); n > 0; n--) {
                            scope.emit(QuotientEntry.operand(partial));
                            w.mv().visitInsn(Opcodes.DDIV);
                        }
                    } else {
                        scope.emit(partial);
                        w.mv().visitInsn(Opcodes.DMUL);
                    }
                };
                if (o.size == 1) {
                    w.loadLocal(sums.get(o));
                    contribution.run();
                    w.mv().visitInsn(Opcodes.DADD);
                    w.storeLocal(sums.get(o));
                } else {
                    w.accumulate(o.adjoint, k, firsts.get(o), contribution);
                }
            }
        });
        for (Map.Entry<Node, Integer> e : sums.entrySet()) {
            w.accumulate(e.getKey().adjoint, -1, firsts.get(e.getKey()), () -> w.loadLocal(e.getValue()));
        }
    }

    /** Source twin of {@link #bindScalars}: scalar operands read their one element (no local: it may go unused). */
    Map<Sym, String> bindScalars(SourceWriter s) {
        Map<Sym, String> bound = new HashMap<>();
        for (Node o : operands) {
            if (o.size == 1) {
                bound.put(o.symbol, s.at(o.value(), null));
            }
        }
        return bound;
    }

    /** Source twin of {@link #bindVectors}: the bindings plus element {@code k} of every vector operand. */
    Map<Sym, String> bindVectors(SourceWriter s, Map<Sym, String> bound, String k) {
        Map<Sym, String> out = new HashMap<>(bound);
        for (Node o : operands) {
            if (o.size != 1) {
                out.put(o.symbol, s.at(o.value(), k));
            }
        }
        return out;
    }

    /** Source twin of {@link #backward}. */
    void backward(SourceWriter s, Adjoints adjoints, Map<Node, Expr> partials, Map<Sym, String> bound,
                  java.util.function.Function<String, String> delta, java.util.function.BiConsumer<Map<Sym, String>, String> bindMore) {
        Map<Node, String> sums = new LinkedHashMap<>(); // operand order: the same source on every run
        Map<Node, Boolean> firsts = new HashMap<>();
        for (Node o : partials.keySet()) {
            firsts.put(o, adjoints.first(o));
            if (o.size == 1) {
                sums.put(o, s.let("0.0"));
            }
        }
        s.loop(size, k -> {
            String d = s.let(delta.apply(k));
            Map<Sym, String> b = bindVectors(s, bound, k);
            bindMore.accept(b, k);
            SourceWriter.Scope scope = s.scope(b);
            for (Map.Entry<Node, Expr> e : partials.entrySet()) {
                Node o = e.getKey();
                String contribution = scope.times(d, e.getValue());
                if (o.size == 1) {
                    s.assign(sums.get(o), sums.get(o) + " + " + contribution);
                } else {
                    s.accumulate(o.adjoint, k, firsts.get(o), contribution);
                }
            }
        });
        for (Map.Entry<Node, String> e : sums.entrySet()) {
            s.accumulate(e.getKey().adjoint, null, firsts.get(e.getKey()), e.getValue());
        }
    }

    /** The active operands' partials, in operand order, with {@code whole} (the expression itself) replaced as given. */
    Map<Node, Expr> activePartials(Map<Expr, Expr> replace) {
        Map<Node, Expr> out = new LinkedHashMap<>();
        for (Node o : operands) {
            if (o.active()) {
                out.put(o, Substitution.replace(partial(o), replace));
            }
        }
        return out;
    }

    /** Arguments at whose zero a built-in of the expression has a kink ({@link Primitive#kinkArgument}: relu, leaky_relu, abs) (looking inside user functions), each evaluated per element. */
    List<Node.KinkSite> kinkSites() {
        List<Expr> arguments = new ArrayList<>();
        collectKinks(expr, new HashSet<>(), arguments);
        List<Node.KinkSite> out = new ArrayList<>();
        for (Expr e : arguments) {
            out.add(new Node.KinkSite(this, e));
        }
        return out;
    }

    private static void collectKinks(Expr e, Set<Expr> seen, List<Expr> out) {
        if (!seen.add(e)) {
            return;
        }
        if (e instanceof Apply a && a.fn() instanceof UserFunction f) {
            collectKinks(f.inline(a.args()), seen, out);
            return;
        }
        if (e instanceof Apply a && a.fn() instanceof Primitive p && p.kinkArgument() >= 0) {
            out.add(a.arg(p.kinkArgument())); // the table's kink fact
        }
        for (Expr c : e.children()) {
            collectKinks(c, seen, out);
        }
    }
}
