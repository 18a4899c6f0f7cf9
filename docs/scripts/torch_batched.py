#!/usr/bin/env python3
"""Batched gradients: chainrule against PyTorch (float64, CPU).

1. Agreement: the mean loss and gradient of examples/digits/digits.nn over all 1,797 rows of
   examples/digits/digits.csv, computed by chainrule (`eval --data --json`, at the file's values drawn
   under --seed 1) and by PyTorch from the same values, compared element by element.
2. Timing: one full-batch digits gradient (64-32-10, relu, softmax cross-entropy) and one
   784-128-10 gradient at batch 64, at 1 and 2 threads (torch.set_num_threads), median of many
   repetitions after a warm-up (median and fastest wall time of one call, process CPU time per call).

Run from the repository root after `mvn -q -DskipTests package`, with a python3 that has torch
(Debian: apt-get install python3-torch, then /usr/bin/python3 docs/scripts/torch_batched.py).
Options: --timing-only (skip the agreement, which runs chainrule), --rounds N (repeat the timing N
times, as BatchTiming does, so that the fastest round can be compared on a shared machine).
"""
import json
import statistics
import subprocess
import sys
import time

import torch

torch.set_default_dtype(torch.float64)
JAR = "target/chainrule.jar"


def chainrule(*args):
    out = subprocess.run(["java", "-jar", JAR, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def load_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows)
    xs = [i for i, h in enumerate(header) if h.startswith("x[")]
    ys = [i for i, h in enumerate(header) if h.startswith("y[")]
    return data[:, xs], data[:, ys]


def matrix(values, name, rows, cols):
    return torch.tensor([[float(values[f"{name}[{i},{j}]"]) for j in range(1, cols + 1)] for i in range(1, rows + 1)],
                        requires_grad=True)


def vector(values, name, n):
    return torch.tensor([float(values[f"{name}[{i}]"]) for i in range(1, n + 1)], requires_grad=True)


def loss_fn(W1, b1, W2, b2, x, y):
    h = torch.relu((x / 16) @ W1.T + b1)
    z = h @ W2.T + b2
    return -(y * torch.log_softmax(z, dim=1)).sum(dim=1).mean()


def agreement():
    values = chainrule("train", "examples/digits/digits.nn", "--data", "examples/digits/digits.csv", "--lr", "1", "--steps", "0", "--json")["values"]
    ours = chainrule("eval", "examples/digits/digits.nn", "--data", "examples/digits/digits.csv", "--json")
    x, y = load_csv("examples/digits/digits.csv")
    W1, b1 = matrix(values, "W1", 32, 64), vector(values, "b1", 32)
    W2, b2 = matrix(values, "W2", 10, 32), vector(values, "b2", 10)
    loss = loss_fn(W1, b1, W2, b2, x, y)
    loss.backward()
    theirs = {}
    for name, t in (("W1", W1), ("W2", W2)):
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                theirs[f"{name}[{i + 1},{j + 1}]"] = t.grad[i, j].item()
    for name, t in (("b1", b1), ("b2", b2)):
        for i in range(t.shape[0]):
            theirs[f"{name}[{i + 1}]"] = t.grad[i].item()
    g = ours["gradient"]
    scale = max(abs(v) for v in theirs.values())
    worst = max(abs(g[k] - v) for k, v in theirs.items()) / scale
    worst_elementwise = max(abs(g[k] - v) / max(abs(v), 1e-300) for k, v in theirs.items() if abs(v) > 1e-3 * scale)
    loss_ours = ours["loss"]["value"]
    print(f"digits, {x.shape[0]} rows, {len(theirs)} parameters")
    print(f"  loss: chainrule {loss_ours!r}, PyTorch {loss.item()!r}, relative difference "
          f"{abs(loss_ours - loss.item()) / abs(loss.item()):.2e}")
    print(f"  gradient: largest difference / largest entry {worst:.2e}; largest relative difference of "
          f"entries above 1e-3 of the largest {worst_elementwise:.2e}")
    return worst


def median_time(f, repeat):
    """Median and fastest wall time of one call, and process CPU time (all threads) per call."""
    for _ in range(max(3, repeat // 10)):
        f()
    times = []
    cpu = time.process_time()
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), (time.process_time() - cpu) / repeat


THREADS = (1, 2)


def timing():
    g = torch.Generator().manual_seed(0)
    x, y = load_csv("examples/digits/digits.csv")
    W1 = (torch.randn(32, 64, generator=g) * 0.25).requires_grad_()
    b1 = torch.zeros(32, requires_grad=True)
    W2 = (torch.randn(10, 32, generator=g) * 0.25).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]

    xb = torch.rand(64, 784, generator=g)
    yb = torch.nn.functional.one_hot(torch.randint(0, 10, (64,), generator=g), 10).double()
    V1 = (torch.randn(128, 784, generator=g) * 0.05).requires_grad_()
    c1 = torch.zeros(128, requires_grad=True)
    V2 = (torch.randn(10, 128, generator=g) * 0.1).requires_grad_()
    c2 = torch.zeros(10, requires_grad=True)
    mnist = [V1, c1, V2, c2]

    def step(ps, xx, yy, scale):
        for p in ps:
            p.grad = None
        h = torch.relu((xx / scale) @ ps[0].T + ps[1])
        z = h @ ps[2].T + ps[3]
        loss = -(yy * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
        loss.backward()

    for threads in THREADS:
        torch.set_num_threads(threads)
        med, best, cpu = median_time(lambda: step(params, x, y, 16), 300)
        print(f"  digits full batch (1797 rows), {threads} thread(s): median {med * 1e3:.3f} ms, best {best * 1e3:.3f} ms, "
              f"CPU {cpu * 1e3:.3f} ms per call")
        med, best, cpu = median_time(lambda: step(mnist, xb, yb, 1), 300)
        print(f"  784-128-10 batch 64, {threads} thread(s): median {med * 1e3:.3f} ms, best {best * 1e3:.3f} ms, "
              f"CPU {cpu * 1e3:.3f} ms per call")


if __name__ == "__main__":
    args = sys.argv[1:]
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 1
    print("PyTorch", torch.__version__)
    worst = 0 if "--timing-only" in args else agreement()
    for _ in range(rounds):
        timing()
    sys.exit(0 if worst < 1e-12 else 1)
