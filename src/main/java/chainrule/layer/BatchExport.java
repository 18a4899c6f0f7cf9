package chainrule.layer;

import chainrule.batch.BatchGraph;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The layer program as the batched engine's {@link BatchGraph}: a read-only view, one record per op. */
public final class BatchExport {
    private BatchExport() {}

    /**
     * Whether every op of {@code program} has a batched form ({@link #of} throws otherwise): a
     * program with a {@link MatMul} or a {@link Pick} is evaluated row by row instead.
     */
    public static boolean covers(LayerProgram program) {
        for (Node n : program.ops()) {
            if (n instanceof MatMul || n instanceof Pick) {
                return false;
            }
        }
        return true;
    }

    public static BatchGraph of(LayerProgram program) {
        Map<Node, Integer> position = new HashMap<>();
        List<BatchGraph.Value> values = new ArrayList<>();
        for (Leaf l : program.leaves()) {
            position.put(l, values.size());
            values.add(new BatchGraph.Value(l.size, new BatchGraph.Declared(l.name, l.offset, l.gradientOffset)));
        }
        for (Node n : program.ops()) {
            BatchGraph.Op op;
            if (n instanceof MatVec m) {
                op = new BatchGraph.MatVec(position.get(m.matrix), position.get(m.vector), m.rows, m.columns);
            } else if (n instanceof Elementwise e) {
                op = new BatchGraph.Map(positions(e.body.operands, position), symbols(e.body.operands), e.body.expr);
            } else if (n instanceof Reduce r) {
                op = new BatchGraph.Reduce(positions(r.body.operands, position), symbols(r.body.operands),
                        r.body.expr, r.body.size, r.scale);
            } else if (n instanceof Softmax s) {
                op = new BatchGraph.Softmax(position.get(s.input));
            } else if (n instanceof LogSoftmax s) {
                op = new BatchGraph.LogSoftmax(position.get(s.input));
            } else if (n instanceof SoftmaxCrossEntropy s) {
                op = new BatchGraph.SoftmaxCrossEntropy(position.get(s.logits), position.get(s.target));
            } else {
                throw new IllegalStateException("no batched form for " + n.getClass().getSimpleName());
            }
            position.put(n, values.size());
            values.add(new BatchGraph.Value(n.size, op));
        }
        return new BatchGraph(values, position.get(program.loss()), program.declaredCount(), program.parameterCount());
    }

    private static List<Integer> positions(List<Node> nodes, Map<Node, Integer> position) {
        List<Integer> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(position.get(n));
        }
        return out;
    }

    private static List<Sym> symbols(List<Node> nodes) {
        List<Sym> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(n.symbol);
        }
        return out;
    }
}
