#!/usr/bin/env python3
"""The classic vanishing-gradient demonstration in numpy, watched by gradscope.Watcher.

A fully connected network, hidden layers 1000-750-500 of sigmoid units, softmax cross-entropy
over 10 classes, SGD with momentum 0.99, batch 100, learning rate 0.01, Xavier (Glorot uniform)
weights. The first layer's mean |ΔW| stays about two orders of magnitude below the output
layer's (and the network learns nothing in these epochs), and

    python3 Examples/python/watch_demo_numpy.py
    gradscope diagnose gradscope-watch.jsonl

says ``vanishing-gradients``. Its twin, ``--activation relu --init he``, learns in every layer.
(``--init normal``, N(0, 1) weights, saturates the sigmoids instead: ``saturation``. After ten
or more epochs on the digits the early layers catch up to within 50× of the output layer, which
the diagnosis no longer calls vanishing, though the network still has not learned.)
The stream goes to $GRADSCOPE_WATCH, else gradscope-watch.jsonl (``gradscope watch -- python3
…`` sets it). Data: the bundled digits (a few seconds), ``--data fashion-mnist`` or a CSV path.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, List

sys.path.insert(0, str(Path(__file__).resolve().parent))  # watch_data, next to this file
import watch_data  # noqa: E402

import gradscope  # noqa: E402

HIDDEN = (1000, 750, 500)


def arguments(description: str) -> argparse.Namespace:
    """The flags both demonstrations take."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default="digits", help="digits (bundled), fashion-mnist, or a CSV path")
    parser.add_argument("--activation", default="sigmoid", choices=["sigmoid", "tanh", "relu"])
    parser.add_argument("--init", default="xavier", choices=["xavier", "he", "normal"],
                        help="xavier: Glorot uniform (default); he: N(0, 2/fan-in); normal: N(0, 1)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--every", type=int, default=5, help="record every N steps")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--limit", type=int, default=None, help="use the first N training rows")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def settings(args: argparse.Namespace) -> dict:
    """What the run does, for the diagnosis' advice (docs/watch.md)."""
    return {"activation": args.activation, "initialization": args.init, "optimizer": "momentum",
            "learningRate": args.lr, "inputScaling": "unit"}


def initial_weights(np: Any, rng: Any, sizes: List[int], init: str) -> List[Any]:
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if init == "xavier":
            limit = np.sqrt(6 / (fan_in + fan_out))
            w = rng.uniform(-limit, limit, (fan_in, fan_out))
        elif init == "he":
            w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)
        else:
            w = rng.standard_normal((fan_in, fan_out))
        weights.append(w.astype(np.float32))
    return weights


def main() -> None:
    import numpy as np

    args = arguments("The vanishing-gradient demonstration (numpy), watched by gradscope.")
    x_train, y_train, x_test, y_test = watch_data.load(args.data, args.limit, args.seed)
    rng = np.random.default_rng(args.seed)
    sizes = [x_train.shape[1], *HIDDEN, 10]
    weights = initial_weights(np, rng, sizes, args.init)
    biases = [np.zeros(n, dtype=np.float32) for n in sizes[1:]]
    velocities = [np.zeros_like(p) for p in weights + biases]
    if args.activation == "sigmoid":
        f, df = (lambda z: 1 / (1 + np.exp(-z))), (lambda a: a * (1 - a))
    elif args.activation == "tanh":
        f, df = np.tanh, (lambda a: 1 - a * a)
    else:
        f, df = (lambda z: np.maximum(z, 0)), (lambda a: (a > 0).astype(np.float32))
    last = len(weights) - 1

    def forward(x: Any) -> List[Any]:
        a = [x]
        for k in range(len(weights)):
            z = a[-1] @ weights[k] + biases[k]
            a.append(f(z) if k < last else z)
        return a

    watcher = gradscope.Watcher(every=args.every, settings=settings(args))
    step = 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(x_train))
        losses = []
        for first in range(0, len(order), args.batch):
            rows = order[first:first + args.batch]
            a = forward(x_train[rows])
            logits = a[-1] - a[-1].max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            with np.errstate(divide="ignore"):
                loss = float(-np.mean(np.log(p[np.arange(len(rows)), y_train[rows]])))
            delta = p
            delta[np.arange(len(rows)), y_train[rows]] -= 1
            delta /= len(rows)
            grads_w, grads_b = [None] * len(weights), [None] * len(weights)
            for k in reversed(range(len(weights))):
                grads_w[k] = a[k].T @ delta
                grads_b[k] = delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ weights[k].T) * df(a[k])
            before = watcher.snapshot(step, weights)  # the weights before the update, on recording steps
            for param, grad, velocity in zip(weights + biases, grads_w + grads_b, velocities):
                velocity *= args.momentum
                velocity -= args.lr * grad
                param += velocity
            if before is not None:
                watcher.record(step, loss=loss, layers={
                    "layer%d" % (k + 1): {"weight_before": before[k], "weight_after": weights[k],
                                          "gradient": grads_w[k], "activations": a[k + 1],
                                          "activation": args.activation if k < last else "identity"}
                    for k in range(len(weights))})
            watcher.loss(loss, step=step)
            losses.append(loss)
            step += 1
        accuracy = float(np.mean(np.argmax(forward(x_test)[-1], axis=1) == y_test))
        seconds = time.perf_counter() - start
        watcher.epoch(epoch, train_loss=float(np.mean(losses)), test_accuracy=accuracy, steps=step, seconds=seconds)
        print("epoch %d/%d  train loss %.4f  test accuracy %5.1f%%  %.1f s"
              % (epoch, args.epochs, np.mean(losses), 100 * accuracy, seconds), flush=True)
    watcher.close()
    print("gradient flow recorded in %s: gradscope diagnose %s" % ((watch_data.shown(watcher.path),) * 2))


if __name__ == "__main__":
    main()
