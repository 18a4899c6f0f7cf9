package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Product;
import chainrule.expr.Substitution;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.TextPrinter;
import chainrule.expr.VectorElement;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared reductions of an element view ({@code v.mean}, see docs/design.md) folded back into
 * the language's own call, for printing the spec's merged edges: a factor that goes through
 * {@code v.mean} is written with {@code mean(x)}, as the user wrote it and as a textbook does
 * ({@code 2·(x[1] - mean(x))/874}), not with the mean written out element by element (875 terms
 * per edge of an 875-value variance).
 *
 * <p>The call is read off the reduction's definition, not its name: its terms, grouped by the one
 * element index each mentions, must be {@code E} at indices 1 … n of vectors of n elements (
 * {@link VectorElement#commonArgument}), so that the definition is exactly {@code sum(E)}, or
 * {@code E/n} at each index, so that it is exactly {@code mean(E)} (of the two, the shorter
 * argument). A definition of another shape is not folded (a merged factor then writes it out, as
 * before). A shared reduction that uses another ({@code mean((h - mean(h))²)}) folds it inside.
 *
 * <p>The folded call is a symbol named as plain text writes the call ({@code mean(w^2)}; no
 * identifier of the language has parentheses), which {@link Values} gives the shared vertex's
 * value, pretty text writes {@code mean(w²)}, and whose function and argument {@link #call} gives
 * back to printers that write it otherwise (LaTeX's {@code \operatorname{mean}(x)}).
 *
 * <p>The same rule folds a reduction that the element view does not share, one used as a plain
 * scalar ({@code v = sum(w^2) * mean(w)}): {@link #inline} gives a definition with each reduction
 * of at least {@link #FOLDED_ABOVE} elements inside it as its call, which the path graph derives
 * through (the chain rule over the calls), so that every printed factor and closed form names it
 * ({@code 2·w[1]·mean(w) + mean(w²)}) instead of listing its terms; below 16 elements nothing
 * changes.
 */
public final class FoldedReductions {
    /** A folded call: {@code mean} or {@code sum} of {@code argument}, an expression of whole vectors. */
    public record Call(String function, Expr argument) {}

    /**
     * Every folded symbol made so far, to its call. A symbol's name is its call as printed, so the
     * entry of a name never changes: this only remembers how to print it in other forms.
     */
    private static final Map<Sym, Call> CALLS = new ConcurrentHashMap<>();

    private static final Pattern ELEMENT = Pattern.compile("(.+)\\[([0-9]+)\\]");


    /** The call {@code s} stands for, if it is a folded reduction's symbol. */
    public static Optional<Call> call(Sym s) {
        return Optional.ofNullable(CALLS.get(s));
    }

    /** Each recognised shared reduction's symbol to its folded symbol (see {@link #of}). */
    private final Map<Expr, Expr> calls;
    /** Every shared reduction that is a sum of terms with one coefficient, for {@link #foldSums}. */
    private final List<Linear> linear;

    private FoldedReductions(Map<Expr, Expr> calls, List<Linear> linear) {
        this.calls = calls;
        this.linear = linear;
    }

    /**
     * A shared reduction {@code m} defined as {@code a·(t[1] + … + t[n])}: the terms by their index
     * in the sum, so that a sum holding most of them can be written with {@code m}.
     */
    private record Linear(Expr symbol, Num coefficient, Map<Expr, Integer> terms, List<Expr> inOrder) {}

    /**
     * The shared reductions of {@code network}: {@link #calls()} for those whose definition is a
     * {@code sum} or {@code mean} of vectors' elements (see the class comment); nothing for a
     * network without shared reductions.
     */
    static FoldedReductions of(Network network) {
        synchronized (SHARED) {
            FoldedReductions known = SHARED.get(network);
            if (known != null) {
                return known;
            }
        }
        FoldedReductions made = made(network);
        synchronized (SHARED) {
            SHARED.put(network, made);
        }
        return made;
    }

    private static final Map<Network, FoldedReductions> SHARED = new java.util.WeakHashMap<>();

    /**
     * Each shared reduction's vertex to its call. A vertex is compared by its name and definition,
     * which decide the call, so one entry serves every network that has it; held weakly.
     */
    private static final Map<Vertex, Sym> SHARED_CALLS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * The call a shared reduction's vertex is printed as ({@code mean(h)} for {@code L.mean}), once
     * its network's reductions have been folded; empty for any other vertex.
     */
    public static Optional<Sym> callOf(Vertex v) {
        return v.group().origin() == VertexGroup.Origin.SHARED_REDUCTION ? Optional.ofNullable(SHARED_CALLS.get(v)) : Optional.empty();
    }

    private static FoldedReductions made(Network network) {
        Map<Expr, Expr> out = new LinkedHashMap<>();
        List<Linear> linear = new ArrayList<>();
        for (Vertex v : network.vertices()) { // topological: a reduction's own ones come first
            if (v.group().origin() == VertexGroup.Origin.SHARED_REDUCTION && v.isDefined()) {
                Sym folded = fold(Substitution.replace(v.definition(), out), network, 2, Map.of());
                if (folded != null) {
                    out.put(v.symbol(), folded);
                    synchronized (SHARED_CALLS) {
                        // the newest equal vertex as the key: a weak map keeps the first key put
                        // and would drop the entry with the network that made it
                        SHARED_CALLS.remove(v);
                        SHARED_CALLS.put(v, folded);
                    }
                }
                Linear l = linear(v.symbol(), v.definition());
                if (l != null) {
                    linear.add(l);
                }
            }
        }
        return new FoldedReductions(out, linear);
    }

    /** Each shared reduction's symbol to the symbol of its call ({@code mean(x)}), for those recognised. */
    Map<Expr, Expr> calls() { return calls; }

    /** The terms of a sum or of a number times a sum. */
    private static List<Expr> terms(Expr definition) {
        List<Expr> terms = new ArrayList<>();
        if (definition instanceof Sum s) {
            terms.addAll(s.terms());
        } else if (definition instanceof Product p && p.factors().size() == 2
                && p.factors().get(0) instanceof Num c && p.factors().get(1) instanceof Sum s) {
            for (Expr t : s.terms()) {
                terms.add(Exprs.mul(c, t));
            }
        } else {
            return null;
        }
        return terms;
    }

    /** {@code t} as its number times the rest: {@code h[2]/16} is 1/16 times {@code h[2]}. */
    private static Expr[] split(Expr t) {
        if (t instanceof Product p && p.factors().get(0) instanceof Num c) {
            return new Expr[] {c, Exprs.mul(p.factors().subList(1, p.factors().size()))};
        }
        return new Expr[] {Exprs.ONE, t};
    }

    private static Linear linear(Expr symbol, Expr definition) {
        List<Expr> terms = terms(definition);
        if (terms == null || terms.size() < 2) {
            return null;
        }
        Num a = null;
        Map<Expr, Integer> index = new java.util.HashMap<>();
        List<Expr> inOrder = new ArrayList<>();
        for (Expr t : terms) {
            Expr[] cr = split(t);
            if (a != null && !cr[0].equals(a) || index.containsKey(cr[1])) {
                return null;
            }
            a = (Num) cr[0];
            index.put(cr[1], inOrder.size());
            inOrder.add(cr[1]);
        }
        return a.isZero() ? null : new Linear(symbol, a, index, inOrder);
    }

    /**
     * {@code e} with every sum that holds more than half the terms of a shared reduction
     * {@code m = a·(t[1] + … + t[n])}, each times one number c, written with m instead:
     * {@code c·t[2] + … + c·t[n]} is {@code c·m/a − c·t[1]}. Where a merged factor's routes leave
     * {@code h[2]/16 + … + h[16]/16 − 15·m/16} (a layer norm), that is {@code (m − h[1])/16}. An
     * identity, since m is that sum.
     */
    Expr foldSums(Expr e) {
        if (linear.isEmpty()) {
            return e;
        }
        java.util.function.Function<Expr, Expr> lookup = new java.util.function.Function<>() {
            @Override
            public Expr apply(Expr x) {
                if (!(x instanceof Sum s)) {
                    return null;
                }
                List<Expr> terms = new ArrayList<>(s.terms().size());
                for (Expr t : s.terms()) {
                    terms.add(Substitution.replace(t, this));
                }
                Expr out = Exprs.add(terms);
                for (Linear l : linear) {
                    out = foldSum(out, l);
                }
                return out;
            }
        };
        return Substitution.replace(e, lookup);
    }

    private static Expr foldSum(Expr e, Linear l) {
        if (!(e instanceof Sum s) || s.terms().size() * 2 <= l.inOrder().size()) {
            return e;
        }
        // the terms that are c·t[k], by c
        Map<Expr, List<Integer>> byCoefficient = new LinkedHashMap<>();
        for (int i = 0; i < s.terms().size(); i++) {
            Expr[] cr = split(s.terms().get(i));
            if (l.terms().containsKey(cr[1])) {
                byCoefficient.computeIfAbsent(cr[0], k -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Expr, List<Integer>> c : byCoefficient.entrySet()) {
            if (c.getValue().size() * 2 <= l.inOrder().size()) {
                continue;
            }
            Num coefficient = (Num) c.getKey();
            boolean[] present = new boolean[l.inOrder().size()];
            java.util.Set<Integer> used = new java.util.HashSet<>(c.getValue());
            List<Expr> out = new ArrayList<>();
            for (int i = 0; i < s.terms().size(); i++) {
                if (used.contains(i)) {
                    present[l.terms().get(split(s.terms().get(i))[1])] = true;
                } else {
                    out.add(s.terms().get(i));
                }
            }
            out.add(Exprs.mul(coefficient.times(l.coefficient().reciprocal()), l.symbol()));
            for (int k = 0; k < present.length; k++) {
                if (!present[k]) {
                    out.add(Exprs.mul(coefficient.negate(), l.inOrder().get(k)));
                }
            }
            return Exprs.add(out);
        }
        return e;
    }

    /**
     * The fewest elements a reduction inside a definition must sum to be folded into its call
     * wherever a printed form would list its terms: the element view's own threshold for sharing
     * one ({@code model.ElementView.SHARED_REDUCTION}), so that a reduction is written out below
     * it, and by its call at and above it, whether the element view shares it or not.
     */
    public static final int FOLDED_ABOVE = 16;

    /**
     * A definition with each reduction of at least {@link #FOLDED_ABOVE} elements inside it (not
     * the definition itself, nor the sum its number multiplies, which no partial writes out) as
     * its call's symbol: {@code v = sum(w^2)*mean(w)} over 875 elements is the product of the
     * symbols {@code sum(w^2)} and {@code mean(w)}. {@code calls} gives each call's definition
     * (with the calls inside it as their symbols), inner ones first.
     */
    public record Inline(Expr definition, Map<Sym, Expr> calls) {
        /** Whether the definition holds no such reduction. */
        public boolean isEmpty() { return calls.isEmpty(); }
    }

    /** {@code definition} with its long reductions as their calls (see {@link Inline}). */
    public static Inline inline(Expr definition, Network network) {
        return inline(definition, network, true);
    }

    /**
     * {@link #inline(Expr, Network)}; {@code cancelling}: a reduction that the shared reductions
     * make a number (Σ(w[i] - L.mean)·… is 0) is that number, as derivatives take it; else every
     * reduction is its call as written (what a definition shows).
     */
    public static Inline inline(Expr definition, Network network, boolean cancelling) {
        Map<Sym, Expr> calls = new LinkedHashMap<>();
        Map<Expr, Expr> memo = new java.util.IdentityHashMap<>();
        Expr whole = definition instanceof Product p && p.factors().size() == 2
                && p.factors().get(0) instanceof Num && p.factors().get(1) instanceof Sum s ? s : null;
        java.util.function.Function<Expr, Expr> lookup = new java.util.function.Function<>() {
            @Override
            public Expr apply(Expr x) {
                if (!(x instanceof Sum) && !(x instanceof Product) || !mayHold(x)) {
                    return null;
                }
                Expr known = memo.get(x);
                if (known != null) {
                    return known;
                }
                Expr out;
                List<Expr> children = x instanceof Sum s ? s.terms() : ((Product) x).factors();
                List<Expr> replaced = new ArrayList<>(children.size());
                boolean changed = false;
                for (Expr c : children) {
                    Expr r = Substitution.replace(c, this);
                    changed |= r != c;
                    replaced.add(r);
                }
                if (x instanceof Sum) {
                    out = changed ? Exprs.add(replaced) : x;
                } else {
                    out = asMean(changed ? Exprs.mul(replaced) : x, calls, network);
                }
                if (x != definition && x != whole) {
                    if (out instanceof Sum s) {
                        // also a reduction among other terms (mean((w - mean(w))^2) + 0.00001
                        // under a square root), as written unless it cancels
                        Expr in = foldIn(s, network, calls, true, cancelling);
                        if (in != null) {
                            out = in;
                        }
                    } else {
                        Sym folded = fold(out, network, FOLDED_ABOVE, of(network).calls());
                        if (folded != null) {
                            calls.putIfAbsent(folded, out);
                            register(network, folded, out);
                            out = folded;
                        }
                    }
                }
                memo.put(x, out);
                return out;
            }
        };
        Expr d = mayHold(definition) ? Substitution.replace(definition, lookup) : definition;
        return calls.isEmpty() ? new Inline(definition, Map.of()) : new Inline(d, calls);
    }

    /**
     * A product {@code a·…·sum(E)·…} whose number a is k/n for a folded {@code sum(E)} of n
     * elements, written {@code k·…·mean(E)}: the normal form has moved mean's 1/n out of
     * {@code sum(w^2)*mean(w)} into the product's number. Of several such sums, the one with the
     * shortest argument ({@code mean(w)}, not {@code mean(w²)}), then the first.
     */
    private static Expr asMean(Expr product, Map<Sym, Expr> calls, Network network) {
        // a whole number stays with the sum the file wrote: 2·sum(h), not 32·mean(h)
        if (!(product instanceof Product p) || !(p.factors().get(0) instanceof Num a) || a.isInteger()) {
            return product;
        }
        Sym best = null;
        Call bestCall = null;
        int bestSize = 0;
        for (Expr f : p.factors()) {
            if (f instanceof Sym s && CALLS.get(s) != null && CALLS.get(s).function().equals("sum")) {
                Expr definition = calls.containsKey(s) ? calls.get(s) : definition(network, s.name());
                if (definition == null) {
                    continue;
                }
                Call c = CALLS.get(s);
                int n = elements(definition);
                if (n > 0 && a.times(Exprs.num(n)).isInteger()
                        && (best == null || c.argument().treeSize() < bestCall.argument().treeSize())) {
                    best = s;
                    bestCall = c;
                    bestSize = n;
                }
            }
        }
        if (best == null) {
            return product;
        }
        Sym mean = meanOf(bestCall);
        Expr sumDefinition = calls.containsKey(best) ? calls.get(best) : definition(network, best.name());
        Expr meanDefinition = Exprs.mul(Exprs.num(bestSize).reciprocal(), sumDefinition);
        calls.putIfAbsent(mean, meanDefinition);
        register(network, mean, meanDefinition);
        List<Expr> factors = new ArrayList<>(p.factors().size());
        factors.add(a.times(Exprs.num(bestSize)));
        for (Expr f : p.factors().subList(1, p.factors().size())) {
            factors.add(f == best ? mean : f);
        }
        return Exprs.mul(factors);
    }

    /**
     * {@code e} (a simplified partial of an {@link Inline} definition) with every product whose
     * number is k/n written with {@code mean} of one of its folded sums of n elements
     * ({@code sum(h)/16} is {@code mean(h)}; see {@link #asMean}).
     */
    static Expr withMeans(Expr e, Inline folded, Network network) {
        if (folded.isEmpty()) {
            return e;
        }
        Map<Sym, Expr> calls = new LinkedHashMap<>(folded.calls());
        return meansIn(e, calls, network);
    }

    /** {@code e} with every product, inner ones first, rewritten by {@link #asMean} (new calls into {@code calls}). */
    private static Expr meansIn(Expr e, Map<Sym, Expr> calls, Network network) {
        java.util.function.Function<Expr, Expr> lookup = new java.util.function.Function<>() {
            @Override
            public Expr apply(Expr x) {
                if (!(x instanceof Product p)) {
                    return null;
                }
                List<Expr> factors = new ArrayList<>(p.factors().size());
                for (Expr f : p.factors()) {
                    factors.add(Substitution.replace(f, this));
                }
                return asMean(Exprs.mul(factors), calls, network);
            }
        };
        return Substitution.replace(e, lookup);
    }

    /** The folded symbol of {@code mean} of a folded {@code sum}'s argument. */
    private static Sym meanOf(Call sum) {
        return callSymbol("mean", sum.argument());
    }

    /**
     * The symbol of a folded call: named as plain text writes the call ({@code mean(w^2)}, valid in
     * a .nn file and in JSON), written {@code mean(w²)} by pretty text and
     * {@code \operatorname{mean}} by LaTeX.
     */
    private static Sym callSymbol(String function, Expr argument) {
        Sym s = Exprs.sym(function + "(" + TextPrinter.plain().print(argument) + ")", SymKind.NODE);
        CALLS.putIfAbsent(s, new Call(function, argument));
        TextPrinter.prettyName(s, function + "(" + TextPrinter.pretty().print(argument) + ")");
        return s;
    }

    /** The number of element indices a folded reduction's definition sums over. */
    private static int elements(Expr definition) {
        Integer known = ELEMENTS.get(definition);
        if (known == null) {
            known = countElements(definition);
            ELEMENTS.put(definition, known);
        }
        return known;
    }

    /** {@link #elements} of definitions counted so far (asked for at every product beside a call). */
    private static final Map<Expr, Integer> ELEMENTS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static int countElements(Expr definition) {
        List<Expr> terms = terms(definition);
        if (terms == null) {
            return 0;
        }
        java.util.Set<Integer> indices = new java.util.HashSet<>();
        for (Expr t : terms) {
            for (Sym s : Symbols.free(t)) {
                Matcher m = ELEMENT.matcher(s.name());
                if (m.matches()) {
                    indices.add(Integer.parseInt(m.group(2)));
                }
            }
        }
        return indices.size();
    }

    /** Whether {@code e} is large enough to hold a reduction of {@link #FOLDED_ABOVE} elements. */
    private static boolean mayHold(Expr e) {
        return e.treeSize() >= FOLDED_ABOVE;
    }

    /** Each folded call inside {@code network}'s definitions ({@link #inline}) to its definition, inner ones first. */
    public static Map<Sym, Expr> inlineCalls(Network network) {
        synchronized (INLINE_CALLS) {
            Map<Sym, Expr> known = INLINE_CALLS.get(network);
            if (known != null) {
                return known;
            }
        }
        Map<Sym, Expr> out = new LinkedHashMap<>();
        for (Vertex v : network.vertices()) {
            if (v.isDefined() && v.group().origin() != VertexGroup.Origin.SHARED_REDUCTION) {
                for (Map.Entry<Sym, Expr> c : inline(v.definition(), network).calls().entrySet()) {
                    out.putIfAbsent(c.getKey(), c.getValue());
                }
            }
        }
        // each sum's mean too, which a partial may be written with (withMeans: sum(w²)/875 as mean(w²))
        for (Map.Entry<Sym, Expr> c : new ArrayList<>(out.entrySet())) {
            Call call = CALLS.get(c.getKey());
            int n = elements(c.getValue());
            if (call != null && call.function().equals("sum") && n > 0) {
                Sym mean = meanOf(call);
                out.putIfAbsent(mean, Exprs.mul(Exprs.num(n).reciprocal(), c.getValue()));
            }
        }
        for (Map.Entry<Sym, Expr> c : out.entrySet()) {
            register(network, c.getKey(), c.getValue());
        }
        synchronized (INLINE_CALLS) {
            INLINE_CALLS.put(network, out);
        }
        return out;
    }

    private static final Map<Network, Map<Sym, Expr>> INLINE_CALLS = new java.util.WeakHashMap<>();

    /**
     * The folded symbol of a reduction defined as {@code definition}, or null; named with the
     * shared reductions in its argument written as their calls ({@code naming}: mean(w), never
     * the element view's {@code L.mean}).
     */
    private static Sym fold(Expr definition, Network network, int fewest, Map<Expr, Expr> naming) {
        List<Expr> terms = terms(definition);
        if (terms == null || terms.size() < fewest) {
            return null;
        }
        return foldTerms(terms, network, fewest, naming);
    }

    /** {@link #fold} of a sum's terms. */
    private static Sym foldTerms(List<Expr> terms, Network network, int fewest, Map<Expr, Expr> naming) {
        // the terms by the one element index each mentions
        TreeMap<Integer, List<Expr>> byIndex = new TreeMap<>();
        for (Expr t : terms) {
            Integer index = null;
            for (Sym s : Symbols.free(t)) {
                Matcher m = ELEMENT.matcher(s.name());
                if (!m.matches()) {
                    continue; // a scalar, or another folded call
                }
                int k = Integer.parseInt(m.group(2));
                if (index != null && index != k) {
                    return null;
                }
                index = k;
            }
            if (index == null) {
                return null;
            }
            byIndex.computeIfAbsent(index, k -> new ArrayList<>(1)).add(t);
        }
        int n = byIndex.size();
        if (n < Math.max(2, fewest) || byIndex.firstKey() != 1 || byIndex.lastKey() != n) {
            return null;
        }
        List<Expr> sumArgs = new ArrayList<>(n);
        List<Expr> meanArgs = new ArrayList<>(n);
        for (List<Expr> group : byIndex.values()) {
            Expr arg = Exprs.add(group);
            sumArgs.add(arg);
            meanArgs.add(Exprs.mul(Exprs.num(n), arg));
        }
        Optional<Expr> sum = VectorElement.commonArgument(sumArgs);
        Optional<Expr> mean = VectorElement.commonArgument(meanArgs);
        String function;
        Expr argument;
        if (mean.isPresent() && (sum.isEmpty() || mean.get().treeSize() <= sum.get().treeSize())) {
            function = "mean";
            argument = mean.get();
        } else if (sum.isPresent()) {
            function = "sum";
            argument = sum.get();
        } else {
            return null;
        }
        // every vector of the argument has exactly the n elements summed (no term that was 0 left out)
        for (Sym s : Symbols.free(argument)) {
            if (CALLS.containsKey(s)) {
                continue;
            }
            Optional<VertexGroup> g = network.group(s.name());
            boolean elements = false;
            for (Expr a : sumArgs) {
                elements |= !Symbols.free(a).contains(s);
            }
            if (!elements) {
                continue; // a scalar the same in every term (a bias b, shared by every element)
            }
            if (g.isEmpty() || g.get().shape().size() != 1 || g.get().size() != n) {
                return null;
            }
        }
        return callSymbol(function, naming.isEmpty() ? argument : Substitution.replace(argument, naming));
    }

    /**
     * The one element index {@code t} mentions ({@code 3} for {@code c[3]·(w[3] - L.mean)}), 0 for
     * none (a number, a scalar, a folded call), -1 for several.
     */
    private static int indexOf(Expr t) {
        int index = 0;
        for (Sym s : Symbols.free(t)) {
            Matcher m = ELEMENT.matcher(s.name());
            if (!m.matches()) {
                continue;
            }
            int k = Integer.parseInt(m.group(2));
            if (index != 0 && index != k) {
                return -1;
            }
            index = k;
        }
        return index;
    }

    /**
     * {@code sum} with the long reduction among its terms written as its call, or null where
     * nothing changes. The terms that each mention one element index are the reduction's; the
     * others ({@code 0.00001} beside {@code mean((w - mean(w))^2)} under a square root) stay as
     * they are. The factors every such term shares, and their common number, are taken out first
     * ({@code Σ -(w[i] - L.mean)/(2·sqrt(s)³)} is {@code -sum(w - mean(w))/(2·sqrt(s)³)}), what is
     * left is written with the shared reductions it holds most of ({@link #foldSums}: Σ w[i] − n·L.mean
     * is 0), then folded ({@link #fold}: the terms grouped by index are {@code E} at 1 … n of
     * vectors of n). An identity at each step. Each new call goes into {@code calls} with its
     * definition, and into the network's registry ({@link #definition}) for its value.
     */
    static Expr foldIn(Sum sum, Network network, Map<Sym, Expr> calls, boolean asWritten, boolean cancelling) {
        List<Expr> indexed = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        for (Expr t : sum.terms()) {
            (indexOf(t) > 0 ? indexed : rest).add(t);
        }
        if (indexed.size() < FOLDED_ABOVE) {
            return null;
        }
        // the factors (and the number) every indexed term has
        List<Expr> common = null;
        Num coefficient = null;
        boolean sameCoefficient = true;
        for (Expr t : indexed) {
            Expr[] cr = split(t);
            if (coefficient == null) {
                coefficient = (Num) cr[0];
            } else if (!coefficient.equals(cr[0])) {
                sameCoefficient = false;
            }
            List<Expr> factors = cr[1] instanceof Product p ? p.factors() : List.of(cr[1]);
            if (common == null) {
                common = new ArrayList<>();
                for (Expr f : factors) {
                    if (indexOf(f) == 0) {
                        common.add(f);
                    }
                }
            } else {
                common.retainAll(factors);
            }
        }
        Num c = sameCoefficient ? coefficient : Exprs.ONE;
        List<Expr> stripped = new ArrayList<>(indexed.size());
        for (Expr t : indexed) {
            Expr[] cr = split(t);
            List<Expr> factors = new ArrayList<>(cr[1] instanceof Product p ? p.factors() : List.of(cr[1]));
            for (Expr f : common) {
                factors.remove(f);
            }
            factors.add(0, sameCoefficient ? Exprs.ONE : cr[0]);
            stripped.add(Exprs.mul(factors));
        }
        Expr written = Exprs.add(stripped);
        // what the shared reductions make of it (2·w[1] + … + 2·w[16] - 32·L.mean is 0)
        Expr inner = of(network).foldSums(written);
        if (asWritten) {
            if (cancelling && inner instanceof Num) {
                rest.add(0, times(c, common, inner, calls, network)); // it cancels
                Expr out = Exprs.add(rest);
                return out == sum ? null : out;
            }
            // the call as the file writes it, its terms whole
            Sym call = foldTerms(indexed, network, FOLDED_ABOVE, of(network).calls());
            if (call == null) {
                return null;
            }
            Expr definition = Exprs.add(indexed);
            calls.putIfAbsent(call, definition);
            register(network, call, definition);
            rest.add(0, call);
            return Exprs.add(rest);
        }
        // a partial: the shorter of the shared reductions' form (Σ h[i]/16 is mean(h), the vertex
        // every other factor names) and the terms as one new call (sum(c·(w - mean(w))))
        Expr byShared = inner == written ? null : times(c, common, inner, calls, network);
        Expr called = asCall(written, network, calls);
        Expr byCall = called == null ? null : times(c, common, called, calls, network);
        Expr chosen = byShared != null && (byCall == null || byShared.treeSize() <= byCall.treeSize()) ? byShared : byCall;
        if (chosen == null) {
            return null;
        }
        rest.add(0, chosen);
        Expr out = Exprs.add(rest);
        return out == sum ? null : out;
    }

    /** {@code c·common·x}, k/n beside a sum of n as mean ({@link #asMean}). */
    private static Expr times(Num c, List<Expr> common, Expr x, Map<Sym, Expr> calls, Network network) {
        List<Expr> factors = new ArrayList<>(common.size() + 2);
        factors.add(c);
        factors.addAll(common);
        factors.add(x);
        return asMean(Exprs.mul(factors), calls, network);
    }

    /** {@code e} with its terms that mention one element index each folded into one call, the others beside it; null where they are no call. */
    private static Expr asCall(Expr e, Network network, Map<Sym, Expr> calls) {
        List<Expr> reduction = new ArrayList<>();
        List<Expr> others = new ArrayList<>();
        for (Expr t : e instanceof Sum s ? s.terms() : List.of(e)) {
            (indexOf(t) > 0 ? reduction : others).add(t);
        }
        if (reduction.size() < FOLDED_ABOVE) {
            return null;
        }
        Sym call = foldTerms(reduction, network, FOLDED_ABOVE, of(network).calls());
        if (call == null) {
            return null;
        }
        Expr definition = Exprs.add(reduction);
        calls.putIfAbsent(call, definition);
        register(network, call, definition);
        others.add(0, call);
        return Exprs.add(others);
    }

    /**
     * {@code e}, a partial derivative, with each long reduction in it written as its call
     * ({@link #foldIn}), a number k/n beside a folded sum of n elements as {@code k·mean(E)}: the
     * derivative of a folded call by a name in its every term is again a sum over every element
     * (∂ sum(c·(w - m)/sqrt(s))/∂s), and the partial of a reduction by a shared one it holds
     * ({@code mean(mean(h)·h)} by mean(h)) is the shared one's own sum. Registers each new call
     * for its value.
     */
    static Expr foldPartial(Expr e, Network network) {
        if (!mayHold(e)) {
            return e;
        }
        Map<Sym, Expr> calls = new LinkedHashMap<>();
        Map<Expr, Expr> memo = registryOf(network, true).folds();
        java.util.function.Function<Expr, Expr> lookup = new java.util.function.Function<>() {
            @Override
            public Expr apply(Expr x) {
                if (!(x instanceof Sum) && !(x instanceof Product) || !mayHold(x)) {
                    return null;
                }
                Expr known = memo.get(x);
                if (known != null) {
                    return known;
                }
                List<Expr> children = x instanceof Sum s ? s.terms() : ((Product) x).factors();
                List<Expr> replaced = new ArrayList<>(children.size());
                boolean changed = false;
                for (Expr c : children) {
                    Expr r = Substitution.replace(c, this);
                    changed |= r != c;
                    replaced.add(r);
                }
                Expr out = !changed ? x : x instanceof Sum ? Exprs.add(replaced) : Exprs.mul(replaced);
                if (out instanceof Sum s) {
                    Expr in = foldIn(s, network, calls, false, true);
                    if (in != null) {
                        out = in;
                    }
                } else {
                    out = asMean(out, calls, network);
                }
                memo.put(x, out);
                return out;
            }
        };
        return Substitution.replace(e, lookup);
    }

    /**
     * {@code e} with every product whose number is k/n beside a folded {@code sum} of n elements
     * written with {@code mean} ({@link #asMean}), for any call made for {@code network}.
     */
    static Expr withMeans(Expr e, Network network) {
        boolean sums = false;
        for (Sym s : Symbols.free(e)) {
            Call c = CALLS.get(s);
            sums |= c != null && c.function().equals("sum");
        }
        if (!sums) {
            return e;
        }
        Map<Sym, Expr> calls = new LinkedHashMap<>();
        return meansIn(e, calls, network);
    }

    /**
     * Every call made for a network (in its definitions and in partials derived from them), by
     * name, to its element-level definition: what gives a call its value. Keyed by the network's
     * list of definitions, by identity, which the copies with other values share
     * ({@link Network#withValues}); held weakly.
     */
    private static final List<Registry> REGISTRIES = new ArrayList<>();

    /**
     * @param folds each sum (or product) {@link #foldPartial} has rewritten, to what it became: the
     *              partials of one definition by each of n elements hold the same long sum
     */
    private record Registry(java.lang.ref.WeakReference<Object> key, Map<String, Expr> definitions, Map<Expr, Expr> folds) {}

    private static Map<String, Expr> registry(Network network, boolean make) {
        Registry r = registryOf(network, make);
        return r == null ? null : r.definitions();
    }

    private static Registry registryOf(Network network, boolean make) {
        Object key = network.definitions();
        synchronized (REGISTRIES) {
            Registry found = null;
            for (java.util.Iterator<Registry> i = REGISTRIES.iterator(); i.hasNext(); ) {
                Registry r = i.next();
                Object k = r.key().get();
                if (k == null) {
                    i.remove();
                } else if (k == key) {
                    found = r;
                }
            }
            if (found == null && make) {
                found = new Registry(new java.lang.ref.WeakReference<>(key), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
                REGISTRIES.add(found);
            }
            return found;
        }
    }

    private static void register(Network network, Sym call, Expr definition) {
        registry(network, true).putIfAbsent(call.name(), definition);
    }

    /**
     * {@code e} with every folded call made for {@code network} written out as its definition,
     * the calls inside it too: what a test of an identity by the normal form needs.
     */
    static Expr expandCalls(Expr e, Network network) {
        boolean any = false;
        for (Sym s : Symbols.free(e)) {
            any |= CALLS.containsKey(s) && definition(network, s.name()) != null;
        }
        if (!any) {
            return e;
        }
        return Substitution.replace(e, (Expr x) -> {
            if (x instanceof Sym s && CALLS.containsKey(s)) {
                Expr d = definition(network, s.name());
                return d == null ? null : expandCalls(d, network);
            }
            return null;
        });
    }

    /**
     * The element-level definition of the folded call named {@code name} made for {@code network}
     * (over the network's vertices and other calls), or null.
     */
    public static Expr definition(Network network, String name) {
        Map<String, Expr> r = registry(network, false);
        return r == null ? null : r.get(name);
    }
}
