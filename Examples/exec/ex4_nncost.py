#!/usr/bin/env python3
"""Ng's Coursera ML ex4 nnCostFunction, served to GradScope (gradscope/1).

The network is ex4's `checkNNGradients` one (GradScope preset `ex4-debug`):
3 inputs, 5 hidden units, 3 labels, 5 examples, weights and data from
`debugInitializeWeights`, whose Octave reshape fills column by column.
The cost is the regularised cross-entropy (bias columns not regularised) and
the gradient is the textbook per-example backprop loop.

Standard library only (plain lists), so it runs without numpy.

Command for GradScope's exec checker (run with sh -c):

    python3 Examples/exec/ex4_nncost.py --lambda 3
"""

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from gradscope_exec import serve  # noqa: E402

INPUT_LAYER_SIZE = 3
HIDDEN_LAYER_SIZE = 5
NUM_LABELS = 3
M = 5

PARAMETERS = [
    ("Theta1", (HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE + 1)),  # 5 x 4
    ("Theta2", (NUM_LABELS, HIDDEN_LAYER_SIZE + 1)),        # 3 x 6
]


def debug_initialize_weights(fan_out, fan_in):
    """reshape(sin(1:numel(W)), size(W)) / 10 with W of size (fan_out, 1 + fan_in).

    Octave's reshape fills column by column: W[i][j] = sin(1 + i + j * rows) / 10.
    """
    rows, cols = fan_out, 1 + fan_in
    return [[math.sin(1 + i + j * rows) / 10.0 for j in range(cols)] for i in range(rows)]


def debug_data():
    """X (5 x 3) and y = 1 + mod(1:m, 3) = [2, 3, 1, 2, 3] (1-based labels)."""
    X = debug_initialize_weights(M, INPUT_LAYER_SIZE - 1)
    y = [1 + (i % NUM_LABELS) for i in range(1, M + 1)]
    return X, y


def initial_point():
    """Theta1 then Theta2, each flattened row-major (the gradscope/1 layout)."""
    theta1 = debug_initialize_weights(HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE)
    theta2 = debug_initialize_weights(NUM_LABELS, HIDDEN_LAYER_SIZE)
    return [v for row in theta1 + theta2 for v in row]


def reshape(values, rows, cols):
    """Row-major list -> list of rows."""
    return [list(values[i * cols:(i + 1) * cols]) for i in range(rows)]


def zeros(rows, cols):
    return [[0.0] * cols for _ in range(rows)]


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def sigmoid(z):
    """Logistic function, written so that exp never overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def regularize_gradient(theta_grad, theta, lam, m):
    """Add lambda/m * Theta to the gradient, skipping the bias column 0."""
    for grad_row, theta_row in zip(theta_grad, theta):
        for j in range(1, len(theta_row)):
            grad_row[j] += lam / m * theta_row[j]


def nn_cost_function(x, X, y, lam, regularize=regularize_gradient):
    """Returns (J, gradient) with the gradient flattened like x."""
    n1 = HIDDEN_LAYER_SIZE * (INPUT_LAYER_SIZE + 1)
    theta1 = reshape(x[:n1], HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE + 1)
    theta2 = reshape(x[n1:], NUM_LABELS, HIDDEN_LAYER_SIZE + 1)
    theta1_grad = zeros(HIDDEN_LAYER_SIZE, INPUT_LAYER_SIZE + 1)
    theta2_grad = zeros(NUM_LABELS, HIDDEN_LAYER_SIZE + 1)
    m = len(X)

    J = 0.0
    for t in range(m):
        # Forward pass for example t.
        a1 = [1.0] + list(X[t])
        a2 = [1.0] + [sigmoid(dot(row, a1)) for row in theta1]
        h = [sigmoid(dot(row, a2)) for row in theta2]
        yk = [1.0 if y[t] == k + 1 else 0.0 for k in range(NUM_LABELS)]
        J -= sum(yv * math.log(hv) + (1.0 - yv) * math.log(1.0 - hv)
                 for yv, hv in zip(yk, h))

        # Backward pass: delta3 = h - y, delta2 = (Theta2' delta3)(2:end) .* g'(z2).
        delta3 = [hv - yv for hv, yv in zip(h, yk)]
        delta2 = [sum(delta3[k] * theta2[k][j + 1] for k in range(NUM_LABELS))
                  * a2[j + 1] * (1.0 - a2[j + 1])
                  for j in range(HIDDEN_LAYER_SIZE)]

        # Accumulate Delta2 += delta3 a2', Delta1 += delta2 a1'.
        for k in range(NUM_LABELS):
            for j in range(HIDDEN_LAYER_SIZE + 1):
                theta2_grad[k][j] += delta3[k] * a2[j]
        for j in range(HIDDEN_LAYER_SIZE):
            for i in range(INPUT_LAYER_SIZE + 1):
                theta1_grad[j][i] += delta2[j] * a1[i]

    J /= m
    for grad in (theta1_grad, theta2_grad):
        for row in grad:
            for j in range(len(row)):
                row[j] /= m

    # Regularisation: the cost leaves the bias columns out ...
    J += lam / (2.0 * m) * sum(v * v for theta in (theta1, theta2)
                               for row in theta for v in row[1:])
    # ... and so must the gradient.
    regularize(theta1_grad, theta1, lam, m)
    regularize(theta2_grad, theta2, lam, m)

    gradient = [v for row in theta1_grad + theta2_grad for v in row]
    return J, gradient


def main(regularize=regularize_gradient, description=__doc__.splitlines()[0]):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--lambda", dest="lam", type=float, default=3.0,
                        help="regularisation strength (default 3)")
    args = parser.parse_args()

    X, y = debug_data()

    def cost(x):
        return nn_cost_function([float(v) for v in x], X, y, args.lam, regularize)

    serve(cost, initial_point(), parameters=PARAMETERS, dtype="float64")


if __name__ == "__main__":
    main()
