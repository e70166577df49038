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


def test_after_learning_only_the_hooks_that_attribute_activations_stay(tmp_path):
    torch.manual_seed(0)
    model = SharedRelu()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    watcher = gradscope.watch(model, optimizer, every=10, path=str(tmp_path / "w.jsonl"))
    assert model.fc1._forward_hooks and model._forward_hooks  # learning the mapping
    x, y = batches(1)[0]
    torch.nn.functional.cross_entropy(model(x), y).backward()
    # The model's own hooks go; a layer with an activation keeps one (its output names the
    # activation call that takes it); the output layer (no activation) none; the ReLU one.
    assert not (model._forward_hooks or model._forward_pre_hooks or model.fc3._forward_hooks)
    assert len(model.fc1._forward_hooks) == len(model.fc2._forward_hooks) == 1
    assert len(model.relu._forward_hooks) == 1
    optimizer.step()
    watcher.close()
    assert not any(m._forward_hooks for m in model.modules())


def deep_relu(depth=5, width=30):
    """train()'s ReLU + He network, as a Sequential, for the tests that freeze or split it."""
    torch.manual_seed(0)
    layers, fan_in = [], 64
    for _ in range(depth):
        linear = torch.nn.Linear(fan_in, width)
        torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, torch.nn.ReLU()]
        fan_in = width
    return torch.nn.Sequential(*layers, torch.nn.Linear(fan_in, 10))


def fit(model, optimizer, watcher, epochs=3, optimizers=()):
    """train()'s loop on its teacher data (every optimizer in `optimizers` steps too)."""
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(512, 64, generator=gen)
    y = (x @ torch.randn(64, 10, generator=gen)).argmax(dim=1)
    for _ in range(epochs):
        order = torch.randperm(512, generator=gen)
        for start in range(0, 512, 32):
            rows = order[start:start + 32]
            for o in (optimizer, *optimizers):
                o.zero_grad()
            torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
            for o in (optimizer, *optimizers):
                o.step()
        watcher.epoch()
    watcher.close()


def test_frozen_layers_are_not_watched_and_give_no_vanishing_gradients(tmp_path, capfd):
    path = tmp_path / "frozen.jsonl"
    model = deep_relu()
    for layer in (model[0], model[2]):  # fine-tuning: the first two layers frozen
        layer.requires_grad_(False)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05, momentum=0.9)
    fit(model, optimizer, gradscope.watch(model, optimizer, every=5, path=str(path)))
    status, codes, out = diagnose(path)  # frozen layers' ΔW = 0 read as vanishing gradients
    assert status == 0 and "vanishing-gradients" not in codes, out.stdout
    assert [name for name, _, _ in hello_layers(lines_of(path))] == ["linear4", "linear6", "linear8", "linear10"]
    # The first watched layer takes the ReLU after it, not the frozen layers' (linear2's).
    assert hello_layers(lines_of(path))[0] == ("linear4", "relu", 900)
    err = capfd.readouterr().err
    assert err.count("gradscope.watch: not watched: linear0, linear2 (frozen: its weight does not require grad)") == 1


def test_layers_another_optimizer_trains_are_not_watched(tmp_path, capfd):
    path = tmp_path / "split.jsonl"
    model = deep_relu()
    head = list(model[8].parameters()) + list(model[10].parameters())
    body = [p for p in model.parameters() if all(p is not h for h in head)]
    optimizer, other = (torch.optim.SGD(ps, lr=0.05, momentum=0.9) for ps in (body, head))
    fit(model, optimizer, gradscope.watch(model, optimizer, every=5, path=str(path)), optimizers=(other,))
    status, codes, out = diagnose(path)
    assert status == 0 and "vanishing-gradients" not in codes, out.stdout
    assert [name for name, _, _ in hello_layers(lines_of(path))] == ["linear0", "linear2", "linear4", "linear6"]
    assert "linear8, linear10 (its weight is not among this optimizer's parameters)" in capfd.readouterr().err


