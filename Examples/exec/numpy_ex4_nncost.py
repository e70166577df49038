#!/usr/bin/env python3
"""ex4 nnCostFunction written idiomatically in numpy, served to GradScope.

Same network, data and cost as ex4_nncost.py (the `ex4-debug` network: 3-5-3,
5 examples, debugInitializeWeights with Octave's column-major fill), but
vectorised over the examples the way one would write it in numpy.  This is the
README walk-through example; unlike the other examples it needs numpy.

Command for GradScope's exec checker:

    python3 Examples/exec/numpy_ex4_nncost.py --lambda 3
"""

import argparse
import sys
from pathlib import Path

import numpy as np

try:  # installed with `pip install ./python`
    from gradscope_exec import serve
except ImportError:  # run from the GradScope checkout: python/gradscope_exec.py
    _CHECKOUT = Path(__file__).resolve().parent.parent.parent / "python"
    if not (_CHECKOUT / "gradscope_exec.py").is_file():
        raise ImportError("gradscope_exec is not installed: pip install ./python in the "
                          "GradScope checkout, or put python/gradscope_exec.py on sys.path")
    sys.path.insert(0, str(_CHECKOUT))
    from gradscope_exec import serve

INPUT, HIDDEN, LABELS, M = 3, 5, 3, 5
SHAPES = [("Theta1", (HIDDEN, INPUT + 1)), ("Theta2", (LABELS, HIDDEN + 1))]


def debug_initialize_weights(fan_out, fan_in):
    """reshape(sin(1:numel(W)), size(W)) / 10, filled column by column like Octave."""
    shape = (fan_out, 1 + fan_in)
    return np.sin(np.arange(1, shape[0] * shape[1] + 1)).reshape(shape, order="F") / 10


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nn_cost_function(params, X, y, lam):
    """Returns (J, grad); params and grad are Theta1, Theta2 flattened row-major."""
    n1 = HIDDEN * (INPUT + 1)
    theta1 = params[:n1].reshape(SHAPES[0][1])
    theta2 = params[n1:].reshape(SHAPES[1][1])
    m = X.shape[0]

    # Forward pass, all examples at once.
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ theta1.T
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    h = sigmoid(a2 @ theta2.T)
    Y = np.eye(LABELS)[y - 1]  # one-hot rows from 1-based labels

    reg = lam / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    J = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m + reg

    # Backward pass.
    delta3 = h - Y
    delta2 = (delta3 @ theta2)[:, 1:] * sigmoid(z2) * (1 - sigmoid(z2))
    theta1_grad = delta2.T @ a1 / m
    theta2_grad = delta3.T @ a2 / m
    theta1_grad[:, 1:] += lam / m * theta1[:, 1:]  # bias column not regularised
    theta2_grad[:, 1:] += lam / m * theta2[:, 1:]
    return J, np.concatenate([theta1_grad.ravel(), theta2_grad.ravel()])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lambda", dest="lam", type=float, default=3.0,
                        help="regularisation strength (default 3)")
    args = parser.parse_args()

    theta1 = debug_initialize_weights(HIDDEN, INPUT)
    theta2 = debug_initialize_weights(LABELS, HIDDEN)
    X = debug_initialize_weights(M, INPUT - 1)
    y = 1 + np.arange(1, M + 1) % LABELS
    x0 = np.concatenate([theta1.ravel(), theta2.ravel()])

    serve(lambda p: nn_cost_function(np.asarray(p, dtype=np.float64), X, y, args.lam),
          x0, parameters=SHAPES, dtype="float64")


if __name__ == "__main__":
    main()
