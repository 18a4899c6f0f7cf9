package chainrule.layer;

import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * {@code out = W @ v} for a matrix W [m,n] and a vector v [n]: {@code out[i] = Σ_j W[i,j]·v[j]}.
 *
 * <p>Forward: each row's dot product runs with {@value #ACCUMULATORS} independent accumulators
 * (elements j, j+1, j+2, j+3 go to different sums), so consecutive additions do not wait for each
 * other and the floating-point pipeline stays full; they are added pairwise at the end.
 *
 * <p>Backward: {@code δW[i,j] += δout[i]·v[j]} (the outer product δ ⊗ v) and {@code δv[j] +=
 * W[i,j]·δout[i]} (Wᵀδ), both in one pass over W row by row, so W is read once and every inner
 * loop runs over consecutive elements.
 */
final class MatVec extends Node {
    static final int ACCUMULATORS = 4;

    final Node matrix;
    final Node vector;
    final int rows;
    final int columns;

    MatVec(int id, Node matrix, Node vector) {
        super(id, List.of(matrix.shape.get(0)));
        this.matrix = matrix;
        this.vector = vector;
        this.rows = matrix.shape.get(0);
        this.columns = matrix.shape.get(1);
    }

    @Override List<Node> inputs() { return List.of(matrix, vector); }

    @Override
    void forward(LoopWriter w) {
        int base = w.newInt();
        int[] acc = new int[ACCUMULATORS];
        for (int a = 0; a < ACCUMULATORS; a++) {
            acc[a] = w.newDouble();
        }
        w.loop(0, rows, 1, i -> {
            rowBase(w, i, base);
            for (int a : acc) {
                w.pushDouble(0);
                w.storeLocal(a);
            }
            int j = w.loop(0, unrolled(), ACCUMULATORS, jj -> {
                for (int a = 0; a < ACCUMULATORS; a++) {
                    multiplyAdd(w, acc[a], base, jj, a);
                }
            });
            w.loopFrom(j, columns, 1, jj -> multiplyAdd(w, acc[0], base, jj, 0));
            w.store(value(), i, () -> {
                w.loadLocal(acc[0]);
                w.loadLocal(acc[1]);
                w.mv().visitInsn(Opcodes.DADD);
                w.loadLocal(acc[2]);
                w.loadLocal(acc[3]);
                w.mv().visitInsn(Opcodes.DADD);
                w.mv().visitInsn(Opcodes.DADD);
            });
        });
    }

    /*
     * The order of a row's dot product, which the bytecode above and the source below both follow
     * (floating-point addition is not associative: (a + b) + c and a + (b + c) may differ in the
     * last bit, so a different order would print different numbers; docs/api.md, "The same
     * numbers as eval"): term j < unrolled() goes to accumulator j mod 4, every later term to accumulator 0,
     * each accumulator adds its terms in increasing j from 0.0, and the row's value is
     * (acc0 + acc1) + (acc2 + acc3).
     */

    /** Where the terms taken four at a time end: the largest multiple of {@value #ACCUMULATORS} not above the row's length. */
    private int unrolled() {
        return columns - columns % ACCUMULATORS;
    }

    /** {@code base = i·n}: where row i starts. */
    private void rowBase(LoopWriter w, int i, int base) {
        w.mv().visitVarInsn(Opcodes.ILOAD, i);
        w.pushInt(columns);
        w.mv().visitInsn(Opcodes.IMUL);
        w.mv().visitVarInsn(Opcodes.ISTORE, base);
    }

    /** {@code acc += W[base + j + a] · v[j + a]}. */
    private void multiplyAdd(LoopWriter w, int acc, int base, int j, int a) {
        w.loadLocal(acc);
        element(w, matrix.value(), a, base, j);
        element(w, vector.value(), a, -1, j);
        w.mv().visitInsn(Opcodes.DMUL);
        w.mv().visitInsn(Opcodes.DADD);
        w.storeLocal(acc);
    }

