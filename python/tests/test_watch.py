"""gradscope.Watcher on numpy training loops, and `gradscope diagnose` on what it records."""

import json
import os
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy")

import gradscope  # noqa: E402
from watch_support import binary, diagnose  # noqa: E402


def data(n=512, d=64, classes=10, seed=0):
    """Inputs in [0, 1] and labels from a random linear teacher."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    teacher = rng.standard_normal((d, classes))
    return x, np.argmax(x @ teacher + 0.5 * rng.standard_normal((n, classes)), axis=1)


ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
}


def train(path, hidden, activation, init, lr=0.05, momentum=0.9, epochs=3, bias=0.0, every=5,
          settings=None, seed=1):
    """A numpy MLP (softmax cross-entropy, momentum SGD, batch 32) watched every `every` steps."""
    x, y = data()
    rng = np.random.default_rng(seed)
    sizes = [x.shape[1]] + hidden + [10]
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if init == "xavier":
            limit = np.sqrt(6 / (fan_in + fan_out))
            w = rng.uniform(-limit, limit, (fan_in, fan_out))
        elif init == "he":
            w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)
        else:  # N(0, 1)
            w = rng.standard_normal((fan_in, fan_out))
        weights.append(w)
        biases.append(np.zeros(fan_out))
    biases[0] += bias
    velocity = [np.zeros_like(w) for w in weights] + [np.zeros_like(b) for b in biases]
    f, df = ACT[activation]
    watcher = gradscope.Watcher(every=every, path=str(path), settings=settings)
    step = 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), 32):
            rows = order[start:start + 32]
            a = [x[rows]]
            for k in range(len(weights)):
                z = a[-1] @ weights[k] + biases[k]
                a.append(f(z) if k < len(weights) - 1 else z)
            logits = a[-1] - a[-1].max(axis=1, keepdims=True)
            p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = float(-np.mean(np.log(p[np.arange(len(rows)), y[rows]])))
            losses.append(loss)
            delta = p
            delta[np.arange(len(rows)), y[rows]] -= 1
            delta /= len(rows)
            grads_w, grads_b = [None] * len(weights), [None] * len(weights)
            for k in reversed(range(len(weights))):
                grads_w[k] = a[k].T @ delta
                grads_b[k] = delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ weights[k].T) * df(a[k])
            record = watcher.should_record(step)
            before = [w.copy() for w in weights] if record else None
            for k, g in enumerate(grads_w + grads_b):
                target = weights[k] if k < len(weights) else biases[k - len(weights)]
                velocity[k] = momentum * velocity[k] - lr * g
                target += velocity[k]
            if record:
                layers = {}
                for k in range(len(weights)):
                    layers["layer%d" % (k + 1)] = {
                        "weight_before": before[k], "weight_after": weights[k], "gradient": grads_w[k],
                        "activations": a[k + 1], "activation": activation if k < len(weights) - 1 else "identity",
                    }
                watcher.record(step, loss=loss, layers=layers, epoch=epoch)
            watcher.loss(loss, step=step)
            step += 1
            if not np.isfinite(loss):
                watcher.close()
                return
        watcher.epoch(epoch, train_loss=float(np.mean(losses)), steps=step)
    watcher.close()


def test_stream_is_the_documented_json_lines(tmp_path):
    path = tmp_path / "s.jsonl"
    train(path, [8], "sigmoid", "xavier", epochs=1, every=10, settings={"initialization": "xavier"})
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["type"] == "hello" and lines[0]["protocol"] == "gradscope-watch/1"
    assert [l["name"] for l in lines[0]["layers"]] == ["layer1", "layer2"]
    assert lines[0]["layers"][0] == {"name": "layer1", "activation": "sigmoid", "weights": 64 * 8}
    assert lines[0]["settings"] == {"initialization": "xavier"}
    samples = [l for l in lines if l["type"] == "sample"]
    assert [s["step"] for s in samples] == [0, 10]  # 16 batches, every 10
    first = samples[0]["layers"][0]
    assert first["updateRatio"] == pytest.approx(first["updateNorm"] / first["weightNorm"])
    assert 0 <= first["saturation"] <= 1 and first["deadFraction"] is None
    assert lines[-1] == {"type": "end", "status": "completed"}
    assert sum(l["type"] == "loss" for l in lines) == 16


def test_layer_statistics_follow_the_monitor_definitions():
    w0 = np.array([[1.0, -2.0], [2.0, 0.0]])
    w1 = w0 + np.array([[0.1, 0.0], [0.0, -0.1]])
    s = gradscope.layer_statistics(w0, w1, np.ones((2, 2)), np.array([[0.0, 0.5], [-1.0, 2.0]]), "relu")
    assert s["meanAbsoluteUpdate"] == pytest.approx(0.05)
    assert s["updateRatio"] == pytest.approx(np.sqrt(0.02) / 3)
    assert s["gradientNorm"] == pytest.approx(2)
    assert s["deadFraction"] == 0.5  # unit 0 is never positive
    t = gradscope.layer_statistics(w0, w1, w0, np.array([[0.999, 0.1]]), "tanh")
    assert t["saturation"] == 0.5


def test_watcher_refuses_what_it_cannot_record(tmp_path):
    with pytest.raises(ValueError):
        gradscope.Watcher(every=0)
    with pytest.raises(ValueError):
        gradscope.Watcher(settings={"colour": "blue"})
    w = gradscope.Watcher(path=str(tmp_path / "x.jsonl"))
    with pytest.raises(ValueError):
        w.record(0, layers={"l": {"weight_before": [1.0], "weight_after": [1.0], "gradient": [0.0],
                                   "activation": "swish"}})
    w.close()


def test_deep_sigmoid_network_has_vanishing_gradients(tmp_path):
    path = tmp_path / "sigmoid.jsonl"
    train(path, [30] * 5, "sigmoid", "xavier", settings={"initialization": "xavier", "activation": "sigmoid"})
    status, codes, out = diagnose(path)
    assert status == 0, out.stderr
    assert "vanishing-gradients" in codes, out.stdout
    fixes = json.loads(out.stdout)["run"]["findings"][0]["fixes"]
    assert not any("--init xavier" in f for f in fixes), fixes  # the run already uses Xavier


def test_same_depth_with_relu_and_he_is_healthy(tmp_path):
    path = tmp_path / "relu.jsonl"
    train(path, [30] * 5, "relu", "he", settings={"initialization": "he", "activation": "relu"})
    status, codes, out = diagnose(path)
    assert status == 0 and "vanishing-gradients" not in codes, out.stdout


def test_tanh_with_unit_normal_weights_saturates(tmp_path):
    path = tmp_path / "tanh.jsonl"
    train(path, [30, 30], "tanh", "normal", lr=0.01)
    status, codes, out = diagnose(path)
    assert "saturation" in codes, out.stdout


def test_far_too_high_learning_rate(tmp_path):
    path = tmp_path / "lr.jsonl"
    train(path, [30, 30], "relu", "he", lr=20.0, momentum=0.9)
    status, codes, out = diagnose(path)
    assert codes & {"exploding-gradients", "non-finite-loss", "learning-rate-too-high"}, out.stdout
    if "non-finite-loss" in codes:
        assert status == 3


def test_large_negative_bias_kills_relus(tmp_path):
    path = tmp_path / "dead.jsonl"
    train(path, [30, 30], "relu", "he", bias=-20.0)
    status, codes, out = diagnose(path)
    assert "dead-relu" in codes, out.stdout


@pytest.mark.parametrize("text, line", [
    ('{"type": "sample", "step": 0, "layers": []}\n', 1),
    ('{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 4}]}\nnot json\n', 2),
    ('{"type": "hello", "protocol": "gradscope-watch/9", "layers": []}\n', 1),
    ('{"type": "hello", "protocol": "gradscope-watch/1", "layers": [{"name": "a", "weights": 4}]}\n'
     '{"type": "sample", "step": 0, "layers": [{"meanAbsoluteUpdate": 1}]}\n', 2),
])
def test_malformed_streams_exit_65_naming_the_line(tmp_path, text, line):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    out = subprocess.run([binary(), "diagnose", str(path)], capture_output=True, text=True)
    assert out.returncode == 65, out
    assert ("line %d:" % line) in out.stderr, out.stderr


def test_a_stream_cut_short_exits_3(tmp_path):
    path = tmp_path / "cut.jsonl"
    train(path, [8], "sigmoid", "xavier", epochs=1, every=2)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # no `end`
    status, codes, out = diagnose(path)
    assert status == 3 and "cut short" in json.loads(out.stdout)["run"]["stop"]


def layer(n=4):
    w = np.ones((n, n))
    return {"l": {"weight_before": w, "weight_after": w * 0.9, "gradient": w, "activation": "identity"}}


def clear_rank_environment(monkeypatch):
    for name in gradscope._watch.RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_other_ranks_are_inert_and_create_no_file(tmp_path, monkeypatch):
    clear_rank_environment(monkeypatch)
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("GRADSCOPE_WATCH", str(tmp_path / "run.jsonl"))
    w = gradscope.Watcher(every=1)
    assert (w.rank, w.active) == (2, False)
    assert not w.should_record(0)
    assert w.record(0, loss=1.0, layers=layer()) is False
    w.loss(float("nan"), step=0)
    w.epoch(train_loss=1.0)
    w.close()
    assert list(tmp_path.iterdir()) == []


def test_all_ranks_write_one_file_each(tmp_path, monkeypatch):
    clear_rank_environment(monkeypatch)
    monkeypatch.setenv("GRADSCOPE_WATCH", str(tmp_path / "run.jsonl"))
    for rank in ("0", "3"):
        monkeypatch.setenv("RANK", rank)
        w = gradscope.Watcher(every=1, all_ranks=True)
        assert w.active and w.rank == int(rank)
        assert w.record(0, loss=1.0, layers=layer())
        w.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl", "run.rank3.jsonl"]
    for p in tmp_path.iterdir():
        assert json.loads(p.read_text().splitlines()[-1]) == {"type": "end", "status": "completed"}
    assert gradscope._watch.rank_path("runs/a.b/watch", 1) == "runs/a.b/watch.rank1"


def test_the_rank_comes_from_torch_distributed_then_the_launchers(monkeypatch):
    clear_rank_environment(monkeypatch)
    rank = gradscope._watch.process_rank
    monkeypatch.setitem(sys.modules, "torch.distributed", None)  # as if torch.distributed were not imported
    assert rank() == 0
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert rank() == 1
    monkeypatch.setenv("SLURM_PROCID", "5")
    assert rank() == 5
    monkeypatch.setenv("RANK", "not a number")
    assert rank() == 5
    monkeypatch.setenv("RANK", "7")
    assert rank() == 7

    class Initialised:
        is_available = is_initialized = staticmethod(lambda: True)
        get_rank = staticmethod(lambda: 4)

    monkeypatch.setitem(sys.modules, "torch.distributed", Initialised)
    assert rank() == 4
    w = gradscope.Watcher(rank=0)
    assert w.active  # an explicit rank (e.g. jax.process_index()) wins
    w.close()


def test_a_rank_launched_process_records_only_on_rank_0(tmp_path):
    program = ("import gradscope, numpy as np\n"
               "w = gradscope.Watcher(every=1)\n"
               "w.record(0, loss=1.0, layers={'l': {'weight_before': np.ones(4), 'weight_after': np.zeros(4),"
               " 'gradient': np.ones(4)}})\n")
    for rank in ("0", "1"):
        env = {k: v for k, v in os.environ.items() if k not in gradscope._watch.RANK_VARIABLES}
        env.update(RANK=rank, GRADSCOPE_WATCH=str(tmp_path / "w.jsonl"),
                   PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        subprocess.run([sys.executable, "-c", program], env=env, check=True)
    assert [p.name for p in tmp_path.iterdir()] == ["w.jsonl"]
    assert json.loads(tmp_path.joinpath("w.jsonl").read_text().splitlines()[-1])["status"] == "completed"


def test_non_finite_figures_are_null_not_invalid_json():
    w = np.array([[np.inf, 1.0]])
    s = gradscope.layer_statistics(w, w, np.array([[np.nan, 0.0]]))
    assert s["weightNorm"] is None and s["gradientNorm"] is None
    json.dumps(s, allow_nan=False)


def test_float32_weights_give_the_float64_figures():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((300, 200)).astype(np.float32)
    w1 = w0 + np.float32(1e-4) * rng.standard_normal((300, 200)).astype(np.float32)
    g = rng.standard_normal((300, 200)).astype(np.float32)
    a = rng.random((100, 300)).astype(np.float32)
    s32 = gradscope.layer_statistics(w0, w1, g, a, "sigmoid")
    s64 = gradscope.layer_statistics(w0.astype(np.float64), w1.astype(np.float64), g.astype(np.float64),
                                     a.astype(np.float64), "sigmoid")
    for key, value in s64.items():
        assert s32[key] == (None if value is None else pytest.approx(value, rel=1e-6)), key


def test_snapshot_copies_on_recording_steps_into_buffers_it_reuses(tmp_path):
    w = gradscope.Watcher(every=2, path=str(tmp_path / "w.jsonl"))
    weights = [np.arange(6.0).reshape(2, 3), np.ones(4, dtype=np.float32)]
    assert w.snapshot(1, weights) is None
    first = w.snapshot(0, weights)
    assert all(np.array_equal(c, a) and c.dtype == a.dtype and c is not a for c, a in zip(first, weights))
    weights[0] += 1
    assert first[0][0, 0] == 0  # a copy, not a view
    second = w.snapshot(2, weights)
    assert second[0] is first[0] and second[0][0, 0] == 1  # the same buffer, refreshed
    w.close()


def test_a_loss_before_the_first_sample_follows_the_hello(tmp_path):
    path = tmp_path / "w.jsonl"
    w = gradscope.Watcher(every=2, path=str(path))
    for step in range(3):
        w.loss(1.0 + step, step=step)  # before record(), as the PyTorch watcher does
        w.record(step, loss=1.0 + step, layers=layer())
    w.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(l["type"], l.get("step")) for l in lines] == [
        ("hello", None), ("loss", 0), ("sample", 0), ("loss", 1), ("loss", 2), ("sample", 2), ("end", None)]
    assert [l["value"] for l in lines if l["type"] == "loss"] == [1.0, 2.0, 3.0]


def lines_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_epoch_before_the_first_sample_follows_the_hello_in_order(tmp_path):
    path = tmp_path / "w.jsonl"
    w = gradscope.Watcher(every=3, path=str(path))
    w.loss(1.0, step=0)
    w.epoch(train_loss=1.0, steps=1)  # epochs of one step: the first sample comes in epoch 3
    w.loss(2.0, step=1)
    w.epoch(train_loss=2.0)
    w.loss(3.0, step=2)
    w.epoch(train_loss=3.0)
    w.record(3, loss=4.0, layers=layer())
    w.close()
    assert [(l["type"], l.get("step", l.get("epoch"))) for l in lines_of(path)] == [
        ("hello", None), ("loss", 0), ("epoch", 1), ("loss", 1), ("epoch", 2), ("loss", 2), ("epoch", 3),
        ("sample", 3), ("end", None)]
    assert lines_of(path)[2] == {"type": "epoch", "epoch": 1, "trainLoss": 1.0, "steps": 1}
    assert lines_of(path)[7]["epoch"] == 4
    status, _, out = diagnose(path)
    assert status == 0, out.stderr


def test_an_unknown_epoch_metric_is_refused_before_the_first_sample_too(tmp_path):
    w = gradscope.Watcher(path=str(tmp_path / "w.jsonl"))
    with pytest.raises(ValueError, match="unknown epoch metrics accuracy"):
        w.epoch(train_loss=1.0, accuracy=0.5)
    w.close()


def test_settings_are_checked_when_the_watcher_is_created(tmp_path):
    for settings, error, words in [
        ({"optimizer": "lion"}, ValueError, ["optimizer", "sgd, momentum, nesterov, adam", "adamw"]),
        ({"activation": "swish"}, ValueError, ["activation", "sigmoid, tanh, relu, leaky-relu"]),
        ({"initialization": "orthogonal"}, ValueError, ["initialization", "xavier, xavier-normal, he, normal"]),
        ({"inputScaling": "minmax"}, ValueError, ["inputScaling", "raw, unit, standard"]),
        ({"optimizer": 3}, TypeError, ["optimizer", "must be text"]),
        ({"learningRate": "0.01"}, TypeError, ["learningRate", "real number"]),
        ({"learningRate": True}, TypeError, ["learningRate", "bool"]),
        ({"weightDecay": None}, TypeError, ["weightDecay", "NoneType"]),
        ({"l2": float("nan")}, ValueError, ["l2", "finite"]),
        ({"learningRate": np.float32("inf")}, ValueError, ["learningRate", "finite"]),
        ({"learningRate": np.array([0.1])}, TypeError, ["learningRate"]),
    ]:
        with pytest.raises(error) as raised:
            gradscope.Watcher(path=str(tmp_path / "w.jsonl"), settings=settings)
        for word in words:
            assert word in str(raised.value), (settings, str(raised.value))
    assert list(tmp_path.iterdir()) == []


def test_settings_are_written_in_gradscope_s_terms(tmp_path):
    path = tmp_path / "w.jsonl"
    w = gradscope.Watcher(every=1, path=str(path), settings={
        "optimizer": "AdamW", "initialization": "kaiming", "activation": "ReLU", "inputScaling": "standard",
        "learningRate": np.float32(0.01), "weightDecay": np.float64(1e-4), "l2": 0})
    assert w.settings == {"optimizer": "adam", "initialization": "he", "activation": "relu",
                          "inputScaling": "standard", "learningRate": 0.01, "weightDecay": 1e-4, "l2": 0.0}
    assert type(w.settings["l2"]) is float and type(w.settings["learningRate"]) is float
    assert gradscope.Watcher(settings={"initialization": "Glorot"}, rank=1).settings == {"initialization": "xavier"}
    for step in range(3):
        w.record(step, loss=1.0, layers=layer())
    w.close()
    assert lines_of(path)[0]["settings"] == w.settings
    status, _, out = diagnose(path)
    assert status == 0, out.stderr


def test_a_second_watcher_of_the_same_file_writes_one_beside_it(tmp_path, monkeypatch, capfd):
    clear_rank_environment(monkeypatch)
    monkeypatch.setenv("GRADSCOPE_WATCH", str(tmp_path / "run.jsonl"))
    first, second = gradscope.Watcher(every=1), gradscope.Watcher(every=1)
    assert (first.path, second.path) == (str(tmp_path / "run.jsonl"), str(tmp_path / "run.2.jsonl"))
    err = capfd.readouterr().err
    assert err == ("gradscope.Watcher: another watcher of this process writes or wrote %s; this one writes %s "
                   "(gradscope watch diagnoses only the first: gradscope diagnose %s reads this one)\n"
                   % (tmp_path / "run.jsonl", tmp_path / "run.2.jsonl", tmp_path / "run.2.jsonl"))
    for step in range(4):  # interleaved, as a GAN's two models
        for k, w in enumerate((first, second)):
            w.loss(1.0 + k, step=step)
            w.record(step, loss=1.0 + k, layers=layer(3 + k))
    first.close()
    second.close()
    for name, weights in (("run.jsonl", 9), ("run.2.jsonl", 16)):
        lines = lines_of(tmp_path / name)
        assert lines[0]["layers"][0]["weights"] == weights
        assert [l["type"] for l in lines].count("sample") == 4
        status, _, out = diagnose(tmp_path / name)
        assert status == 0, out.stderr
    capfd.readouterr()
    # A run after them (a sweep, a notebook cell run again) never writes over what they wrote.
    third = gradscope.Watcher(every=1, path=str(tmp_path / "run.jsonl"))
    assert third.path == str(tmp_path / "run.3.jsonl")
    third.record(0, loss=1.0, layers=layer(3))
    third.close()
    assert [l["type"] for l in lines_of(tmp_path / "run.jsonl")].count("sample") == 4
    # A watcher that wrote nothing frees its name.
    fourth = gradscope.Watcher(every=1, path=str(tmp_path / "other.jsonl"))
    fourth.close()
    fifth = gradscope.Watcher(every=1, path=str(tmp_path / "other.jsonl"))
    assert fifth.path == str(tmp_path / "other.jsonl")
    fifth.close()


def test_a_closed_watcher_can_be_freed(tmp_path):
    import gc
    import weakref

    watcher = gradscope.Watcher(every=1, path=str(tmp_path / "w.jsonl"))
    watcher.record(0, loss=1.0, layers=layer(3))
    watcher.close()
    ref = weakref.ref(watcher)
    del watcher
    gc.collect()
    assert ref() is None, "no exit handler or exception hook keeps it (and what it refers to) alive"


def test_every_may_be_a_numpy_integer(tmp_path):
    np = pytest.importorskip("numpy")
    watcher = gradscope.Watcher(every=np.int64(5), path=str(tmp_path / "w.jsonl"))
    assert watcher.every == 5 and type(watcher.every) is int
    watcher.close()
    with pytest.raises(ValueError):
        gradscope.Watcher(every=True)
    with pytest.raises(ValueError):
        gradscope.Watcher(every=2.5)


def test_a_watcher_of_another_rank_takes_no_file_name(tmp_path, monkeypatch, capfd):
    clear_rank_environment(monkeypatch)
    path = str(tmp_path / "w.jsonl")
    inert = gradscope.Watcher(path=path, rank=1)  # inert: holds no name
    writer = gradscope.Watcher(path=path, rank=1, all_ranks=True)
    assert (inert.active, writer.active, writer.path) == (False, True, str(tmp_path / "w.rank1.jsonl"))
    for w in (inert, writer):
        w.close()
    assert capfd.readouterr().err == ""


def test_non_finite_activations_give_null_fractions():
    w = np.ones((3, 3))
    for activation, key in (("sigmoid", "saturation"), ("tanh", "saturation"), ("relu", "deadFraction")):
        for bad in (np.nan, np.inf):
            a = np.full((4, 3), bad)
            s = gradscope.layer_statistics(w, w, w, a, activation)
            assert s[key] is None, (activation, bad)
        partly = np.zeros((4, 3))
        partly[0, 0] = np.nan
        assert gradscope.layer_statistics(w, w, w, partly, activation)[key] is None
        assert gradscope.layer_statistics(w, w, w, np.zeros((4, 3)), activation)[key] is not None


def test_pytorch_s_names_for_initialisations_are_understood(tmp_path):
    watcher = gradscope.Watcher(every=1, path=str(tmp_path / "w.jsonl"),
                                settings={"initialization": "kaiming_normal", "optimizer": "AdamW"})
    assert watcher.settings == {"initialization": "he", "optimizer": "adam"}
    watcher.close()


def test_a_non_finite_weight_norm_gives_a_null_update_ratio():
    np = pytest.importorskip("numpy")
    nan = np.full((2, 2), np.nan)
    assert gradscope.layer_statistics(nan, nan, np.ones((2, 2)))["updateRatio"] is None
    zero = np.zeros((2, 2))
    assert gradscope.layer_statistics(zero, zero, np.ones((2, 2)))["updateRatio"] == 0.0


def test_a_non_finite_loss_without_a_step_is_placed_by_its_count(tmp_path):
    watcher = gradscope.Watcher(every=1, path=str(tmp_path / "w.jsonl"))
    watcher.record(0, loss=1.0, layers=layer(3))
    for value in (1.0, 0.9, float("nan")):
        watcher.loss(value)
    watcher.close()
    assert lines_of(tmp_path / "w.jsonl")[-1] == {"type": "end", "status": "non-finite-loss", "step": 2, "epoch": 1}
