package chainrule.batch;

import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Apply;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Substitution;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loss and gradient of a {@link BatchGraph} over a block of samples at once: every value that
 * depends on the data gets the sample as a leading dimension ({@code [rows, size]}, row-major), so
 * {@code W @ x} over a block is the matrix product {@code X·Wᵀ} and its backward pass is two more
 * matrix products ({@code δX = δ·W}, {@code δW = δᵀ·X}). Values that do not depend on the data
 * (parameters, constants, and ops of them only) are kept once and broadcast.
 *
 * <p>The engine is immutable and shared; each thread evaluates in its own {@link Workspace}.
 * Within a block, every sum runs in a fixed order, so a block's result does not depend on which
 * thread computes it.
 */
public final class BatchEngine {
    private final BatchGraph graph;
    private final boolean[] batched;
    private final boolean[] active;
    /** Per batched declared value: pairs (data column, element) it takes from each row. */
    private final int[][] columnsOf;
    private final boolean[] fullyCovered;
    private final ArrayExpr[] forward;
    private final ArrayExpr[] backward;
    /** Per Map/Reduce: the operand positions whose partials {@link #backward} computes, in root order. */
    private final int[][] partialOperands;
    /**
     * Per Map, per partial: whether the backward program's root is δ·∂ (the partial a quotient:
     * δ/s computed as one division by the quotient entry's rule, not δ·(1/s), where 1/s overflows
     * for a subnormal s) rather than ∂ alone, multiplied by δ after.
     */
    private final boolean[][] partialTimesDelta;
    private final int classifierLogits;
    private final int classifierTarget;
    /**
     * Per Map that is a dense layer {@code f(W·x + b)} (f: relu or none) over the block: the MatVec
     * {@code W·x} it fuses (computed by this Map's kernel call, never stored on its own), else -1.
     */
    private final int[] denseProduct;
    /** Per such Map: its bias operand (a vector shared by every row). */
    private final int[] denseBias;
    /** Per such Map: whether f is relu. */
    private final boolean[] denseRelu;
    /** Per MatVec: whether a dense Map computes it ({@link #denseProduct}). */
    private final boolean[] fusedAway;
    /**
     * Per parameter: whether its gradient over a block is one product {@code δᵀ·X} written by the
     * kernel straight into the block's gradient (stored, or added to it: {@link Workspace#run}'s
     * {@code add}), with no adjoint array to zero, fill and copy: it is a shared matrix read by one
     * MatVec of a batched vector and by nothing else.
     */
    private final boolean[] directGradient;
    /**
     * Per {@link #directGradient} matrix: the MatVec reading it, whose δW a {@link DeferredProducts}
     * makes over a whole evaluation of two blocks; else null. Every such matrix, whichever kernel
     * runs and wherever X lies (read in place, or copied by the blocks): the rounding order of a
     * gradient must not depend on either.
     */
    private final BatchGraph.MatVec[] deferredBy;
    /**
     * Per value: whether it is an elementwise op of the data alone (a Map whose operands are
     * data columns or such ops, with no parameter in it, e.g. {@code x/16}): the same in every
     * evaluation, so {@link #pack} computes it once for every row and blocks copy it like a data
     * column.
     */
    private final boolean[] fromData;
    /** Per value: whether a block needs its array (false for data columns read only by {@link #fromData} ops). */
    private final boolean[] needed;
    /**
     * Per data-fed declared or {@link #fromData} value: whether the kernels may read a block of it
     * in the packed rows (when the block's rows are in order) instead of a copy in the block's
     * arrays: everything that reads it is a product by the Vector API kernel (a MatVec of a shared
     * matrix by a batched vector), which reads it as B, at any offset. (Weight matrices are read in
     * place too, {@link #weightInPlace}, as A or B.)
     */
    private final boolean[] inPlace;
    /**
     * Per batched {@link #inPlace} value: the fewest rows of the matrices that read it. It is read
     * in place only by evaluations of at most that many rows, where the forward product reads the
     * block transposed and kept ({@link Rows#transposed}) and only δW = δᵀ·X reads the rows: for
     * larger evaluations the forward product reads it too, and a block's copy in L1 is faster
     * than reading the packed rows twice (digits: 3%).
     */
    private final int[] inPlaceRows;
    /**
     * Per declared value: whether it is a matrix shared by the block's rows that only the Vector
     * API kernel reads (as W in MatVecs of a batched vector), so the kernels read it in the
     * declared values themselves, at its offset, and no block copies it: for 784-128-10 that is
     * an 800 KB copy per call, and the cache it takes from the products (docs/performance.md).
     */
    private final boolean[] weightInPlace;
    /** Whether the parameters' elements cover the whole gradient, so it needs no zeroing. */
    private final boolean gradientCovered;
    /**
     * Whether the products read B in place from one array ({@link Kernels#VECTOR}): then weights
     * are transposed into one array and the block's inputs are read where they are; else (the
     * loops) B is copied into separate rows, as the auto-vectoriser wants.
     */
    private static final boolean FLAT = Kernels.VECTOR != null;
    /** Per value, its stages' names for {@link Stages} (forward, backward). */
    private final String[] forwardStage;
    private final String[] backwardStage;
    /** Elements after each value's array, so a kernel may read a whole vector at its last columns. */
    private static final int SLACK = 8;

    /**
     * @param graph   the ops
     * @param columns per data column, the index of the declared element it sets
     */
    public BatchEngine(BatchGraph graph, int[] columns) {
        this.graph = graph;
        int n = graph.values().size();
        batched = new boolean[n];
        active = new boolean[n];
        columnsOf = new int[n][];
        fullyCovered = new boolean[n];
        forward = new ArrayExpr[n];
        backward = new ArrayExpr[n];
        partialOperands = new int[n][];
        partialTimesDelta = new boolean[n][];
        for (int v = 0; v < n; v++) {
            BatchGraph.Value value = graph.values().get(v);
            if (value.op() instanceof BatchGraph.Declared d) {
                List<int[]> pairs = new ArrayList<>();
                boolean[] covered = new boolean[value.size()];
                for (int c = 0; c < columns.length; c++) {
                    int k = columns[c] - d.declaredOffset();
                    if (k >= 0 && k < value.size()) {
                        pairs.add(new int[] {c, k});
                        covered[k] = true;
                    }
                }
                batched[v] = !pairs.isEmpty();
                active[v] = d.isParameter();
                boolean all = true;
                for (boolean b : covered) {
                    all &= b;
                }
                fullyCovered[v] = all;
                columnsOf[v] = new int[pairs.size() * 2];
                for (int i = 0; i < pairs.size(); i++) {
                    columnsOf[v][2 * i] = pairs.get(i)[0];
                    columnsOf[v][2 * i + 1] = pairs.get(i)[1];
                }
                continue;
            }
            for (int in : value.op().inputs()) {
                batched[v] |= batched[in];
                active[v] |= active[in];
            }
            if (value.op() instanceof BatchGraph.Map m) {
                prepare(v, m.operands(), m.symbols(), m.expr(), true);
            } else if (value.op() instanceof BatchGraph.Reduce r) {
                prepare(v, r.operands(), r.symbols(), r.expr(), false);
            }
        }
        BatchGraph.Op lossOp = graph.values().get(graph.loss()).op();
        if (lossOp instanceof BatchGraph.SoftmaxCrossEntropy s && graph.values().get(s.target()).size() > 1) {
            classifierLogits = s.logits();
            classifierTarget = s.target();
        } else {
            classifierLogits = -1;
            classifierTarget = -1;
        }
        denseProduct = new int[n];
        denseBias = new int[n];
        denseRelu = new boolean[n];
        fusedAway = new boolean[n];
        Arrays.fill(denseProduct, -1);
        int[] uses = new int[n];
        for (BatchGraph.Value value : graph.values()) {
            for (int in : value.op().inputs()) {
                uses[in]++;
            }
        }
        uses[graph.loss()]++;
        for (int v = 0; v < n; v++) {
            if (graph.values().get(v).op() instanceof BatchGraph.Map m) {
                fuseDense(v, m, uses);
            }
        }
        forwardStage = new String[n];
        backwardStage = new String[n];
        for (int v = 0; v < n; v++) {
            BatchGraph.Value value = graph.values().get(v);
            String kind = denseProduct[v] >= 0 ? (denseRelu[v] ? "dense relu" : "dense")
                    : value.op().getClass().getSimpleName();
            forwardStage[v] = "forward " + kind + " #" + v + " [" + value.size() + "]";
            backwardStage[v] = "backward " + kind + " #" + v + " [" + value.size() + "]";
        }
        directGradient = new boolean[n];
        boolean[] covered = new boolean[graph.parameterCount()];
        for (int v = 0; v < n; v++) {
            BatchGraph.Value value = graph.values().get(v);
            if (value.op() instanceof BatchGraph.Declared d && d.isParameter()) {
                for (int e = 0; e < value.size(); e++) {
                    covered[d.gradientOffset() + e] = true;
                }
            }
            if (value.op() instanceof BatchGraph.MatVec m && !batched[m.matrix()] && batched[m.vector()]
                    && uses[m.matrix()] == 1 && graph.values().get(m.matrix()).op() instanceof BatchGraph.Declared d
                    && d.isParameter()) {
                directGradient[m.matrix()] = true;
            }
        }
        boolean all = true;
        for (boolean c : covered) {
            all &= c;
        }
        gradientCovered = all;
        fromData = new boolean[n];
        boolean[] packable = new boolean[n];
        for (int v = 0; v < n; v++) {
            BatchGraph.Value value = graph.values().get(v);
            if (value.op() instanceof BatchGraph.Declared) {
                packable[v] = batched[v] && fullyCovered[v] && !active[v];
            } else if (value.op() instanceof BatchGraph.Map m && batched[v] && !active[v] && denseProduct[v] < 0
                    && !fusedAway[v]) {
                boolean ok = true;
                for (int o : m.operands()) {
                    ok &= packable[o] && graph.values().get(o).size() == value.size();
                }
                fromData[v] = packable[v] = ok;
            }
        }
        needed = new boolean[n];
        Arrays.fill(needed, true);
        boolean[] readOtherwise = new boolean[n];
        for (int v = 0; v < n; v++) {
            if (!fromData[v]) {
                for (int in : graph.values().get(v).op().inputs()) {
                    readOtherwise[in] = true;
                }
            }
        }
        readOtherwise[graph.loss()] = true;
        if (classifierLogits >= 0) {
            readOtherwise[classifierLogits] = true;
            readOtherwise[classifierTarget] = true;
        }
        for (int v = 0; v < n; v++) {
            if (packable[v] && !fromData[v] && !readOtherwise[v] && uses[v] > 0) {
                needed[v] = false; // a data column read only by ops computed once by pack
            }
        }
        inPlace = new boolean[n];
        inPlaceRows = new int[n];
        Arrays.fill(inPlaceRows, Integer.MAX_VALUE);
        boolean[] otherReader = new boolean[n];
        for (int v = 0; v < n; v++) {
            BatchGraph.Op op = graph.values().get(v).op();
            boolean kernel = op instanceof BatchGraph.MatVec m && !batched[m.matrix()] && batched[m.vector()]
                    && m.matrix() != m.vector();
            for (int in : op.inputs()) {
                otherReader[in] |= !kernel;
            }
            if (kernel) {
                BatchGraph.MatVec m = (BatchGraph.MatVec) op;
                inPlaceRows[m.vector()] = Math.min(inPlaceRows[m.vector()], m.rows());
            }
        }
        weightInPlace = new boolean[n];
        for (int v = 0; v < n; v++) {
            BatchGraph.Op op = graph.values().get(v).op();
            weightInPlace[v] = FLAT && op instanceof BatchGraph.Declared && !batched[v] && needed[v] && !otherReader[v]
                    && uses[v] > 0 && v != graph.loss() && v != classifierLogits && v != classifierTarget;
            inPlace[v] = FLAT && needed[v] && !otherReader[v] && uses[v] > 0 && v != graph.loss()
                    && v != classifierLogits && v != classifierTarget
                    && batched[v] && !active[v] && (fromData[v] || op instanceof BatchGraph.Declared && fullyCovered[v]);
        }
        deferredBy = new BatchGraph.MatVec[n];
        for (int v = 0; v < n; v++) {
            if (graph.values().get(v).op() instanceof BatchGraph.MatVec m && directGradient[m.matrix()]) {
                deferredBy[m.matrix()] = m;
            }
        }
    }