def test_an_activation_after_an_unwatched_layer_belongs_to_no_watched_layer(tmp_path, capfd):
    class Adapter(torch.nn.Module):
        """A trained projection, a frozen block (Linear + ReLU), a trained head."""

        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(8, 6)
            self.block = torch.nn.Linear(6, 6).requires_grad_(False)
            self.relu = torch.nn.ReLU()
            self.head = torch.nn.Linear(6, 3)

        def forward(self, x):
            return self.head(self.relu(self.block(self.proj(x))))

    torch.manual_seed(0)
    model = Adapter()
    for learn in (True, False):  # from the first forward, and in definition order (no forward first)
        path = tmp_path / ("%s.jsonl" % learn)
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
        for x, y in batches(2):
            optimizer.zero_grad()
            if not learn:
                model.eval()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            model.train()
        watcher.close()
        lines = lines_of(path)
        assert hello_layers(lines) == [("proj", "identity", 48), ("head", "identity", 18)], learn
        assert all(s["layers"][0]["deadFraction"] is None for s in lines if s["type"] == "sample")
    assert capfd.readouterr().err.count("not watched: block (frozen") == 2


def test_weight_norm_and_parametrized_layers_are_skipped_with_a_note(tmp_path, capfd):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.utils.weight_norm(torch.nn.Linear(8, 6)), torch.nn.Tanh(),
                                torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(6, 6)),
                                torch.nn.Linear(6, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    path = tmp_path / "w.jsonl"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "the .grad of a non-leaf tensor" warning
        run(gradscope.watch(model, optimizer, every=1, path=str(path)), model, optimizer)
    assert hello_layers(lines_of(path)) == [("linear3", "identity", 18)]
    assert capfd.readouterr().err.count(
        "not watched: linear0, linear2 (its weight is computed from other parameters") == 1


def test_a_model_with_no_trained_layer_is_refused_saying_why():
    model, _ = small_model()
    model.requires_grad_(False)
    with pytest.raises(ValueError, match="no layer to watch.*linear0, linear2 \\(frozen"):
        gradscope.watch(model, torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1))
    model, _ = small_model()
    other = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    with pytest.raises(ValueError, match="not among this optimizer's parameters"):
        gradscope.watch(model, other)


def test_numeric_settings_may_be_tensors(tmp_path):
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    run(gradscope.watch(model, optimizer, every=2, path=str(path),
                        settings={"learningRate": torch.tensor(0.1), "optimizer": "SGD"}), model, optimizer)
    assert lines_of(path)[0]["settings"] == {"learningRate": 0.1, "optimizer": "sgd"}
    with pytest.raises(TypeError, match="learningRate"):
        gradscope.watch(model, optimizer, settings={"learningRate": torch.tensor([0.1, 0.2])})
    assert "step" not in vars(optimizer)  # refused before wrapping anything


def test_a_gan_s_two_watchers_write_two_valid_streams(tmp_path, capfd):
    torch.manual_seed(0)
    generator = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8))
    discriminator = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.Sigmoid(), torch.nn.Linear(6, 1))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    path = tmp_path / "gan.jsonl"
    watch_g = gradscope.watch(generator, opt_g, every=2, path=str(path))
    watch_d = gradscope.watch(discriminator, opt_d, every=2, path=str(path))
    assert (watch_g.path, watch_d.path) == (str(path), str(tmp_path / "gan.2.jsonl"))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    for _ in range(6):
        real, noise = torch.randn(16, 8), torch.randn(16, 4)
        opt_d.zero_grad()
        d_loss = bce(discriminator(real), torch.ones(16, 1)) + bce(discriminator(generator(noise).detach()),
                                                                   torch.zeros(16, 1))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        bce(discriminator(generator(noise)), torch.ones(16, 1)).backward()
        opt_g.step()
    watch_g.close()
    watch_d.close()
    err = capfd.readouterr().err
    assert err.count("another watcher of this process writes or wrote %s; this one writes %s"
                     % (path, tmp_path / "gan.2.jsonl")) == 1
    for p, names in ((path, ["linear0", "linear2"]), (tmp_path / "gan.2.jsonl", ["linear0", "linear2"])):
        lines = lines_of(p)
        assert [n for n, _, _ in hello_layers(lines)] == names
        assert [s["step"] for s in lines if s["type"] == "sample"] == [0, 2, 4]
        status, _, out = diagnose(p)
        assert status == 0, out.stderr
    assert lines_of(path)[0]["layers"][0]["activation"] == "relu"
    assert lines_of(tmp_path / "gan.2.jsonl")[0]["layers"][0]["activation"] == "sigmoid"


