#!/usr/bin/env python3
"""What watching a training loop costs: gradscope.watch (PyTorch) and gradscope.Watcher (numpy).

The vanishing-gradient demonstration network, 784-1000-750-500-10 sigmoid, softmax
cross-entropy, SGD with momentum 0.99 (lr 0.01), batch 100 of random inputs, float32. Per
framework, four loops in the same run: bare, and watched with every = 1, 10, 100. Rounds are
interleaved (each round runs every loop for --steps steps, in a rotating order); the figure is
the median over rounds of the mean time per step, and its ratio to the bare loop's. A numpy
loop keeps its watcher for the whole run, as a real one would; a PyTorch loop gets a fresh
watcher per round, because gradscope.watch wraps torch.Tensor.backward for the whole process
and the bare loop must run with nothing installed. Also the cost of one Watcher.loss call (a
JSON line written and flushed per batch).

    flock /tmp/swift-build.lock /usr/bin/python3 Benchmarks/python/watch_overhead.py

Prints a markdown table. Threads: torch.set_num_threads(--threads); numpy's BLAS is whatever
numpy links (its own thread settings).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))  # the checkout's package
import gradscope  # noqa: E402

SIZES = [784, 1000, 750, 500, 10]
BATCH = 100
LR, MOMENTUM = 0.01, 0.99
EVERY = (1, 10, 100)
_OPEN: List[Any] = []  # the numpy loops' watchers, closed before the scratch directory goes


def torch_loops(directory: str, threads: int, seed: int) -> Tuple[Dict[str, Callable[[int], float]], str]:
    """name → run(steps) returning seconds, for bare and watched PyTorch loops."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x = torch.rand(BATCH, SIZES[0])
    y = torch.randint(0, SIZES[-1], (BATCH,))

    def network() -> Tuple[Any, Any]:
        layers: List[Any] = []
        for k, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            linear = torch.nn.Linear(n_in, n_out)
            torch.nn.init.xavier_uniform_(linear.weight)
            torch.nn.init.zeros_(linear.bias)
            layers += [linear] + ([torch.nn.Sigmoid()] if k < len(SIZES) - 2 else [])
        model = torch.nn.Sequential(*layers)
        return model, torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

    def loop(every: int) -> Callable[[int], float]:
        model, optimizer = network()

        def run(steps: int) -> float:
            watcher = None
            if every:
                watcher = gradscope.watch(model, optimizer, every=every,
                                          path=os.path.join(directory, "torch-%d.jsonl" % every))
            start = time.perf_counter()
            for _ in range(steps):
                optimizer.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
            seconds = time.perf_counter() - start
            if watcher is not None:
                watcher.close()
            return seconds

        return run

    loops = {"bare": loop(0)}
    loops.update(("every %d" % e, loop(e)) for e in EVERY)
    return loops, "torch %s, %d threads" % (torch.__version__, torch.get_num_threads())


