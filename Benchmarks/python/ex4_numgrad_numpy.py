#!/usr/bin/env python3
"""numpy anchor: time of Coursera ex4's computeNumericalGradient on the full network.

The classic loop perturbs one coordinate of the unrolled parameter vector at a
time and evaluates the cost twice (theta - e, theta + e), exactly like
computeNumericalGradient.m, with ex4's nnCostFunction vectorised in float64
numpy: a 400-25-10 sigmoid network on 5000 examples, regularised
cross-entropy (bias columns not regularised), 10,285 parameters.  The data are
synthetic (seeded): pixel-like X uniform in [0, 1), labels 1..10, weights from
randInitializeWeights (uniform in +-0.12).

By default each cost evaluation computes only J, which is all the numerical
gradient needs; --with-backprop also runs the backward pass on every call, as
a student's Octave nnCostFunction does whatever nargout is.

With --limit N only the first N coordinates are timed and the time for all of
them is extrapolated linearly ("extrapolated": true in the output).  Prints one
JSON object on stdout:

  {"parameters", "coordinatesTimed", "secondsMeasured",
   "secondsExtrapolatedFull", "secondsPerEvaluation", ...}

Thread counts are left to the caller's environment.  Example:

  OPENBLAS_NUM_THREADS=1 python3 ex4_numgrad_numpy.py --examples 5000 \\
      --input 400 --hidden 25 --labels 10 --lambda 1 --epsilon 1e-4 --limit 500
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_step_numpy import runtime_info  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nn_cost_function(nn_params, input_size, hidden_size, num_labels, X, Y, lam,
                     with_backprop=False):
    """ex4 nnCostFunction, vectorised.  Y is the one-hot label matrix (m x K).

    Returns J, or (J, grad) with with_backprop.
    """
    n1 = hidden_size * (input_size + 1)
    theta1 = nn_params[:n1].reshape(hidden_size, input_size + 1)
    theta2 = nn_params[n1:].reshape(num_labels, hidden_size + 1)
    m = X.shape[0]

    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    h = sigmoid(a2 @ theta2.T)

    J = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    if not with_backprop:
        return J

    delta3 = h - Y
    delta2 = (delta3 @ theta2)[:, 1:] * a2[:, 1:] * (1 - a2[:, 1:])
    theta1_grad = delta2.T @ a1 / m
    theta2_grad = delta3.T @ a2 / m
    theta1_grad[:, 1:] += lam / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lam / m * theta2[:, 1:]
    return J, np.concatenate([theta1_grad.ravel(), theta2_grad.ravel()])


def compute_numerical_gradient(cost, theta, epsilon, limit):
    """computeNumericalGradient.m, over the first `limit` coordinates."""
    numgrad = np.zeros_like(theta)
    perturb = np.zeros_like(theta)
    for p in range(limit):
        perturb[p] = epsilon
        loss1 = cost(theta - perturb)
        loss2 = cost(theta + perturb)
        numgrad[p] = (loss2 - loss1) / (2 * epsilon)
        perturb[p] = 0
    return numgrad


def main():
    parser = argparse.ArgumentParser(description="Time ex4's numerical gradient loop in numpy.")
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--input", type=int, default=400)
    parser.add_argument("--hidden", type=int, default=25)
    parser.add_argument("--labels", type=int, default=10)
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0)
    parser.add_argument("--epsilon", type=float, default=1e-4)
    parser.add_argument("--limit", type=int, default=None,
                        help="time only the first N coordinates and extrapolate")
    parser.add_argument("--with-backprop", action="store_true",
                        help="run the backward pass in every cost evaluation too")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    X = rng.random((args.examples, args.input))
    y = rng.integers(1, args.labels + 1, size=args.examples)
    Y = np.eye(args.labels)[y - 1]
    n_params = args.hidden * (args.input + 1) + args.labels * (args.hidden + 1)
    theta = rng.uniform(-0.12, 0.12, size=n_params)  # randInitializeWeights
    limit = n_params if args.limit is None else max(1, min(args.limit, n_params))

    def cost(p):
        if args.with_backprop:  # computes the gradient too, then keeps only J
            return nn_cost_function(p, args.input, args.hidden, args.labels, X, Y,
                                    args.lam, with_backprop=True)[0]
        return nn_cost_function(p, args.input, args.hidden, args.labels, X, Y, args.lam)

    cost(theta)  # one untimed call: first-touch and BLAS start-up
    start = time.perf_counter()
    compute_numerical_gradient(cost, theta, args.epsilon, limit)
    seconds = time.perf_counter() - start

    result = {
        "benchmark": "ex4_numgrad_numpy",
        "parameters": n_params,
        "coordinatesTimed": limit,
        "extrapolated": limit < n_params,
        "secondsMeasured": seconds,
        "secondsExtrapolatedFull": seconds / limit * n_params,
        "secondsPerEvaluation": seconds / (2 * limit),
        "costIncludesBackprop": args.with_backprop,
        "examples": args.examples,
        "layers": [args.input, args.hidden, args.labels],
        "lambda": args.lam,
        "epsilon": args.epsilon,
        "dtype": "float64",
    }
    if limit < n_params:
        result["note"] = ("timed the first %d of %d coordinates; secondsExtrapolatedFull "
                          "scales that time linearly to all of them" % (limit, n_params))
    result.update(runtime_info())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