def test_an_embedding_is_not_watched_and_says_why(tmp_path, capfd):
    class Bag(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(20, 8, sparse=True)
            self.out = torch.nn.Linear(8, 3)

        def forward(self, tokens):
            return self.out(self.embed(tokens).mean(dim=1))

    torch.manual_seed(0)
    model = Bag()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    path = tmp_path / "w.jsonl"
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    assert "not watched: embed (an embedding" in capfd.readouterr().err
    gen = torch.Generator().manual_seed(3)
    for _ in range(3):
        tokens, y = torch.randint(0, 20, (10, 4), generator=gen), torch.randint(0, 3, (10,), generator=gen)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(tokens), y).backward()
        optimizer.step()
    watcher.close()
    lines = lines_of(path)
    assert hello_layers(lines) == [("out", "identity", 24)]
    assert lines[-1] == {"type": "end", "status": "completed"}


def test_a_sparse_gradient_is_measured_and_the_step_goes_on(tmp_path):
    model, _ = small_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # plain SGD takes sparse gradients
    path = tmp_path / "w.jsonl"
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
    gen = torch.Generator().manual_seed(3)
    norms = []
    for _ in range(3):
        x = torch.randn(16, first.in_features, generator=gen)
        optimizer.zero_grad()
        model(x).square().mean().backward()
        first.weight.grad = first.weight.grad.to_sparse()
        norms.append(float(first.weight.grad.to_dense().norm()))
        optimizer.step()
    watcher.close()
    lines = lines_of(path)
    samples = [l for l in lines if l["type"] == "sample"]
    assert [s["layers"][0]["gradientNorm"] for s in samples] == [pytest.approx(n, rel=1e-5) for n in norms]
    assert lines[-1] == {"type": "end", "status": "completed"}


def test_a_failure_of_the_watcher_stops_it_not_the_training(tmp_path, capfd, monkeypatch):
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) > 2:  # the third step's figures (two layers a step)
            raise RuntimeError("out of figures")
        return original(*args, **kwargs)

    original = gradscope._torch_watch._layer_figures
    monkeypatch.setattr(gradscope._torch_watch, "_layer_figures", broken)
    weights = []
    for step, (x, y) in enumerate(batches(4)):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()  # never raises
        watcher.loss(loss)  # nor does the watcher once it stopped
        watcher.epoch(train_loss=float(loss))
        weights.append(model[0].weight.detach().clone())
    watcher.close()
    assert not torch.equal(weights[-1], weights[-2])  # the last step stepped
    err = capfd.readouterr().err
    assert err.count("gradscope.watch: recording failed at step 1 (RuntimeError: out of figures); the watcher "
                     "stops and training goes on") == 1
    assert "step" not in vars(optimizer) and not any(m._forward_hooks for m in model.modules())
    lines = lines_of(path)
    assert [l["type"] for l in lines] == ["hello", "loss", "sample", "epoch", "loss"]  # no end: cut short
    status, _, out = diagnose(path)
    assert status == 3 and "cut short" in json.loads(out.stdout)["run"]["stop"], out.stdout


def test_a_failure_before_the_first_sample_leaves_a_stream_cut_short(tmp_path, capfd, monkeypatch):
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))

    def broken(*args, **kwargs):
        raise RuntimeError("no norms")

    monkeypatch.setattr(torch.linalg, "vector_norm", broken)  # the gradient norms, before step 0
    losses = run(watcher, model, optimizer)
    assert len(losses) == 6
    assert "recording failed at step 0 (RuntimeError: no norms)" in capfd.readouterr().err
    assert [l["type"] for l in lines_of(path)] == ["hello", "loss"]


def closure_run(model, optimizer, watcher, steps=4):
    """`steps` optimizer.step(closure) on one batch; per step, the loss the closure returned at
    its first call and the first layer's gradient norm then."""
    x, y = batches(1)[0]
    firsts = []

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        if len(firsts) == len(seen):
            firsts.append((float(loss), float(next(model.parameters()).grad.norm())))
        return loss

    seen = []
    for _ in range(steps):
        optimizer.step(closure)
        seen.append(1)
    watcher.close()
    return firsts


