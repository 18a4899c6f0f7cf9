#!/usr/bin/env python3
"""chainrule's `diff` against SymPy's `simplify` on 200 random expressions.

Run from the project root after `mvn -q -DskipTests package`:

    python3 docs/scripts/sympy_simplify_compare.py [N] [SEED] [--cache FILE] [--quiet]

Each random expression is over x, drawn from the whole function set (sin cos tan exp log sqrt
tanh sigmoid atan asin acos sinh cosh asinh acosh atanh log2 log10 erf), the constants pi and e,
+ - * /, integer powers and rational powers (1/2, 1/3, 3/2, -1/2), with every argument kept inside
its real domain: log, sqrt, log2, log10 and rational powers get x itself or (u)^2 + 1, acosh gets
(u)^2 + 1, asin, acos and atanh get u/((u)^2 + 1) (or x/3), denominators are (u)^2 + 1. Only
expressions whose derivative is real and finite at all three check points are kept.

For each expression the script

  * runs chainrule's `diff EXPR --wrt x --set x=0.7 --json`, all of them in ONE JVM (a small Java
    program, written to a temporary directory and run with `java -cp target/chainrule.jar`, that
    calls the command line's `chainrule.cli.Main.run` once per expression, exactly as the
    `chainrule` command would);
  * differentiates with SymPy and simplifies with `sympy.simplify` (20 s limit, then the
    unsimplified derivative counts as SymPy's answer); numbers are read exactly on both sides
    (`0.5` is 1/2 in chainrule, `sympify(..., rational=True)` in SymPy);
  * checks that both derivatives have the same value at x = 0.7 (relative 1e-8), and at 1.3 and 2.1
    by evaluating chainrule's printed formula with SymPy, so a printing error would show;
  * compares sizes three ways, each "ours <= SymPy's":
      - printed characters, spaces not counted (SymPy's `**` written `^`, as chainrule writes
        powers; both printers put spaces only around binary + and -);
      - printed characters as printed, spaces counted;
      - `sympy.count_ops` of both formulas (chainrule's parsed with sigmoid, log2 and log10 as
        opaque functions, the way chainrule prints them).

CHAINRULE_JAR=path/to/chainrule.jar measures another build (an older commit's, for a before/after
table). --cache FILE keeps SymPy's simplified results between runs (keyed by expression), so re-running
after a change to chainrule costs only chainrule's side. Needs SymPy (tested with 1.14). Prints one
line per expression where ours is longer by characters, then a summary.
"""
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile

import sympy as sp

X = sp.Symbol("x")
FUNCS = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "atan", "asin", "acos",
         "sinh", "cosh", "asinh", "acosh", "atanh", "log2", "log10", "erf"]
POSITIVE_ARG = ("log", "sqrt", "log2", "log10")
UNIT_ARG = ("asin", "acos", "atanh")
POINTS = (0.7, 1.3, 2.1)
POINT = POINTS[0]
JAR = os.environ.get("CHAINRULE_JAR", "target/chainrule.jar")  # another build, to compare before and after

BATCH_JAVA = r"""
import java.io.*;
import java.nio.charset.StandardCharsets;

/** Runs `chainrule diff LINE --wrt x --set x=P --json` for each line of stdin, in one JVM. */
public class DiffBatch {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            String expr = line;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int[] status = {1};
            Thread t = new Thread(null, () -> status[0] = chainrule.cli.Main.run(
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    "diff", expr, "--wrt", "x", "--set", "x=" + args[0], "--json"), "chainrule", 1L << 30);
            t.start();
            t.join();
            String text = out.toString(StandardCharsets.UTF_8).trim().replace("\n", " ");
            stdout.println(status[0] == 0 && !text.isEmpty() ? text : "null");
        }
    }
}
"""


def leaf(rng):
    return rng.choice(["x", "x", "x", "x", "2", "3", "0.5", "pi", "e"])


def random_expr(rng, depth):
    """An expression in chainrule's syntax (also SymPy's once ^ is ** and log2/log10 are defined)."""
    if depth == 0 or rng.random() < 0.25:
        return leaf(rng)
    kind = rng.random()
    if kind < 0.4:
        f = rng.choice(FUNCS)
        inner = random_expr(rng, depth - 1)
        if f in POSITIVE_ARG:
            if inner != "x":
                inner = "(%s)^2 + 1" % inner  # positive: real values at every x
        elif f == "acosh":
            inner = "(%s)^2 + 1" % inner  # >= 1
        elif f in UNIT_ARG:
            inner = "x/3" if inner == "x" else "(%s)/((%s)^2 + 1)" % (inner, inner)  # |.| <= 1/2
        return "%s(%s)" % (f, inner)
    if kind < 0.5:
        return "(%s)^%d" % (random_expr(rng, depth - 1), rng.choice([2, 3, -1]))
    if kind < 0.56:
        base = random_expr(rng, depth - 1)
        if base != "x":
            base = "(%s)^2 + 1" % base
        return "(%s)^(%s)" % (base, rng.choice(["1/2", "1/3", "3/2", "-1/2"]))
    op = rng.choice(["+", "-", "*", "/", "*"])
    a = random_expr(rng, depth - 1)
    b = random_expr(rng, depth - 1)
    if op == "/":
        b = "(%s)^2 + 1" % b  # never zero
    return "(%s) %s (%s)" % (a, op, b)


