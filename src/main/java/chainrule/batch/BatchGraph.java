package chainrule.batch;

import chainrule.expr.Expr;
import chainrule.expr.Sym;
import java.util.List;

/**
 * The narrow interface between a lowering of a network into vector ops and the batched engine:
 * a list of values in evaluation order, each a declared array or one op over earlier values. The
 * engine runs it over many samples at once, with the sample (row) as an extra, leading dimension.
 *
 * <p>Today {@code chainrule.layer.BatchExport} fills it from a {@code LayerProgram}; another IR
 * only has to produce the same records. Every value has a flat element count {@code size} (1 for
 * a scalar); matrices are row-major.
 *
 * @param values         the values, indexed by their position; inputs refer to earlier positions
 * @param loss           the position of the scalar loss
 * @param declaredCount  the number of declared elements (the length of a declared-values array)
 * @param parameterCount the number of parameter elements (the length of a gradient array)
 */
public record BatchGraph(List<Value> values, int loss, int declaredCount, int parameterCount) {

    public BatchGraph {
        values = List.copyOf(values);
    }

    /** One value: its element count and the op computing it. */
    public record Value(int size, Op op) {}

    /** How a value is computed. Each op knows its inputs' positions. */
    public sealed interface Op permits Declared, MatVec, Map, Reduce, Softmax, LogSoftmax, SoftmaxCrossEntropy {
        /** Positions of the values this op reads. */
        List<Integer> inputs();
    }

    /**
     * A declared array: elements {@code declaredOffset ... declaredOffset + size - 1} of the
     * declared values; a parameter's gradient is at {@code gradientOffset} (-1: not a parameter).
     */
    public record Declared(String name, int declaredOffset, int gradientOffset) implements Op {
        @Override public List<Integer> inputs() { return List.of(); }

        public boolean isParameter() { return gradientOffset >= 0; }
    }

    /** {@code out[i] = Σ_j W[i,j]·v[j]} for W [rows, columns]. */
    public record MatVec(int matrix, int vector, int rows, int columns) implements Op {
        @Override public List<Integer> inputs() { return List.of(matrix, vector); }
    }

    /**
     * Elementwise: {@code out[k] = expr} over the element symbols of the operands ({@code
     * symbols.get(i)} stands for element k of operand i; an operand of size 1 is broadcast).
     */
    public record Map(List<Integer> operands, List<Sym> symbols, Expr expr) implements Op {
        public Map {
            operands = List.copyOf(operands);
            symbols = List.copyOf(symbols);
        }

        @Override public List<Integer> inputs() { return operands; }
    }

    /** {@code out = scale · Σ_{k < elements} expr}, over the operands' element symbols as in {@link Map}. */
    public record Reduce(List<Integer> operands, List<Sym> symbols, Expr expr, int elements, double scale)
            implements Op {
        public Reduce {
            operands = List.copyOf(operands);
            symbols = List.copyOf(symbols);
        }

        @Override public List<Integer> inputs() { return operands; }
    }

    /** Stable softmax of a vector. */
    public record Softmax(int input) implements Op {
        @Override public List<Integer> inputs() { return List.of(input); }
    }

    /** Stable log-softmax of a vector. */
    public record LogSoftmax(int input) implements Op {
        @Override public List<Integer> inputs() { return List.of(input); }
    }

    /** {@code Σ_k y[k]·(lse(z) − z[k])}: cross-entropy of softmax(z) against y, from the logits. */
    public record SoftmaxCrossEntropy(int logits, int target) implements Op {
        @Override public List<Integer> inputs() { return List.of(logits, target); }
    }
}
