package chainrule.ir;

import chainrule.expr.Expr;
import chainrule.expr.Evaluator;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.PowerEntry;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * One node of the op graph: the network as the analyser lowers it, once, from the syntax tree
 * ({@code model.Analyzer}). Every op knows its shape; each states side by side its shape rule
 * (checked and reported by the analyser, which builds the op only with a valid shape) and its
 * expansion into scalar element expressions ({@link #expand}). Its forward value, its
 * vector–Jacobian product and its lowering to loops are the {@code layer} op it lowers to
 * ({@code layer.LayerLowering}: {@code MatMul} to {@code MatVec}/{@code MatMul}, {@code Reduce} to
 * {@code Reduce} or the fused {@code SoftmaxCrossEntropy}, the elementwise ops gathered into one
 * {@code Elementwise} loop). Both views are derived from this graph: the element view
 * ({@code model.ElementView}) expands it op by op, the loop program lowers it op by op.
 *
 * <p>Every op holds its shape (an op's {@code shape()} never walks its inputs: a chain of 50,000
 * unary minuses would make that quadratic). Ops are immutable and compare by identity (the graph is a tree of ops over shared leaves and
 * definitions; a value hash of a 784-wide layer's subtree would be wasted work). A name refers to
 * its {@link Declared} leaf or {@link Definition}, the same object at every use.
 */
public sealed interface Op {

    /** The shape: empty for a scalar, {@code [m]} for a vector, {@code [m,n]} for a matrix. */
    List<Integer> shape();

    /** The ops this one is computed from, in the order they are expanded and lowered. */
    List<Op> inputs();

    /**
     * This op's element expressions, row-major, from its inputs' element expressions (in the order
     * of {@link #inputs}; a scalar input has one). A leaf gives its element symbols. Each is
     * {@link #element}'s, so the whole and the on-demand element view cannot disagree.
     */
    default List<Expr> expand(List<List<Expr>> inputs) {
        Inputs in = (i, k) -> inputs.get(i).get(k);
        int n = size();
        List<Expr> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(element(k, in));
        }
        return out;
    }

    /**
     * Element {@code k} (row-major) of this op's expansion alone, asking {@code inputs} only for the
     * input elements it is made of: the element view expanded on demand ({@code grad --wrt
     * 'W1[1,1]'} expands one row of {@code W1 @ x}, not the 128).
     */
    Expr element(int k, Inputs inputs);

    /**
     * The elements of this op (row-major) that element {@code k} of input {@code input} enters,
     * each once: the element-level dependence, stated by the op (a product's row or column, the
     * same index of an elementwise op or every index for a broadcast scalar, element 0 of a
     * reduction, every element of a softmax, element 0 of an index if it picks k).
     */
    void reaches(int input, int k, IntConsumer out);

    /**
     * This op's values, row-major, from its inputs' values (in the order of {@link #inputs}): the
     * op graph evaluated numerically, element by element as the interpreter evaluates the element
     * expressions (sums in order from 0, a quotient as a true division: expr.QuotientEntry), so that a
     * value the element view does not expand (an element outside {@code grad --wrt}'s cone) is
     * the number the expanded one would have. A leaf's values are given, not computed.
     */
    double[] forward(List<double[]> inputs);

    /** An op's inputs' elements, each expanded when first asked for. */
    @FunctionalInterface
    interface Inputs {
        /** Element {@code k} (row-major) of input {@code input}. */
        Expr element(int input, int k);
    }

    /** The element of {@code input} that element {@code k} of a broadcasting op reads: 0 of a scalar. */
    static int broadcastIndex(Op input, int k) {
        return input.size() == 1 ? 0 : k;
    }

    /** Element k of a broadcasting op reaches: every element when it is a scalar broadcast over more, else its own index. */
    static void reachesBroadcast(Op self, Op input, int k, IntConsumer out) {
        if (input.size() == 1) {
            for (int j = 0; j < self.size(); j++) {
                out.accept(j);
            }
        } else {
            out.accept(k);
        }
    }

    /** The value of a broadcast operand at k. */
    static double broadcastValue(double[] values, int k) {
        return values.length == 1 ? values[0] : values[k];
    }

    <R> R accept(Visitor<R> v);

    /** Number of elements. */
    default int size() { return Shapes.size(shape()); }

    default boolean isScalar() { return shape().isEmpty(); }

    /**
     * Whether this op combines its inputs element by element, a scalar input broadcast over the
     * others' shape (there the element view refers to a long reduction by a vertex of its own).
     */
    default boolean broadcasts() { return false; }

    /** One method per op: adding an op adds a method here, and every walk of the graph must handle it. */
    interface Visitor<R> {
        R declared(Declared d);

        R atom(Atom a);

        R definition(Definition d);

        R negate(Negate n);

        R chain(Chain c);

        R arithmetic(Arithmetic a);

        R apply(Apply a);

        R matMul(MatMul m);

        R reduce(Reduce r);

        R vectorFunction(VectorFunction v);

        R index(Index i);

        R invalid(Invalid i);
    }

    // ------------------------------------------------------------ leaves

    /** A declared name: its elements are the symbols {@code W1[1,1]} … ({@code w} for a scalar). */
    record Declared(String name, Ast.DeclKind kind, List<Integer> shape, Ast.Pos pos) implements Op {
        public Declared {
            shape = List.copyOf(shape);
        }

        /** The symbols' kind: a weight or bias is a parameter, an input or target data, a const a constant. */
        public SymKind symKind() {
            return switch (kind) {
                case WEIGHT, BIAS -> SymKind.PARAMETER;
                case CONST -> SymKind.CONSTANT;
                case INPUT, TARGET -> SymKind.DATA;
            };
        }

        @Override public List<Op> inputs() { return List.of(); }

        @Override
        public List<Expr> expand(List<List<Expr>> inputs) {
            SymKind sk = symKind();
            List<Expr> out = new ArrayList<>(size());
            for (String element : Shapes.elementNames(name, shape)) {
                out.add(Exprs.sym(element, sk));
            }
            return out;
        }

        @Override
        public Expr element(int k, Inputs inputs) {
            return Exprs.sym(Shapes.elementName(name, shape, k), symKind());
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            throw new IllegalArgumentException("a declared value has no inputs");
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            throw new IllegalStateException("a declared value is given, not computed: " + name);
        }

        @Override public <R> R accept(Visitor<R> v) { return v.declared(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * A scalar that is its own expression: a literal (exact: {@code 0.1} is 1/10), {@code pi} or
     * {@code e}, a function's parameter, a free variable of {@code diff}.
     */
    record Atom(Expr expr) implements Op {
        @Override public List<Integer> shape() { return List.of(); }

        @Override public List<Op> inputs() { return List.of(); }

        @Override public Expr element(int k, Inputs inputs) { return expr; }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            throw new IllegalArgumentException("an atom has no inputs");
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            return new double[] {Evaluator.evaluate(expr, Map.of())};
        }

        @Override public <R> R accept(Visitor<R> v) { return v.atom(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * A named value: a definition of the file ({@code h = ...}, the loss), or the implicit
     * pre-activation {@code h.in} of {@code h = sigmoid(W @ x + b)}. Its elements are the symbols
     * {@code h[1]} …, each a vertex of the element view whose definition is the body's element.
     */
    record Definition(String name, Role role, Op body, Ast.Pos pos, List<Integer> shape) implements Op {
        /** What the definition is in the path graph. */
        public enum Role {
            /** A definition of the file. */
            NODE,
            /** The file's loss. */
            LOSS,
            /**
             * {@code h.in}: the argument of an activation that is not a plain name. The loop program
             * does not store it (it is fused into the activation's loop).
             */
            PRE_ACTIVATION
        }

        /** A definition of {@code body}'s shape (read once: a shape is never recomputed down a chain of ops). */
        public Definition(String name, Role role, Op body, Ast.Pos pos) {
            this(name, role, body, pos, body.shape());
        }

        @Override public List<Op> inputs() { return List.of(body); }

        @Override
        public List<Expr> expand(List<List<Expr>> inputs) {
            List<Expr> out = new ArrayList<>(size());
            for (String element : Shapes.elementNames(name, shape())) {
                out.add(Exprs.sym(element, SymKind.NODE));
            }
            return out;
        }

        @Override
        public Expr element(int k, Inputs inputs) {
            return Exprs.sym(Shapes.elementName(name, shape, k), SymKind.NODE);
        }

        @Override public void reaches(int input, int k, IntConsumer out) { out.accept(k); }

        @Override public double[] forward(List<double[]> inputs) { return inputs.get(0).clone(); }

        @Override public <R> R accept(Visitor<R> v) { return v.definition(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    // ------------------------------------------------------------ elementwise

    /** {@code -x}, element by element. */
    record Negate(Op operand, List<Integer> shape) implements Op {
        public Negate(Op operand) {
            this(operand, operand.shape());
        }

        @Override public List<Op> inputs() { return List.of(operand); }

        @Override public Expr element(int k, Inputs inputs) { return Exprs.neg(inputs.element(0, k)); }

        @Override public void reaches(int input, int k, IntConsumer out) { out.accept(k); }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] x = inputs.get(0);
            double[] out = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                out[k] = -x[k];
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.negate(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * A chain {@code a + b - c + ...}: each element is one {@link Exprs#add(List)} of the terms'
     * elements (a subtracted term negated, a scalar broadcast), never a nest of binary sums that
     * would renormalise the growing sum term by term. The terms are in source order;
     * {@code subtracted.get(i)} says whether term i is subtracted (the first never is).
     */
    record Chain(List<Op> terms, List<Boolean> subtracted, List<Integer> shape) implements Op {
        public Chain {
            terms = List.copyOf(terms);
            subtracted = List.copyOf(subtracted);
            shape = List.copyOf(shape);
        }

        @Override public List<Op> inputs() { return terms; }

        @Override public boolean broadcasts() { return true; }

        @Override
        public Expr element(int k, Inputs inputs) {
            List<Expr> elementTerms = new ArrayList<>(terms.size());
            for (int i = 0; i < terms.size(); i++) {
                Expr e = inputs.element(i, Op.broadcastIndex(terms.get(i), k));
                elementTerms.add(subtracted.get(i) ? Exprs.neg(e) : e);
            }
            return Exprs.add(elementTerms);
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            Op.reachesBroadcast(this, terms.get(input), k, out);
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] out = new double[size()];
            for (int k = 0; k < out.length; k++) {
                double s = 0;
                for (int i = 0; i < terms.size(); i++) {
                    double v = Op.broadcastValue(inputs.get(i), k);
                    s += subtracted.get(i) ? -v : v;
                }
                out[k] = s;
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.chain(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /** {@code l * r}, {@code l / r}, {@code l ^ r} element by element (a scalar side broadcast). */
    record Arithmetic(Ast.BinaryOp op, Op left, Op right, List<Integer> shape) implements Op {
        public Arithmetic {
            shape = List.copyOf(shape);
            if (op != Ast.BinaryOp.MULTIPLY && op != Ast.BinaryOp.DIVIDE && op != Ast.BinaryOp.POWER) {
                throw new IllegalArgumentException("not an elementwise product, quotient or power: " + op);
            }
        }

        /** The scalar operation of one element. */
        public Expr of(Expr l, Expr r) {
            return switch (op) {
                case MULTIPLY -> Exprs.mul(l, r);
                case DIVIDE -> Exprs.div(l, r);
                case POWER -> Exprs.pow(l, r);
                case ADD, SUBTRACT, MATMUL -> throw new IllegalStateException(op + " is a Chain or a MatMul");
            };
        }

        @Override public List<Op> inputs() { return List.of(left, right); }

        @Override public boolean broadcasts() { return true; }

        @Override
        public Expr element(int k, Inputs inputs) {
            return of(inputs.element(0, Op.broadcastIndex(left, k)), inputs.element(1, Op.broadcastIndex(right, k)));
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            Op.reachesBroadcast(this, input == 0 ? left : right, k, out);
        }

        /** The scalar operation on numbers, as the interpreter evaluates {@link #of}'s expression. */
        public double of(double l, double r) {
            return switch (op) {
                case MULTIPLY -> l * r;
                case DIVIDE -> l / r; // a true division, as the interpreter computes l·r^-1 (expr.QuotientEntry)
                case POWER -> PowerEntry.value(l, r);
                case ADD, SUBTRACT, MATMUL -> throw new IllegalStateException(op + " is a Chain or a MatMul");
            };
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] out = new double[size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = of(Op.broadcastValue(inputs.get(0), k), Op.broadcastValue(inputs.get(1), k));
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.arithmetic(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * A built-in of the primitive table or a user function, element by element (a scalar argument
     * broadcast); a primitive's omitted optional arguments are filled in as {@link Atom}s.
     */
    record Apply(Fn fn, List<Op> args, List<Integer> shape) implements Op {
        public Apply {
            args = List.copyOf(args);
            shape = List.copyOf(shape);
        }

        @Override public List<Op> inputs() { return args; }

        @Override public boolean broadcasts() { return true; }

        @Override
        public Expr element(int k, Inputs inputs) {
            List<Expr> elementArgs = new ArrayList<>(args.size());
            for (int i = 0; i < args.size(); i++) {
                elementArgs.add(inputs.element(i, Op.broadcastIndex(args.get(i), k)));
            }
            return Exprs.apply(fn, elementArgs);
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            Op.reachesBroadcast(this, args.get(input), k, out);
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] out = new double[size()];
            double[] a = new double[args.size()];
            for (int k = 0; k < out.length; k++) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = Op.broadcastValue(inputs.get(i), k);
                }
                out[k] = fn.value(a);
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.apply(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    // ------------------------------------------------------------ vector ops

    /**
     * {@code A @ v} (A [m,n], v [n]: shape [m]) or {@code A @ B} (B [n,p]: shape [m,p]). Element
     * (i, c) is one {@link Exprs#add(List)} of the n products, so a wide layer costs time linear in
     * its size.
     */
    record MatMul(Op left, Op right, List<Integer> shape) implements Op {
        public MatMul {
            shape = List.copyOf(shape);
        }

        @Override public List<Op> inputs() { return List.of(left, right); }

        /** The columns of the result: 1 for {@code A @ v}. */
        private int columns() {
            return right.shape().size() == 2 ? right.shape().get(1) : 1;
        }

        @Override
        public Expr element(int k, Inputs inputs) {
            int n = left.shape().get(1);
            int p = columns();
            int i = k / p;
            int c = k % p;
            List<Expr> terms = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                terms.add(Exprs.mul(inputs.element(0, i * n + j), inputs.element(1, j * p + c)));
            }
            return Exprs.add(terms);
        }

        /** A's element (i, j) enters row i of the result, B's element (j, c) column c. */
        @Override
        public void reaches(int input, int k, IntConsumer out) {
            int m = left.shape().get(0);
            int n = left.shape().get(1);
            int p = columns();
            if (input == 0) {
                int i = k / n;
                for (int c = 0; c < p; c++) {
                    out.accept(i * p + c);
                }
            } else {
                int c = k % p;
                for (int i = 0; i < m; i++) {
                    out.accept(i * p + c);
                }
            }
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] l = inputs.get(0);
            double[] r = inputs.get(1);
            int m = left.shape().get(0);
            int n = left.shape().get(1);
            int p = columns();
            double[] out = new double[m * p];
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < p; c++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += l[i * n + j] * r[j * p + c];
                    }
                    out[i * p + c] = s;
                }
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.matMul(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * An entry of the {@link Reduction} table: {@code sum(v)}, {@code mean(v)} (one argument) or a
     * loss of a prediction and a target ({@code mse}, {@code cross_entropy}, …, a scalar side
     * broadcast): the entry's term of each element, summed. {@code at} is where the function's
     * name is written (a reduction the element view makes a vertex is defined there).
     */
    record Reduce(Reduction reduction, List<Op> args, Ast.Pos at) implements Op {
        public Reduce {
            args = List.copyOf(args);
        }

        @Override public List<Integer> shape() { return List.of(); }

        @Override public List<Op> inputs() { return args; }

        /** A loss combines its two arguments element by element; sum and mean take one. */
        @Override public boolean broadcasts() { return reduction.isLoss(); }

        /** The number of elements summed. */
        public int elements() {
            List<Integer> shape = List.of();
            for (Op a : args) {
                shape = a.isScalar() ? shape : a.shape();
            }
            return Shapes.size(shape);
        }

        @Override
        public Expr element(int index, Inputs inputs) {
            int n = elements();
            List<Expr> terms = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                if (!reduction.isLoss()) {
                    terms.add(inputs.element(0, k)); // a term of sum and mean is the element itself
                } else {
                    terms.add(reduction.term(List.of(inputs.element(0, Op.broadcastIndex(args.get(0), k)),
                            inputs.element(1, Op.broadcastIndex(args.get(1), k)))));
                }
            }
            return reduction.total(terms, n);
        }

        @Override public void reaches(int input, int k, IntConsumer out) { out.accept(0); }

        /** The terms by the interpreter (each entry's term over two stand-in symbols), summed from 0; then the total's sign and 1/n. */
        @Override
        public double[] forward(List<double[]> inputs) {
            int n = elements();
            Sym p = Exprs.sym("p", SymKind.LOCAL);
            Sym y = Exprs.sym("y", SymKind.LOCAL);
            Expr term = reduction.isLoss() ? reduction.term(List.of(p, y)) : p;
            double[] at = new double[2];
            double s = 0;
            for (int k = 0; k < n; k++) {
                at[0] = Op.broadcastValue(inputs.get(0), k);
                at[1] = reduction.isLoss() ? Op.broadcastValue(inputs.get(1), k) : 0;
                s += Evaluator.evaluate(term, x -> x == p ? at[0] : at[1]);
            }
            double total = s;
            return new double[] {Evaluator.evaluate(reduction.total(List.of(p), n), x -> total)};
        }

        @Override public <R> R accept(Visitor<R> v) { return v.reduce(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * {@code softmax(z)} or {@code log_softmax(z)} of a vector: element j is
     * {@code Apply(VectorElement(f, j, n), [z1 … zn])}, so every element of z feeds every output.
     */
    record VectorFunction(VectorPrimitive function, Op argument, List<Integer> shape) implements Op {
        public VectorFunction(VectorPrimitive function, Op argument) {
            this(function, argument, argument.shape());
        }

        @Override public List<Op> inputs() { return List.of(argument); }

        @Override
        public Expr element(int j, Inputs inputs) {
            int n = argument.size();
            List<Expr> z = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                z.add(inputs.element(0, k));
            }
            return Exprs.apply(new VectorElement(function, j, n), z);
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            for (int j = 0; j < size(); j++) {
                out.accept(j);
            }
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            double[] z = inputs.get(0);
            double[] out = new double[z.length];
            for (int j = 0; j < z.length; j++) {
                out[j] = new VectorElement(function, j, z.length).value(z);
            }
            return out;
        }

        @Override public <R> R accept(Visitor<R> v) { return v.vectorFunction(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /** {@code x[i]} or {@code W[i,j]}: one element of a named vector, at row-major position {@code flat}. */
    record Index(Op target, int flat) implements Op {
        @Override public List<Integer> shape() { return List.of(); }

        @Override public List<Op> inputs() { return List.of(target); }

        @Override public Expr element(int k, Inputs inputs) { return inputs.element(0, flat); }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            if (k == flat) {
                out.accept(0);
            }
        }

        @Override public double[] forward(List<double[]> inputs) { return new double[] {inputs.get(0)[flat]}; }

        @Override public <R> R accept(Visitor<R> v) { return v.index(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /**
     * Where an expression had an error (already reported): a stand-in of the shape the analysis
     * goes on with. A graph with one is never expanded or lowered, since the file is rejected.
     */
    record Invalid(List<Integer> shape) implements Op {
        public Invalid {
            shape = List.copyOf(shape);
        }

        @Override public List<Op> inputs() { return List.of(); }

        @Override
        public Expr element(int k, Inputs inputs) {
            throw new IllegalStateException("an expression with an error is never expanded");
        }

        @Override
        public void reaches(int input, int k, IntConsumer out) {
            throw new IllegalStateException("an expression with an error has no elements");
        }

        @Override
        public double[] forward(List<double[]> inputs) {
            throw new IllegalStateException("an expression with an error is never evaluated");
        }

        @Override public <R> R accept(Visitor<R> v) { return v.invalid(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }
}
