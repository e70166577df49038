"""gradscope.Watcher on numpy training loops, and `gradscope diagnose` on what it records."""

import json
import subprocess

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