    /**
     * Recognises {@code relu(b + W·x)} and {@code b + W·x} (the sum in either order) where W·x is a
     * MatVec of a shared matrix by a batched vector that nothing else reads and b is a shared vector
     * of the same size: then the bias and relu become the epilogue of the product's kernel ({@link
     * Kernels#product(double[], int, int, int, double[][], int, int, double[], boolean, double[],
     * boolean, double[])}) and the backward pass is one loop (δ times relu's 0/1 step, read off
     * the output). Same numbers as the separate ops, bit for bit.
     */
    private void fuseDense(int v, BatchGraph.Map m, int[] uses) {
        if (m.operands().size() != 2) {
            return;
        }
        Expr e = m.expr();
        boolean relu = false;
        if (e instanceof Apply a && a.fn() == Primitive.RELU && a.args().size() == 1) {
            relu = true;
            e = a.args().get(0);
        }
        if (!(e instanceof Sum sum) || sum.terms().size() != 2) {
            return;
        }
        List<Expr> terms = sum.terms();
        List<Sym> symbols = m.symbols();
        if (!(terms.contains(symbols.get(0)) && terms.contains(symbols.get(1))) || symbols.get(0) == symbols.get(1)) {
            return;
        }
        int size = graph.values().get(v).size();
        for (int p = 0; p < 2; p++) {
            int mv = m.operands().get(p);
            int b = m.operands().get(1 - p);
            if (graph.values().get(mv).op() instanceof BatchGraph.MatVec mat && !batched[mat.matrix()]
                    && batched[mat.vector()] && mat.rows() == size && uses[mv] == 1 && !batched[b]
                    && graph.values().get(b).size() == size && b != mv) {
                denseProduct[v] = mv;
                denseBias[v] = b;
                denseRelu[v] = relu;
                fusedAway[mv] = true;
                return;
            }
        }
    }

    /**
     * Whether blocks of an evaluation of {@code callRows} samples read value v in the packed rows
     * ({@link #inPlace}, and the rows in order: no index).
     */
    private boolean readsInPlace(int v, boolean indexed, int callRows) {
        return inPlace[v] && !indexed && callRows <= inPlaceRows[v];
    }

    /** Whether the loss is softmax cross-entropy against a target vector, so accuracy means something. */
    public boolean isClassifier() { return classifierLogits >= 0; }

    public int parameterCount() { return graph.parameterCount(); }

    private void prepare(int v, List<Integer> operands, List<Sym> symbols, Expr expr, boolean withOutput) {
        forward[v] = new ArrayExpr(symbols, List.of(expr));
        Sym out = Exprs.local("\u0000batch-out" + v);
        Sym delta = Exprs.local("\u0000batch-delta" + v);
        List<Sym> all = new ArrayList<>(symbols);
        if (withOutput) { // a Map: its output
            all.add(out);
        }
        all.add(delta); // then its adjoint δ, elementwise like the operands (a Reduce's, per element)
        List<Expr> partials = new ArrayList<>();
        List<Integer> which = new ArrayList<>();
        List<Boolean> timesDelta = new ArrayList<>();
        for (int i = 0; i < operands.size(); i++) {
            if (active[operands.get(i)]) {
                Expr p = Differentiator.derivative(expr, symbols.get(i));
                if (withOutput) {
                    p = Substitution.replace(p, java.util.Map.of(expr, out));
                }
                boolean quotient = QuotientEntry.divides(p) || QuotientEntry.isDenominator(p);
                partials.add(quotient ? Exprs.mul(delta, p) : p);
                timesDelta.add(quotient);
                which.add(i);
            }
        }
        backward[v] = new ArrayExpr(all, partials);
        partialOperands[v] = which.stream().mapToInt(Integer::intValue).toArray();
        partialTimesDelta[v] = new boolean[timesDelta.size()];
        for (int p = 0; p < timesDelta.size(); p++) {
            partialTimesDelta[v][p] = timesDelta.get(p);
        }
    }

    /**
     * Samples laid out for fast block loads: each data-fed array's values for all rows in one
     * contiguous array ({@code [rows, size]}), beside the rows as read.
     */
    public final class Rows {
        private final double[][] rows;
        private final double[][] packed;
        /**
         * Blocks of packed values transposed ({@link #transposed}), by value, first row and row
         * count: the data do not change between evaluations, so neither do these.
         */
        private final java.util.concurrent.ConcurrentHashMap<Long, double[]> transposedBlocks =
                new java.util.concurrent.ConcurrentHashMap<>();
        /**
         * Elements left that {@link #transposedBlocks} may still hold of each layout: transposed
         * blocks (for the forward products) and strips (for the deferred δW products) each as many
         * as the packed arrays, so evaluating the same rows again copies nothing for either (one
         * shared room held the transposes of a minibatch and left its strips to be made every call).
         */
        private final java.util.concurrent.atomic.AtomicLong transposedRoom = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong strippedRoom = new java.util.concurrent.atomic.AtomicLong();
        /** Per packed value, whether all its elements are finite ({@link #allFinite}; null: not asked yet). */
        private final Boolean[] finite;

        private Rows(double[][] rows) {
            this.rows = rows;
            this.packed = new double[graph.values().size()][];
            this.finite = new Boolean[graph.values().size()];
            for (int v = 0; v < packed.length; v++) {
                if (batched[v] && fullyCovered[v] && graph.values().get(v).op() instanceof BatchGraph.Declared) {
                    int size = graph.values().get(v).size();
                    double[] p = new double[Math.multiplyExact(rows.length, size)];
                    int[] pairs = columnsOf[v];
                    for (int r = 0; r < rows.length; r++) {
                        for (int i = 0; i < pairs.length; i += 2) {
                            p[r * size + pairs[i + 1]] = rows[r][pairs[i]];
                        }
                    }
                    packed[v] = p;
                }
            }
            for (int v = 0; v < packed.length; v++) {
                if (fromData[v]) {
                    packed[v] = evaluateFromData(v, (BatchGraph.Map) graph.values().get(v).op(), rows.length);
                }
            }
            long room = 0;
            for (double[] p : packed) {
                room += p == null ? 0 : p.length;
            }
            transposedRoom.set(room);
            strippedRoom.set(room);
        }

