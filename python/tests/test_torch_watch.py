"""gradscope.watch on real PyTorch training loops (torch 1.13: optimizer.step is wrapped)."""

import json

import pytest

torch = pytest.importorskip("torch")

import gradscope  # noqa: E402
from watch_support import diagnose  # noqa: E402


def train(path, activation, init, depth=5, width=30, lr=0.05, epochs=3, settings=None):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(512, 64, generator=gen)
    teacher = torch.randn(64, 10, generator=gen)
    y = (x @ teacher).argmax(dim=1)
    layers, fan_in = [], 64
    for _ in range(depth):
        linear = torch.nn.Linear(fan_in, width)
        if init == "he":
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, 10))
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    watcher = gradscope.watch(model, optimizer, every=5, path=str(path), settings=settings)
    for epoch in range(epochs):
        order = torch.randperm(512, generator=gen)
        total = 0.0
        for start in range(0, 512, 32):
            rows = order[start:start + 32]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[rows]), y[rows])
            loss.backward()
            watcher.loss(loss)
            optimizer.step()
            total += float(loss)
        watcher.epoch(train_loss=total / 16)
    watcher.close()
    return model, optimizer


def test_stream_names_the_layers_and_their_activations(tmp_path):
    path = tmp_path / "s.jsonl"
    model, optimizer = train(path, "sigmoid", "xavier", depth=2, epochs=1)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["layers"] == [{"name": "0", "activation": "sigmoid", "weights": 64 * 30},
                                  {"name": "2", "activation": "sigmoid", "weights": 30 * 30},
                                  {"name": "4", "activation": "identity", "weights": 30 * 10}]
    samples = [l for l in lines if l["type"] == "sample"]
    assert [s["step"] for s in samples] == [0, 5, 10, 15]
    assert samples[0]["layers"][0]["saturation"] is not None and samples[0]["loss"] is not None
    assert lines[-1] == {"type": "end", "status": "completed"}
    # close() restores the optimizer's own step.
    assert optimizer.step.__func__ is torch.optim.SGD.step


def test_deep_sigmoid_network_has_vanishing_gradients(tmp_path):
    path = tmp_path / "sigmoid.jsonl"
    train(path, "sigmoid", "xavier", settings={"activation": "sigmoid", "initialization": "xavier"})
    status, codes, out = diagnose(path)
    assert status == 0 and "vanishing-gradients" in codes, out.stdout


def test_same_depth_with_relu_and_he_has_no_vanishing_gradients(tmp_path):
    path = tmp_path / "relu.jsonl"
    train(path, "relu", "he", settings={"activation": "relu", "initialization": "he"})
    status, codes, out = diagnose(path)
    assert status == 0 and "vanishing-gradients" not in codes, out.stdout
