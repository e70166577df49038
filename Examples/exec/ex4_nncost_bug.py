#!/usr/bin/env python3
"""ex4 nnCostFunction with a classic bug, served to GradScope (gradscope/1).

Same network, data and cost as ex4_nncost.py, but the regularisation term of
the gradient, lambda/m * Theta, is also added to the bias column (column 0) of
Theta1 and Theta2, although the cost does not regularise the bias.  GradScope
should point at column 0 of both blocks.  (With --lambda 0 the bug is silent.)

Standard library only.

Command for GradScope's exec checker (run with sh -c):

    python3 Examples/exec/ex4_nncost_bug.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ex4_nncost  # noqa: E402


def regularize_gradient_with_bias(theta_grad, theta, lam, m):
    """BUG: starts at column 0, so the bias column is regularised too."""
    for grad_row, theta_row in zip(theta_grad, theta):
        for j in range(0, len(theta_row)):  # should be range(1, ...)
            grad_row[j] += lam / m * theta_row[j]


if __name__ == "__main__":
    ex4_nncost.main(regularize=regularize_gradient_with_bias,
                    description=__doc__.splitlines()[0])