        /**
         * Rows {@code from .. from+count-1} of packed value v [rows, size], transposed ({@code t[j·count
         * + i]}, plus slack): made once and kept, so that an evaluation reading the block's inputs
         * transposed ({@link Workspace#matVec}'s Zᵀ = W·Xᵀ) does not transpose them each time; null
         * once the kept blocks hold as many elements as the data (the caller then transposes).
         */
        double[] transposed(int v, int from, int count) {
            long key = ((long) v << 41) | ((long) from << 8) | count;
            double[] t = transposedBlocks.get(key);
            if (t != null) {
                return t;
            }
            int size = graph.values().get(v).size();
            if (transposedRoom.addAndGet(-(long) size * count) < 0) {
                transposedRoom.addAndGet((long) size * count);
                return null;
            }
            return transposedBlocks.computeIfAbsent(key, k -> {
                double[] made = new double[size * count + SLACK];
                Kernels.transpose(packed[v], from * size, count, size, made, count);
                return made;
            });
        }

        /**
         * Rows {@code from .. from+count-1} of packed value v [rows, size] in the strips of the
         * kernel's widest tile ({@link Kernels#strips}), for a deferred δW = δᵀ·X over them: made
         * once and kept as {@link #transposed} is (in a room of its own), null once that is used up.
         */
        double[] stripped(int v, int from, int count) {
            long key = (((long) v << 1 | 1) << 40) | ((long) from << 8) | count; // transposed: the low bit of v's 0
            double[] t = transposedBlocks.get(key);
            if (t != null) {
                return t;
            }
            int size = graph.values().get(v).size();
            int w = Kernels.VECTOR.stripWidth();
            int length = Kernels.stripsLength(size, count, w);
            if (strippedRoom.addAndGet(-(long) length) < 0) {
                strippedRoom.addAndGet(length);
                return null;
            }
            return transposedBlocks.computeIfAbsent(key, k -> {
                double[] made = new double[length];
                Kernels.strips(packed[v], from * size, size, count, made, 0, 0, count, w);
                return made;
            });
        }

        /** A {@link #fromData} Map over every row, a block of rows at a time (elementwise: the same bits). */
        private double[] evaluateFromData(int v, BatchGraph.Map m, int count) {
            int size = graph.values().get(v).size();
            double[] out = new double[Math.multiplyExact(count, size)];
            ArrayExpr.Frame f = forward[v].frame();
            int block = 64;
            double[][] operands = new double[m.operands().size()][block * size];
            double[] result = new double[block * size];
            for (int from = 0; from < count; from += block) {
                int n = Math.min(block, count - from) * size;
                for (int i = 0; i < operands.length; i++) {
                    System.arraycopy(packed[m.operands().get(i)], from * size, operands[i], 0, n);
                    f.bind(i, operands[i]);
                }
                f.runInto(n, result);
                System.arraycopy(result, 0, out, from * size, n);
            }
            return out;
        }

        public int size() { return rows.length; }

        /**
         * Whether every element of packed value v is finite (a cell of a data file is, but a value
         * computed from the data, x·1e308, may not be): asked once per value, then kept.
         */
        boolean allFinite(int v) {
            Boolean known = finite[v];
            if (known == null) {
                known = Kernels.allFinite(packed[v], 0, packed[v].length);
                finite[v] = known;
            }
            return known;
        }
    }

    /** The samples {@code rows[r][c]} (c: the data column) packed for {@link Workspace#run}. */
    public Rows pack(double[][] rows) {
        return new Rows(rows);
    }

    /** Working arrays for blocks of at most {@code maxRows} samples. */
    public Workspace workspace(int maxRows) {
        return new Workspace(maxRows);
    }

    /**
     * The products δW = δᵀ·X of the {@link #directGradient} matrices over a whole evaluation of
     * two blocks, made once after both blocks instead of once per block: each block leaves its δᵀ
     * here (columns of the evaluation's rows), and {@link #complete} makes every element one FMA
     * chain over all the rows in order, from zero. So each chain is as long as the evaluation (64
     * terms for a minibatch of 64, not two chains of 32 and an addition: the kernel's load, add and
     * store of C are half as many per term, docs/performance.md), and the bits depend on the rows
     * alone, never on which thread ran which block. Only where X is read in place from the packed
     * rows (the data, in order): then both blocks' X lie one after the other, nothing copied.
     */
    public final class DeferredProducts {
        private final int maxRows;
        /** The columns of the kernel's strips ({@link Kernels#strips}); 0 for the loops, which read rows. */
        private final int stripWidth = FLAT ? Kernels.VECTOR.stripWidth() : 0;
        /**
         * Per deferred matrix: δᵀ over the evaluation's rows, [r, rows], from {@link Workspace#run}:
         * a group of four rows at a time ({@link Kernels#interleave4}) where X is in strips.
         */
        private final double[][] deltaT;
        /**
         * Per deferred matrix: X over the evaluation's rows, B of the product: in strips where the
         * matrix has a multiple of four rows ({@link Kernels.Product#stripProduct}: each register
         * tile then reads B one vector after the other, not 64 rows 6 KB apart), else rows, the
         * first at {@code xAt}.
         */
        private final double[][] x;
        private final int[] xAt;
        /** Per deferred matrix: where the blocks copy their rows of X when they do not lie in place. */
        private final double[][] copied;
        /** Per deferred matrix: the blocks' samples when their X lies in place (prepare then keeps it in strips). */
        private final Rows[] samplesInPlace;
        /** Per matrix: whether this evaluation's blocks left its δᵀ here. */
        private final boolean[] taken;
        /**
         * Per matrix: whether a block's X held an inf or a nan this evaluation. Then δW sums every
         * sample: 0·inf is nan, which skipping relu's zero δ would lose (a unit off, fed by an
         * activation that overflowed: the loops' dense sum says nan, and so must this).
         */
        private final boolean[] nonFinite;
        private int from;
        private int rows;

        private DeferredProducts(int maxRows) {
            this.maxRows = maxRows;
            int n = graph.values().size();
            deltaT = new double[n][];
            x = new double[n][];
            xAt = new int[n];
            copied = new double[n][];
            samplesInPlace = new Rows[n];
            taken = new boolean[n];
            nonFinite = new boolean[n];
        }

        private boolean inStrips(BatchGraph.MatVec m) {
            return FLAT && m.rows() % 4 == 0;
        }

        /**
         * Starts an evaluation of the samples {@code from .. from + rows - 1} (positions in the index
         * where {@code indexed}), before its blocks run: the arrays the blocks write are made here,
         * on one thread.
         */
        public void start(int from, int rows, boolean indexed) {
            if (rows > maxRows) {
                throw new IllegalArgumentException(rows + " rows > " + maxRows);
            }
            this.from = from;
            this.rows = rows;
            Arrays.fill(taken, false);
            Arrays.fill(nonFinite, false);
            for (int w = 0; w < deferredBy.length; w++) {
                BatchGraph.MatVec m = deferredBy[w];
                if (m == null) {
                    continue;
                }
                if (deltaT[w] == null) {
                    deltaT[w] = new double[m.rows() * maxRows];
                }
                boolean strips = inStrips(m);
                if ((strips || !readsInPlace(m.vector(), indexed, rows)) && copied[w] == null) {
                    copied[w] = new double[strips ? Kernels.stripsLength(m.columns(), maxRows, stripWidth)
                            : m.columns() * maxRows + SLACK];
                }
            }
        }

        /**
         * The block of samples {@code blockFrom .. blockFrom + count - 1}: its δ [count, r] of
         * MatVec m's matrix, and its X [count, c] at {@code xs[blockXAt]}: where {@code inPlace}
         * (the packed rows of {@code samples} in order) read there later, else copied now (each
         * block's X is in its workspace until its next block), in strips where the product reads
         * them so.
         */
        private void take(BatchGraph.MatVec m, double[] d, int blockFrom, int count, double[] xs, int blockXAt,
                          Rows samples, boolean inPlace) {
            int w = m.matrix();
            int r = m.rows();
            int c = m.columns();
            int offset = blockFrom - from;
            if (inStrips(m)) { // δᵀ a group of four rows at a time, as the tiles read it
                Kernels.interleave4(d, count, r, deltaT[w], offset, rows);
                int v = m.vector();
                boolean finite = samples.packed[v] != null ? samples.allFinite(v) // the data's rows
                        : Kernels.allFinite(xs, blockXAt, count * c); // computed this evaluation
                if (!finite) {
                    nonFinite[w] = true; // only ever set, by any block: read after they all ran
                }
            } else {
                Kernels.transpose(d, 0, count, r, deltaT[w], offset, rows);
            }
            if (!inPlace) {
                if (inStrips(m)) {
                    Kernels.strips(xs, blockXAt, c, count, copied[w], 0, offset, rows, stripWidth);
                } else {
                    System.arraycopy(xs, blockXAt, copied[w], offset * c, count * c);
                }
            }
            if (offset == 0) { // the first block: X's first row is the evaluation's (both blocks decide alike)
                x[w] = inPlace ? xs : copied[w];
                xAt[w] = inPlace ? blockXAt : 0;
                samplesInPlace[w] = inPlace ? samples : null;
                taken[w] = true;
            }
        }

        /**
         * After the blocks, before {@link #complete} (on one thread): X in strips where it lies in
         * place, kept with the samples (the data do not change), else made in {@link #copied}.
         */
        public void prepare() {
            for (int w = 0; w < taken.length; w++) {
                BatchGraph.MatVec m = deferredBy[w];
                if (!taken[w] || !inStrips(m) || samplesInPlace[w] == null) {
                    continue;
                }
                double[] kept = samplesInPlace[w].stripped(m.vector(), from, rows);
                if (kept == null) {
                    Kernels.strips(x[w], xAt[w], m.columns(), rows, copied[w], 0, 0, rows, stripWidth);
                    kept = copied[w];
                }
                x[w] = kept;
                xAt[w] = 0;
            }
        }

