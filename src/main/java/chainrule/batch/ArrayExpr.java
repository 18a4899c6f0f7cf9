package chainrule.batch;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Fn;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.runtime.Fns;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scalar expressions evaluated a whole array at a time: each node of the expression DAG becomes
 * one loop over all elements, so the cost of walking the expression is paid once per array, not
 * once per element, and the loops of sums and products are simple enough for the JIT to
 * vectorise. Several roots (an op's value and its partial derivatives) share one program, so a
 * common subexpression is computed once. User functions are inlined; built-ins are called through
 * the primitive table, the same numbers the interpreter and the compiled code use.
 *
 * <p>The program is immutable and shared between threads; the arrays it works in are a {@link
 * Frame}, one per thread.
 */
final class ArrayExpr {
    /** One loop: computes slot {@code out} from earlier slots. */
    private abstract static class Step {
        final int out;

        Step(int out) {
            this.out = out;
        }

        /** Whether the slot holds the same value everywhere and always (a number): filled once per frame. */
        boolean constant() {
            return false;
        }

        abstract void run(double[][] slot, int n);
    }

    private final List<Sym> symbols;
    private final List<Step> steps = new ArrayList<>();
    private final int[] roots;
    private int slots;

    /** A program computing every root over arrays whose elements stand for {@code symbols}. */
    ArrayExpr(List<Sym> symbols, List<Expr> roots) {
        this.symbols = List.copyOf(symbols);
        this.slots = symbols.size();
        Map<Expr, Integer> done = new IdentityHashMap<>();
        for (int i = 0; i < symbols.size(); i++) {
            done.put(symbols.get(i), i);
        }
        this.roots = new int[roots.size()];
        for (int i = 0; i < this.roots.length; i++) {
            this.roots[i] = compile(roots.get(i), done);
        }
    }

    /** The arrays one evaluation works in; {@link #bind} the symbols, then {@link #run}. */
    final class Frame {
        private final double[][] slot = new double[slots][];
        private int capacity;
        /** Per constant slot, how many of its elements hold the number already. */
        private final int[] filled = new int[slots];

        /** Makes element arrays of length {@code n} the symbol's values (kept by reference). */
        void bind(int symbol, double[] values) {
            slot[symbol] = values;
        }

        /** Evaluates every root over the first {@code n} elements. */
        void run(int n) {
            ensure(n);
            for (Step step : steps) {
                if (step.constant()) {
                    if (filled[step.out] >= n) {
                        continue;
                    }
                    filled[step.out] = n;
                }
                step.run(slot, n);
            }
        }

        /** Slots of at least n elements. */
        private void ensure(int n) {
            if (capacity < n || capacity == 0) {
                capacity = Math.max(Math.max(n, 1), capacity * 2);
                for (int s = symbols.size(); s < slots; s++) {
                    slot[s] = new double[capacity];
                }
                java.util.Arrays.fill(filled, 0);
            }
        }

        /**
         * {@link #run} for a program of one root, its values written straight into {@code out} (of
         * at least n elements) instead of a slot of the frame where that root is a computed slot
         * (not a symbol or a number); else run and copied.
         */
        void runInto(int n, double[] out) {
            int r = roots[0];
            if (roots.length != 1 || r < symbols.size() || steps.isEmpty() || steps.get(steps.size() - 1).out != r
                    || steps.get(steps.size() - 1).constant()) {
                run(n);
                System.arraycopy(slot[r], 0, out, 0, n);
                return;
            }
            ensure(n);
            double[] own = slot[r];
            slot[r] = out;
            try {
                run(n);
            } finally {
                slot[r] = own;
            }
        }

        /** Root {@code i}'s values (valid until the next {@link #run}). */
        double[] root(int i) {
            return slot[roots[i]];
        }
    }

    Frame frame() {
        return new Frame();
    }

    private int add(Step s) {
        steps.add(s);
        return s.out;
    }

    private int compile(Expr e, Map<Expr, Integer> done) {
        Integer known = done.get(e);
        if (known != null) {
            return known;
        }
        int out = compileNew(e, done);
        done.put(e, out);
        return out;
    }

    private int compileNew(Expr e, Map<Expr, Integer> done) {
        if (e instanceof Num num) {
            double v = num.value();
            return add(new Step(slots++) {
                @Override boolean constant() {
                    return true;
                }

                @Override void run(double[][] s, int n) {
                    java.util.Arrays.fill(s[out], 0, n, v);
                }
            });
        }
        if (e instanceof Sym sym) {
            throw new IllegalArgumentException("no values for " + sym.name());
        }
        if (e instanceof Sum sum) {
            int[] in = compileAll(sum.terms(), done);
            return add(new Step(slots++) {
                @Override void run(double[][] s, int n) {
                    double[] o = s[out];
                    double[] a = s[in[0]];
                    double[] b = s[in[1]];
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] + b[i];
                    }
                    for (int t = 2; t < in.length; t++) {
                        double[] c = s[in[t]];
                        for (int i = 0; i < n; i++) {
                            o[i] += c[i];
                        }
                    }
                }
            });
        }
        if (e instanceof Product product && QuotientEntry.divides(product)) {
            // a true division, by the quotient entry's rule (numerator first, then each denominator
            // in turn), as every other back end computes it: a·(1/b) rounds twice and overflows
            // for |b| below 5.6e-309 where a/b may be finite. The rule is read once into a plan:
            // the operand that starts (-1: the value 1), then operands to multiply by (≥ 0) or
            // divide by (-1 - k), each one loop.
            int[] in = compileAll(QuotientEntry.operands(product), done);
            List<Integer> plan = new ArrayList<>();
            QuotientEntry.fold(product, new QuotientEntry.Operations<Integer>() {
                @Override public Integer one() {
                    plan.add(-1);
                    return -1;
                }

                @Override public Integer operand(int k) {
                    if (plan.isEmpty()) {
                        plan.add(k); // the numerator's first factor: the start
                    }
                    return k;
                }

                @Override public Integer times(Integer a, Integer b) {
                    plan.add(b);
                    return a;
                }

                @Override public Integer over(Integer a, Integer b) {
                    plan.add(-1 - b);
                    return a;
                }
            });
            int[] steps = plan.stream().mapToInt(Integer::intValue).toArray();
            return add(new Step(slots++) {
                @Override void run(double[][] s, int n) {
                    double[] o = s[out];
                    if (steps[0] < 0) {
                        java.util.Arrays.fill(o, 0, n, 1.0);
                    } else {
                        System.arraycopy(s[in[steps[0]]], 0, o, 0, n);
                    }
                    for (int t = 1; t < steps.length; t++) {
                        if (steps[t] >= 0) {
                            double[] c = s[in[steps[t]]];
                            for (int i = 0; i < n; i++) {
                                o[i] *= c[i];
                            }
                        } else {
                            double[] c = s[in[-1 - steps[t]]];
                            for (int i = 0; i < n; i++) {
                                o[i] /= c[i];
                            }
                        }
                    }
                }
            });
        }
        if (e instanceof Product product) {
            int[] in = compileAll(product.factors(), done);
            return add(new Step(slots++) {
                @Override void run(double[][] s, int n) {
                    double[] o = s[out];
                    double[] a = s[in[0]];
                    double[] b = s[in[1]];
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] * b[i];
                    }
                    for (int t = 2; t < in.length; t++) {
                        double[] c = s[in[t]];
                        for (int i = 0; i < n; i++) {
                            o[i] *= c[i];
                        }
                    }
                }
            });
        }
        if (e instanceof Power power) {
            int base = compile(power.base(), done);
            if (power.exponent() instanceof Num k) {
                double x = k.value();
                return add(new Step(slots++) {
                    @Override void run(double[][] s, int n) {
                        double[] o = s[out];
                        double[] b = s[base];
                        if (x == 2) {
                            for (int i = 0; i < n; i++) {
                                o[i] = b[i] * b[i];
                            }
                        } else {
                            for (int i = 0; i < n; i++) {
                                o[i] = Fns.pow(b[i], x);
                            }
                        }
                    }
                });
            }
            int exponent = compile(power.exponent(), done);
            return add(new Step(slots++) {
                @Override void run(double[][] s, int n) {
                    double[] o = s[out];
                    double[] b = s[base];
                    double[] x = s[exponent];
                    for (int i = 0; i < n; i++) {
                        o[i] = Fns.pow(b[i], x[i]);
                    }
                }
            });
        }
        Apply apply = (Apply) e;
        if (apply.fn() instanceof UserFunction f) {
            return compile(f.inline(apply.args()), done);
        }
        Fn fn = apply.fn();
        int[] in = compileAll(apply.args(), done);
        java.util.Optional<ArrayLoop> loop = fn instanceof Primitive p ? ArrayLoop.of(p) : java.util.Optional.empty();
        if (loop.isPresent()) {
            ArrayLoop l = loop.get();
            return add(new Step(slots++) {
                @Override void run(double[][] s, int n) {
                    double[][] args = new double[in.length][];
                    for (int a = 0; a < in.length; a++) {
                        args[a] = s[in[a]];
                    }
                    l.run(args, s[out], n);
                }
            });
        }
        return add(new Step(slots++) {
            @Override void run(double[][] s, int n) {
                double[] o = s[out];
                double[] args = new double[in.length];
                for (int i = 0; i < n; i++) {
                    for (int a = 0; a < in.length; a++) {
                        args[a] = s[in[a]][i];
                    }
                    o[i] = fn.value(args);
                }
            }
        });
    }

    private int[] compileAll(List<Expr> es, Map<Expr, Integer> done) {
        int[] out = new int[es.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = compile(es.get(i), done);
        }
        return out;
    }
}