def test_lbfgs_takes_each_step_s_loss_from_its_closure(tmp_path):
    pytest.importorskip("numpy")
    path = tmp_path / "w.jsonl"
    model, _ = small_model()
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=5)
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    x, _ = batches(1)[0]
    expected = []
    original = optimizer.step

    def step(closure):  # the activations at the weights before each step (LBFGS moves them in it)
        with torch.no_grad():
            expected.append(model[:2](x))
        return original(closure)

    optimizer.step = step
    firsts = closure_run(model, optimizer, watcher)
    losses = [loss for loss, _ in firsts]
    lines = lines_of(path)
    assert [(l["step"], l["value"]) for l in lines if l["type"] == "loss"] == list(enumerate(losses))
    samples = [s for s in lines if s["type"] == "sample"]
    assert [(s["step"], s["loss"]) for s in samples] == list(enumerate(losses))
    for sample, (_, norm), want in zip(samples, firsts, expected):
        assert sample["layers"][0]["gradientNorm"] == pytest.approx(norm, rel=1e-5)
        assert_activations(sample, [want, None], ["sigmoid", "identity"])
    assert lines[-1] == {"type": "end", "status": "completed"}
    status, _, out = diagnose(path)
    assert status == 0, out.stderr


def test_a_closure_step_learns_the_activations_from_the_closure_s_forward(tmp_path, capfd):
    pytest.importorskip("numpy")
    torch.manual_seed(0)
    model = SigmoidFirst()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    path = tmp_path / "w.jsonl"
    x, _ = batches(1)[0]
    with torch.no_grad():
        expected = model.act(model.l1(x))
    firsts = closure_run(model, optimizer, gradscope.watch(model, optimizer, every=2, path=str(path)), steps=3)
    lines = lines_of(path)
    assert hello_layers(lines) == [("l1", "sigmoid", 48), ("l2", "identity", 18)]
    assert [l["value"] for l in lines if l["type"] == "loss"] == [loss for loss, _ in firsts]
    assert_activations([s for s in lines if s["type"] == "sample"][0], [expected, None], ["sigmoid", "identity"])
    assert "no activation module" not in capfd.readouterr().err


def test_a_forward_under_no_grad_between_backward_and_step_is_not_recorded(tmp_path):
    pytest.importorskip("numpy")
    path = tmp_path / "w.jsonl"
    model, optimizer = small_model()
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    expected = []
    for x, y in batches(3):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        with torch.no_grad():
            expected.append(model[:2](x))
            model(100 * x)  # a probe batch, in train mode: saturates the sigmoid
        optimizer.step()
    watcher.close()
    for sample, want in zip([s for s in lines_of(path) if s["type"] == "sample"], expected):
        assert_activations(sample, [want, None], ["sigmoid", "identity"])


def test_a_forward_under_no_grad_teaches_nothing(tmp_path):
    torch.manual_seed(0)
    model = SharedRelu()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    watcher = gradscope.watch(model, optimizer, every=1, path=str(tmp_path / "w.jsonl"))
    with torch.no_grad():
        model(torch.randn(2, 8))  # train mode, no graph: not the forward to learn from
    assert model.fc1._forward_hooks and model._forward_hooks
    run(watcher, model, optimizer)
    assert hello_layers(lines_of(tmp_path / "w.jsonl"))[0] == ("fc1", "relu", 48)