    /** Pushes {@code s[shift + base + j]} ({@code base} &lt; 0: none). */
    private static void element(LoopWriter w, LoopWriter.Slice s, int shift, int base, int j) {
        address(w, s, shift, base, j);
        w.mv().visitInsn(Opcodes.DALOAD);
    }

    private static void address(LoopWriter w, LoopWriter.Slice s, int shift, int base, int j) {
        w.address(new LoopWriter.Slice(s.inGradient(), s.offset() + shift), j);
        if (base >= 0) {
            w.mv().visitVarInsn(Opcodes.ILOAD, base);
            w.mv().visitInsn(Opcodes.IADD);
        }
    }

    /** The same order as {@link #forward}: four accumulators over the terms taken four at a time, the rest into the first, added pairwise. */
    @Override
    void forwardSource(SourceWriter s) {
        s.loop(rows, i -> {
            String[] acc = new String[ACCUMULATORS];
            for (int a = 0; a < ACCUMULATORS; a++) {
                acc[a] = s.let("0.0");
            }
            if (unrolled() > 0) {
                s.loop(0, unrolled(), ACCUMULATORS, j -> {
                    for (int a = 0; a < ACCUMULATORS; a++) {
                        String ja = a == 0 ? j : j + " + " + a;
                        s.assign(acc[a], acc[a] + " + " + s.at(matrix.value(), i + " * " + columns + " + " + ja)
                                + " * " + s.at(vector.value(), ja));
                    }
                });
            }
            if (unrolled() < columns) {
                s.loop(unrolled(), columns, 1, j -> s.assign(acc[0], acc[0] + " + "
                        + s.at(matrix.value(), i + " * " + columns + " + " + j) + " * " + s.at(vector.value(), j)));
            }
            s.assign(s.at(value(), i), "(" + acc[0] + " + " + acc[1] + ") + (" + acc[2] + " + " + acc[3] + ")");
        });
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        boolean toMatrix = matrix.active();
        boolean toVector = vector.active();
        boolean matrixFirst = toMatrix && adjoints.first(matrix);
        if (toVector && adjoints.first(vector)) {
            s.zero(vector.adjoint, vector.size);
        }
        s.loop(rows, i -> {
            String d = s.let(s.at(adjoint, i));
            s.loop(columns, j -> {
                String ij = i + " * " + columns + " + " + j;
                if (toMatrix) {
                    s.accumulate(matrix.adjoint, ij, matrixFirst, d + " * " + s.at(vector.value(), j));
                }
                if (toVector) {
                    s.accumulate(vector.adjoint, j, false, s.at(matrix.value(), ij) + " * " + d);
                }
            });
        });
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        boolean toMatrix = matrix.active();
        boolean toVector = vector.active();
        boolean matrixFirst = toMatrix && adjoints.first(matrix);
        if (toVector && adjoints.first(vector)) {
            w.zero(vector.adjoint, vector.size);
        }
        int base = w.newInt();
        int d = w.newDouble();
        w.loop(0, rows, 1, i -> {
            rowBase(w, i, base);
            w.load(adjoint, i);
            w.storeLocal(d);
            w.loop(0, columns, 1, j -> {
                if (toMatrix) {
                    address(w, matrix.adjoint, 0, base, j);
                    if (!matrixFirst) {
                        w.mv().visitInsn(Opcodes.DUP2);
                        w.mv().visitInsn(Opcodes.DALOAD);
                    }
                    w.loadLocal(d);
                    element(w, vector.value(), 0, -1, j);
                    w.mv().visitInsn(Opcodes.DMUL);
                    if (!matrixFirst) {
                        w.mv().visitInsn(Opcodes.DADD);
                    }
                    w.mv().visitInsn(Opcodes.DASTORE);
                }
                if (toVector) {
                    w.accumulate(vector.adjoint, j, false, () -> {
                        element(w, matrix.value(), 0, base, j);
                        w.loadLocal(d);
                        w.mv().visitInsn(Opcodes.DMUL);
                    });
                }
            });
        });
    }
}
