"""check / assert_gradients end to end, against tests/fake_gradscope.py (same contract as the
real binary, simple central differences): blocks, dtypes, dict inputs, forked jobs, errors."""

import os

import numpy as np
import pytest

import gradscope


def cubic(w, b):
    """f = Σ w³ + (Σ b)²."""
    return float(np.sum(w ** 3) + b.sum() ** 2), [3 * w ** 2, 2 * b.sum() * np.ones_like(b)]


def cubic_sign_bug(w, b):
    return float(np.sum(w ** 3) + b.sum() ** 2), [3 * w ** 2, -2 * b.sum() * np.ones_like(b)]


W = np.arange(6.0).reshape(2, 3) / 7
B = np.array([0.5, -0.25])


def test_pass_blocks_in_input_order(fake_binary):
    report = gradscope.check(cubic, W, B)
    assert report.verdict == "pass" and report.passed
    assert [(b.name, b.shape) for b in report.blocks] == [("w", [2, 3]), ("b", [2])]
    assert report.json["helloDtype"] == "float64"
    assert report.text.startswith("fake gradscope: PASS")


def test_fail_and_assert_gradients(fake_binary):
    report = gradscope.check(cubic_sign_bug, W, B)
    assert report.verdict == "fail"
    assert report["b"].verdict == "fail" and report["w"].verdict == "pass"
    assert report["b"].diagnosis[0].code == "fake"
    with pytest.raises(AssertionError) as info:
        gradscope.assert_gradients(cubic_sign_bug, W, B)
    assert "gradient check FAIL" in str(info.value)
    assert "b [2] FAIL" in str(info.value)  # the text report, as pytest will show it
    assert gradscope.assert_gradients(cubic, W, B).passed


def test_float32_inputs_are_checked_in_float32(fake_binary):
    seen = set()

    def f(x):
        seen.add(x.dtype)
        return np.float32(np.sum(np.sin(x))), np.cos(x)

    report = gradscope.check(f, np.linspace(-1, 1, 4, dtype=np.float32))
    assert report.json["helloDtype"] == "float32" and report.passed
    assert seen == {np.dtype(np.float32)}


def test_mixed_dtypes_become_float64_unless_told(fake_binary):
    seen = set()

    def f(a, b):
        seen.update({a.dtype, b.dtype})
        return float(a @ b), [b, a]

    a32, b64 = np.ones(3, dtype=np.float32), np.arange(3.0)
    assert gradscope.check(f, a32, b64).json["helloDtype"] == "float64"
    assert seen == {np.dtype(np.float64)}
    seen.clear()
    assert gradscope.check(f, a32, b64, dtype="float32").json["helloDtype"] == "float32"
    assert seen == {np.dtype(np.float32)}


def test_dict_inputs(fake_binary):
    def f(params):
        w, b = params["weight"], params["bias"]
        return float(np.sum(w ** 2) + 3 * b.sum()), {"bias": 3 * np.ones_like(b), "weight": 2 * w}

    report = gradscope.check(f, {"weight": W, "bias": B})
    assert [b.name for b in report.blocks] == ["weight", "bias"]
    assert report.passed


def test_vector_valued_numpy_with_vjp(fake_binary):
    def f(w, x):
        return np.tanh(w @ x), np.sum(x)

    def vjp(cots, w, x):
        c, s = cots
        d = c * (1 - np.tanh(w @ x) ** 2)
        return np.outer(d, x), w.T @ d + s

    x = np.array([0.5, -1.0, 2.0])
    report = gradscope.check(f, W, x, vjp=vjp)
    assert report.json["outputs"] == [{"name": "out0", "shape": [2]}, {"name": "out1", "shape": []}]
    assert report.passed

    def vjp_forgets_the_sum(cots, w, x):
        grad_w, grad_x = vjp(cots, w, x)
        return grad_w, grad_x - cots[1]

    wrong = gradscope.check(f, W, x, vjp=vjp_forgets_the_sum)
    assert wrong.verdict == "fail"
    assert wrong["w"].verdict == "pass" and wrong["x"].verdict == "fail"


# JAX, when another test file imported it, warns about any fork; these functions are numpy.
@pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called")
def test_forked_jobs_serve_from_copies_of_this_process(fake_binary, tmp_path):
    log = tmp_path / "pids"

    def f(w, b):
        with open(log, "a") as out:
            out.write("%d\n" % os.getpid())
        return cubic(w, b)

    report = gradscope.check(f, W, B, jobs=3)
    assert report.passed
    assert report.json["argv"][2].count(":") == 3  # three fd pairs
    pids = set(log.read_text().split())
    assert str(os.getpid()) in pids and len(pids) == 3
    assert len(report.json["answersPerJob"]) == 3


def test_errors_from_fn_give_an_error_verdict(fake_binary):
    def f(x):
        if x[0] > 1.0:
            raise ZeroDivisionError("x[0] too large")
        return float(x @ x), 2 * x

    report = gradscope.check(f, np.array([1.0, 2.0]))
    assert report.verdict == "error"
    assert "ZeroDivisionError: x[0] too large" in report.error
    with pytest.raises(AssertionError, match="gradient check ERROR"):
        gradscope.assert_gradients(f, np.array([1.0, 2.0]))


def test_fn_raising_at_the_point_itself_raises(fake_binary):
    def f(x):
        raise KeyError("no such layer")

    with pytest.raises(KeyError, match="no such layer"):
        gradscope.check(f, np.ones(2))


def test_wrong_return_shape_is_explained(fake_binary):
    with pytest.raises(TypeError, match=r"must return \(value, gradient\)"):
        gradscope.check(lambda x: float(x @ x), np.ones(2))
