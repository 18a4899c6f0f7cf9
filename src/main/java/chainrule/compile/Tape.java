package chainrule.compile;

import chainrule.diff.Differentiator;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.model.Network;
import chainrule.model.SigmoidLogs;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network's loss and gradient as straight-line code over one flat {@code double[]} work array:
 * the forward pass (each node of the interned expression DAG computed once, so shared
 * subexpressions are computed once), then reverse accumulation.
 *
 * <p>Layout of the work array: the declared names first, in declaration order (the caller writes
 * their values there), then a slot per computed node, then a slot per adjoint. The gradient is
 * written to a separate array indexed like {@link Network#parameters()}.
 *
 * <p>Reverse accumulation uses the adjoint rule of each expression node: for a node {@code n} with
 * child {@code c}, {@code δc += δn · ∂n/∂c}. The local partial {@code ∂n/∂c} is itself an
 * expression over the node's children and the node, taken from
 * {@link Differentiator#numericLocalPartial} (the one chain rule; a built-in's partial is the
 * primitive table's numeric column); it is lowered into steps like any other expression and shares
 * slots with the forward pass (σ′ = σ·σ(−x) reads σ's slot). Defined names and user functions are inlined, so
 * the steps mention only declared names and built-ins.
 */
public final class Tape {
    /** Longest sum or product in one step; longer ones continue in further steps (bounded method size). */
    static final int MAX_OPERANDS = 64;

    private final Network network;
    private final List<Vertex> declared = new ArrayList<>();
    private final Map<Sym, Integer> declaredIndex = new HashMap<>();
    private final Map<Expr, Expr> canonical = new HashMap<>();
    private final Map<Expr, Integer> slots = new HashMap<>();
    private final Map<Expr, Integer> adjoints = new HashMap<>();
    private final Map<Sym, Integer> gradientIndex = new HashMap<>();
    private final Set<Sym> gradientWritten = new HashSet<>();
    private final Map<Expr, Integer> uses = new HashMap<>();
    private final Set<Expr> usedOutsideSums = new HashSet<>();
    private final Map<Expr, List<Expr>> fused = new HashMap<>();
    private final Map<Expr, Expr> divisors = new HashMap<>();
    private final Set<Expr> active = new HashSet<>();
    private final List<Expr> computed = new ArrayList<>();
    private final List<Step> forward = new ArrayList<>();
    private final List<Step> reverse = new ArrayList<>();
    private final List<Expr> kinkArguments = new ArrayList<>();
    private final Map<Integer, String> slotNames = new LinkedHashMap<>();
    private List<Step> current = forward;
    private int slotCount;
    private Expr loss;

    private final SigmoidLogs sigmoidLogs;

    private Tape(Network network) {
        this.network = network;
        this.sigmoidLogs = SigmoidLogs.of(network);
    }

    /** Builds the tape of {@code network}'s loss and its gradient with respect to every parameter. */
    public static Tape of(Network network) {
        Tape t = new Tape(network);
        t.build();
        return t;
    }

    private void build() {
        for (Vertex v : network.vertices()) {
            if (v.kind().isDeclared()) {
                declaredIndex.put(v.symbol(), declared.size());
                slots.put(v.symbol(), declared.size());
                slotNames.put(declared.size(), v.name());
                declared.add(v);
                if (v.kind().isParameter()) {
                    active.add(v.symbol());
                }
            }
        }
        slotCount = declared.size();
        List<Vertex> params = network.parameters();
        for (int i = 0; i < params.size(); i++) {
            gradientIndex.put(params.get(i).symbol(), i);
        }
        countUses(canonical(network.loss().symbol()), new HashSet<>());
        for (Vertex v : network.definitions()) {
            Expr c = lower(v.symbol());
            Integer slot = slots.get(c);
            if (slot != null) {
                slotNames.putIfAbsent(slot, v.name());
            }
        }
        loss = lower(network.loss().symbol());
        current = reverse;
        seedAndPropagate();
        for (int i = 0; i < params.size(); i++) {
            if (!gradientWritten.contains(params.get(i).symbol())) {
                reverse.add(new Step(Step.Kind.GRADIENT, i, true, null, List.of(), -1));
            }
        }
    }

    /** How often each node of the forward DAG is used, and whether by anything but a sum. */
    private void countUses(Expr node, Set<Expr> seen) {
        if (!seen.add(node)) {
            return;
        }
        for (Expr child : node.children()) {
            Expr c = canonical(child);
            uses.merge(c, 1, Integer::sum);
            if (!(node instanceof Sum)) {
                usedOutsideSums.add(c);
            }
            countUses(c, seen);
        }
    }

    /**
     * A product used once, as a term of a sum, is computed inside the sum's step (no slot of its
     * own), and its adjoint is the sum's: a layer's {@code w1*x1 + w2*x2 + b} becomes one step
     * forward and one step per weight backward, as hand-written code would do it.
     */
    private boolean fusable(Expr c) {
        return c instanceof Product p && p.factors().size() <= 4 && uses.getOrDefault(c, 0) == 1
                && !usedOutsideSums.contains(c) && !slots.containsKey(c) && current == forward;
    }

    private void seedAndPropagate() {
        if (!active.contains(loss)) {
            return;
        }
        Target seed = target(loss);
        reverse.add(new Step(Step.Kind.ADJOINT_SEED, seed.index(), seed.intoGradient(), null, List.of(), -1));
        for (int i = computed.size() - 1; i >= 0; i--) {
            Expr n = computed.get(i);
            Integer from = adjoints.get(n);
            if (from == null) {
                continue;
            }
            List<Expr> children = n.children();
            for (int k = 0; k < children.size(); k++) {
                Expr child = canonical(children.get(k));
                if (fused.containsKey(child)) {
                    // Its adjoint is δn: propagate straight to its factors.
                    List<Expr> factors = child.children();
                    for (int j = 0; j < factors.size(); j++) {
                        propagateToFactor(child, j, from);
                    }
                } else if (QuotientEntry.divides(n)) {
                    propagateToFactor(n, k, from);
                } else {
                    int position = k;
                    contribute(child, () -> Differentiator.numericLocalPartial(n, position), from);
                }
            }
        }
    }

    /**
     * δ(factor k of {@code product}) += δ(slot from) · ∂product/∂factor; a denominator factor
     * {@code b^e} was never computed (the product divides by b: {@link QuotientEntry}), so its
     * share goes straight to b, by the chain rule through the power: {@code e·product/b}, which for
     * {@code a/b} is {@code -a·b^-2}, computed as {@code -(a/b)/b} (never {@code -a·(1/b)²}).
     */
    private void propagateToFactor(Expr product, int k, int from) {
        Expr factor = product.children().get(k);
        if (QuotientEntry.isDenominator(factor)) {
            contribute(canonical(((chainrule.expr.Power) factor).base()),
                    () -> Differentiator.numericLocalPartialThroughPower(product, k), from);
        } else {
            contribute(canonical(factor), () -> Differentiator.numericLocalPartial(product, k), from);
        }
    }

    /** δchild += δ(slot from) · partial; a sole use through a sum shares the sum's adjoint instead. */
    private void contribute(Expr child, java.util.function.Supplier<Expr> partial, int from) {
        if (!active.contains(child)) {
            return;
        }
        Expr local = partial.get();
        Expr factor;
        if (QuotientEntry.isDenominator(local)) {
            // δ·b^-n is δ divided by b n times (QuotientEntry), never δ·(1/b): 1/b overflows for a
            // subnormal b where δ/b may be finite (the numerator of a/b has the partial b^-1)
            factor = local;
            divisors.put(local, lower(QuotientEntry.operand(local)));
        } else {
            factor = lower(local);
        }
        boolean soleUse = uses.getOrDefault(child, 0) == 1 && !(child instanceof Sym);
        if (factor == Exprs.ONE && soleUse && !adjoints.containsKey(child)) {
            adjoints.put(child, from);
            return;
        }
        boolean first = child instanceof Sym s && gradientIndex.containsKey(s)
                ? !gradientWritten.contains(s) : !adjoints.containsKey(child);
        Target to = target(child);
        reverse.add(new Step(first ? Step.Kind.ADJOINT_SET : Step.Kind.ADJOINT_ADD, to.index(), to.intoGradient(),
                null, List.of(factor), from));
    }

    private int adjointSlot(Expr e) {
        return adjoints.computeIfAbsent(e, k -> slotCount++);
    }

    /** Where an adjoint accumulates: a parameter's in the gradient array, anything else's in a slot. */
    private record Target(int index, boolean intoGradient) {}

    private Target target(Expr e) {
        if (e instanceof Sym s && gradientIndex.containsKey(s)) {
            gradientWritten.add(s);
            return new Target(gradientIndex.get(s), true);
        }
        return new Target(adjointSlot(e), false);
    }

    /** What an expression means here: defined names and user functions are replaced by their bodies. */
    private Expr canonical(Expr e) {
        Expr c = canonical.get(e);
        if (c != null) {
            return c;
        }
        c = e;
        if (e instanceof Sym s && !declaredIndex.containsKey(s)) {
            Vertex v = network.vertex(s);
            c = canonical(v.definition());
        } else if (e instanceof Apply a && a.fn() instanceof UserFunction f) {
            c = canonical(f.inline(a.args()));
        } else if (e instanceof Apply a && a.fn() == Primitive.LOG && a.arg(0) instanceof Sym || e instanceof Apply b && b.fn() == Primitive.LOG && b.arg(0) instanceof Sum) {
            // log(p), log(1 - p) of a sigmoid vertex p: from p's pre-activation (model.SigmoidLogs)
            Expr s = sigmoidLogs.stableLog((Apply) e);
            if (s != null) {
                c = canonical(s);
            }
        }
        canonical.put(e, c);
        return c;
    }

    /**
     * Appends the steps that compute {@code e} (those not already computed) and returns the
     * canonical expression whose slot holds its value, or a {@link Num}.
     */
    private Expr lower(Expr e) {
        Expr c = canonical(e);
        if (c instanceof Num || slots.containsKey(c) || fused.containsKey(c)) {
            // a product already computed inside a sum is read from its factors (as -y·… is, when
            // the same product is a partial in reverse): no second, unused slot
            return c;
        }
        List<Expr> children = QuotientEntry.operands(c); // a quotient reads its divisors, not their reciprocals
        List<Expr> operands = new ArrayList<>(children.size());
        boolean isActive = false;
        for (Expr child : children) {
            Expr o = c instanceof Sum && fusable(canonical(child)) ? lowerFused(canonical(child)) : lower(child);
            operands.add(o);
            isActive |= active.contains(o);
        }
        int slot = slotCount++;
        slots.put(c, slot);
        if (isActive) {
            active.add(c);
        }
        emitValue(c, slot, operands);
        if (current == forward) {
            computed.add(c);
            if (c instanceof Apply a && a.fn() instanceof Primitive p && p.kinkArgument() >= 0) {
                kinkArguments.add(operands.get(p.kinkArgument())); // the table's kink fact
            }
        }
        return c;
    }

    /** Lowers a fusable product's factors; the product itself gets no slot (see {@link #fusable}). */
    private Expr lowerFused(Expr product) {
        List<Expr> factors = new ArrayList<>();
        boolean isActive = false;
        for (Expr f : QuotientEntry.operands(product)) {
            Expr o = lower(f);
            factors.add(o);
            isActive |= active.contains(o);
        }
        fused.put(product, List.copyOf(factors));
        if (isActive) {
            active.add(product);
        }
        return product;
    }

    private void emitValue(Expr c, int slot, List<Expr> operands) {
        // a quotient is one step however long (its divisions come after every factor: QuotientEntry)
        if (operands.size() <= MAX_OPERANDS || !(c instanceof Sum || c instanceof Product) || QuotientEntry.divides(c)) {
            current.add(new Step(Step.Kind.VALUE, slot, false, c, operands, -1));
            return;
        }
        Step.Kind more = c instanceof Sum ? Step.Kind.MORE_TERMS : Step.Kind.MORE_FACTORS;
        current.add(new Step(Step.Kind.VALUE, slot, false, c, operands.subList(0, MAX_OPERANDS), -1));
        for (int i = MAX_OPERANDS; i < operands.size(); i += MAX_OPERANDS) {
            current.add(new Step(more, slot, false, c, operands.subList(i, Math.min(operands.size(), i + MAX_OPERANDS)), -1));
        }
    }

    public Network network() { return network; }

    /** The declared names, in the order of the first slots of the work array. */
    public List<Vertex> declared() { return Collections.unmodifiableList(declared); }

    /** Size of the work array. */
    public int slotCount() { return slotCount; }

    /** The slot holding {@code e}'s value ({@code e} as returned in steps' operands), or -1 for a constant. */
    public int slot(Expr e) {
        Integer s = slots.get(e);
        return s == null ? -1 : s;
    }

    /** Steps of the forward pass; after them the loss is in {@link #loss()}. */
    public List<Step> forward() { return Collections.unmodifiableList(forward); }

    /** Steps of reverse accumulation, ending with the gradient entries. */
    public List<Step> reverse() { return Collections.unmodifiableList(reverse); }

    /** The loss: a slot's expression or a constant. */
    public Expr loss() { return loss; }

    /** The arguments whose zero is a kink ({@link Primitive#kinkArgument}: relu, leaky_relu, abs). */
    public List<Expr> kinkArguments() { return Collections.unmodifiableList(kinkArguments); }

    /**
     * The factors of a product computed inside the sum that uses it (an operand with no slot of
     * its own), or null when {@code operand} is not such a product.
     */
    public List<Expr> fusedFactors(Expr operand) {
        return fused.get(operand);
    }

    /**
     * The lowered divisor of an adjoint step's factor that is a lone denominator power
     * ({@link QuotientEntry#isDenominator}): the step computes {@code δ·b^-n} as {@code δ} divided
     * {@link QuotientEntry#divisions} times by it, never as {@code δ·(1/b)}; null for any other factor.
     */
    public Expr divisor(Expr adjointFactor) {
        return divisors.get(adjointFactor);
    }

    /**
     * The adjoint {@code delta} times an adjoint step's {@code factor}, computed by {@code ops} as
     * the quotient rule does: {@code delta / b / ...} for a lone denominator power ({@link #divisor};
     * {@code ops.operand(0)} is then b's value), else {@code delta * factor} ({@code ops.operand(0)}
     * the factor's value).
     */
    public <T> T adjointProduct(T delta, Expr factor, QuotientEntry.Operations<T> ops) {
        Expr divisor = divisors.get(factor);
        if (divisor == null) {
            return ops.times(delta, ops.operand(0));
        }
        T acc = delta;
        for (int d = QuotientEntry.divisions(factor); d > 0; d--) {
            acc = ops.over(acc, ops.operand(0));
        }
        return acc;
    }

    /** Operands read by a step, counting each factor of a fused product. */
    public int operandCount(Step s) {
        int n = 0;
        for (Expr o : s.operands()) {
            List<Expr> f = fused.get(o);
            n += f == null ? 1 : f.size();
        }
        return n;
    }

    /** The name of the vertex a slot holds, if it holds one (for readable generated source). */
    public String slotName(int slot) { return slotNames.get(slot); }

    /** The value of an operand after the forward pass has run on {@code work}. */
    public double read(double[] work, Expr operand) {
        if (operand instanceof Num n) {
            return n.value();
        }
        List<Expr> factors = fused.get(operand);
        if (factors == null) {
            return work[slot(operand)];
        }
        return foldFused(operand, new QuotientEntry.Operations<Double>() {
            @Override public Double one() { return 1.0; }

            @Override public Double operand(int k) { return read(work, factors.get(k)); }

            @Override public Double times(Double a, Double b) { return a * b; }

            @Override public Double over(Double a, Double b) { return a / b; }
        });
    }

    /**
     * A fused product (see {@link #fusedFactors}) computed by {@code ops}: its lowered factors
     * multiplied in order, or, when it divides, by the quotient rule ({@link QuotientEntry}; its
     * fused factors are then the divisors). {@code ops.operand(k)} is fused factor k.
     */
    public <T> T foldFused(Expr operand, QuotientEntry.Operations<T> ops) {
        List<Expr> factors = fused.get(operand);
        if (QuotientEntry.divides(operand)) {
            return QuotientEntry.fold((Product) operand, ops);
        }
        T acc = ops.operand(0);
        for (int k = 1; k < factors.size(); k++) {
            acc = ops.times(acc, ops.operand(k));
        }
        return acc;
    }
}
