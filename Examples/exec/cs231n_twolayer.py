#!/usr/bin/env python3
"""cs231n's two-layer net (affine - ReLU - affine - softmax), served to GradScope.

    scores = max(0, X W1 + b1) W2 + b2
    loss   = mean_i -log softmax(scores_i)[y_i] + 0.5 * reg * (sum W1^2 + sum W2^2)

As in cs231n, weights are stored (in, out): W1 is D x H, W2 is H x C, and the
biases are not regularised.  Parameter blocks, in order: W1 (D, H), b1 (H,),
W2 (H, C), b2 (C,).  Small sizes (N=5, D=4, H=10, C=3) and seeded data in the
spirit of cs231n's toy model (weights 0.1 * N(0, 1), X = 10 * N(0, 1), zero
biases; Python's `random`, not numpy's, so the numbers differ from cs231n's).

Standard library only.  Command for GradScope's exec checker:

    python3 Examples/exec/cs231n_twolayer.py --reg 0.05
"""

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from gradscope_exec import serve  # noqa: E402

N, D, H, C = 5, 4, 10, 3


def toy_model_and_data(seed):
    """Initial parameters (flat, row-major blocks W1, b1, W2, b2), X and y."""
    rng = random.Random(seed)
    W1 = [0.1 * rng.gauss(0.0, 1.0) for _ in range(D * H)]
    b1 = [0.0] * H
    W2 = [0.1 * rng.gauss(0.0, 1.0) for _ in range(H * C)]
    b2 = [0.0] * C
    X = [[10.0 * rng.gauss(0.0, 1.0) for _ in range(D)] for _ in range(N)]
    y = [0, 1, 2, 2, 1]  # cs231n's toy labels
    return W1 + b1 + W2 + b2, X, y


def unpack(x):
    """Flat parameter vector -> W1 (D x H rows), b1, W2 (H x C rows), b2."""
    i = 0
    W1 = [list(x[i + r * H:i + (r + 1) * H]) for r in range(D)]
    i += D * H
    b1 = list(x[i:i + H])
    i += H
    W2 = [list(x[i + r * C:i + (r + 1) * C]) for r in range(H)]
    i += H * C
    b2 = list(x[i:i + C])
    return W1, b1, W2, b2


def loss_and_gradient(x, X, y, reg):
    W1, b1, W2, b2 = unpack(x)
    n = len(X)
    dW1 = [[0.0] * H for _ in range(D)]
    db1 = [0.0] * H
    dW2 = [[0.0] * C for _ in range(H)]
    db2 = [0.0] * C

    loss = 0.0
    for xi, yi in zip(X, y):
        # Forward: affine, ReLU, affine.
        pre = [sum(xi[d] * W1[d][h] for d in range(D)) + b1[h] for h in range(H)]
        hidden = [max(0.0, p) for p in pre]
        scores = [sum(hidden[h] * W2[h][c] for h in range(H)) + b2[c] for c in range(C)]

        # Softmax cross-entropy, shifted by the max score for stability.
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = [e / total for e in exps]
        loss += -(scores[yi] - top - math.log(total))

        # Backward: dscores = (p - onehot) / N.
        dscores = [(probs[c] - (1.0 if c == yi else 0.0)) / n for c in range(C)]
        for c in range(C):
            db2[c] += dscores[c]
            for h in range(H):
                dW2[h][c] += hidden[h] * dscores[c]
        dhidden = [sum(W2[h][c] * dscores[c] for c in range(C)) if pre[h] > 0 else 0.0
                   for h in range(H)]
        for h in range(H):
            db1[h] += dhidden[h]
            for d in range(D):
                dW1[d][h] += xi[d] * dhidden[h]

    loss /= n
    # L2 regularisation of the weights only: 0.5 * reg * sum W^2, gradient reg * W.
    loss += 0.5 * reg * (sum(w * w for row in W1 for w in row)
                         + sum(w * w for row in W2 for w in row))
    for W, dW in ((W1, dW1), (W2, dW2)):
        for row, drow in zip(W, dW):
            for j in range(len(row)):
                drow[j] += reg * row[j]

    gradient = ([g for row in dW1 for g in row] + db1
                + [g for row in dW2 for g in row] + db2)
    return loss, gradient


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reg", type=float, default=0.05,
                        help="L2 regularisation strength (default 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    args = parser.parse_args()

    x0, X, y = toy_model_and_data(args.seed)
    parameters = [("W1", (D, H)), ("b1", (H,)), ("W2", (H, C)), ("b2", (C,))]
    serve(lambda x: loss_and_gradient([float(v) for v in x], X, y, args.reg),
          x0, parameters=parameters, dtype="float64")


if __name__ == "__main__":
    main()
