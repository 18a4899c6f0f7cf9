#!/usr/bin/env python3
"""chainrule's `diff` against SymPy's `simplify` on 200 random expressions.

Run from the project root after `mvn -q -DskipTests package`:

    python3 docs/scripts/sympy_simplify_compare.py [N] [SEED]

For each random expression over x (functions sin, cos, exp, log, sqrt, tanh, sigmoid; operations
+ - * / and integer powers) it

  * runs `java -jar target/chainrule.jar diff EXPR --wrt x --set x=0.7 --json`;
  * differentiates with SymPy and simplifies with `sympy.simplify` (20 s limit, then the
    unsimplified derivative counts as SymPy's answer);
  * checks that both derivatives have the same value at x = 0.7 (relative 1e-8), and at two more
    points by evaluating chainrule's printed formula with SymPy, so a printing error would show;
  * compares sizes two ways: printed characters (SymPy's `**` written `^`, as chainrule writes
    powers) and `sympy.count_ops` of both formulas (chainrule's parsed with `sigmoid` as an opaque
    function, the way chainrule prints it).

Needs SymPy (tested with 1.14). Prints one line per expression where ours is longer, then a summary.
"""
import json
import math
import random
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import sympy as sp

X = sp.Symbol("x")
FUNCS = ["sin", "cos", "exp", "log", "sqrt", "tanh", "sigmoid"]
POINT = 0.7
JAR = "target/chainrule.jar"


def random_expr(rng, depth):
    """An expression in chainrule's syntax (also SymPy's once ^ is **)."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["x", "x", "x", "2", "3", "0.5"])
    kind = rng.random()
    if kind < 0.35:
        f = rng.choice(FUNCS)
        inner = random_expr(rng, depth - 1)
        if f in ("log", "sqrt"):
            inner = "(%s)^2 + 1" % inner  # keep the argument positive: real values at every x
        return "%s(%s)" % (f, inner)
    if kind < 0.5:
        return "(%s)^%d" % (random_expr(rng, depth - 1), rng.choice([2, 3, -1]))
    op = rng.choice(["+", "-", "*", "/", "*"])
    a = random_expr(rng, depth - 1)
    b = random_expr(rng, depth - 1)
    if op == "/":
        b = "(%s)^2 + 1" % b  # never zero
    return "(%s) %s (%s)" % (a, op, b)


def sympy_of(text):
    """chainrule's syntax to a SymPy expression (sigmoid written out)."""
    ns = {"x": X, "sigmoid": lambda u: 1 / (1 + sp.exp(-u)), "sin": sp.sin, "cos": sp.cos,
          "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh}
    return sp.sympify(text.replace("^", "**"), locals=ns)


def sympy_opaque(text):
    """chainrule's printed formula with sigmoid kept as a function, as chainrule prints it."""
    sig = sp.Function("sigmoid")
    ns = {"x": X, "sigmoid": sig, "sin": sp.sin, "cos": sp.cos, "exp": sp.exp, "log": sp.log,
          "sqrt": sp.sqrt, "tanh": sp.tanh, "step": sp.Function("step")}
    return sp.sympify(text.replace("^", "**"), locals=ns)


def chainrule(expr):
    out = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-jar", JAR, "diff", expr, "--wrt", "x",
                          "--set", "x=%r" % POINT, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def simplify_within(e, seconds):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return sp.simplify(e), False
    except Timeout:
        return e, True
    finally:
        signal.alarm(0)


def close(a, b):
    return abs(a - b) <= 1e-8 * (1 + abs(a)) or (math.isnan(a) and math.isnan(b))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    rng = random.Random(seed)
    exprs = []
    while len(exprs) < n:
        e = random_expr(rng, 3)
        d = sp.diff(sympy_of(e), X)
        v = complex(d.subs(X, POINT).evalf())
        if "x" in e and d != 0 and v.imag == 0 and math.isfinite(v.real) and abs(v.real) < 1e8:
            exprs.append(e)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ours = list(pool.map(chainrule, exprs))
    stats = {"values_equal": 0, "chars_le": 0, "ops_le": 0, "timeouts": 0, "failed": 0}
    ratio = []
    for e, o in zip(exprs, ours):
        if o is None:
            stats["failed"] += 1
            print("chainrule failed:", e)
            continue
        d = sp.diff(sympy_of(e), X)
        s, timed_out = simplify_within(d, 20)
        stats["timeouts"] += timed_out
        theirs_value = float(d.subs(X, POINT).evalf())
        printed_ok = all(close(float(sympy_of(o["derivative"]).subs(X, p).evalf()),
                               float(d.subs(X, p).evalf())) for p in (POINT, 1.3, 2.1))
        if close(o["value"], theirs_value) and printed_ok:
            stats["values_equal"] += 1
        else:
            print("VALUES DIFFER:", e, "|", o["derivative"], "|", d)
        ours_text = o["derivative"]
        theirs_text = str(s).replace("**", "^")
        ours_ops = sp.count_ops(sympy_opaque(ours_text))
        theirs_ops = sp.count_ops(s)
        stats["chars_le"] += len(ours_text) <= len(theirs_text)
        stats["ops_le"] += ours_ops <= theirs_ops
        ratio.append(len(ours_text) / max(1, len(theirs_text)))
        if len(ours_text) > len(theirs_text):
            print("longer: d/dx %s\n  ours:  %s\n  sympy: %s" % (e, ours_text, theirs_text))
    done = n - stats["failed"]
    ratio.sort()
    print()
    print("expressions: %d (seed %d), chainrule failed on %d" % (n, seed, stats["failed"]))
    print("values equal: %d/%d" % (stats["values_equal"], done))
    print("printed size ours <= SymPy simplify: %d/%d (%.1f%%)" % (stats["chars_le"], done, 100.0 * stats["chars_le"] / done))
    print("count_ops ours <= SymPy simplify: %d/%d (%.1f%%)" % (stats["ops_le"], done, 100.0 * stats["ops_le"] / done))
    print("median length ratio ours/SymPy: %.2f" % ratio[len(ratio) // 2])
    print("SymPy simplify timeouts (20 s): %d" % stats["timeouts"])


if __name__ == "__main__":
    main()