        /**
         * Writes each deferred δW = δᵀ·X into {@code grad} at its parameter's offset (stored, not
         * added, then {@code finish} applied to each group of rows just written: the reduction's
         * last pass, while they are in the cache), rows of δW {@code part} of {@code parts} (groups
         * of four rows split evenly: the threads of a pool each take one part; each element's sum
         * is the same whatever the parts). {@link #deferred} lists the ranges written.
         */
        public void complete(double[] grad, int part, int parts, Finish finish) {
            for (int w = 0; w < taken.length; w++) {
                if (!taken[w]) {
                    continue;
                }
                BatchGraph.MatVec m = deferredBy[w];
                int r = m.rows();
                int c = m.columns();
                int groups = (r + 3) / 4;
                int lo = Math.min(r, groups * part / parts * 4);
                int hi = part == parts - 1 ? r : Math.min(r, groups * (part + 1) / parts * 4);
                int offset = ((BatchGraph.Declared) graph.values().get(w).op()).gradientOffset();
                double[][] scratchRows = null; // the loops' B as rows, and their row of C: made once per part
                double[] scratchRow = null;
                if (inStrips(m)) {
                    sparseProducts(w, lo, hi, c, grad, offset, finish);
                    continue;
                }
                for (int i = lo; i < hi; i += FINISHED_ROWS) { // each group finished while in the cache
                    int group = Math.min(FINISHED_ROWS, hi - i);
                    if (FLAT) {
                        Kernels.VECTOR.product(deltaT[w], i * rows, rows, 1, group, x[w], xAt[w], c, c, rows, grad,
                                offset + i * c, false, null, false);
                    } else { // the loops: the same sums in the same order (KernelsTest), B as rows
                        if (scratchRows == null) {
                            scratchRows = new double[rows][Kernels.padded(c)];
                            Kernels.rows(x[w], xAt[w], c, 1, rows, c, scratchRows);
                            scratchRow = new double[c];
                        }
                        Kernels.loops(deltaT[w], i * rows, rows, 1, group, scratchRows, c, rows, grad, offset + i * c,
                                false, null, false, scratchRow);
                    }
                    finish.apply(grad, offset + i * c, offset + (i + group) * c);
                }
            }
        }

        /**
         * Rows lo..hi-1 (groups of four) of δW = δᵀ·X for deferred matrix w, X in strips: four rows
         * of δW at a time over the samples where one of the four has δ ≠ 0 ({@link
         * Kernels.Product#sparseStripProduct}: the same bits as over all the samples). A relu
         * layer's δ is zero wherever its unit was off, and a unit tends to be off for many samples
         * of a minibatch, so the rows are taken in order of how many samples they have, the
         * sparsest four together (the order changes which samples are read, never a sum). Each
         * group's rows are finished as soon as they are made (in the registers where the finish is
         * a scaling).
         */
        private void sparseProducts(int w, int lo, int hi, int c, double[] grad, int offset, Finish finish) {
            double[] d = deltaT[w]; // δᵀ four rows at a time: row j's term t at (j - j % 4)·rows + 4t + j % 4
            Sparse sp = sparse.get();
            sp.reserve(hi - lo, rows);
            for (int j = lo; j < hi; j += 4) { // a group's block is its four rows' terms one after the other
                Kernels.VECTOR.countNonzero4(d, j * rows, rows, sp.counts, j - lo);
            }
            sp.order(lo, hi - lo, rows);
            if (Stages.ON) {
                Stages.mark("δW: count and sort rows");
            }
            double scale = finish.scale();
            long[] keys = sp.keys;
            boolean every = nonFinite[w]; // X has an inf or a nan: every sample, as the dense sum
            for (int g = 0; g < hi - lo; g += 4) {
                int j0 = (int) keys[g];
                int j1 = (int) keys[g + 1];
                int j2 = (int) keys[g + 2];
                int j3 = (int) keys[g + 3];
                // δᵀ read where it lies: row j's term t at (j - j % 4)·rows + j % 4 + 4t
                int a0 = (j0 & ~3) * rows + (j0 & 3);
                int a1 = (j1 & ~3) * rows + (j1 & 3);
                int a2 = (j2 & ~3) * rows + (j2 & 3);
                int a3 = (j3 & ~3) * rows + (j3 & 3);
                if (every || sp.full(g, rows)) {
                    Kernels.VECTOR.sparseStripProduct(d, a0, a1, a2, a3, 4, rows, sp.every, x[w], c, rows, grad,
                            offset + j0 * c, offset + j1 * c, offset + j2 * c, offset + j3 * c, scale);
                } else {
                    int count = sp.pack(d, a0, a1, a2, a3, 4, rows);
                    Kernels.VECTOR.sparseStripProduct(sp.a, 0, 1, 2, 3, 4, count, sp.terms, x[w], c, rows, grad,
                            offset + j0 * c, offset + j1 * c, offset + j2 * c, offset + j3 * c, scale);
                }
                finishRows(finish, scale, grad, offset, c, j0, j1, j2, j3);
            }
        }

        /** The finish of four rows of δW just made, unless the kernel made it (a scaling). */
        private static void finishRows(Finish finish, double scale, double[] grad, int offset, int c, int j0, int j1,
                                       int j2, int j3) {
            if (scale == scale) {
                return;
            }
            finish.apply(grad, offset + j0 * c, offset + j0 * c + c);
            finish.apply(grad, offset + j1 * c, offset + j1 * c + c);
            finish.apply(grad, offset + j2 * c, offset + j2 * c + c);
            finish.apply(grad, offset + j3 * c, offset + j3 * c + c);
        }

        /** Per thread, {@link #sparseProducts}' scratch: row keys, the samples read, and their δ four at a time. */
        private final ThreadLocal<Sparse> sparse = ThreadLocal.withInitial(Sparse::new);

        /** Rows of δW made and finished at a time: 8 rows of 784 are 50 KB, in the L2 cache at least. */
        private static final int FINISHED_ROWS = 8;

        /**
         * The gradient ranges {@link #complete} writes, as (offset, size) pairs in increasing
         * order: the blocks wrote nothing there.
         */
        public int[] deferred() {
            int count = 0;
            for (boolean t : taken) {
                count += t ? 1 : 0;
            }
            long[] ranges = new long[count];
            int k = 0;
            for (int w = 0; w < taken.length; w++) {
                if (taken[w]) {
                    long offset = ((BatchGraph.Declared) graph.values().get(w).op()).gradientOffset();
                    ranges[k++] = offset << 32 | graph.values().get(w).size();
                }
            }
            Arrays.sort(ranges); // by offset
            int[] pairs = new int[2 * count];
            for (int i = 0; i < count; i++) {
                pairs[2 * i] = (int) (ranges[i] >>> 32);
                pairs[2 * i + 1] = (int) ranges[i];
            }
            return pairs;
        }
    }

    /**
     * Relu's zeros in a weight gradient δW = δᵀ·X ({@link DeferredProducts#sparseProducts}, and a
     * block's own δW in {@link Workspace}): the rows of δW (units) ordered by how many samples have
     * δ ≠ 0, four at a time, and for each four the samples where one of them has δ ≠ 0 with their
     * δ packed four at a time ({@link Kernels.Product#sparseStripProduct}, {@link
     * Kernels.Product#sparseRowProduct}: the bits of the sum over every sample). One per thread.
     */
    private static final class Sparse {
        /** Per row of δW, its count of samples (high half) and the row (low half), in order. */
        long[] keys = new long[0];
        /** Per row (from the first of the range), its count of samples with δ ≠ 0. */
        int[] counts = new int[0];
        private int[] first = new int[0];
        /** The samples {@link #pack} kept, and their δ four at a time. */
        int[] terms = new int[0];
        double[] a = new double[0];
        /** 0, 1, 2, ...: every sample. */
        int[] every = new int[0];

        void reserve(int rows, int samples) {
            if (keys.length < rows) {
                keys = new long[rows];
                counts = new int[rows];
            }
            if (terms.length < samples) {
                first = new int[samples + 2];
                terms = new int[samples];
                a = new double[4 * samples];
                every = new int[samples];
                for (int t = 0; t < samples; t++) {
                    every[t] = t;
                }
            }
        }

        /**
         * {@link #keys} for rows lo .. lo + n - 1 from {@link #counts}: by count, then row (a
         * counting sort), the sparsest first. The order depends on which δ are zero, never on a
         * value's bits, and changes which samples a tile reads, never a sum.
         */
        void order(int lo, int n, int samples) {
            Arrays.fill(first, 0, samples + 2, 0); // where the rows of each count begin
            for (int u = 0; u < n; u++) {
                first[counts[u] + 1]++;
            }
            for (int c = 1; c <= samples + 1; c++) {
                first[c] += first[c - 1];
            }
            for (int u = 0; u < n; u++) {
                keys[first[counts[u]]++] = (long) counts[u] << 32 | (lo + u);
            }
        }

        /** Whether the four rows from {@code keys[g]} have δ ≠ 0 for every sample (the sparsest of them does). */
        boolean full(int g, int samples) {
            return keys[g] >>> 32 == samples;
        }

