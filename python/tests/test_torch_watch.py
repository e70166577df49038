"""gradscope.watch on real PyTorch training loops (torch 1.13: optimizer.step is wrapped)."""

import json
import warnings

import pytest

torch = pytest.importorskip("torch")

import gradscope  # noqa: E402
from watch_support import diagnose  # noqa: E402


def train(path, activation, init, depth=5, width=30, lr=0.05, epochs=3, settings=None, explicit_loss=True):
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
            if explicit_loss:
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
    # nn.Sequential's index names get the module's type in front: "linear0", not "0".
    assert lines[0]["layers"] == [{"name": "linear0", "activation": "sigmoid", "weights": 64 * 30},
                                  {"name": "linear2", "activation": "sigmoid", "weights": 30 * 30},
                                  {"name": "linear4", "activation": "identity", "weights": 30 * 10}]
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


def lines_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def small_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.Sigmoid(), torch.nn.Linear(6, 3))
    return model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def batches(n=6):
    gen = torch.Generator().manual_seed(1)
    return [(torch.randn(10, 8, generator=gen), torch.randint(0, 3, (10,), generator=gen)) for _ in range(n)]


def run(watcher, model, optimizer, when="never", scheduler=None, poison=None):
    """Trains on batches(); `when` the loop calls watcher.loss: never, before or after the step."""
    losses = []
    for step, (x, y) in enumerate(batches()):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        if step == poison:
            loss = loss * float("nan")
        loss.backward()
        if when == "before":
            watcher.loss(loss)
        optimizer.step()
        if when == "after":
            watcher.loss(loss)
        if scheduler is not None:
            scheduler.step()
        losses.append(float(loss))
    watcher.close()
    return losses


def test_the_loss_comes_from_backward(tmp_path):
    original = torch.Tensor.backward
    path = tmp_path / "auto.jsonl"
    model, optimizer = small_model()
    losses = run(gradscope.watch(model, optimizer, every=2, path=str(path)), model, optimizer)
    lines = lines_of(path)
    # Step 0's loss line comes before the hello, as with watcher.loss: its value is in sample 0.
    assert [(l["step"], l["value"]) for l in lines if l["type"] == "loss"] == list(enumerate(losses))[1:]
    assert [(s["step"], s["loss"]) for s in lines if s["type"] == "sample"] == [(k, losses[k]) for k in (0, 2, 4)]
    assert torch.Tensor.backward is original
    assert "step" not in vars(optimizer)  # the optimizer's own step again


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_explicit_loss_is_not_recorded_twice(tmp_path, when):
    auto, explicit = tmp_path / "auto.jsonl", tmp_path / "explicit.jsonl"
    model, optimizer = small_model()
    run(gradscope.watch(model, optimizer, every=2, path=str(auto)), model, optimizer)
    model, optimizer = small_model()
    run(gradscope.watch(model, optimizer, every=2, path=str(explicit)), model, optimizer, when=when)
    assert lines_of(explicit) == lines_of(auto)


def test_an_explicit_loss_wins_over_backward(tmp_path):
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    for value in (1.0, 2.0):
        model(torch.randn(4, 8)).sum().backward()  # a scalar that is not the loss
        watcher.loss(value)
        optimizer.step()
    watcher.close()
    assert [(l["type"], l.get("value", l.get("loss"))) for l in lines_of(path)[1:-1]] == [
        ("sample", 1.0), ("loss", 2.0), ("sample", 2.0)]


def test_a_nan_loss_through_backward_ends_the_stream_as_non_finite(tmp_path):
    path = tmp_path / "nan.jsonl"
    model, optimizer = small_model()
    run(gradscope.watch(model, optimizer, every=1, path=str(path)), model, optimizer, poison=3)
    lines = lines_of(path)
    assert lines[-1] == {"type": "end", "status": "non-finite-loss", "step": 3, "epoch": 1}
    assert [s["loss"] for s in lines if s["type"] == "sample"][3] is None


def test_watchers_compose_on_backward_whatever_order_they_close_in(tmp_path):
    original = torch.Tensor.backward
    (m1, o1), (m2, o2) = small_model(), small_model()
    for order in ((0, 1), (1, 0)):
        watchers = [gradscope.watch(m, o, path=str(tmp_path / ("%d.jsonl" % k)))
                    for k, (m, o) in enumerate([(m1, o1), (m2, o2)])]
        try:
            loss = m1(torch.randn(2, 8)).sum()
            loss.backward()
            assert all(w._pending_loss is not None and float(w._pending_loss) == float(loss) for w in watchers)
            watchers[order[0]].close()
            assert torch.Tensor.backward is not original  # the other still watches
            m2(torch.randn(2, 8)).sum().backward()
            watchers[order[1]].close()
            assert torch.Tensor.backward is original
        finally:
            for w in watchers:
                w.close()


@pytest.mark.parametrize("scheduler_first", [True, False])
def test_an_lr_scheduler_works_created_before_or_after_watch(tmp_path, scheduler_first):
    path = tmp_path / "s.jsonl"
    model, optimizer = small_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if scheduler_first:
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        watcher = gradscope.watch(model, optimizer, every=2, path=str(path))
        if not scheduler_first:
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        run(watcher, model, optimizer, scheduler=scheduler)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 / 8)
    assert optimizer._step_count == 6
    assert sum(l["type"] == "sample" for l in lines_of(path)) == 3
    model(torch.randn(2, 8)).sum().backward()
    optimizer.step()  # after close, whatever wraps what, the step still steps
    assert optimizer._step_count == 7


def test_other_ranks_wrap_and_hook_nothing(tmp_path, monkeypatch):
    for name in gradscope._watch.RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RANK", "1")
    original = torch.Tensor.backward
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(tmp_path / "w.jsonl"))
    assert (watcher.rank, watcher.active) == (1, False)
    assert torch.Tensor.backward is original and "step" not in vars(optimizer)
    assert not any(m._forward_hooks for m in model.modules())
    run(watcher, model, optimizer, when="before")
    assert list(tmp_path.iterdir()) == []

    model, optimizer = small_model()
    run(gradscope.watch(model, optimizer, every=1, path=str(tmp_path / "w.jsonl"), all_ranks=True), model, optimizer)
    assert [p.name for p in tmp_path.iterdir()] == ["w.rank1.jsonl"]


def test_the_figures_are_layer_statistics(tmp_path):
    pytest.importorskip("numpy")
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    x, y = batches(1)[0]
    weights = (model[0].weight, model[2].weight)
    before = [w.detach().clone() for w in weights]
    with torch.no_grad():
        hidden = model[:2](x)  # what the Sigmoid's hook sees
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    grads = [w.grad.clone() for w in weights]
    optimizer.step()
    watcher.close()
    sample = [line for line in lines_of(path) if line["type"] == "sample"][0]
    for k, (activations, activation) in enumerate([(hidden, "sigmoid"), (None, "identity")]):
        expected = gradscope.layer_statistics(
            before[k].double().numpy(), weights[k].detach().double().numpy(), grads[k].double().numpy(),
            None if activations is None else activations.double().numpy(), activation)
        for key, value in expected.items():
            assert sample["layers"][k][key] == (None if value is None else pytest.approx(value, rel=1e-5)), key
