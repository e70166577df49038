"""The package against the real gradscope binary (skipped when the binary is missing or
predates `check --exec-fds`)."""

import numpy as np
import pytest

import gradscope
from gradscope import _binary


def real_binary():
    try:
        binary = gradscope.find_binary()
    except gradscope.BinaryNotFoundError as exc:
        pytest.skip(str(exc))
    if binary.endswith("fake_gradscope.py"):
        pytest.skip("GRADSCOPE points at the test stand-in")
    if not _binary.supports(binary, "--exec-fds"):
        pytest.skip("%s has no `check --exec-fds` yet (an older binary)" % binary)
    return binary


@pytest.fixture
def binary():
    return real_binary()


def sigmoid_ce(w, x, t):
    z = x @ w
    p = 1 / (1 + np.exp(-z))
    value = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    return float(value), x.T @ (p - t) / len(t)


def sigmoid_ce_missing_mean(w, x, t):
    value, grad = sigmoid_ce(w, x, t)
    return value, grad * len(t)


RNG = np.random.default_rng(0)
XS, TS, W0 = RNG.standard_normal((8, 3)), (RNG.random(8) > 0.5) * 1.0, RNG.standard_normal(3)


def test_numpy_pass_and_fail(binary):
    report = gradscope.check(lambda w: sigmoid_ce(w, XS, TS), W0)
    assert report.verdict == "pass", report.text
    assert [b.name for b in report.blocks] == ["w"]
    assert "w" in report.text
    bad = gradscope.check(lambda w: sigmoid_ce_missing_mean(w, XS, TS), W0)
    assert bad.verdict == "fail"
    assert bad["w"].diagnosis, bad.text
    with pytest.raises(AssertionError, match="FAIL"):
        gradscope.assert_gradients(lambda w: sigmoid_ce_missing_mean(w, XS, TS), W0)


# JAX, when another test file imported it, warns about any fork; these functions are numpy.
@pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called")
def test_float32_and_jobs(binary):
    x32 = XS.astype(np.float32)
    report = gradscope.check(lambda w: sigmoid_ce(w, x32, TS.astype(np.float32)),
                             W0.astype(np.float32), jobs=2)
    assert report.precision == "float32"
    assert report.verdict == "pass", report.text


def test_vector_valued_with_vjp(binary):
    def f(w, x):
        return np.tanh(x @ w)

    def vjp(c, w, x):
        d = c * (1 - np.tanh(x @ w) ** 2)
        return x.T @ d, np.outer(d, w)

    report = gradscope.check(f, W0, XS, vjp=vjp)
    assert report.verdict == "pass", report.text
    assert report.kind == "jacobian"
    wrong = gradscope.check(f, W0, XS, vjp=lambda c, w, x: (vjp(c, w, x)[0], -vjp(c, w, x)[1]))
    assert wrong.verdict == "fail", wrong.text


def test_error_from_fn(binary):
    def f(w):
        if w[0] > W0[0]:
            raise ZeroDivisionError("stepped too far")
        return float(w @ w), 2 * w

    report = gradscope.check(f, W0)
    assert report.verdict == "error"
    assert "ZeroDivisionError: stepped too far" in report.error



def test_value_only_requests_skip_the_vjp(binary):
    calls = {"fn": 0, "vjp": 0}

    def f(w, x):
        calls["fn"] += 1
        return np.tanh(x @ w)

    def vjp(c, w, x):
        calls["vjp"] += 1
        d = c * (1 - np.tanh(x @ w) ** 2)
        return x.T @ d, np.outer(d, w)

    report = gradscope.check(f, W0, XS, vjp=vjp)
    assert report.passed, report.text
    # Every evaluation calls f (plus one probe before the hello); only cotangent requests
    # (one per output entry, and a few structural checks of the VJP) call the VJP.
    assert calls["fn"] == report.evaluations + 1
    assert 0 < calls["vjp"] <= 2 * XS.shape[0] + 8 < report.evaluations / 4


def test_shards_merge_to_the_unsharded_report(binary, tmp_path):
    """check(..., shard="K/N", out=...) on each shard, then merge: the unsharded entries."""
    rng = np.random.default_rng(1)
    x, t, w0 = rng.standard_normal((20, 6)), (rng.random(20) > 0.5) * 1.0, rng.standard_normal(6)
    fn = lambda w: sigmoid_ce_missing_mean(w, x, t)  # noqa: E731 - a failing check, diagnosed
    whole = gradscope.check(fn, w0)
    parts = []
    for k in range(3):
        part = tmp_path / ("part-%d.json" % k)
        gradscope.check(fn, w0, shard="%d/3" % k, out=part)
        parts.append(part)
    merged = gradscope.merge(*parts)
    assert merged.verdict == whole.verdict == "fail"
    assert merged.json["entries"] == whole.json["entries"]
    assert merged.json["blocks"] == whole.json["blocks"]
    with pytest.raises(ValueError, match="missing"):
        gradscope.merge(parts[0], parts[2])
    partial = gradscope.merge(parts[0], parts[2], partial=True)
    assert any(d.code == "partial-merge" for d in partial.diagnosis)


def test_shard_options_are_validated():
    with pytest.raises(ValueError, match="out="):
        gradscope.check(lambda w: (0.0, w), np.zeros(2), shard="0/2")
    with pytest.raises(ValueError, match="goes with shard"):
        gradscope.check(lambda w: (0.0, w), np.zeros(2), out="p.json")
