#!/usr/bin/env python3
"""numpy anchor: time of one training step of a dense MLP, hand-written backprop.

One step is
  * forward: dense layers z = a W^T + b (W is out x in), sigmoid (or ReLU)
    on the hidden layers, softmax cross-entropy on the last dense output with a
    stable log-sum-exp, mean over the batch;
  * backward: the full vectorised backprop, written by hand;
  * update: plain SGD, W -= lr dW, b -= lr db (lr 0.01).

Data are synthetic (X uniform in [0, 1), integer labels), drawn once.  The
first --warmup steps are not timed; each of the next --steps steps is timed on
its own.  Prints one JSON object on stdout:

  {"stepsPerSecond", "secondsPerStep", "medianSecondsPerStep", "dtype",
   "batch", "layers", "numpy", ...}

Thread counts are left to the caller (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
in the environment); this script never sets them.  Example:

  OPENBLAS_NUM_THREADS=1 python3 train_step_numpy.py --dtype float32 \\
      --batch 100 --layers 784,1000,750,500,10 --activation sigmoid \\
      --steps 30 --warmup 5 --seed 0

epoch_numpy.py imports init_params, loss_and_grads and runtime_info from here.
"""

import argparse
import json
import statistics
import time

import numpy as np


def runtime_info():
    """numpy version, BLAS it was built with, and threadpoolctl's view if available."""
    info = {"numpy": np.__version__}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blasBuild"] = {k: blas.get(k) for k in ("name", "version", "openblas configuration")
                             if blas.get(k) is not None}
    except Exception:  # older numpy, or a build without this information
        pass
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = threadpool_info()
    except ImportError:
        pass
    return info


def parse_layers(text):
    return [int(v) for v in text.split(",")]


def init_params(layers, dtype, rng):
    """[(W, b), ...] with W of shape (out, in), Glorot-uniform, zero biases."""
    params = []
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        W = rng.uniform(-limit, limit, size=(n_out, n_in)).astype(dtype)
        b = np.zeros(n_out, dtype=dtype)
        params.append((W, b))
    return params


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss_and_grads(params, X, y, activation):
    """Mean softmax cross-entropy and its gradients [(dW, db), ...]."""
    n = X.shape[0]

    # Forward: keep every layer's input for the backward pass.
    inputs = []
    a = X
    for W, b in params[:-1]:
        inputs.append(a)
        z = a @ W.T + b
        a = sigmoid(z) if activation == "sigmoid" else np.maximum(z, 0)
    inputs.append(a)
    W, b = params[-1]
    logits = a @ W.T + b

    # Softmax cross-entropy with a stable log-sum-exp.
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()

    # Backward: d logits = (softmax - onehot) / n.
    delta = np.exp(log_probs)
    delta[rows, y] -= 1
    delta /= n
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        W, _ = params[i]
        a_in = inputs[i]
        grads[i] = (delta.T @ a_in, delta.sum(axis=0))
        if i > 0:
            # a_in is the activation of layer i - 1: its derivative from its output.
            d_act = a_in * (1 - a_in) if activation == "sigmoid" else (a_in > 0)
            delta = (delta @ W) * d_act
    return loss, grads


def sgd_step(params, grads, lr):
    for (W, b), (dW, db) in zip(params, grads):
        W -= lr * dW
        b -= lr * db


def main():
    parser = argparse.ArgumentParser(description="Time one MLP training step in numpy.")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--layers", type=parse_layers, default=parse_layers("784,1000,750,500,10"))
    parser.add_argument("--activation", default="sigmoid", choices=["sigmoid", "relu"])
    parser.add_argument("--steps", type=int, default=30, help="timed steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(args.seed)
    params = init_params(args.layers, dtype, rng)
    X = rng.random((args.batch, args.layers[0]), dtype=dtype)
    y = rng.integers(0, args.layers[-1], size=args.batch)

    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        loss, grads = loss_and_grads(params, X, y, args.activation)
        sgd_step(params, grads, args.lr)
        elapsed = time.perf_counter() - start
        if step >= args.warmup:
            times.append(elapsed)
    assert params[0][0].dtype == dtype and grads[0][0].dtype == dtype

    total = sum(times)
    result = {
        "benchmark": "train_step_numpy",
        "stepsPerSecond": len(times) / total,
        "secondsPerStep": total / len(times),
        "medianSecondsPerStep": statistics.median(times),
        "dtype": args.dtype,
        "batch": args.batch,
        "layers": args.layers,
        "activation": args.activation,
        "steps": args.steps,
        "warmup": args.warmup,
        "finalLoss": float(loss),
    }
    result.update(runtime_info())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