def numpy_loops(directory: str, seed: int) -> Tuple[Dict[str, Callable[[int], float]], str]:
    """name → run(steps) returning seconds, for bare and watched numpy loops."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    rows = np.arange(BATCH)

    def loop(every: int) -> Callable[[int], float]:
        r = np.random.default_rng(seed)
        weights = [r.uniform(-np.sqrt(6 / (a + b)), np.sqrt(6 / (a + b)), (a, b)).astype(np.float32)
                   for a, b in zip(SIZES[:-1], SIZES[1:])]
        biases = [np.zeros(b, dtype=np.float32) for b in SIZES[1:]]
        velocities = [np.zeros_like(p) for p in weights + biases]
        last = len(weights) - 1

        # One watcher for the loop's whole life, as in a real run: its step count goes on from
        # round to round (so every = 100 records once in a round of 100 steps), and its buffers
        # for the weights before the update are allocated once.
        watcher = gradscope.Watcher(every=every, path=os.path.join(directory, "numpy-%d.jsonl" % every)) \
            if every else None
        if watcher is not None:
            _OPEN.append(watcher)
        steps_done = [0]

        def run(steps: int) -> float:
            start = time.perf_counter()
            for step in range(steps_done[0], steps_done[0] + steps):
                a = [x]
                for k in range(len(weights)):
                    z = a[-1] @ weights[k] + biases[k]
                    a.append(1 / (1 + np.exp(-z)) if k < last else z)
                p = np.exp(a[-1] - a[-1].max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                loss = float(-np.mean(np.log(p[rows, y])))
                delta = p
                delta[rows, y] -= 1
                delta /= BATCH
                grads_w, grads_b = [None] * len(weights), [None] * len(weights)
                for k in reversed(range(len(weights))):
                    grads_w[k] = a[k].T @ delta
                    grads_b[k] = delta.sum(axis=0)
                    if k > 0:
                        delta = (delta @ weights[k].T) * (a[k] * (1 - a[k]))
                before = watcher.snapshot(step, weights) if watcher is not None else None
                for param, grad, velocity in zip(weights + biases, grads_w + grads_b, velocities):
                    velocity *= MOMENTUM
                    velocity -= LR * grad
                    param += velocity
                if before is not None:
                    watcher.record(step, loss=loss, layers={
                        "layer%d" % (k + 1): {"weight_before": before[k], "weight_after": weights[k],
                                              "gradient": grads_w[k], "activations": a[k + 1],
                                              "activation": "sigmoid" if k < last else "identity"}
                        for k in range(len(weights))})
                if watcher is not None:
                    watcher.loss(loss, step=step)
            seconds = time.perf_counter() - start
            steps_done[0] += steps
            return seconds

        return run

    loops = {"bare": loop(0)}
    loops.update(("every %d" % e, loop(e)) for e in EVERY)
    return loops, "numpy %s" % np.__version__


def measure(loops: Dict[str, Callable[[int], float]], rounds: int, steps: int) -> Dict[str, float]:
    """name → median over rounds of the mean seconds per step (rounds interleaved, order rotating)."""
    names = list(loops)
    for name in names:  # warm-up: one short run each
        loops[name](min(steps, 10))
    times: Dict[str, List[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(loops[name](steps) / steps)
    return {name: statistics.median(t) for name, t in times.items()}


def loss_call_cost(directory: str, calls: int = 20000) -> float:
    """Seconds per Watcher.loss call once the stream has started (a line written and flushed)."""
    watcher = gradscope.Watcher(every=1, path=os.path.join(directory, "loss.jsonl"))
    watcher.record(0, loss=1.0, layers={"l": {"weight_before": [1.0], "weight_after": [1.0], "gradient": [0.0]}})
    start = time.perf_counter()
    for step in range(calls):
        watcher.loss(1.0, step=step)
    seconds = (time.perf_counter() - start) / calls
    watcher.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="The cost of watching a training loop with gradscope.")
    parser.add_argument("--frameworks", default="torch,numpy")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100, help="steps per loop per round (a multiple of 100)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    notes = []
    with tempfile.TemporaryDirectory() as directory:
        for framework in args.frameworks.split(","):
            try:
                loops, version = (torch_loops(directory, args.threads, args.seed) if framework == "torch"
                                  else numpy_loops(directory, args.seed))
            except ImportError as error:
                notes.append("%s: not measured (%s)" % (framework, error))
                continue
            notes.append(version)
            result = measure(loops, args.rounds, args.steps)
            for name, seconds in result.items():
                rows.append((framework, name, seconds, seconds / result["bare"]))
            print("%s done" % framework, file=sys.stderr, flush=True)
        for watcher in _OPEN:
            watcher.close()
        loss_cost = loss_call_cost(directory)
    print("%s, Python %s; %d rounds × %d steps per loop; %s"
          % (platform.machine(), platform.python_version(), args.rounds, args.steps, "; ".join(notes)))
    print()
    print("| framework | loop | ms / step | ratio to bare | watcher's ms / step |")
    print("|---|---|---:|---:|---:|")
    bare = {framework: seconds for framework, name, seconds, _ in rows if name == "bare"}
    for framework, name, seconds, ratio in rows:
        extra = "" if name == "bare" else "%+.2f" % (1e3 * (seconds - bare[framework]))
        print("| %s | %s | %.1f | %.3f | %s |" % (framework, name, 1e3 * seconds, ratio, extra))
    print()
    print("Watcher.loss (one JSON line written and flushed): %.1f µs per call" % (1e6 * loss_cost))


if __name__ == "__main__":
    main()
