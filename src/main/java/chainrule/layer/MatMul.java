package chainrule.layer;

import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * {@code out = A @ B} for matrices A [m,n] and B [n,p]: {@code out[i,c] = Σ_j A[i,j]·B[j,c]}
 * (a batch of column vectors, or {@code X @ W} with the batch along the rows).
 *
 * <p>Backward: {@code δA[i,j] += Σ_c δout[i,c]·B[j,c]} (δ Bᵀ) and {@code δB[j,c] += Σ_i A[i,j]·δout[i,c]}
 * (Aᵀ δ), both in one sweep over (i, j, c).
 */
final class MatMul extends Node {
    final Node left;
    final Node right;
    final int rows;
    final int inner;
    final int columns;

    MatMul(int id, Node left, Node right) {
        super(id, List.of(left.shape.get(0), right.shape.get(1)));
        this.left = left;
        this.right = right;
        this.rows = left.shape.get(0);
        this.inner = left.shape.get(1);
        this.columns = right.shape.get(1);
    }

    @Override List<Node> inputs() { return List.of(left, right); }

    /** {@code target = a·n + b} for int locals a and b. */
    private static void index(LoopWriter w, int target, int a, int n, int b) {
        w.mv().visitVarInsn(Opcodes.ILOAD, a);
        w.pushInt(n);
        w.mv().visitInsn(Opcodes.IMUL);
        w.mv().visitVarInsn(Opcodes.ILOAD, b);
        w.mv().visitInsn(Opcodes.IADD);
        w.mv().visitVarInsn(Opcodes.ISTORE, target);
    }

    @Override
    void forward(LoopWriter w) {
        int acc = w.newDouble();
        int ij = w.newInt();
        int jc = w.newInt();
        int ic = w.newInt();
        w.loop(0, rows, 1, i -> w.loop(0, columns, 1, c -> {
            w.pushDouble(0);
            w.storeLocal(acc);
            w.loop(0, inner, 1, j -> {
                index(w, ij, i, inner, j);
                index(w, jc, j, columns, c);
                w.loadLocal(acc);
                w.load(left.value(), ij);
                w.load(right.value(), jc);
                w.mv().visitInsn(Opcodes.DMUL);
                w.mv().visitInsn(Opcodes.DADD);
                w.storeLocal(acc);
            });
            index(w, ic, i, columns, c);
            w.store(value(), ic, () -> w.loadLocal(acc));
        }));
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        boolean toLeft = left.active();
        boolean toRight = right.active();
        if (toLeft && adjoints.first(left)) {
            w.zero(left.adjoint, left.size);
        }
        if (toRight && adjoints.first(right)) {
            w.zero(right.adjoint, right.size);
        }
        int d = w.newDouble();
        int ij = w.newInt();
        int jc = w.newInt();
        int ic = w.newInt();
        w.loop(0, rows, 1, i -> w.loop(0, columns, 1, c -> {
            index(w, ic, i, columns, c);
            w.load(adjoint, ic);
            w.storeLocal(d);
            w.loop(0, inner, 1, j -> {
                index(w, ij, i, inner, j);
                index(w, jc, j, columns, c);
                if (toLeft) {
                    w.accumulate(left.adjoint, ij, false, () -> {
                        w.loadLocal(d);
                        w.load(right.value(), jc);
                        w.mv().visitInsn(Opcodes.DMUL);
                    });
                }
                if (toRight) {
                    w.accumulate(right.adjoint, jc, false, () -> {
                        w.load(left.value(), ij);
                        w.loadLocal(d);
                        w.mv().visitInsn(Opcodes.DMUL);
                    });
                }
            });
        }));
    }

    @Override
    void forwardSource(SourceWriter s) {
        s.loop(rows, i -> s.loop(columns, c -> {
            String acc = s.let("0.0");
            s.loop(inner, j -> s.assign(acc, acc + " + " + s.at(left.value(), i + " * " + inner + " + " + j)
                    + " * " + s.at(right.value(), j + " * " + columns + " + " + c)));
            s.assign(s.at(value(), i + " * " + columns + " + " + c), acc);
        }));
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        boolean toLeft = left.active();
        boolean toRight = right.active();
        if (toLeft && adjoints.first(left)) {
            s.zero(left.adjoint, left.size);
        }
        if (toRight && adjoints.first(right)) {
            s.zero(right.adjoint, right.size);
        }
        s.loop(rows, i -> s.loop(columns, c -> {
            String d = s.let(s.at(adjoint, i + " * " + columns + " + " + c));
            s.loop(inner, j -> {
                String ij = i + " * " + inner + " + " + j;
                String jc = j + " * " + columns + " + " + c;
                if (toLeft) {
                    s.accumulate(left.adjoint, ij, false, d + " * " + s.at(right.value(), jc));
                }
                if (toRight) {
                    s.accumulate(right.adjoint, jc, false, s.at(left.value(), ij) + " * " + d);
                }
            });
        }));
    }
}
