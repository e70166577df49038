#!/usr/bin/env python3
"""GradScope's Python package side by side with PyTorch's and JAX's own gradient checkers.

    python3 Benchmarks/python/checkers.py torch    # an interpreter that imports torch
    python3 Benchmarks/python/checkers.py jax      # an interpreter that imports jax

Ten functions, each written as a custom backward (a torch.autograd.Function, or a
jax.custom_vjp) — the code these checkers exist for: scalar and vector outputs, float32 and
float64, right and wrong backwards (bugs of several sizes), and one right op whose forward
is slightly noisy.  Each is checked three ways in the same run:

- torch.autograd.gradcheck(fn, inputs) with its defaults (eps 1e-6, atol 1e-5, rtol 1e-3);
- jax.test_util.check_grads(fn, args, order=1, modes=["rev"]) with its defaults;
- gradscope.check(fn, *inputs) with its defaults (full mode).

Printed: a markdown table per framework — the verdict, the number of forward evaluations
(counted inside the function, so every tool is counted the same way) and the wall time.
"pass"/"fail" is the tool's verdict; a fail on a right backward is a false alarm, a pass on
a wrong one a miss.  Uses the gradscope binary the package finds ($GRADSCOPE, …).
"""

import sys
import time
import warnings

import numpy as np

import gradscope

RNG = np.random.default_rng(0)
CALLS = {"n": 0}


# Each case: name, kind ("right"/"bug"), dtype, inputs (numpy), forward(ops, *x), backward(ops, g, y, *x).
# Forward and backward are written once against a tiny ops namespace (torch or jax.numpy).

def softmax_fwd(o, x):
    e = o.exp(x - o.max(x, -1))
    return e / o.sum(e, -1)


def softmax_bwd(o, g, y, x):
    return (y * (g - o.sum(g * y, -1)),)


def softmax_diag_bwd(o, g, y, x):  # only the diagonal of the softmax Jacobian
    return (g * y * (1 - y),)


def layernorm_fwd(o, x):
    mu = o.mean(x, -1)
    return (x - mu) / o.sqrt(o.mean((x - mu) ** 2, -1) + 1e-5)


def layernorm_bwd(o, g, y, x):
    inv = 1 / o.sqrt(o.mean((x - o.mean(x, -1)) ** 2, -1) + 1e-5)
    return (inv * (g - o.mean(g, -1) - y * o.mean(g * y, -1)),)


def matmul_fwd(o, a, b):
    return a @ b


def matmul_transposed_bwd(o, g, y, a, b):  # dB transposed: (Aᵀ g)ᵀ
    return g @ b.T, (a.T @ g).T


def tanh_fwd(o, x):
    return o.tanh(x)


def tanh_scale_bwd(scale):
    def bwd(o, g, y, x):
        return (g * (1 - y * y) * scale,)
    return bwd


def sin_sum_fwd(o, x):
    return o.sum_all(o.sin(x))


def sin_sum_sign_bwd(o, g, y, x):
    return (-g * o.cos(x),)


def cubic_noisy_fwd(o, x):  # a right op whose value carries ~1e-9 of noise per call
    return o.sum_all(x ** 3) / 3 + 1e-9 * o.noise()


def cubic_bwd(o, g, y, x):
    return (g * x * x,)


def logsumexp_fwd(o, x):
    m = o.max_all(x)
    return m + o.log(o.sum_all(o.exp(x - m)))


def logsumexp_bwd(o, g, y, x):
    return (g * o.exp(x - y),)


def inputs(*shapes, dtype):
    return [RNG.standard_normal(s).astype(dtype) for s in shapes]


CASES = [
    ("softmax, right", "right", "vector", "float64", inputs((4, 6), dtype=np.float64),
     softmax_fwd, softmax_bwd),
    ("softmax, diagonal-only backward", "bug", "vector", "float64", inputs((4, 6), dtype=np.float64),
     softmax_fwd, softmax_diag_bwd),
    ("layer norm, right", "right", "vector", "float64", inputs((4, 6), dtype=np.float64),
     layernorm_fwd, layernorm_bwd),
    ("layer norm, right", "right", "vector", "float32", inputs((4, 6), dtype=np.float32),
     layernorm_fwd, layernorm_bwd),
    ("matmul, transposed dB", "bug", "vector", "float64", inputs((4, 4), (4, 4), dtype=np.float64),
     matmul_fwd, matmul_transposed_bwd),
    ("tanh, backward 1e-5 too large", "bug", "vector", "float64", inputs((24,), dtype=np.float64),
     tanh_fwd, tanh_scale_bwd(1 + 1e-5)),
    ("tanh, backward 1e-3 too large", "bug", "vector", "float32", inputs((24,), dtype=np.float32),
     tanh_fwd, tanh_scale_bwd(1 + 1e-3)),
    ("Σ sin, sign flipped", "bug", "scalar", "float32", inputs((24,), dtype=np.float32),
     sin_sum_fwd, sin_sum_sign_bwd),
    ("Σ x³/3 + 1e-9 noise, right", "right", "scalar", "float64", inputs((24,), dtype=np.float64),
     cubic_noisy_fwd, cubic_bwd),
    ("logsumexp, right", "right", "scalar", "float32", inputs((24,), dtype=np.float32),
     logsumexp_fwd, logsumexp_bwd),
]


# ---------------------------------------------------------------- torch

