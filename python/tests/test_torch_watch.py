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
    # Every step's loss, step 0's too (taken before the hello, written right after it).
    assert [(l["step"], l["value"]) for l in lines if l["type"] == "loss"] == list(enumerate(losses))
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
        ("loss", 1.0), ("sample", 1.0), ("loss", 2.0), ("sample", 2.0)]


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



class SharedRelu(torch.nn.Module):
    """Three layers and one ReLU, defined after all of them and used after the first two."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = torch.nn.Linear(8, 6), torch.nn.Linear(6, 5), torch.nn.Linear(5, 3)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


class SigmoidFirst(torch.nn.Module):
    """The activation is defined before the layers it follows."""

    def __init__(self):
        super().__init__()
        self.act = torch.nn.Sigmoid()
        self.l1, self.l2 = torch.nn.Linear(8, 6), torch.nn.Linear(6, 3)

    def forward(self, x):
        return self.l2(self.act(self.l1(x)))


def hello_layers(lines):
    return [(l["name"], l["activation"], l["weights"]) for l in lines[0]["layers"]]


def train_steps(model, path, steps=3, every=1, forward=None):
    """`steps` SGD steps on batches(), watched; per step, the activations each layer should report
    (from `forward(model, x)`, run before the step's own forward)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    watcher = gradscope.watch(model, optimizer, every=every, path=str(path))
    expected = []
    for x, y in batches(steps):
        if forward is not None:
            with torch.no_grad():
                expected.append(forward(model, x))
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    watcher.close()
    return lines_of(path), expected


def assert_activations(sample, expected, activations):
    """The sample's activation figures are those of `expected` (per layer: a tensor or None)."""
    for layer, a, activation in zip(sample["layers"], expected, activations):
        if a is None:
            assert layer["activationMean"] is None and layer["deadFraction"] is None
            continue
        want = gradscope.layer_statistics([[1.0]], [[1.0]], [[0.0]], a.double().numpy(), activation)
        for key in ("activationMean", "activationStd", "saturation", "deadFraction"):
            assert layer[key] == (None if want[key] is None else pytest.approx(want[key], rel=1e-5)), key


def test_a_shared_activation_serves_each_layer_it_runs_after(tmp_path, capfd):
    pytest.importorskip("numpy")
    torch.manual_seed(0)

    def forward(model, x):
        h1 = model.relu(model.fc1(x))
        return [h1, model.relu(model.fc2(h1)), None]

    lines, expected = train_steps(SharedRelu(), tmp_path / "w.jsonl", forward=forward)
    # fc3, the output layer, has no activation; the ReLU defined last follows fc1 and fc2.
    assert hello_layers(lines) == [("fc1", "relu", 48), ("fc2", "relu", 30), ("fc3", "identity", 15)]
    samples = [l for l in lines if l["type"] == "sample"]
    assert [s["step"] for s in samples] == [0, 1, 2]
    for sample, want in zip(samples, expected):  # step 0 (the forward learnt from) and after
        assert_activations(sample, want, ["relu", "relu", "identity"])
    assert "no activation module" not in capfd.readouterr().err


def test_an_activation_defined_before_its_layer_is_found(tmp_path, capfd):
    pytest.importorskip("numpy")
    torch.manual_seed(0)
    lines, expected = train_steps(SigmoidFirst(), tmp_path / "w.jsonl",
                                  forward=lambda m, x: [m.act(m.l1(x)), None])
    assert hello_layers(lines) == [("l1", "sigmoid", 48), ("l2", "identity", 18)]
    for sample, want in zip([l for l in lines if l["type"] == "sample"], expected):
        assert_activations(sample, want, ["sigmoid", "identity"])
    assert "no activation module" not in capfd.readouterr().err


def test_an_activation_after_a_norm_layer_or_a_skip_belongs_to_the_layer_before(tmp_path, capfd):
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tanh = torch.nn.Tanh()  # defined first, used last
            self.inp = torch.nn.Linear(8, 6)
            self.norm = torch.nn.BatchNorm1d(6)
            self.relu = torch.nn.ReLU()
            self.res = torch.nn.Linear(6, 6)
            self.out = torch.nn.Linear(6, 3)

        def forward(self, x):
            h = self.relu(self.norm(self.inp(x)))  # a BatchNorm between the layer and its ReLU
            h = self.tanh(h + self.res(h))  # a residual sum between the layer and its Tanh
            return self.out(h)

    torch.manual_seed(0)
    lines, _ = train_steps(Block(), tmp_path / "w.jsonl")
    assert hello_layers(lines) == [("inp", "relu", 48), ("res", "tanh", 36), ("out", "identity", 18)]
    assert "no activation module" not in capfd.readouterr().err


def test_the_layers_are_in_the_order_the_forward_calls_them(tmp_path):
    class Reversed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.head = torch.nn.Linear(6, 3)
            self.act = torch.nn.Tanh()
            self.body = torch.nn.Linear(8, 6)
            self.unused = torch.nn.Linear(3, 3)  # never called: no part of the gradient flow

        def forward(self, x):
            return self.head(self.act(self.body(x)))

    torch.manual_seed(0)
    lines, _ = train_steps(Reversed(), tmp_path / "w.jsonl")
    assert hello_layers(lines) == [("body", "tanh", 48), ("head", "identity", 18)]


def test_a_model_called_part_by_part_is_learnt_too(tmp_path):
    torch.manual_seed(0)
    parts = torch.nn.ModuleDict({"relu": torch.nn.ReLU(), "enc": torch.nn.Linear(8, 6), "head": torch.nn.Linear(6, 3)})
    optimizer = torch.optim.SGD(parts.parameters(), lr=0.1)
    path = tmp_path / "w.jsonl"
    watcher = gradscope.watch(parts, optimizer, every=1, path=str(path))
    for x, y in batches(3):  # two forwards per step (gradient accumulation), the container never called
        optimizer.zero_grad()
        for half in (slice(0, 5), slice(5, 10)):
            logits = parts["head"](parts["relu"](parts["enc"](x[half])))
            torch.nn.functional.cross_entropy(logits, y[half]).backward()
        optimizer.step()
    watcher.close()
    lines = lines_of(path)
    assert hello_layers(lines) == [("enc", "relu", 48), ("head", "identity", 18)]
    assert all(s["layers"][0]["deadFraction"] is not None for s in lines if s["type"] == "sample")


def test_without_a_training_forward_before_the_step_the_definition_order_is_kept(tmp_path, capfd):
    torch.manual_seed(0)
    model = SharedRelu()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    path = tmp_path / "w.jsonl"
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    model.eval()
    model(torch.randn(2, 8)).sum().backward()  # in eval mode: nothing learnt
    optimizer.step()
    watcher.close()
    assert hello_layers(lines_of(path)) == [("fc1", "identity", 48), ("fc2", "identity", 30), ("fc3", "relu", 15)]
    assert capfd.readouterr().err.count("no activation module after fc1, fc2") == 1


@pytest.mark.parametrize("every", [1, 10])
def test_every_step_loss_is_in_the_stream(tmp_path, every):
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=every, path=str(path))
    gen = torch.Generator().manual_seed(2)
    losses = []
    for _ in range(25):
        x, y = torch.randn(10, 8, generator=gen), torch.randint(0, 3, (10,), generator=gen)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    watcher.epoch(train_loss=sum(losses) / len(losses))
    watcher.close()
    lines = lines_of(path)
    assert lines[0]["type"] == "hello" and lines[-1] == {"type": "end", "status": "completed"}
    assert [(l["step"], l["value"]) for l in lines if l["type"] == "loss"] == list(enumerate(losses))
    assert [s["step"] for s in lines if s["type"] == "sample"] == list(range(0, 25, every))
    status, _, out = diagnose(path)
    assert status == 0, out.stderr
    assert json.loads(out.stdout)["run"]  # read to the end: the stream is valid