        /**
         * The samples t where one of four rows of δ is nonzero (row q's δ at {@code d[aq +
         * t·stride]}) into {@link #terms}, in order, and every sample's δ four at a time into {@link
         * #a} (sample t's at 4t .. 4t+3: one line for the kernel's four broadcasts); how many.
         */
        int pack(double[] d, int a0, int a1, int a2, int a3, int stride, int samples) {
            int count = 0;
            for (int t = 0, o = 0; t < samples; t++, o += stride) {
                double e0 = d[a0 + o];
                double e1 = d[a1 + o];
                double e2 = d[a2 + o];
                double e3 = d[a3 + o];
                // written either way, kept by counting it: no branch to mispredict at half the samples
                terms[count] = t;
                a[4 * t] = e0;
                a[4 * t + 1] = e1;
                a[4 * t + 2] = e2;
                a[4 * t + 3] = e3;
                count += e0 != 0 | e1 != 0 | e2 != 0 | e3 != 0 ? 1 : 0;
            }
            return count;
        }
    }

    /** What {@link DeferredProducts#complete} does to each group of elements it has just written. */
    @FunctionalInterface
    public interface Finish {
        void apply(double[] grad, int from, int to);

        /**
         * NaN, or s where {@link #apply} is exactly {@code g[i] = fma(g[i], s, +0.0)} (that is
         * {@code (0.0 + g[i])·s}, bit for bit): then a kernel may apply it to each element as it
         * stores it ({@link Kernels.Product#stripProduct}) and skip the pass.
         */
        default double scale() {
            return Double.NaN;
        }

        /** {@code g[i] = (0.0 + g[i])·s} as {@code fma(g[i], s, +0.0)}, the same bits (s: an exact inverse, or 1). */
        static Finish scaling(double s) {
            return new Finish() {
                @Override
                public void apply(double[] grad, int from, int to) {
                    for (int i = from; i < to; i++) {
                        grad[i] = Math.fma(grad[i], s, 0.0);
                    }
                }

                @Override
                public double scale() {
                    return s;
                }
            };
        }
    }

    /** Deferred δW products for evaluations of at most {@code maxRows} rows, or null where there are none to defer. */
    public DeferredProducts deferredProducts(int maxRows) {
        for (BatchGraph.MatVec m : deferredBy) {
            if (m != null) {
                return new DeferredProducts(maxRows);
            }
        }
        return null;
    }

    /** What one block gives: the sum of the per-sample losses and the number classified right. */
    public record BlockResult(double lossSum, int correct) {}

    /** One thread's arrays. Not thread-safe. */
    public final class Workspace {
        private final int maxRows;
        private final double[][] val;
        private final double[][] adj;
        /** Per MatVec of a shared matrix W [r, c] by a batched vector: Wᵀ as c rows of r (forward; the loops). */
        private final double[][][] weightsT;
        /** The same Wᵀ in one array, c rows of r one after the other, plus slack (the Vector API kernel). */
        private final double[][] weightsFlatT;
        /** Per declared value that does not depend on the data: the evaluation its array was loaded for. */
        private final long[] loadedFor;
        /** Where {@link #gradient} puts the block's gradient, and whether it adds to what is there. */
        private double[] gradTarget;
        private boolean gradAdd;
        /** Rows in the whole evaluation this block is part of ({@link #run}). */
        private int callRows;
        /**
         * Per value, where the kernels read its elements for this block: {@code src[v]} from {@code
         * srcAt[v]} (its own array from 0, or for {@link #inPlace} values the declared values or the
         * packed rows, nothing copied).
         */
        private final double[][] src;
        private final int[] srcAt;
        /**
         * The kept transposes this workspace used last ({@link #keptTransposed}): rows, the first
         * row, the value and the count of each, and the array, four entries used in turn.
         */
        private final Object[] recentRows = new Object[4];
        private final long[] recentKey = new long[4];
        private final double[][] recentTransposed = new double[4][];
        private int recentNext;

        /** Per MatVec of a shared matrix: the block's δᵀ, [r, rows], for δW = δᵀ·X. */
        private final double[][] deltaT;
        /** Where the block leaves the δW products it defers ({@link #run}), or null. */
        private DeferredProducts deferred;
        /** The block's first sample, as {@link #run}'s {@code from} (a position in the index where there is one). */
        private int blockStart;
        /** The block being evaluated ({@link #run}): its samples, and where they start when in order (index null), else -1. */
        private Rows blockRows;
        private int blockFrom;
        /** Per MatVec computed as Zᵀ = W·Xᵀ ({@link #matVec}): the block's Xᵀ and Zᵀ. */
        private final double[][] inputsT;
        private final double[][] outputsT;
        /** Per such MatVec whose vector needs an adjoint: W as r rows of c (δX = δ·W). */
        private final double[][][] weightRows;
        /** Per such MatVec whose matrix needs an adjoint: the block's vectors as rows (δW = δᵀ·X). */
        private final double[][][] inputRows;
        /** Whether weightsT / weightRows hold the current call's matrix. */
        private final boolean[] weightsReady;
        /** The evaluation whose matrices weightsT / weightRows hold ({@link #run}'s {@code call}). */
        private long preparedFor = -1;
        private double[] productRow = new double[0];
        private final ArrayExpr.Frame[] forwardFrames;
        private final ArrayExpr.Frame[] backwardFrames;
        private final double[][][] tiles;
        /** This workspace's {@link Sparse} (a block's own δW over the samples where δ ≠ 0). */
        private final Sparse blockSparse = new Sparse();
        /** Per Reduce, its δ spread over its elements (bound to the backward program's δ symbol). */
        private final double[][] reduceDelta = new double[graph.values().size()][];
        private double[] contribution = new double[0];
        /** Per dense Map: its bias, padded for the kernel's vector loads ({@link Kernels#padded}). */
        private final double[][] denseBiasPadded;

        private Workspace(int maxRows) {
            this.maxRows = maxRows;
            int n = graph.values().size();
            val = new double[n][];
            adj = new double[n][];
            weightsT = new double[n][][];
            weightRows = new double[n][][];
            inputRows = new double[n][][];
            weightsReady = new boolean[n];
            weightsFlatT = new double[n][];
            inputsT = new double[n][];
            outputsT = new double[n][];
            loadedFor = new long[n];
            Arrays.fill(loadedFor, -1);
            forwardFrames = new ArrayExpr.Frame[n];
            backwardFrames = new ArrayExpr.Frame[n];
            tiles = new double[n][][];
            denseBiasPadded = new double[n][];
            src = new double[n][];
            srcAt = new int[n];
            deltaT = new double[n][];
            for (int v = 0; v < n; v++) {
                if (denseProduct[v] >= 0) {
                    denseBiasPadded[v] = new double[Kernels.padded(graph.values().get(v).size())];
                }
                BatchGraph.Value value = graph.values().get(v);
                int length = rows(v, maxRows) * value.size();
                val[v] = new double[fusedAway[v] ? 0 : length + SLACK];
                if (active[v] && !directGradient[v]) {
                    adj[v] = new double[length];
                }
                if (forward[v] != null) {
                    forwardFrames[v] = forward[v].frame();
                    backwardFrames[v] = backward[v].frame();
                    tiles[v] = new double[value.op().inputs().size() + 1][];
                }
                if (value.op() instanceof BatchGraph.MatVec m && !batched[m.matrix()] && batched[m.vector()]) {
                    if (!FLAT) {
                        weightsT[v] = new double[m.columns()][Kernels.padded(m.rows())];
                        if (active[m.vector()]) {
                            weightRows[v] = new double[m.rows()][Kernels.padded(m.columns())];
                        }
                        if (active[m.matrix()]) {
                            inputRows[v] = new double[maxRows][Kernels.padded(m.columns())];
                        }
                    }
                    productRow = new double[Math.max(productRow.length, Math.max(m.rows(), m.columns()))];
                }
                if (value.op() instanceof BatchGraph.Reduce r) {
                    tiles[v] = new double[r.operands().size() + 1][];
                }
            }
        }

        /**
         * Evaluates the samples {@code rows[index[i]]} for {@code from <= i < to} ({@code index}
         * null: {@code rows[i]}), at most {@code maxRows} of them. With {@code gradOut}, the sum of
         * their gradients goes there (overwritten, in parameter order).
         */
        public BlockResult run(double[] declared, Rows rows, int[] index, int from, int to, double[] gradOut) {
            return run(declared, rows, index, from, to, gradOut, false, -1, to - from, true, null);
        }

