"""Ng's ex4 nnCostFunction in numpy, checked with GradScope from pytest.

    pip install ./python pytest numpy      # from the GradScope checkout
    pytest Examples/python/test_numpy_ex4.py

The network is ex4's `checkNNGradients` one: 3 inputs, 5 hidden sigmoid units, 3 labels,
5 examples, weights from debugInitializeWeights (sin(1..n)/10, filled column by column),
regularised cross-entropy.  The gradient is backprop vectorised over the examples.
"""

import numpy as np
import pytest

import gradscope

INPUT, HIDDEN, LABELS, M, LAMBDA = 3, 5, 3, 5, 3.0


def debug_initialize_weights(fan_out, fan_in):
    """reshape(sin(1:numel(W)), size(W)) / 10, filled column by column like Octave."""
    shape = (fan_out, 1 + fan_in)
    return np.sin(np.arange(1, shape[0] * shape[1] + 1)).reshape(shape, order="F") / 10


THETA1 = debug_initialize_weights(HIDDEN, INPUT)
THETA2 = debug_initialize_weights(LABELS, HIDDEN)
X = debug_initialize_weights(M, INPUT - 1)
Y = 1 + np.arange(1, M + 1) % LABELS  # labels 1..LABELS


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nn_cost_function(theta1, theta2, regularise_bias=False):
    """ex4's cost J and its gradient (one array per Theta), like nnCostFunction.m."""
    m = X.shape[0]
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ theta1.T
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    h = sigmoid(a2 @ theta2.T)
    y = np.eye(LABELS)[Y - 1]  # one-hot rows from 1-based labels

    reg = LAMBDA / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    J = -np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) / m + reg

    delta3 = h - y
    delta2 = (delta3 @ theta2)[:, 1:] * sigmoid(z2) * (1 - sigmoid(z2))
    theta1_grad = delta2.T @ a1 / m
    theta2_grad = delta3.T @ a2 / m
    if regularise_bias:  # the classic mistake: the bias column regularised too
        theta1_grad += LAMBDA / m * theta1
    else:
        theta1_grad[:, 1:] += LAMBDA / m * theta1[:, 1:]
    theta2_grad[:, 1:] += LAMBDA / m * theta2[:, 1:]
    return J, [theta1_grad, theta2_grad]


def test_backprop_is_right():
    report = gradscope.assert_gradients(nn_cost_function, THETA1, THETA2)
    assert [b.name for b in report.blocks] == ["theta1", "theta2"]


def test_regularised_bias_column_is_caught_and_named():
    report = gradscope.check(lambda theta1, theta2: nn_cost_function(theta1, theta2, True),
                             THETA1, THETA2)
    assert report.verdict == "fail"
    assert report["theta1"].verdict == "fail" and report["theta2"].verdict == "pass"
    assert "bias-only" in [d.code for d in report["theta1"].diagnosis]
    # Only column 0 (the bias) of theta1 is wrong.
    assert {e.position[1] for e in report["theta1"].entries if e.verdict == "fail"} == {0}
    with pytest.raises(AssertionError, match="theta1"):
        gradscope.assert_gradients(lambda theta1, theta2: nn_cost_function(theta1, theta2, True),
                                   THETA1, THETA2)


def test_float32_passes_too():
    f32 = (THETA1.astype(np.float32), THETA2.astype(np.float32))
    report = gradscope.check(nn_cost_function, *f32)
    assert report.precision == "float32"
    assert report.passed, report.text
