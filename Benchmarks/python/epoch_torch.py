#!/usr/bin/env python3
"""PyTorch CPU anchor: one epoch of the vanishing-gradient demonstration (see epoch_numpy.py).

784-1000-750-500-10 sigmoid MLP, softmax cross-entropy, float32, batch 100,
SGD with momentum (PyTorch's form: b <- mu b + g; w <- w - lr b, which equals
the classical v <- mu v - lr g; w <- w + v with v = -lr b), lr 0.01, mu 0.99,
over N synthetic examples shuffled once with torch.randperm.  Threads:
torch.set_num_threads(--threads), default OPENBLAS_NUM_THREADS or 1.

Prints one JSON object like epoch_numpy.py; when torch cannot be imported it
prints {"error": "torch is not installed"} and exits 0.
"""

import argparse
import json
import os
import time

MNIST_EXAMPLES = 60000


def main():
    parser = argparse.ArgumentParser(description="Time one SGD+momentum epoch in PyTorch (CPU).")
    parser.add_argument("--examples", type=int, default=MNIST_EXAMPLES)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--warmup", type=int, default=3)
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
    sizes = [784, 1000, 750, 500, 10]
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(n_in, n_out)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        modules.append(linear)
        if i < len(sizes) - 2:
            modules.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*modules)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(args.examples, sizes[0])
    y = torch.randint(0, sizes[-1], (args.examples,))

    def run(steps=None):
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        order = torch.randperm(args.examples)
        count, total = 0, 0.0
        for start in range(0, args.examples, args.batch):
            if steps is not None and count >= steps:
                break
            idx = order[start:start + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            count += 1
            total += float(loss)
        return count, total / max(count, 1)

    if args.warmup > 0:
        state = {k: v.clone() for k, v in model.state_dict().items()}
        run(args.warmup)
        model.load_state_dict(state)
    start = time.perf_counter()
    steps, mean_loss = run()
    seconds = time.perf_counter() - start
    print(json.dumps({
        "benchmark": "epoch_torch", "secondsPerEpoch": seconds, "secondsPerEpoch60000": seconds * MNIST_EXAMPLES / args.examples,
        "extrapolated": args.examples != MNIST_EXAMPLES, "secondsPerStep": seconds / steps, "examples": args.examples,
        "batch": args.batch, "steps": steps, "threads": args.threads, "torch": torch.__version__, "meanLoss": mean_loss,
    }))


if __name__ == "__main__":
    main()
