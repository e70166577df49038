#!/usr/bin/env python3
"""PyTorch CPU anchor: time of one training step of the dense MLP of train_step_numpy.py.

Same network (784-1000-750-500-10, sigmoid or ReLU hidden layers, softmax
cross-entropy, Glorot-uniform weights, zero biases), same synthetic batch, plain
SGD (lr 0.01), but with autograd: forward, loss.backward(), optimizer.step().
Threads: torch.set_num_threads(--threads), default OPENBLAS_NUM_THREADS or 1.

Prints one JSON object like train_step_numpy.py; when torch cannot be imported
it prints {"error": "torch is not installed"} and exits 0, so the Swift harness
can report the anchor as missing.
"""

import argparse
import json
import os
import statistics
import time


def main():
    parser = argparse.ArgumentParser(description="Time one MLP training step in PyTorch (CPU).")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--layers", default="784,1000,750,500,10")
    parser.add_argument("--activation", default="sigmoid", choices=["sigmoid", "relu"])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OPENBLAS_NUM_THREADS", "1")))
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print(json.dumps({"error": "torch is not installed"}))
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    sizes = [int(v) for v in args.layers.split(",")]
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(n_in, n_out).to(dtype)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        modules.append(linear)
        if i < len(sizes) - 2:
            modules.append(torch.nn.Sigmoid() if args.activation == "sigmoid" else torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(args.batch, sizes[0], dtype=dtype)
    y = torch.randint(0, sizes[-1], (args.batch,))

    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= args.warmup:
            times.append(elapsed)
    total = sum(times)
    print(json.dumps({
        "benchmark": "train_step_torch", "stepsPerSecond": len(times) / total, "secondsPerStep": total / len(times),
        "medianSecondsPerStep": statistics.median(times), "dtype": args.dtype, "batch": args.batch, "layers": sizes,
        "activation": args.activation, "threads": args.threads, "torch": torch.__version__, "finalLoss": float(loss),
    }))


if __name__ == "__main__":
    main()