        /**
         * {@link #run(double[], Rows, int[], int, int, double[])} as part of evaluation number
         * {@code call} (non-negative, increasing; -1: a one-off): blocks of one call share {@code
         * declared}, so what depends only on it (the parameters' arrays, the transposed weight
         * matrices) is prepared once per call and thread. With {@code add}, the block's gradient is
         * added to what {@code gradOut} holds ({@code g + block}, each element one addition of the
         * block's own sum, as a reduction tree adds two partial gradients) instead of stored.
         * {@code callRows}, the rows of the whole evaluation, chooses how products are laid out
         * (never what they compute). Without {@code accuracy}, the samples classified right are not
         * counted (0). With {@code deferred} (started for the evaluation's rows), the products δW of
         * the matrices it may defer are left to it: the block writes nothing in their gradients.
         */
        public BlockResult run(double[] declared, Rows rows, int[] index, int from, int to, double[] gradOut,
                               boolean add, long call, int callRows, boolean accuracy, DeferredProducts deferred) {
            this.deferred = deferred;
            this.blockStart = from;
            this.callRows = callRows;
            this.blockRows = rows;
            this.blockFrom = index == null ? from : -1;
            if (Stages.ON) {
                Stages.start();
            }
            int count = to - from;
            if (count > maxRows) {
                throw new IllegalArgumentException(count + " rows > " + maxRows);
            }
            if (call < 0 || call != preparedFor) {
                Arrays.fill(weightsReady, false);
                preparedFor = call;
            }
            List<BatchGraph.Value> values = graph.values();
            for (int v = 0; v < values.size(); v++) {
                BatchGraph.Value value = values.get(v);
                if (!needed[v]) {
                    continue;
                }
                src[v] = val[v];
                srcAt[v] = 0;
                if (readsInPlace(v, index != null, callRows)) { // the block's rows where pack put them
                    src[v] = rows.packed[v];
                    srcAt[v] = from * value.size();
                } else if (fromData[v]) {
                    loadPacked(v, value.size(), rows, index, from, count);
                } else if (value.op() instanceof BatchGraph.Declared d) {
                    if (weightInPlace[v]) { // read by the kernels where it is: nothing copied
                        src[v] = declared;
                        srcAt[v] = d.declaredOffset();
                    } else if (batched[v] || call < 0 || loadedFor[v] != call) {
                        load(v, d, value.size(), declared, rows, index, from, count);
                        loadedFor[v] = batched[v] ? -1 : call;
                    }
                } else {
                    forward(v, value, count);
                    if (Stages.ON) {
                        Stages.mark(forwardStage[v]);
                    }
                    continue;
                }
                if (Stages.ON) {
                    Stages.mark("load inputs and parameters");
                }
            }
            int loss = graph.loss();
            double lossSum = 0;
            if (batched[loss]) {
                for (int r = 0; r < count; r++) {
                    lossSum += val[loss][r];
                }
            } else {
                lossSum = count * val[loss][0];
            }
            int correct = accuracy && isClassifier() ? correct(count) : 0;
            if (Stages.ON) {
                Stages.mark("loss sum and accuracy");
            }
            if (gradOut != null) {
                gradient(count, gradOut, add);
            }
            return new BlockResult(lossSum, correct);
        }

        private int correct(int count) {
            int n = graph.values().get(classifierLogits).size();
            int right = 0;
            for (int r = 0; r < count; r++) {
                int z = batched[classifierLogits] ? r * n : 0;
                int y = batched[classifierTarget] ? r * n : 0;
                if (argmax(val[classifierLogits], z, n) == argmax(val[classifierTarget], y, n)) {
                    right++;
                }
            }
            return right;
        }

        private void gradient(int count, double[] gradOut, boolean add) {
            List<BatchGraph.Value> values = graph.values();
            for (int v = 0; v < values.size(); v++) {
                if (active[v] && !directGradient[v]) {
                    Arrays.fill(adj[v], 0, rows(v, count) * values.get(v).size(), 0.0);
                }
            }
            if (!add && !gradientCovered) {
                Arrays.fill(gradOut, 0, graph.parameterCount(), 0.0);
            }
            gradTarget = gradOut;
            gradAdd = add;
            if (Stages.ON) {
                Stages.mark("zero adjoints");
            }
            int loss = graph.loss();
            if (active[loss]) {
                if (batched[loss]) {
                    Arrays.fill(adj[loss], 0, count, 1.0);
                } else {
                    adj[loss][0] = count;
                }
            }
            for (int v = values.size() - 1; v >= 0; v--) {
                if (active[v] && !(values.get(v).op() instanceof BatchGraph.Declared)) {
                    backward(v, values.get(v), count);
                    if (Stages.ON) {
                        Stages.mark(backwardStage[v]);
                    }
                }
            }
            for (int v = 0; v < values.size(); v++) {
                if (values.get(v).op() instanceof BatchGraph.Declared d && d.isParameter() && !directGradient[v]) {
                    int size = values.get(v).size();
                    if (add) {
                        double[] a = adj[v];
                        int o = d.gradientOffset();
                        for (int e = 0; e < size; e++) {
                            gradOut[o + e] += a[e];
                        }
                    } else {
                        System.arraycopy(adj[v], 0, gradOut, d.gradientOffset(), size);
                    }
                }
            }
            gradTarget = null;
            if (Stages.ON) {
                Stages.mark("export adjoints to the gradient");
            }
        }

        /** The block's rows of a packed value (a data column, or {@link #fromData}). */
        private void loadPacked(int v, int size, Rows rows, int[] index, int from, int count) {
            double[] packed = rows.packed[v];
            double[] out = val[v];
            if (index == null) {
                System.arraycopy(packed, from * size, out, 0, count * size);
            } else {
                for (int r = 0; r < count; r++) {
                    System.arraycopy(packed, index[from + r] * size, out, r * size, size);
                }
            }
        }

        private void load(int v, BatchGraph.Declared d, int size, double[] declared, Rows rows, int[] index,
                          int from, int count) {
            double[] out = val[v];
            if (!batched[v]) {
                System.arraycopy(declared, d.declaredOffset(), out, 0, size);
                return;
            }
            if (rows.packed[v] != null) {
                loadPacked(v, size, rows, index, from, count);
                return;
            }
            int[] pairs = columnsOf[v];
            for (int r = 0; r < count; r++) {
                double[] row = rows.rows[index == null ? from + r : index[from + r]];
                int base = r * size;
                if (!fullyCovered[v]) {
                    System.arraycopy(declared, d.declaredOffset(), out, base, size);
                }
                for (int p = 0; p < pairs.length; p += 2) {
                    out[base + pairs[p + 1]] = row[pairs[p]];
                }
            }
        }

