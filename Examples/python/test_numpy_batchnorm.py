"""A hand-written batch-norm backward in numpy, checked as a vector-valued function.

    pip install ./python pytest numpy      # from the GradScope checkout
    pytest Examples/python/test_numpy_batchnorm.py

batchnorm(x, gamma, beta) normalises each column of x over the batch.  The backward is a
vector-Jacobian product: given the upstream gradient dy (the "cotangent", shaped like the
output), it returns dx, dgamma, dbeta.  GradScope checks it against finite differences of
the forward, without ever forming a loss.
"""

import numpy as np

import gradscope

EPS = 1e-5
RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 4)) * 2 + 1
GAMMA = RNG.standard_normal(4)
BETA = RNG.standard_normal(4)


def batchnorm(x, gamma, beta):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + EPS)
    return gamma * xhat + beta


def batchnorm_backward(dy, x, gamma, beta):
    """The compact form (cs231n assignment 2): dx from dxhat, the mean and the variance paths."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    inv_std = 1 / np.sqrt(x.var(axis=0) + EPS)
    xhat = (x - mu) * inv_std
    dxhat = dy * gamma
    dx = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    dgamma = (dy * xhat).sum(axis=0)
    dbeta = dy.sum(axis=0)
    return dx, dgamma, dbeta


def batchnorm_backward_without_mean_path(dy, x, gamma, beta):
    """A common bug: treat the batch mean and variance as constants (dx = dxhat / std)."""
    _, dgamma, dbeta = batchnorm_backward(dy, x, gamma, beta)
    inv_std = 1 / np.sqrt(x.var(axis=0) + EPS)
    return dy * gamma * inv_std, dgamma, dbeta


def test_batchnorm_backward_is_right():
    report = gradscope.assert_gradients(batchnorm, X, GAMMA, BETA, vjp=batchnorm_backward)
    assert report.kind == "jacobian"
    assert [b.name for b in report.blocks] == ["∂out/∂x", "∂out/∂gamma", "∂out/∂beta"]


def test_forgetting_the_batch_statistics_is_caught():
    report = gradscope.check(batchnorm, X, GAMMA, BETA, vjp=batchnorm_backward_without_mean_path)
    assert report.verdict == "fail"
    verdicts = {b.input: b.verdict for b in report.blocks}
    assert verdicts == {"x": "fail", "gamma": "pass", "beta": "pass"}
