"""A jax.custom_vjp rule checked with GradScope from pytest.

    pip install ./python pytest jax        # jax for CPU
    pytest Examples/python/test_jax_custom_vjp.py

GradScope differentiates through jax.vjp, so your rule (f_bwd) is what gets checked.
"""

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install jax)")
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)  # check in float64 (float32 inputs check in float32)

import gradscope  # noqa: E402


@jax.custom_vjp
def logsumexp(x):
    """log Σ exp(x) along the last axis, stable."""
    m = jnp.max(x, axis=-1, keepdims=True)
    return (m + jnp.log(jnp.sum(jnp.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def logsumexp_fwd(x):
    y = logsumexp(x)
    return y, (x, y)


def logsumexp_bwd(residuals, g):
    x, y = residuals
    return (g[..., None] * jnp.exp(x - y[..., None]),)  # softmax(x) · g


logsumexp.defvjp(logsumexp_fwd, logsumexp_bwd)


@jax.custom_vjp
def logsumexp_bug(x):
    return logsumexp(x)


def logsumexp_bug_bwd(residuals, g):
    x, _ = residuals
    return (g[..., None] * jnp.exp(x),)  # forgot the normalisation by Σ exp(x)


logsumexp_bug.defvjp(logsumexp_fwd, logsumexp_bug_bwd)

X = np.random.default_rng(0).standard_normal((3, 5))


def test_rule_is_right():
    report = gradscope.assert_gradients(logsumexp, X)
    assert report.kind == "jacobian"


def test_rule_in_float32():
    report = gradscope.check(logsumexp, X.astype(np.float32))
    assert report.precision == "float32"
    assert report.passed, report.text


def test_wrong_rule_fails():
    assert gradscope.check(logsumexp_bug, X).verdict == "fail"
    with pytest.raises(AssertionError, match="FAIL"):
        gradscope.assert_gradients(lambda x: jnp.sum(logsumexp_bug(x) ** 2), X)
