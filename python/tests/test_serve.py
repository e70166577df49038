"""The serving loop over a pair of pipes: requests, offsets in place, errors, value-only."""

import json
import os
import threading

import numpy as np
import pytest

from gradscope._adapters import NumpyEvaluator
from gradscope._serve import Point, answer, serve_fds


def drive(evaluator, requests):
    """Serve ``evaluator`` in a thread; send ``requests`` (then exit) and return hello, answers."""
    to_server_r, to_server_w = os.pipe()
    from_server_r, from_server_w = os.pipe()
    hello = b'{"protocol":"gradscope/1","x":[]}\n'
    thread = threading.Thread(target=serve_fds,
                              args=(evaluator, hello, to_server_r, from_server_w))
    thread.start()
    payload = "".join(json.dumps(r) + "\n" for r in requests) + '{"op":"exit"}\n'
    os.write(to_server_w, payload.encode())
    os.close(to_server_w)
    thread.join()  # the answers are small enough to wait in the pipe
    os.close(to_server_r)
    os.close(from_server_w)
    with os.fdopen(from_server_r, "rb") as f:
        lines = f.read().decode().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


class Counting:
    """A vector-valued numpy function y = W x (+ tanh) with a VJP that counts its calls."""

    def __init__(self):
        self.calls = 0
        self.vjp_calls = 0

    def fn(self, w, x):
        self.calls += 1
        return np.tanh(w @ x)

    def vjp(self, c, w, x):
        self.vjp_calls += 1
        d = c * (1 - np.tanh(w @ x) ** 2)
        return np.outer(d, x), w.T @ d


def test_point_moves_in_place_and_restores_float32():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    point = Point(np, base, "float32", [(2,), (2,)], writeable=False)
    assert point.views[0].dtype == np.float32 and not point.views[0].flags.writeable
    moved = point.move({"offset": {"indices": [1, 3, 1], "values": [1e-3, -0.5, 1e-3]}})
    assert point.views[0].tolist() == [1.0, np.float32(2.002)]
    assert point.views[1].tolist() == [3.0, 3.5]
    point.restore(moved)
    assert point.work.tolist() == [1.0, 2.0, 3.0, 4.0]
    moved = point.move({"x": [0.0, 0.0, 0.0, None], "offset": {"indices": [0], "values": [1.0]}})
    assert point.work[0] == 1.0 and np.isnan(point.work[3])
    point.restore(moved)
    assert point.work.tolist() == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dense_offsets_match_the_entry_by_entry_path(dtype):
    rng = np.random.default_rng(1)
    base = rng.standard_normal(300)
    dense = Point(np, base, dtype, [(300,)], writeable=False)
    for indices in (list(range(0, 300, 2)), [5] * 70 + list(range(100))):
        values = rng.standard_normal(len(indices)).tolist()
        request = {"offset": {"indices": indices, "values": values}}
        moved = dense.move(request)
        assert not isinstance(moved, dict)  # the numpy path
        expected = base.copy()
        for i, v in zip(indices, values):  # what gradscope_exec computes, entry by entry
            expected[i] += v
        np.testing.assert_array_equal(dense.work, expected.astype(dtype))
        dense.restore(moved)
        np.testing.assert_array_equal(dense.work, base.astype(dtype))


def test_dense_offsets_with_problems_get_gradscope_exec_messages():
    point = Point(np, np.zeros(100), "float64", [(100,)], writeable=False)
    with pytest.raises(Exception, match="out of range 0..99"):
        point.move({"offset": {"indices": list(range(99)) + [100], "values": [0.0] * 100}})
    moved = point.move({"offset": {"indices": list(range(100)), "values": [None] * 100}})
    assert np.isnan(point.work).all()
    point.restore(moved)
    assert (point.work == 0).all()


