package chainrule.layer;

import chainrule.expr.Expr;
import chainrule.expr.Sym;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;

/**
 * A reduction of an elementwise expression to a scalar: {@code out = scale · Σ_k f(a[k], ...)}.
 * {@code sum(v)} has scale 1, {@code mean(v)} 1/n, {@code mse(p, y)} is {@code f = (p − y)²} with
 * 1/n, {@code cross_entropy(p, y)} for probabilities p that are not a softmax is {@code f = −y·log p}.
 * The summand is computed inside the reduction loop, never stored.
 *
 * <p>Backward: {@code δa[k] += δout · scale · ∂f/∂a} (summed over k for a broadcast scalar).
 */
final class Reduce extends Node {
    final ElementBody body;
    final double scale;

    Reduce(int id, List<Node> operands, Expr expr, int elements, double scale) {
        super(id, List.of());
        this.body = new ElementBody(operands, expr, elements);
        this.scale = scale;
    }

    @Override List<Node> inputs() { return body.operands; }

    @Override
    void forward(LoopWriter w) {
        Map<Sym, Integer> bound = body.bindScalars(w);
        int acc = w.newDouble();
        w.pushDouble(0);
        w.storeLocal(acc);
        w.loop(0, body.size, 1, k -> {
            body.bindVectors(w, bound, k);
            w.loadLocal(acc);
            w.scope(bound).emit(body.expr);
            w.mv().visitInsn(Opcodes.DADD);
            w.storeLocal(acc);
        });
        w.store(value(), -1, () -> {
            w.loadLocal(acc);
            if (scale != 1.0) {
                w.pushDouble(scale);
                w.mv().visitInsn(Opcodes.DMUL);
            }
        });
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        Map<Node, Expr> partials = body.activePartials(Map.of());
        Map<Sym, Integer> bound = body.bindScalars(w);
        int d = w.newDouble();
        w.load(adjoint, -1);
        if (scale != 1.0) {
            w.pushDouble(scale);
            w.mv().visitInsn(Opcodes.DMUL);
        }
        w.storeLocal(d);
        body.backward(w, adjoints, partials, bound, k -> w.loadLocal(d), k -> {});
    }

    @Override
    void forwardSource(SourceWriter s) {
        Map<Sym, String> bound = body.bindScalars(s);
        String acc = s.let("0.0");
        s.loop(body.size, k -> s.assign(acc, acc + " + " + s.scope(body.bindVectors(s, bound, k)).emit(body.expr)));
        s.assign(s.at(value(), null), scale != 1.0 ? acc + " * " + s.number(scale) : acc);
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        Map<Node, Expr> partials = body.activePartials(Map.of());
        Map<Sym, String> bound = body.bindScalars(s);
        String d = s.let(s.at(adjoint, null) + (scale != 1.0 ? " * " + s.number(scale) : ""));
        body.backward(s, adjoints, partials, bound, k -> d, (b, k) -> {});
    }

    @Override
    List<KinkSite> kinks() {
        return body.kinkSites();
    }
}
