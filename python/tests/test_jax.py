"""JAX: custom_vjp rules through jax.vjp, scalar and vector outputs, value-only evaluations
(against tests/fake_gradscope.py)."""

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

import gradscope  # noqa: E402

calls = {"bwd": 0}


def make_sin(factor):
    @jax.custom_vjp
    def f(x):
        return jnp.sin(x)

    def f_fwd(x):
        return jnp.sin(x), x

    def f_bwd(x, g):
        calls["bwd"] += 1
        return (factor * g * jnp.cos(x),)

    f.defvjp(f_fwd, f_bwd)
    return f


sin_ok, sin_bug = make_sin(1.0), make_sin(-1.0)
X = np.linspace(-1, 1, 5)


def test_scalar_custom_vjp(fake_binary):
    calls["bwd"] = 0
    report = gradscope.check(lambda x: jnp.sum(sin_ok(x) ** 2), X)
    assert report.passed
    assert calls["bwd"] == 1  # value-only evaluations are plain calls
    assert gradscope.check(lambda x: jnp.sum(sin_bug(x) ** 2), X).verdict == "fail"


def test_vector_custom_vjp(fake_binary):
    calls["bwd"] = 0
    report = gradscope.check(sin_ok, X)
    assert report.json["outputs"] == [{"name": "out", "shape": [5]}] and report.passed
    assert calls["bwd"] == 1
    assert gradscope.check(sin_bug, X).verdict == "fail"


def test_pytree_outputs_and_float32(fake_binary):
    report = gradscope.check(lambda x, y: (sin_ok(x) * y, {"s": jnp.sum(y ** 2)}),
                             X.astype(np.float32), jnp.ones(5, dtype=jnp.float32))
    assert report.json["helloDtype"] == "float32"
    assert [o["name"] for o in report.json["outputs"]] == ["out0", "out1.s"]
    assert report.passed


def test_dict_inputs(fake_binary):
    report = gradscope.check(lambda p: jnp.sum(jnp.tanh(p["w"] @ p["x"])),
                             {"w": np.ones((2, 3)) / 3, "x": X[:3]})
    assert [b.name for b in report.blocks] == ["w", "x"] and report.passed


def test_jobs_are_refused_for_jax(fake_binary):
    with pytest.raises(ValueError, match="JAX does not survive a fork"):
        gradscope.check(lambda x: jnp.sum(x ** 2), X, jobs=2)
