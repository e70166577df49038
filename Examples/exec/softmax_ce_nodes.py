#!/usr/bin/env python3
"""Softmax and cross-entropy as separate graph nodes, served to GradScope.

    Z = X W + b          Linear        (W is D x C, b is C)
    P = softmax(Z)       Softmax       backward: dZ = S * (G - <G, S>)  per row
    L = -1/m sum Y log P CrossEntropy  backward: dP = -Y / P / m

Each node has its own forward and backward, the way a small autodiff library
or a from-scratch course assignment writes them.  With --diagonal-bug the
softmax backward keeps only the diagonal of the Jacobian, dZ = G * S (1 - S),
a classic mistake: the gradient is then wrong for every logit that is not the
true class, and GradScope should flag W and b.

Parameter blocks: W (4, 3), b (3,).  Standard library only.  Command for
GradScope's exec checker:

    python3 Examples/exec/softmax_ce_nodes.py [--diagonal-bug]
"""

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from gradscope_exec import serve  # noqa: E402

M, D, C = 6, 4, 3


class Linear:
    """Z = X W + b."""

    def forward(self, X, W, b):
        self.X = X
        return [[sum(x[d] * W[d][c] for d in range(len(x))) + b[c] for c in range(len(b))]
                for x in X]

    def backward(self, dZ):
        """Returns (dW, db)."""
        D_, C_ = len(self.X[0]), len(dZ[0])
        dW = [[sum(self.X[i][d] * dZ[i][c] for i in range(len(dZ))) for c in range(C_)]
              for d in range(D_)]
        db = [sum(row[c] for row in dZ) for c in range(C_)]
        return dW, db


class Softmax:
    """Row-wise softmax; backward is the vector-Jacobian product."""

    def forward(self, Z):
        self.S = []
        for z in Z:
            top = max(z)
            e = [math.exp(v - top) for v in z]
            total = sum(e)
            self.S.append([v / total for v in e])
        return self.S

    def backward(self, G):
        # J = diag(s) - s s^T, so G J = s * (g - <g, s>).
        out = []
        for g, s in zip(G, self.S):
            gs = sum(gv * sv for gv, sv in zip(g, s))
            out.append([sv * (gv - gs) for gv, sv in zip(g, s)])
        return out


class DiagonalBugSoftmax(Softmax):
    """BUG: uses only the diagonal of the softmax Jacobian."""

    def backward(self, G):
        return [[gv * sv * (1.0 - sv) for gv, sv in zip(g, s)] for g, s in zip(G, self.S)]


class CrossEntropy:
    """L = -1/m sum_ij Y_ij log P_ij."""

    def forward(self, P, Y):
        self.P, self.Y = P, Y
        m = len(P)
        return -sum(yv * math.log(pv) for p, y in zip(P, Y) for pv, yv in zip(p, y) if yv) / m

    def backward(self):
        m = len(self.P)
        return [[-yv / pv / m for pv, yv in zip(p, y)] for p, y in zip(self.P, self.Y)]


def make_problem(seed):
    """Seeded data X (M x D), one-hot targets Y (M x C), initial W and b (flat)."""
    rng = random.Random(seed)
    X = [[rng.uniform(-1.0, 1.0) for _ in range(D)] for _ in range(M)]
    labels = [i % C for i in range(M)]
    Y = [[1.0 if c == label else 0.0 for c in range(C)] for label in labels]
    x0 = [0.5 * rng.gauss(0.0, 1.0) for _ in range(D * C)] + [0.1 * rng.gauss(0.0, 1.0)
                                                               for _ in range(C)]
    return X, Y, x0


def loss_and_gradient(x, X, Y, softmax):
    W = [list(x[d * C:(d + 1) * C]) for d in range(D)]
    b = list(x[D * C:])
    linear, ce = Linear(), CrossEntropy()

    loss = ce.forward(softmax.forward(linear.forward(X, W, b)), Y)
    dW, db = linear.backward(softmax.backward(ce.backward()))
    return loss, [g for row in dW for g in row] + db


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diagonal-bug", action="store_true",
                        help="use the diagonal-only softmax backward g * s * (1 - s)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    args = parser.parse_args()

    X, Y, x0 = make_problem(args.seed)
    softmax = DiagonalBugSoftmax() if args.diagonal_bug else Softmax()
    serve(lambda x: loss_and_gradient([float(v) for v in x], X, Y, softmax),
          x0, parameters=[("W", (D, C)), ("b", (C,))], dtype="float64")


if __name__ == "__main__":
    main()