def test_value_only_requests_do_not_call_the_vjp():
    f = Counting()
    w, x = np.arange(6.0).reshape(2, 3) / 10, np.array([0.5, -1.0, 2.0])
    ev = NumpyEvaluator(f.fn, (w, x), None, f.vjp)
    requests = [{"id": 1, "op": "evaluate"},
                {"id": 2, "op": "evaluate", "offset": {"indices": [0], "values": [1e-6]}},
                {"id": 3, "op": "evaluate", "cotangent": [1.0, -2.0]}]
    hello, answers = drive(ev, requests)
    assert hello["protocol"] == "gradscope/1"
    assert [a["id"] for a in answers] == [1, 2, 3]
    assert f.vjp_calls == 1  # only for the request with a cotangent
    np.testing.assert_allclose(answers[0]["value"], np.tanh(w @ x))
    grad_w, grad_x = f.vjp(np.array([1.0, -2.0]), w, x)
    np.testing.assert_allclose(answers[2]["gradient"], np.concatenate([grad_w.ravel(), grad_x]))
    assert "gradient" not in answers[0] and "gradient" not in answers[1]


def test_errors_are_answered_and_serving_continues(capfd):
    def cost(x):
        if x[0] > 1.5:
            raise ZeroDivisionError("boom at %g" % x[0])
        return float(x @ x), 2 * x

    ev = NumpyEvaluator(cost, (np.array([1.0, 2.0]),), None, None)
    _, answers = drive(ev, [
        {"id": 1, "op": "evaluate", "offset": {"indices": [0], "values": [1.0]}},
        {"id": 2, "op": "evaluate", "offset": {"indices": [9], "values": [1.0]}},
        {"id": 3, "op": "launch"},
        {"id": 4, "op": "evaluate", "gradient": True},
    ])
    assert answers[0] == {"id": 1, "error": "ZeroDivisionError: boom at 2"}
    assert answers[1] == {"id": 2, "error": "offset index 9 out of range 0..1"}
    assert answers[2] == {"id": 3, "error": "unknown op 'launch'"}
    assert answers[3] == {"id": 4, "value": 5.0, "gradient": [2.0, 4.0]}
    assert "ZeroDivisionError" in capfd.readouterr().err  # the traceback goes to stderr


def test_point_is_restored_after_an_error():
    def cost(x):
        if x[0] > 1.5:
            raise ValueError("no")
        return float(x.sum()), np.ones_like(x)

    ev = NumpyEvaluator(cost, (np.array([1.0, 2.0]),), None, None)
    with pytest.raises(ValueError):
        answer(ev, {"id": 1, "offset": {"indices": [0], "values": [1.0]}})
    assert ev.point.work.tolist() == [1.0, 2.0]


def test_gradient_shapes_are_checked():
    ev = NumpyEvaluator(lambda w, b: (float(w.sum() + b.sum()), [np.ones(3), np.ones(2)]),
                        (np.zeros(3), np.zeros(2)), None, None)
    assert answer(ev, {"id": 1, "gradient": True}).endswith('"gradient":[1.0,1.0,1.0,1.0,1.0]}')
    with pytest.raises(ValueError, match=r"the gradient has 4 entries, expected 5 \(w \[3\], b \[2\]\)"):
        NumpyEvaluator(lambda w, b: (0.0, [np.ones(3), np.ones(1)]),
                       (np.zeros(3), np.zeros(2)), None, None)


def test_inputs_named_by_parameters_and_constants_passed_through():
    seen = {}

    def loss(weights, labels, scale):
        seen["labels"], seen["scale"] = labels, scale
        value = float(np.sum(weights[labels]) * scale)
        # One gradient per input; None for the integer labels, which are not checked.
        return value, [np.bincount(labels, minlength=3) * scale, None, value / scale]

    ev = NumpyEvaluator(loss, (np.ones(3), np.array([0, 2, 2]), 2.0), None, None)
    assert ev.inputs.names == ["weights", "scale"]  # integer labels are not a block
    assert seen["labels"].tolist() == [0, 2, 2]
    assert answer(ev, {"id": 1, "gradient": True}) == \
        '{"id":1,"value":6.0,"gradient":[2.0,0.0,4.0,3.0]}'