def torch_ops():
    import torch

    class Ops:
        exp, log, sqrt, tanh, sin, cos = (torch.exp, torch.log, torch.sqrt, torch.tanh,
                                          torch.sin, torch.cos)
        sum = staticmethod(lambda x, d: x.sum(dim=d, keepdim=True))
        mean = staticmethod(lambda x, d: x.mean(dim=d, keepdim=True))
        max = staticmethod(lambda x, d: x.max(dim=d, keepdim=True).values)
        sum_all = staticmethod(lambda x: x.sum())
        max_all = staticmethod(lambda x: x.max())
        noise = staticmethod(lambda: float(np.random.standard_normal()))
    return torch, Ops


def torch_function(torch, ops, fwd, bwd):
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *xs):
            CALLS["n"] += 1
            y = fwd(ops, *xs)
            ctx.save_for_backward(y, *xs)
            return y

        @staticmethod
        def backward(ctx, g):
            y, *xs = ctx.saved_tensors
            return bwd(ops, g, y, *xs)
    return F.apply


def run_torch():
    torch, ops = torch_ops()
    rows = []
    for name, kind, shape, dtype, xs, fwd, bwd in CASES:
        fn = torch_function(torch, ops, fwd, bwd)
        tensors = [torch.from_numpy(x.copy()).requires_grad_() for x in xs]
        CALLS["n"] = 0
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gradcheck's "not double precision" warning
            try:
                verdict = "pass" if torch.autograd.gradcheck(fn, tensors) else "fail"
            except RuntimeError:  # torch.autograd.gradcheck.GradcheckError
                verdict = "fail"
        theirs = (verdict, CALLS["n"], time.perf_counter() - start)
        rows.append((name, kind, shape, dtype, theirs, gradscope_row(fn, [t.detach() for t in tensors])))
    return "torch.autograd.gradcheck", rows


# ---------------------------------------------------------------- JAX

def jax_ops():
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    class Ops:
        exp, log, sqrt, tanh, sin, cos = jnp.exp, jnp.log, jnp.sqrt, jnp.tanh, jnp.sin, jnp.cos
        sum = staticmethod(lambda x, d: jnp.sum(x, axis=d, keepdims=True))
        mean = staticmethod(lambda x, d: jnp.mean(x, axis=d, keepdims=True))
        max = staticmethod(lambda x, d: jnp.max(x, axis=d, keepdims=True))
        sum_all = staticmethod(jnp.sum)
        max_all = staticmethod(jnp.max)
        noise = staticmethod(lambda: float(np.random.standard_normal()))
    return jax, Ops


def jax_function(jax, ops, fwd, bwd):
    @jax.custom_vjp
    def f(*xs):
        CALLS["n"] += 1
        return fwd(ops, *xs)

    def f_fwd(*xs):
        y = f(*xs)
        return y, (y, xs)

    def f_bwd(res, g):
        y, xs = res
        return tuple(bwd(ops, g, y, *xs))

    f.defvjp(f_fwd, f_bwd)
    return f


def run_jax():
    jax, ops = jax_ops()
    from jax.test_util import check_grads
    rows = []
    for name, kind, shape, dtype, xs, fwd, bwd in CASES:
        fn = jax_function(jax, ops, fwd, bwd)
        args = tuple(jax.numpy.asarray(x) for x in xs)
        CALLS["n"] = 0
        start = time.perf_counter()
        try:
            check_grads(fn, args, order=1, modes=["rev"])
            verdict = "pass"
        except AssertionError:
            verdict = "fail"
        theirs = (verdict, CALLS["n"], time.perf_counter() - start)
        rows.append((name, kind, shape, dtype, theirs, gradscope_row(fn, xs)))
    return "jax.test_util.check_grads", rows


# ---------------------------------------------------------------- GradScope and the table

def gradscope_row(fn, xs):
    CALLS["n"] = 0
    start = time.perf_counter()
    report = gradscope.check(fn, *xs)
    seconds = time.perf_counter() - start
    codes = sorted({d.code for b in report.blocks for d in b.diagnosis} |
                   {d.code for d in report.diagnosis})
    return (report.verdict, CALLS["n"], seconds, ", ".join(codes))


def outcome(kind, verdict):
    if kind == "right":
        return "" if verdict == "pass" else " (false alarm)"
    return "" if verdict == "fail" else " (missed)"


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "torch"
    tool, rows = {"torch": run_torch, "jax": run_jax}[which]()
    print("| function | backward | output | dtype | %s | evals | time | GradScope | evals | time | diagnosis |" % tool)
    print("|---|---|---|---|---|---:|---:|---|---:|---:|---|")
    missed = {"theirs": 0, "ours": 0}
    alarms = {"theirs": 0, "ours": 0}
    for name, kind, shape, dtype, theirs, ours in rows:
        for who, verdict in (("theirs", theirs[0]), ("ours", ours[0])):
            if kind == "right" and verdict != "pass":
                alarms[who] += 1
            if kind == "bug" and verdict == "pass":
                missed[who] += 1
        print("| %s | %s | %s | %s | %s%s | %d | %.3f s | %s%s | %d | %.3f s | %s |" % (
            name, kind, shape, dtype, theirs[0], outcome(kind, theirs[0]), theirs[1], theirs[2],
            ours[0], outcome(kind, ours[0]), ours[1], ours[2], ours[3] or "—"))
    print()
    print("%s: %d bugs missed, %d false alarms; GradScope: %d bugs missed, %d false alarms "
          "(%d bugs, %d right functions)" % (
              tool, missed["theirs"], alarms["theirs"], missed["ours"], alarms["ours"],
              sum(r[1] == "bug" for r in rows), sum(r[1] == "right" for r in rows)))


if __name__ == "__main__":
    main()