def namespace(opaque):
    ns = {"x": X, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log,
          "sqrt": sp.sqrt, "tanh": sp.tanh, "atan": sp.atan, "asin": sp.asin, "acos": sp.acos,
          "sinh": sp.sinh, "cosh": sp.cosh, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
          "erf": sp.erf, "pi": sp.pi, "e": sp.E, "E": sp.E}
    if opaque:
        for f in ("sigmoid", "log2", "log10", "step"):
            ns[f] = sp.Function(f)
    else:
        ns["sigmoid"] = lambda u: 1 / (1 + sp.exp(-u))
        ns["log2"] = lambda u: sp.log(u, 2)
        ns["log10"] = lambda u: sp.log(u, 10)
    return ns


def sympy_of(text):
    """chainrule's syntax to a SymPy expression (sigmoid, log2, log10 written out), numbers exact."""
    return sp.sympify(text.replace("^", "**"), locals=namespace(False), rational=True)


def sympy_opaque(text):
    """chainrule's printed formula with sigmoid, log2, log10 kept as functions, as chainrule prints it."""
    return sp.sympify(text.replace("^", "**"), locals=namespace(True), rational=True)


def chainrule_all(exprs):
    """chainrule's JSON answer for each expression (None where it failed), in one JVM."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "DiffBatch.java")
        with open(src, "w") as f:
            f.write(BATCH_JAVA)
        out = subprocess.run(["java", "-Xss64m", "-cp", JAR, src, repr(POINT)], input="\n".join(exprs) + "\n",
                             capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("the batch runner failed:\n" + out.stderr)
    lines = out.stdout.splitlines()
    assert len(lines) == len(exprs), (len(lines), len(exprs))
    return [None if l == "null" else json.loads(l) for l in lines]


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


def usable(e):
    if "x" not in e:
        return False
    f = sympy_of(e)
    d = sp.diff(f, X)
    if d == 0 or f.has(sp.zoo, sp.nan, sp.oo):
        return False
    for p in POINTS:
        v = complex(d.subs(X, p).evalf())
        if abs(v.imag) > 1e-12 * (1 + abs(v.real)) or not math.isfinite(v.real) or abs(v.real) >= 1e8:
            return False
    return True


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cache_file = None
    if "--cache" in sys.argv:
        cache_file = sys.argv[sys.argv.index("--cache") + 1]
        args.remove(cache_file)
    quiet = "--quiet" in sys.argv
    n = int(args[0]) if len(args) > 0 else 200
    seed = int(args[1]) if len(args) > 1 else 11
    rng = random.Random(seed)
    exprs = []
    while len(exprs) < n:
        e = random_expr(rng, 3)
        if e not in exprs and usable(e):
            exprs.append(e)
    ours = chainrule_all(exprs)
    cache = {}
    if cache_file and os.path.exists(cache_file):
        with open(cache_file) as f:
            cache = json.load(f)
    stats = {"values_equal": 0, "chars_le": 0, "spaced_le": 0, "ops_le": 0, "timeouts": 0, "failed": 0}
    ratio = []
    for e, o in zip(exprs, ours):
        if o is None:
            stats["failed"] += 1
            print("chainrule failed:", e)
            continue
        d = sp.diff(sympy_of(e), X)
        if e in cache:
            s, timed_out = sp.sympify(cache[e][0], locals={"x": X}), cache[e][1]
        else:
            s, timed_out = simplify_within(d, 20)
            cache[e] = [sp.srepr(s), timed_out]
        stats["timeouts"] += timed_out
        theirs_value = float(d.subs(X, POINT).evalf())
        ours_expr = sympy_of(o["derivative"])
        printed_ok = all(close(float(ours_expr.subs(X, p).evalf()), float(d.subs(X, p).evalf())) for p in POINTS)
        if close(o["value"], theirs_value) and printed_ok:
            stats["values_equal"] += 1
        else:
            print("VALUES DIFFER:", e, "|", o["derivative"], "|", d)
        ours_text = o["derivative"]
        theirs_text = str(s).replace("**", "^")
        ours_chars = len(ours_text.replace(" ", ""))
        theirs_chars = len(theirs_text.replace(" ", ""))
        ours_ops = sp.count_ops(sympy_opaque(ours_text))
        theirs_ops = sp.count_ops(s)
        stats["chars_le"] += ours_chars <= theirs_chars
        stats["spaced_le"] += len(ours_text) <= len(theirs_text)
        stats["ops_le"] += ours_ops <= theirs_ops
        ratio.append(ours_chars / max(1, theirs_chars))
        if ours_chars > theirs_chars and not quiet:
            print("longer: d/dx %s\n  ours:  %s\n  sympy: %s   (chars %d > %d, ops %d vs %d)"
                  % (e, ours_text, theirs_text, ours_chars, theirs_chars, ours_ops, theirs_ops))
    if cache_file:
        with open(cache_file, "w") as f:
            json.dump(cache, f)
    done = n - stats["failed"]
    ratio.sort()
    print()
    print("sympy %s" % sp.__version__)
    print("expressions: %d (seed %d), chainrule failed on %d" % (n, seed, stats["failed"]))
    print("values equal: %d/%d" % (stats["values_equal"], done))
    print("printed characters (no spaces) ours <= SymPy simplify: %d/%d (%.1f%%)" % (stats["chars_le"], done, 100.0 * stats["chars_le"] / done))
    print("printed characters (as printed) ours <= SymPy simplify: %d/%d (%.1f%%)" % (stats["spaced_le"], done, 100.0 * stats["spaced_le"] / done))
    print("count_ops ours <= SymPy simplify: %d/%d (%.1f%%)" % (stats["ops_le"], done, 100.0 * stats["ops_le"] / done))
    print("median length ratio ours/SymPy (no spaces): %.2f" % ratio[len(ratio) // 2])
    print("SymPy simplify timeouts (20 s): %d" % stats["timeouts"])


if __name__ == "__main__":
    main()