def test_watch_takes_the_rank(tmp_path, monkeypatch):
    for name in gradscope._watch.RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    original = torch.Tensor.backward
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(tmp_path / "w.jsonl"), rank=1)
    assert (watcher.rank, watcher.active) == (1, False)
    assert torch.Tensor.backward is original and "step" not in vars(optimizer)
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    run(watcher, model, optimizer)
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv("RANK", "3")  # an explicit rank wins over the launcher's
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(tmp_path / "w.jsonl"), rank=0)
    assert (watcher.rank, watcher.active) == (0, True)
    run(watcher, model, optimizer)
    assert [p.name for p in tmp_path.iterdir()] == ["w.jsonl"]
    assert sum(l["type"] == "sample" for l in lines_of(tmp_path / "w.jsonl")) == 6


def test_after_learning_only_the_activation_hooks_stay(tmp_path):
    torch.manual_seed(0)
    model = SharedRelu()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    watcher = gradscope.watch(model, optimizer, every=10, path=str(tmp_path / "w.jsonl"))
    assert model.fc1._forward_hooks and model._forward_hooks  # learning the mapping
    x, y = batches(1)[0]
    torch.nn.functional.cross_entropy(model(x), y).backward()
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in (model, model.fc1, model.fc2, model.fc3))
    assert len(model.relu._forward_hooks) == 1
    optimizer.step()
    watcher.close()
    assert not any(m._forward_hooks for m in model.modules())
