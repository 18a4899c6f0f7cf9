package chainrule.layer;

import chainrule.expr.Expr;
import chainrule.expr.Sym;
import java.util.List;
import java.util.Map;

/**
 * An elementwise map: {@code out[k] = f(a[k], b[k], s, ...)} for any scalar expression f of the
 * operands' elements (arithmetic with scalar broadcasting, any built-in or user function, powers).
 *
 * <p>Backward: {@code δa[k] += δout[k] · ∂f/∂a} for a vector operand, {@code δs += Σ_k δout[k] ·
 * ∂f/∂s} for a broadcast scalar. The partials come from the differentiator with f itself replaced
 * by the stored output, so σ′ reads σ: {@code out·(1 − out)}; relu′ is {@code step(z)}.
 */
final class Elementwise extends Node {
    final ElementBody body;

    Elementwise(int id, List<Integer> shape, List<Node> operands, Expr expr) {
        super(id, shape);
        this.body = new ElementBody(operands, expr, size);
    }

    @Override List<Node> inputs() { return body.operands; }

    @Override
    void forward(LoopWriter w) {
        Map<Sym, Integer> bound = body.bindScalars(w);
        w.loop(0, size, 1, k -> {
            body.bindVectors(w, bound, k);
            w.store(value(), k, () -> w.scope(bound).emit(body.expr));
        });
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        Map<Node, Expr> partials = body.activePartials(Map.of(body.expr, symbol));
        Map<Sym, Integer> bound = body.bindScalars(w);
        int out = w.newDouble();
        bound.put(symbol, out);
        body.backward(w, adjoints, partials, bound, k -> w.load(adjoint, k), k -> {
            w.load(value(), k);
            w.storeLocal(out);
        });
    }

    @Override
    void forwardSource(SourceWriter s) {
        Map<Sym, String> bound = body.bindScalars(s);
        s.loop(size, k -> {
            Map<Sym, String> b = body.bindVectors(s, bound, k);
            s.assign(s.at(value(), k), s.scope(b).emit(body.expr));
        });
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        Map<Node, Expr> partials = body.activePartials(Map.of(body.expr, symbol));
        Map<Sym, String> bound = body.bindScalars(s);
        body.backward(s, adjoints, partials, bound, k -> s.at(adjoint, k), (b, k) -> b.put(symbol, s.at(value(), k)));
    }

    @Override
    List<KinkSite> kinks() {
        return body.kinkSites();
    }
}
