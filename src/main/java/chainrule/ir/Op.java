package chainrule.ir;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.SymKind;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.List;

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
     * of {@link #inputs}; a scalar input has one). A leaf gives its element symbols.
     */
    List<Expr> expand(List<List<Expr>> inputs);

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

        @Override public List<Expr> expand(List<List<Expr>> inputs) { return List.of(expr); }

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

        @Override
        public List<Expr> expand(List<List<Expr>> inputs) {
            List<Expr> x = inputs.get(0);
            List<Expr> out = new ArrayList<>(x.size());
            for (Expr e : x) {
                out.add(Exprs.neg(e));
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
        public List<Expr> expand(List<List<Expr>> inputs) {
            int n = size();
            List<Expr> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                List<Expr> elementTerms = new ArrayList<>(terms.size());
                for (int i = 0; i < terms.size(); i++) {
                    Expr e = Shapes.broadcast(inputs.get(i), k);
                    elementTerms.add(subtracted.get(i) ? Exprs.neg(e) : e);
                }
                out.add(Exprs.add(elementTerms));
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
        public List<Expr> expand(List<List<Expr>> inputs) {
            int n = size();
            List<Expr> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(of(Shapes.broadcast(inputs.get(0), k), Shapes.broadcast(inputs.get(1), k)));
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
        public List<Expr> expand(List<List<Expr>> inputs) {
            int n = size();
            List<Expr> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                List<Expr> elementArgs = new ArrayList<>(inputs.size());
                for (List<Expr> a : inputs) {
                    elementArgs.add(Shapes.broadcast(a, k));
                }
                out.add(Exprs.apply(fn, elementArgs));
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

        @Override
        public List<Expr> expand(List<List<Expr>> inputs) {
            List<Expr> l = inputs.get(0);
            List<Expr> r = inputs.get(1);
            int m = left.shape().get(0);
            int n = left.shape().get(1);
            int p = right.shape().size() == 2 ? right.shape().get(1) : 1;
            List<Expr> out = new ArrayList<>(m * p);
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < p; c++) {
                    List<Expr> terms = new ArrayList<>(n);
                    for (int j = 0; j < n; j++) {
                        terms.add(Exprs.mul(l.get(i * n + j), r.get(j * p + c)));
                    }
                    out.add(Exprs.add(terms));
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
        public List<Expr> expand(List<List<Expr>> inputs) {
            int n = elements();
            if (!reduction.isLoss()) {
                return List.of(reduction.total(inputs.get(0), n)); // a term of sum and mean is the element itself
            }
            List<Expr> terms = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                terms.add(reduction.term(List.of(Shapes.broadcast(inputs.get(0), k), Shapes.broadcast(inputs.get(1), k))));
            }
            return List.of(reduction.total(terms, n));
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
        public List<Expr> expand(List<List<Expr>> inputs) {
            List<Expr> z = inputs.get(0);
            List<Expr> out = new ArrayList<>(z.size());
            for (int j = 0; j < z.size(); j++) {
                out.add(Exprs.apply(new VectorElement(function, j, z.size()), z));
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

        @Override public List<Expr> expand(List<List<Expr>> inputs) { return List.of(inputs.get(0).get(flat)); }

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
        public List<Expr> expand(List<List<Expr>> inputs) {
            throw new IllegalStateException("an expression with an error is never expanded");
        }

        @Override public <R> R accept(Visitor<R> v) { return v.invalid(this); }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }
}