@pytest.mark.parametrize("activation", [torch.nn.Sigmoid, torch.nn.Tanh, torch.nn.ReLU])
def test_non_finite_activations_give_null_fractions(tmp_path, activation):
    path = tmp_path / "w.jsonl"
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 6), activation(), torch.nn.Linear(6, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    model(torch.full((4, 8), float("nan"))).sum().backward()
    optimizer.step()
    watcher.close()
    layer = [s for s in lines_of(path) if s["type"] == "sample"][0]["layers"][0]
    assert layer["activationMean"] is None and layer["saturation"] is None and layer["deadFraction"] is None


def recorded_every_step(model, path, steps):
    """The stream of `steps` SGD steps on batches(), every step recorded."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    for x, y in batches(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    watcher.close()
    return lines_of(path)


class LayerDrop(torch.nn.Module):
    """fc1 → relu → [fc2 → relu, skipped in the first forward] → fc3 → relu → out, one shared
    ReLU; fc3's bias makes it dead."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = torch.nn.Linear(8, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 16)
        self.out = torch.nn.Linear(16, 3)
        self.relu = torch.nn.ReLU()
        torch.nn.init.constant_(self.fc3.bias, -50.0)
        self.skip = True

    def forward(self, x):
        x = self.relu(self.fc1(x))
        if not self.skip:
            x = self.relu(self.fc2(x))
        self.skip = False
        return self.out(self.relu(self.fc3(x)))


def test_a_forward_unlike_the_first_credits_each_activation_to_its_own_layer(tmp_path, capfd):
    torch.manual_seed(0)
    lines = recorded_every_step(LayerDrop(), tmp_path / "w.jsonl", steps=4)
    assert "not watched: fc2 (not called with gradients in the first training forward" in capfd.readouterr().err
    assert [name for name, _, _ in hello_layers(lines)] == ["fc1", "fc3", "out"]
    later = [l for l in lines if l["type"] == "sample"][1:]  # forwards that call fc2 too
    assert later and all(s["layers"][1]["deadFraction"] == 1.0 for s in later), "fc3 is the dead one"
    assert all(s["layers"][0]["deadFraction"] < 0.5 for s in later), "fc1 is not"


class Views(torch.nn.Module):
    """Each activation takes a view of its layer's output, in the other order."""

    def __init__(self):
        super().__init__()
        self.fa, self.fb = torch.nn.Linear(8, 6), torch.nn.Linear(8, 6)
        self.sig, self.relu = torch.nn.Sigmoid(), torch.nn.ReLU()
        self.out = torch.nn.Linear(12, 3)
        torch.nn.init.constant_(self.fb.bias, -50.0)

    def forward(self, x):
        a = self.fa(x).view(-1, 2, 3)
        b = self.fb(x).view(-1, 2, 3)
        return self.out(torch.cat([self.sig(a).flatten(1), self.relu(b).flatten(1)], dim=1))


def test_an_activation_of_a_view_belongs_to_the_layer_it_views(tmp_path):
    torch.manual_seed(0)
    lines = recorded_every_step(Views(), tmp_path / "w.jsonl", steps=3)
    assert hello_layers(lines)[:2] == [("fa", "sigmoid", 48), ("fb", "relu", 48)]
    for s in (l for l in lines if l["type"] == "sample"):
        assert s["layers"][1]["deadFraction"] == 1.0 and s["layers"][0]["saturation"] is not None


def test_a_watch_that_fails_leaves_nothing_behind(tmp_path):
    torch.manual_seed(0)
    model, optimizer = small_model()
    original_step = optimizer.step
    path = tmp_path / "w.jsonl"

    class Refusing(torch.nn.Module):
        """A model whose own forward hook cannot be registered (as a scripted module's)."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def register_forward_hook(self, hook):
            raise RuntimeError("cannot hook this module")

        def forward(self, x):
            return self.inner(x)

    with pytest.raises(RuntimeError, match="cannot hook"):
        gradscope.watch(Refusing(model), optimizer, every=1, path=str(path))
    assert not any(m._forward_hooks for m in model.modules()), "no hook stays on the layers"
    assert optimizer.step == original_step and "step" not in vars(optimizer)
    watcher = gradscope.watch(model, optimizer, every=1, path=str(path))
    assert watcher.path == str(path), "the file name was not kept by the failed watch"
    watcher.close()



def test_a_non_finite_weight_norm_gives_a_null_update_ratio():
    from gradscope._torch_figures import _row

    nan = float("nan")
    assert _row([1.0, 1.0, nan, 1.0, nan, nan, nan], "identity")["updateRatio"] is None
    assert _row([0.0, 0.0, 0.0, 1.0, nan, nan, nan], "identity")["updateRatio"] == 0.0
    assert _row([1.0, 1.0, 4.0, 1.0, nan, nan, nan], "identity")["updateRatio"] == 0.25
