#!/usr/bin/env python3
"""Write the golden values of Ng's Coursera ML ex4 `checkNNGradients` network.

The network, data and cost are reproduced exactly as the Octave exercise builds
them (ex4/checkNNGradients.m, debugInitializeWeights.m, nnCostFunction.m):

    input_layer_size = 3, hidden_layer_size = 5, num_labels = 3, m = 5
    Theta1 = debugInitializeWeights(5, 3)        # 5 x 4
    Theta2 = debugInitializeWeights(3, 5)        # 3 x 6
    X      = debugInitializeWeights(m, 3 - 1)    # 5 x 3 (sic: 5 x (1 + 2))
    y      = 1 + mod(1:m, 3)                     # [2, 3, 1, 2, 3]

`debugInitializeWeights(fan_out, fan_in)` is
`reshape(sin(1:numel(W)), size(W)) / 10` with W of size (fan_out, 1 + fan_in).
Octave's reshape fills column by column ("columnMajor", GradScope's preset
`ex4-debug`); numpy's default reshape fills row by row ("rowMajor", GradScope's
init `debug-rowmajor`).  Both fills are written, each for lambda 0 and 3.

Before writing, the hand-written backprop is checked against central
differences (epsilon 1e-4, as in computeNumericalGradient.m); the relative
difference norm(num - grad) / norm(num + grad) must be below 1e-9 (the
exercise reports about 1e-11).

Usage (from the repository root; needs numpy, output is committed):

    python3 Tests/Fixtures/ex4/make_ex4_debug_golden.py
"""

import json
from pathlib import Path

import numpy as np

INPUT_LAYER_SIZE = 3
HIDDEN_LAYER_SIZE = 5
NUM_LABELS = 3
M = 5
LAMBDAS = [0.0, 3.0]
EPSILON = 1e-4  # computeNumericalGradient.m
MAX_RELATIVE_DIFFERENCE = 1e-9

OUT_PATH = Path(__file__).resolve().parent / "ex4_debug_golden.json"

# fill name -> (numpy reshape order, GradScope name of that initialisation)
FILLS = {
    "columnMajor": ("F", "ex4-debug"),
    "rowMajor": ("C", "debug-rowmajor"),
}


def debug_initialize_weights(fan_out, fan_in, order):
    """reshape(sin(1:numel(W)), size(W)) / 10, W of size (fan_out, 1 + fan_in)."""
    shape = (fan_out, 1 + fan_in)
    values = np.sin(np.arange(1, shape[0] * shape[1] + 1, dtype=np.float64))
    return values.reshape(shape, order=order) / 10.0


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nn_cost_function(theta1, theta2, X, y, lam):
    """ex4 nnCostFunction: returns (J, Theta1_grad, Theta2_grad).

    y holds 1-based labels, as in Octave.
    """
    m = X.shape[0]
    num_labels = theta2.shape[0]

    # Forward pass.
    a1 = np.hstack([np.ones((m, 1)), X])            # m x (1 + input)
    z2 = a1 @ theta1.T                              # m x hidden
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])  # m x (1 + hidden)
    h = sigmoid(a2 @ theta2.T)                      # m x K

    # One-hot labels: Y[i, k] = 1 when y[i] == k + 1.
    Y = (y[:, None] == np.arange(1, num_labels + 1)[None, :]).astype(np.float64)

    # Cross-entropy plus L2 regularisation of the non-bias columns.
    J = -np.sum(Y * np.log(h) + (1.0 - Y) * np.log(1.0 - h)) / m
    J += lam / (2.0 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))

    # Backward pass.
    delta3 = h - Y                                  # m x K
    s2 = sigmoid(z2)
    delta2 = (delta3 @ theta2)[:, 1:] * s2 * (1.0 - s2)  # m x hidden
    theta1_grad = delta2.T @ a1 / m
    theta2_grad = delta3.T @ a2 / m

    # Regularisation gradient, bias columns excluded.
    theta1_grad[:, 1:] += lam / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lam / m * theta2[:, 1:]
    return float(J), theta1_grad, theta2_grad


