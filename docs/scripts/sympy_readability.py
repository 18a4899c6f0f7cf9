#!/usr/bin/env python3
"""SymPy's derivative of Mazur's loss with respect to w1, unsimplified, measured two ways.

Run:  python3 docs/scripts/sympy_readability.py [FORMULA]
Needs SymPy (tested with 1.14). Prints

  * count_ops: SymPy's own operation count (sympy.count_ops, visual=False), which counts
    each +, *, /, -, ^ and function application, n-ary operations as n-1 binary ones;
  * nodes: the number of nodes of the expression tree (sympy.preorder_traversal), every
    symbol, number, operation and function application counted once per occurrence, which is
    how chainrule's Expr.treeSize() counts;

for dE/dw1 exactly as sympy.diff returns it (no simplify), and the value at Mazur's numbers as a
check that it is the same derivative (0.000438567734474).

Given FORMULA (chainrule's closed form in plain text, e.g. from `grad --json`), it measures that
too, the same two ways, so both sides are counted by the same code.
"""
import sys

import sympy as sp

i1, i2, t1, t2 = sp.symbols("i1 i2 t1 t2")
w1, w2, w3, w4, w5, w6, w7, w8 = sp.symbols("w1:9")
b1, b2 = sp.symbols("b1 b2")


def sigmoid(x):
    return 1 / (1 + sp.exp(-x))


# Mazur's 2-2-2 network, the same definitions as examples/mazur.nn, inlined into one loss.
out_h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
out_h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
out_o1 = sigmoid(w5 * out_h1 + w6 * out_h2 + b2)
out_o2 = sigmoid(w7 * out_h1 + w8 * out_h2 + b2)
E = sp.Rational(1, 2) * (t1 - out_o1) ** 2 + sp.Rational(1, 2) * (t2 - out_o2) ** 2

dE_dw1 = sp.diff(E, w1)

values = {i1: 0.05, i2: 0.10, t1: 0.01, t2: 0.99, w1: 0.15, w2: 0.20, w3: 0.25, w4: 0.30,
          w5: 0.40, w6: 0.45, w7: 0.50, w8: 0.55, b1: 0.35, b2: 0.60}

print("sympy", sp.__version__)
print("count_ops", sp.count_ops(dE_dw1, visual=False))
print("nodes", sum(1 for _ in sp.preorder_traversal(dE_dw1)))
print("value", float(dE_dw1.evalf(subs=values)))

if len(sys.argv) > 1:
    names = {str(s): s for s in values}
    names.update({n: sp.Symbol(n) for n in ("out_h1", "out_h2", "out_o1", "out_o2")})
    ours = sp.sympify(sys.argv[1], locals=names, evaluate=False)
    print("chainrule count_ops", sp.count_ops(ours, visual=False))
    print("chainrule nodes", sum(1 for _ in sp.preorder_traversal(ours)))