        private void forward(int v, BatchGraph.Value value, int count) {
            int rows = rows(v, count);
            int size = value.size();
            double[] out = val[v];
            BatchGraph.Op op = value.op();
            if (denseProduct[v] >= 0) {
                int mv = denseProduct[v];
                BatchGraph.MatVec m = (BatchGraph.MatVec) graph.values().get(mv).op();
                double[] bias = denseBiasPadded[v];
                System.arraycopy(val[denseBias[v]], 0, bias, 0, size);
                matVec(mv, m, rows, out, bias, denseRelu[v]);
            } else if (fusedAway[v]) {
                return; // the dense Map reading it computes it
            } else if (op instanceof BatchGraph.MatVec m) {
                double[] w = val[m.matrix()];
                double[] x = val[m.vector()];
                if (!batched[m.matrix()] && batched[m.vector()]) {
                    matVec(v, m, rows, out, null, false);
                } else {
                    for (int r = 0; r < rows; r++) {
                        int wb = batched[m.matrix()] ? r * m.rows() * m.columns() : 0;
                        int xb = batched[m.vector()] ? r * m.columns() : 0;
                        for (int i = 0; i < m.rows(); i++) {
                            double s = 0;
                            for (int j = 0; j < m.columns(); j++) {
                                s += w[wb + i * m.columns() + j] * x[xb + j];
                            }
                            out[r * m.rows() + i] = s;
                        }
                    }
                }
            } else if (op instanceof BatchGraph.Map m) {
                ArrayExpr.Frame f = forwardFrames[v];
                bindOperands(f, v, m.operands(), rows, size);
                f.runInto(rows * size, out);
            } else if (op instanceof BatchGraph.Reduce red) {
                ArrayExpr.Frame f = forwardFrames[v];
                int k = red.elements();
                bindOperands(f, v, red.operands(), rows, k);
                f.run(rows * k);
                double[] terms = f.root(0);
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int e = 0; e < k; e++) {
                        s += terms[r * k + e];
                    }
                    out[r] = red.scale() == 1.0 ? s : s * red.scale();
                }
            } else if (op instanceof BatchGraph.Softmax s) {
                double[] z = val[s.input()];
                for (int r = 0; r < rows; r++) {
                    int b = r * size;
                    double max = max(z, b, size);
                    double sum = 0;
                    for (int k = 0; k < size; k++) {
                        double e = Math.exp(z[b + k] - max);
                        out[b + k] = e;
                        sum += e;
                    }
                    for (int k = 0; k < size; k++) {
                        out[b + k] = out[b + k] / sum;
                    }
                }
            } else if (op instanceof BatchGraph.LogSoftmax s) {
                double[] z = val[s.input()];
                for (int r = 0; r < rows; r++) {
                    int b = r * size;
                    double lse = logSumExp(z, b, size);
                    for (int k = 0; k < size; k++) {
                        out[b + k] = z[b + k] - lse;
                    }
                }
            } else if (op instanceof BatchGraph.SoftmaxCrossEntropy s) {
                int n = graph.values().get(s.logits()).size();
                int ny = graph.values().get(s.target()).size();
                double[] z = val[s.logits()];
                double[] y = val[s.target()];
                double[] lses = lseOf(v, rows);
                double[][] t = tiles[v];
                if (t[1] == null) {
                    t[1] = new double[maxRows * n];
                    t[2] = new double[maxRows];
                }
                double[] exps = t[1];
                double[] sums = t[2];
                for (int r = 0; r < rows; r++) {
                    int zb = batched[s.logits()] ? r * n : 0;
                    int yb = batched[s.target()] ? r * ny : 0;
                    // log Σ exp(z) as logSumExp computes it, keeping exp(z − max) and the sum: the
                    // backward pass's softmax is exp(z − max) / Σ, with no exp of its own
                    double m = max(z, zb, n);
                    double sum = 0;
                    int eb = r * n;
                    for (int k = 0; k < n; k++) {
                        double e = Math.exp(z[zb + k] - m);
                        exps[eb + k] = e;
                        sum += e;
                    }
                    sums[r] = sum;
                    double lse = Math.log(sum) + m;
                    lses[r] = lse;
                    double loss = 0;
                    for (int k = 0; k < n; k++) {
                        loss += y[yb + (ny == 1 ? 0 : k)] * (lse - z[zb + k]);
                    }
                    out[r] = loss;
                }
            }
        }

        private double[] lseOf(int v, int rows) {
            double[][] t = tiles[v] == null ? (tiles[v] = new double[3][]) : tiles[v];
            if (t[0] == null || t[0].length < rows) {
                t[0] = new double[Math.max(rows, maxRows)];
            }
            return t[0];
        }

        /** Binds each operand's elements, tiled to [rows, size] where it is broadcast. */
        private void bindOperands(ArrayExpr.Frame f, int v, List<Integer> operands, int rows, int size) {
            for (int i = 0; i < operands.size(); i++) {
                int o = operands.get(i);
                int oRows = rows(o, rows);
                int oSize = graph.values().get(o).size();
                if (oRows == rows && oSize == size) {
                    f.bind(i, val[o]);
                    continue;
                }
                double[] t = tiles[v][i];
                if (t == null || t.length < rows * size) {
                    t = tiles[v][i] = new double[rows(v, maxRows) * size];
                }
                double[] src = val[o];
                for (int r = 0; r < rows; r++) {
                    int srcBase = oRows == 1 ? 0 : r * oSize;
                    if (oSize == 1) {
                        Arrays.fill(t, r * size, (r + 1) * size, src[srcBase]);
                    } else {
                        System.arraycopy(src, srcBase, t, r * size, size);
                    }
                }
                f.bind(i, t);
            }
        }

        private void backward(int v, BatchGraph.Value value, int count) {
            int rows = rows(v, count);
            int size = value.size();
            double[] d = adj[v];
            BatchGraph.Op op = value.op();
            if (denseProduct[v] >= 0) {
                denseBackward(v, rows, size);
            } else if (op instanceof BatchGraph.MatVec m) {
                int mr = m.rows();
                int mc = m.columns();
                double[] w = src[m.matrix()];
                double[] x = src[m.vector()];
                int wAt = srcAt[m.matrix()];
                int xAt = srcAt[m.vector()];
                if (!batched[m.matrix()] && batched[m.vector()]) {
                    if (active[m.vector()]) { // δX += δ·W: A = δ [rows, r], B = W as r rows of c
                        if (FLAT) {
                            Kernels.VECTOR.product(d, 0, mr, 1, rows, w, wAt, mc, mc, mr, adj[m.vector()], 0, true, null, false);
                        } else {
                            Kernels.product(d, mr, 1, rows, weightRows[v], mc, mr, adj[m.vector()], true, productRow);
                        }
                        if (Stages.ON) {
                            Stages.mark("backward: product δX = δ·W");
                        }
                    }
                    if (active[m.matrix()] && deferred != null && deferredBy[m.matrix()] == m) {
                        // over the whole evaluation, after its blocks
                        deferred.take(m, d, blockStart, rows, x, xAt, blockRows, x == blockRows.packed[m.vector()]);
                        if (Stages.ON) {
                            Stages.mark("backward: δᵀ kept for δW over the evaluation");
                        }
                    } else if (active[m.matrix()]) { // δW += δᵀ·X: A = δᵀ (strides 1, r), B = X as rows
                        double[] target = adj[m.matrix()];
                        int offset = 0;
                        boolean add = true;
                        if (directGradient[m.matrix()]) { // straight into the block's gradient
                            target = gradTarget;
                            offset = ((BatchGraph.Declared) graph.values().get(m.matrix()).op()).gradientOffset();
                            add = gradAdd;
                        }
                        if (FLAT && mr % 4 == 0 && mc >= 256 && (blockRows.packed[m.vector()] != null
                                ? blockRows.allFinite(m.vector()) : Kernels.allFinite(x, xAt, rows * mc))) {
                            // (X finite: with an inf or a nan, 0·inf is nan, which a skipped term would lose)
                            // over the samples where δ ≠ 0 (relu's zeros), four rows at a time; where each
                            // sample serves fewer than 256 columns (digits: 64) choosing them costs more
                            // than it saves (a block of digits: 0.139 → 0.168 ms)
                            blockSparse.reserve(mr, rows);
                            Kernels.VECTOR.countNonzeroColumns(d, rows, mr, blockSparse.counts);
                            blockSparse.order(0, mr, rows);
                            long[] keys = blockSparse.keys;
                            for (int g = 0; g < mr; g += 4) {
                                int j0 = (int) keys[g];
                                int j1 = (int) keys[g + 1];
                                int j2 = (int) keys[g + 2];
                                int j3 = (int) keys[g + 3];
                                int o = offset;
                                if (blockSparse.full(g, rows)) { // δ read where it lies: row j's term t at t·mr + j
                                    Kernels.VECTOR.sparseRowProduct(d, j0, j1, j2, j3, mr, rows, blockSparse.every, x, xAt,
                                            mc, mc, target, o + j0 * mc, o + j1 * mc, o + j2 * mc, o + j3 * mc, add);
                                } else {
                                    int kept = blockSparse.pack(d, j0, j1, j2, j3, mr, rows);
                                    Kernels.VECTOR.sparseRowProduct(blockSparse.a, 0, 1, 2, 3, 4, kept, blockSparse.terms, x,
                                            xAt, mc, mc, target, o + j0 * mc, o + j1 * mc, o + j2 * mc, o + j3 * mc, add);
                                }
                            }
                        } else if (FLAT && mc < 256) {
                            Kernels.VECTOR.product(d, 0, 1, mr, mr, x, xAt, mc, mc, rows, target, offset, add, null, false);
                        } else if (FLAT) {
                            // A = δᵀ with its rows contiguous: the kernel's four scalars per term then
                            // come from four sequential streams, not one 8·r-byte stride (5% faster for
                            // 784-128-10's δ1ᵀ·X, its transpose included; the same terms in the same
                            // order). Not worth its transpose where each term serves fewer than 256
                            // columns (digits: 64).
                            double[] dt = deltaT[v] == null || deltaT[v].length < mr * rows
                                    ? (deltaT[v] = new double[mr * maxRows]) : deltaT[v];
                            Kernels.transpose(d, 0, rows, mr, dt, rows);
                            Kernels.VECTOR.product(dt, 0, rows, 1, mr, x, xAt, mc, mc, rows, target, offset, add, null, false);
                        } else {
                            Kernels.rows(x, 0, mc, 1, rows, mc, inputRows[v]);
                            Kernels.loops(d, 1, mr, mr, inputRows[v], mc, rows, target, offset, add, null, false,
                                    productRow);
                        }
                    }
                } else {
                    for (int r = 0; r < rows; r++) {
                        int wb = batched[m.matrix()] ? r * mr * mc : 0;
                        int xb = batched[m.vector()] ? r * mc : 0;
                        for (int i = 0; i < mr; i++) {
                            double di = d[r * mr + i];
                            for (int j = 0; j < mc; j++) {
                                if (active[m.matrix()]) {
                                    adj[m.matrix()][wb + i * mc + j] += di * x[xb + j];
                                }
                                if (active[m.vector()]) {
                                    adj[m.vector()][xb + j] += w[wb + i * mc + j] * di;
                                }
                            }
                        }
                    }
                }
            } else if (op instanceof BatchGraph.Map m) {
                ArrayExpr.Frame f = backwardFrames[v];
                bindOperands(f, v, m.operands(), rows, size);
                f.bind(m.operands().size(), val[v]);
                f.bind(m.operands().size() + 1, d);
                f.run(rows * size);
                int[] which = partialOperands[v];
                for (int p = 0; p < which.length; p++) {
                    double[] partial = f.root(p);
                    if (partialTimesDelta[v][p]) { // δ·∂ already, a quotient divided once
                        scatter(partial, rows, size, m.operands().get(which[p]));
                        continue;
                    }
                    double[] c = contribution(rows * size);
                    for (int e = 0; e < rows * size; e++) {
                        c[e] = d[e] * partial[e];
                    }
                    scatter(c, rows, size, m.operands().get(which[p]));
                }
            } else if (op instanceof BatchGraph.Reduce red) {
                ArrayExpr.Frame f = backwardFrames[v];
                int k = red.elements();
                bindOperands(f, v, red.operands(), rows, k);
                boolean quotients = false;
                for (boolean q : partialTimesDelta[v]) {
                    quotients |= q;
                }
                if (quotients) { // δ of each element, its row's scaled as below, for the partials δ·∂
                    double[] expanded = reduceDelta[v] == null || reduceDelta[v].length < rows * k
                            ? (reduceDelta[v] = new double[Math.max(rows * k, 1)]) : reduceDelta[v];
                    for (int r = 0; r < rows; r++) {
                        Arrays.fill(expanded, r * k, r * k + k, red.scale() == 1.0 ? d[r] : d[r] * red.scale());
                    }
                    f.bind(red.operands().size(), expanded);
                }
                f.run(rows * k);
                int[] which = partialOperands[v];
                for (int p = 0; p < which.length; p++) {
                    double[] partial = f.root(p);
                    if (partialTimesDelta[v][p]) { // δ·∂ already, a quotient divided once
                        scatter(partial, rows, k, red.operands().get(which[p]));
                        continue;
                    }
                    double[] c = contribution(rows * k);
                    for (int r = 0; r < rows; r++) {
                        double dr = red.scale() == 1.0 ? d[r] : d[r] * red.scale();
                        for (int e = 0; e < k; e++) {
                            c[r * k + e] = dr * partial[r * k + e];
                        }
                    }
                    scatter(c, rows, k, red.operands().get(which[p]));
                }
            } else if (op instanceof BatchGraph.Softmax s) {
                if (!active[s.input()]) {
                    return;
                }
                double[] p = val[v];
                double[] dz = adj[s.input()];
                for (int r = 0; r < rows; r++) {
                    int b = r * size;
                    double dot = 0;
                    for (int k = 0; k < size; k++) {
                        dot += d[b + k] * p[b + k];
                    }
                    for (int k = 0; k < size; k++) {
                        dz[b + k] += p[b + k] * (d[b + k] - dot);
                    }
                }
            } else if (op instanceof BatchGraph.LogSoftmax s) {
                if (!active[s.input()]) {
                    return;
                }
                double[] o = val[v];
                double[] dz = adj[s.input()];
                for (int r = 0; r < rows; r++) {
                    int b = r * size;
                    double total = 0;
                    for (int k = 0; k < size; k++) {
                        total += d[b + k];
                    }
                    for (int k = 0; k < size; k++) {
                        dz[b + k] += d[b + k] - Math.exp(o[b + k]) * total;
                    }
                }
            } else if (op instanceof BatchGraph.SoftmaxCrossEntropy s) {
                int n = graph.values().get(s.logits()).size();
                int ny = graph.values().get(s.target()).size();
                double[] z = val[s.logits()];
                double[] y = val[s.target()];
                double[] lses = tiles[v][0];
                double[] exps = tiles[v][1];
                double[] sums = tiles[v][2];
                for (int r = 0; r < rows; r++) {
                    int zb = batched[s.logits()] ? r * n : 0;
                    int yb = batched[s.target()] ? r * ny : 0;
                    double dr = d[r];
                    double lse = lses[r];
                    if (active[s.logits()]) {
                        double ySum = 0;
                        for (int k = 0; k < ny; k++) {
                            ySum += y[yb + k];
                        }
                        if (ny == 1) {
                            ySum = 0;
                            for (int k = 0; k < n; k++) {
                                ySum += y[yb];
                            }
                        }
                        double[] dz = adj[s.logits()];
                        double sum = sums[r];
                        int eb = r * n;
                        for (int k = 0; k < n; k++) { // softmax(z)_k = exp(z_k − max) / Σ (the forward pass's)
                            dz[zb + k] += dr * (exps[eb + k] / sum * ySum - y[yb + (ny == 1 ? 0 : k)]);
                        }
                    }
                    if (active[s.target()]) {
                        double[] dy = adj[s.target()];
                        for (int k = 0; k < n; k++) {
                            dy[yb + (ny == 1 ? 0 : k)] += dr * (lse - z[zb + k]);
                        }
                    }
                }
            }
        }

        /**
         * A dense Map's adjoint into its product's and its bias's: {@code c = δ·f'(z)}, with relu's
         * step {@code z > 0 ? 1 : 0} read off the output ({@code z > 0} exactly where {@code
         * relu(z) > 0}), added to δ(W·x) element by element and to δb summed over rows in order: one
         * pass, the sums and products the separate ops make.
         */
        private void denseBackward(int v, int rows, int size) {
            double[] d = adj[v];
            double[] h = val[v];
            boolean relu = denseRelu[v];
            int mv = denseProduct[v];
            int b = denseBias[v];
            double[] az = active[mv] ? adj[mv] : null;
            double[] ab = active[b] ? adj[b] : null;
            if (relu) {
                Kernels.reluBackward(d, h, az, ab, rows, size);
                return;
            }
            for (int r = 0; r < rows; r++) {
                int base = r * size;
                if (az != null) {
                    for (int k = 0; k < size; k++) {
                        az[base + k] += d[base + k];
                    }
                }
                if (ab != null) {
                    for (int k = 0; k < size; k++) {
                        ab[k] += d[base + k];
                    }
                }
            }
        }

        /**
         * {@code out = f(X·Wᵀ + bias)} for MatVec v of the block's {@code rows} vectors X [rows, c]
         * (A, strides c and 1) by the shared W [r, c] (B = Wᵀ, c rows of r), f relu or none.
         */
        private void matVec(int v, BatchGraph.MatVec m, int rows, double[] out, double[] bias, boolean relu) {
            double[] x = src[m.vector()];
            int xAt = srcAt[m.vector()];
            double[] w = src[m.matrix()];
            int wAt = srcAt[m.matrix()];
            int r = m.rows();
            int c = m.columns();
            if (FLAT && callRows <= r && !weightsReady[v]) {
                // Fewer inputs in this evaluation than rows of W: transposing the block's inputs
                // costs less than transposing W. Zᵀ = W·Xᵀ (A = W in place, B = Xᵀ), each element
                // the same sum in the same order, then bias and f on the way back to [rows, r].
                // Where X is the data (or computed from it alone) and the block's rows are in order,
                // Xᵀ is made once and kept with the data (Rows.transposed).
                double[] xt = blockFrom >= 0 && blockRows.packed[m.vector()] != null
                        ? keptTransposed(m.vector(), rows) : null;
                if (xt == null) {
                    xt = inputsT[v] == null || inputsT[v].length < c * rows + SLACK
                            ? (inputsT[v] = new double[c * maxRows + SLACK]) : inputsT[v];
                    Kernels.transpose(x, xAt, rows, c, xt, rows);
                }
                double[] zt = outputsT[v] == null || outputsT[v].length < r * rows + SLACK
                        ? (outputsT[v] = new double[r * maxRows + SLACK]) : outputsT[v];
                if (Stages.ON) {
                    Stages.mark("forward: transpose X");
                }
                Kernels.VECTOR.product(w, wAt, c, 1, r, xt, 0, rows, rows, c, zt, 0, false, null, false);
                if (Stages.ON) {
                    Stages.mark("forward: product W·Xᵀ");
                }
                Kernels.transpose(zt, 0, r, rows, out, r); // in 8 × 8 tiles
                if (bias != null || relu) {
                    Kernels.VECTOR.epilogue(out, rows, r, bias, relu);
                }
                return;
            }
            prepareWeights(v, m, w, wAt);
            if (xAt != 0) { // not so by construction (rows are read in place only on the path above); A is read from 0
                System.arraycopy(x, xAt, val[m.vector()], 0, rows * c);
                x = val[m.vector()];
            }
            if (FLAT) {
                Kernels.VECTOR.product(x, 0, c, 1, rows, weightsFlatT[v], 0, r, r, c, out, 0, false, bias, relu);
            } else {
                Kernels.loops(x, m.columns(), 1, rows, weightsT[v], m.rows(), m.columns(), out, 0, false, bias, relu,
                        productRow);
            }
        }

        /** Wᵀ (and W as rows where δX needs it, for the loops) for MatVec v, once per call. */
        private void prepareWeights(int v, BatchGraph.MatVec m, double[] w, int wAt) {
            if (weightsReady[v]) {
                return;
            }
            if (FLAT) {
                if (weightsFlatT[v] == null) {
                    weightsFlatT[v] = new double[m.columns() * m.rows() + SLACK];
                }
                Kernels.transpose(w, wAt, m.rows(), m.columns(), weightsFlatT[v], m.rows());
                weightsReady[v] = true;
                return;
            }
            Kernels.rows(w, 0, 1, m.columns(), m.columns(), m.rows(), weightsT[v]);
            if (weightRows[v] != null) {
                Kernels.rows(w, 0, m.columns(), 1, m.rows(), m.columns(), weightRows[v]);
            }
            weightsReady[v] = true;
        }

        private double[] contribution(int n) {
            if (contribution.length < n) {
                contribution = new double[n];
            }
            return contribution;
        }

        /**
         * {@link Rows#transposed} for the block being evaluated, through the last four this
         * workspace used, so that repeated evaluations of the same rows look nothing up (and box no
         * key) in the shared map.
         */
        private double[] keptTransposed(int v, int count) {
            long key = ((long) v << 40) | ((long) blockFrom << 8) | count;
            for (int e = 0; e < recentKey.length; e++) {
                if (recentRows[e] == blockRows && recentKey[e] == key) {
                    return recentTransposed[e];
                }
            }
            double[] t = blockRows.transposed(v, blockFrom, count);
            if (t != null) {
                recentRows[recentNext] = blockRows;
                recentKey[recentNext] = key;
                recentTransposed[recentNext] = t;
                recentNext = (recentNext + 1) % recentKey.length;
            }
            return t;
        }

        /** Adds {@code c} [rows, size] into operand o's adjoint, summing over what o broadcasts. */
        private void scatter(double[] c, int rows, int size, int o) {
            double[] a = adj[o];
            int oRows = rows(o, rows);
            int oSize = graph.values().get(o).size();
            if (oRows == rows && oSize == size) {
                for (int e = 0; e < rows * size; e++) {
                    a[e] += c[e];
                }
            } else if (oSize == size) {
                for (int r = 0; r < rows; r++) {
                    int b = r * size;
                    for (int k = 0; k < size; k++) {
                        a[k] += c[b + k];
                    }
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int k = 0; k < size; k++) {
                        s += c[r * size + k];
                    }
                    a[oRows == 1 ? 0 : r] += s;
                }
            }
        }
    }

    /** Rows of value v in a block of {@code count} samples: all of them, or 1 when v does not depend on the data. */
    private int rows(int v, int count) {
        return batched[v] ? count : 1;
    }

    private static double max(double[] z, int base, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            m = Math.max(m, z[base + k]);
        }
        return m;
    }

    /** log Σ exp(z): the maximum plus log Σ exp(z − max), as the compiled loops compute it. */
    static double logSumExp(double[] z, int base, int n) {
        double m = max(z, base, n);
        double s = 0;
        for (int k = 0; k < n; k++) {
            s += Math.exp(z[base + k] - m);
        }
        return Math.log(s) + m;
    }

    private static int argmax(double[] a, int base, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (a[base + k] > a[base + best]) {
                best = k;
            }
        }
        return best;
    }
}