def unroll_octave(theta1, theta2):
    """[Theta1(:); Theta2(:)] -- Octave's column-major unrolling."""
    return np.concatenate([theta1.ravel(order="F"), theta2.ravel(order="F")])


def roll_octave(nn_params):
    """Inverse of unroll_octave (Octave's reshape in nnCostFunction.m)."""
    n1 = HIDDEN_LAYER_SIZE * (INPUT_LAYER_SIZE + 1)
    theta1 = nn_params[:n1].reshape((HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE + 1), order="F")
    theta2 = nn_params[n1:].reshape((NUM_LABELS, HIDDEN_LAYER_SIZE + 1), order="F")
    return theta1, theta2


def numerical_gradient(cost, theta, epsilon=EPSILON):
    """computeNumericalGradient.m: central differences, one coordinate at a time."""
    numgrad = np.zeros_like(theta)
    perturb = np.zeros_like(theta)
    for p in range(theta.size):
        perturb[p] = epsilon
        loss1 = cost(theta - perturb)
        loss2 = cost(theta + perturb)
        numgrad[p] = (loss2 - loss1) / (2.0 * epsilon)
        perturb[p] = 0.0
    return numgrad


def make_case(fill, order, init_name, lam):
    theta1 = debug_initialize_weights(HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE, order)
    theta2 = debug_initialize_weights(NUM_LABELS, HIDDEN_LAYER_SIZE, order)
    X = debug_initialize_weights(M, INPUT_LAYER_SIZE - 1, order)
    y = 1 + np.mod(np.arange(1, M + 1), NUM_LABELS)

    J, theta1_grad, theta2_grad = nn_cost_function(theta1, theta2, X, y, lam)
    grad = unroll_octave(theta1_grad, theta2_grad)

    # Check the backprop against central differences before trusting it.
    def cost(p):
        return nn_cost_function(*roll_octave(p), X, y, lam)[0]

    numgrad = numerical_gradient(cost, unroll_octave(theta1, theta2))
    rel_diff = float(np.linalg.norm(numgrad - grad) / np.linalg.norm(numgrad + grad))
    assert rel_diff < MAX_RELATIVE_DIFFERENCE, (fill, lam, rel_diff)
    print(f"{fill:12s} lambda={lam:g}  J={J!r}  relative difference={rel_diff:.3e}")

    return {
        "fill": fill,
        "init": init_name,
        "lambda": lam,
        "X": X.tolist(),
        "y": y.tolist(),
        "Theta1": theta1.tolist(),
        "Theta2": theta2.tolist(),
        "J": J,
        "Theta1_grad": theta1_grad.tolist(),
        "Theta2_grad": theta2_grad.tolist(),
        # [Theta1_grad(:); Theta2_grad(:)]: Octave's unrolled order.
        "grad_unrolled_octave": grad.tolist(),
        # Row-major blocks Theta1 then Theta2: the gradscope/1 `x` layout.
        "grad_unrolled_rowmajor": np.concatenate(
            [theta1_grad.ravel(), theta2_grad.ravel()]).tolist(),
        "numgrad_relative_difference": rel_diff,
    }


def main():
    cases = [
        make_case(fill, order, init_name, lam)
        for fill, (order, init_name) in FILLS.items()
        for lam in LAMBDAS
    ]
    golden = {
        "provenance": (
            f"Written by Tests/Fixtures/ex4/make_ex4_debug_golden.py with numpy "
            f"{np.__version__} in float64; backprop checked against central "
            f"differences (epsilon {EPSILON:g}) to a relative difference below "
            f"{MAX_RELATIVE_DIFFERENCE:g}."
        ),
        "network": {
            "input_layer_size": INPUT_LAYER_SIZE,
            "hidden_layer_size": HIDDEN_LAYER_SIZE,
            "num_labels": NUM_LABELS,
            "m": M,
        },
        "cases": cases,
    }
    OUT_PATH.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {OUT_PATH}")


if __name__ == "__main__":
    main()
