#!/usr/bin/env python3
"""Independent check of the numbers in the golden files, by plain Python and central finite
differences (no chainrule code involved). Run from anywhere: python3 check_numbers.py
Each line prints the reference value; compare it with the golden file named on the line."""
import math


def s(z):
    return 1 / (1 + math.exp(-z))


def grad(f, p, names, h=1e-6):
    out = {}
    for k in names:
        a, b = dict(p), dict(p)
        a[k] += h
        b[k] -= h
        out[k] = (f(a) - f(b)) / (2 * h)
    return out


def mazur(p):
    h1 = s(p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"])
    h2 = s(p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"])
    o1 = s(p["w5"] * h1 + p["w6"] * h2 + p["b2"])
    o2 = s(p["w7"] * h1 + p["w8"] * h2 + p["b2"])
    return 0.5 * (p["t1"] - o1) ** 2 + 0.5 * (p["t2"] - o2) ** 2


M = dict(i1=0.05, i2=0.10, t1=0.01, t2=0.99, w1=0.15, w2=0.20, w3=0.25, w4=0.30,
         w5=0.40, w6=0.45, w7=0.50, w8=0.55, b1=0.35, b2=0.60)
print("mazur.grad.out, mazur-book.*:", mazur(M), grad(mazur, M, ["w1", "w5", "b1", "b2"]))
M2 = dict(M, w5=0.5, i1=0.1)
print("mazur.grad-w5.set.out:", mazur(M2), grad(mazur, M2, ["w5", "w1"]))


def swish_net(p):
    h = math.tanh(p["w1"] * p["x"] + p["b1"])
    z = p["w2"] * h + p["b2"]
    return 0.5 * (z * s(z) - p["t"]) ** 2


S = dict(x=0.5, t=0.8, w1=0.3, w2=-0.7, b1=0.1, b2=0.2)
print("swish.*:", swish_net(S), grad(swish_net, S, ["w1", "w2", "b1", "b2"]))


def formulas(p):
    return 0.5 * (p["v"] * s(p["w"] * p["x"] + p["b"]) - p["t"]) ** 2


F = dict(x=0.5, t=1, w=0.8, v=-1.5, b=0.1)
print("formulas.grad.set.out:", formulas(F), grad(formulas, F, ["w", "v", "b"]))


def deep(p):
    h = p["x"]
    for k in ["w1", "w2", "w3", "w4", "w5"]:
        h = s(p[k] * h)
    return 0.5 * (h - p["t"]) ** 2


D = dict(x=1, t=0, w1=1, w2=1, w3=1, w4=1, w5=1)
print("deep-sigmoid.*:", deep(D), grad(deep, D, ["w1", "w2", "w3", "w4", "w5"]))
x = 0.3
print("diff.sin-exp.*:", 2 * math.sin(x) * math.cos(x) * math.exp(x) + math.sin(x) ** 2 * math.exp(x))
