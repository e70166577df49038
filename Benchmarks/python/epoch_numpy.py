#!/usr/bin/env python3
"""numpy anchor: time of one epoch of minibatch SGD with classical momentum.

A 784-1000-750-500-10 sigmoid MLP with softmax cross-entropy (the same
forward/backward as train_step_numpy.py), float32, batch 100, trained for one
pass over N synthetic examples (X uniform in [0, 1), integer labels),
shuffled once, with classical momentum (mu 0.99, lr 0.01):

    v <- mu v - lr g;   w <- w + v

--examples 60000 (default) is an MNIST-sized epoch; --examples 6000 is a quick
run, and the output then also gives the time extrapolated linearly to 60,000
examples.  A few untimed warm-up minibatches run first (--warmup, on a copy of
the parameters' starting point: the timed epoch starts from the same weights).
Prints one JSON object on stdout:

  {"secondsPerEpoch", "secondsPerEpoch60000", "extrapolated", "examples",
   "batch", "steps", "dtype", "layers", "numpy", ...}

Thread counts are left to the caller's environment.  Example:

  OPENBLAS_NUM_THREADS=1 python3 epoch_numpy.py --examples 6000
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_step_numpy import init_params, loss_and_grads, parse_layers, runtime_info  # noqa: E402

MNIST_EXAMPLES = 60000


def momentum_step(params, velocities, grads, lr, mu):
    """Classical momentum: v <- mu v - lr g; w <- w + v (in place)."""
    for (W, b), (vW, vb), (dW, db) in zip(params, velocities, grads):
        vW *= mu
        vW -= lr * dW
        W += vW
        vb *= mu
        vb -= lr * db
        b += vb


def run_epoch(params, velocities, X, y, batch, lr, mu, activation, rng, max_steps=None):
    """One shuffled pass over (X, y); returns (steps, mean loss)."""
    order = rng.permutation(X.shape[0])
    steps, total_loss = 0, 0.0
    for start in range(0, X.shape[0], batch):
        if max_steps is not None and steps >= max_steps:
            break
        idx = order[start:start + batch]
        loss, grads = loss_and_grads(params, X[idx], y[idx], activation)
        momentum_step(params, velocities, grads, lr, mu)
        steps += 1
        total_loss += float(loss)
    return steps, total_loss / max(steps, 1)


def main():
    parser = argparse.ArgumentParser(description="Time one SGD+momentum epoch in numpy.")
    parser.add_argument("--examples", type=int, default=MNIST_EXAMPLES)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--layers", type=parse_layers, default=parse_layers("784,1000,750,500,10"))
    parser.add_argument("--activation", default="sigmoid", choices=["sigmoid", "relu"])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--warmup", type=int, default=3, help="untimed minibatches first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(args.seed)
    params = init_params(args.layers, dtype, rng)
    X = rng.random((args.examples, args.layers[0]), dtype=dtype)
    y = rng.integers(0, args.layers[-1], size=args.examples)

    def zero_velocities():
        return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]

    # Warm-up on a copy, so the timed epoch starts from the initial weights.
    if args.warmup > 0:
        scratch = [(W.copy(), b.copy()) for W, b in params]
        run_epoch(scratch, zero_velocities(), X, y, args.batch, args.lr, args.momentum,
                  args.activation, np.random.default_rng(args.seed + 1), args.warmup)

    velocities = zero_velocities()
    start = time.perf_counter()
    steps, mean_loss = run_epoch(params, velocities, X, y, args.batch, args.lr,
                                 args.momentum, args.activation, rng)
    seconds = time.perf_counter() - start

    result = {
        "benchmark": "epoch_numpy",
        "secondsPerEpoch": seconds,
        "secondsPerEpoch60000": seconds * MNIST_EXAMPLES / args.examples,
        "extrapolated": args.examples != MNIST_EXAMPLES,
        "secondsPerStep": seconds / steps,
        "examples": args.examples,
        "batch": args.batch,
        "steps": steps,
        "dtype": args.dtype,
        "layers": args.layers,
        "activation": args.activation,
        "lr": args.lr,
        "momentum": args.momentum,
        "meanLoss": mean_loss,
    }
    result.update(runtime_info())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
