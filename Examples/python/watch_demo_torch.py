#!/usr/bin/env python3
"""The classic vanishing-gradient demonstration in PyTorch, watched by gradscope.watch.

The network and flags of watch_demo_numpy.py (hidden 1000-750-500 sigmoid, softmax cross-entropy,
SGD with momentum 0.99, batch 100, learning rate 0.01, Xavier weights); the watcher is the two
lines around the loop, and the batch loss comes from ``loss.backward()``:

    python3 Examples/python/watch_demo_torch.py
    gradscope diagnose gradscope-watch.jsonl          # vanishing-gradients

    python3 Examples/python/watch_demo_torch.py --activation relu --init he   # the healthy twin
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # watch_data and the shared flags
import watch_data  # noqa: E402
from watch_demo_numpy import HIDDEN, arguments, settings  # noqa: E402

import gradscope  # noqa: E402


def main() -> None:
    import torch

    args = arguments("The vanishing-gradient demonstration (PyTorch), watched by gradscope.")
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = (torch.from_numpy(a) for a in watch_data.load(args.data, args.limit, args.seed))
    sizes = [x_train.shape[1], *HIDDEN, 10]
    modules: "OrderedDict[str, torch.nn.Module]" = OrderedDict()
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        linear = torch.nn.Linear(fan_in, fan_out)
        if args.init == "xavier":
            torch.nn.init.xavier_uniform_(linear.weight)
        elif args.init == "he":
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.normal_(linear.weight, 0.0, 1.0)
        torch.nn.init.zeros_(linear.bias)
        modules["layer%d" % k] = linear
        if k < len(sizes) - 1:
            modules["%s%d" % (args.activation, k)] = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh,
                                                      "relu": torch.nn.ReLU}[args.activation]()
    model = torch.nn.Sequential(modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    watcher = gradscope.watch(model, optimizer, every=args.every, settings=settings(args))
    generator = torch.Generator().manual_seed(args.seed)
    steps = 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        total, batches = 0.0, 0
        for rows in torch.randperm(len(x_train), generator=generator).split(args.batch):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_train[rows]), y_train[rows])
            loss.backward()  # the watcher takes the batch loss from here
            optimizer.step()  # and records every `every` steps
            total += float(loss)
            batches += 1
        steps += batches
        model.eval()
        with torch.no_grad():
            accuracy = float((model(x_test).argmax(dim=1) == y_test).float().mean())
        seconds = time.perf_counter() - start
        watcher.epoch(epoch, train_loss=total / batches, test_accuracy=accuracy, steps=steps, seconds=seconds)
        print("epoch %d/%d  train loss %.4f  test accuracy %5.1f%%  %.1f s"
              % (epoch, args.epochs, total / batches, 100 * accuracy, seconds), flush=True)
    watcher.close()
    print("gradient flow recorded in %s: gradscope diagnose %s" % ((watch_data.shown(watcher.path),) * 2))


if __name__ == "__main__":
    main()
