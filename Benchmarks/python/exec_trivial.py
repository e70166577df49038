#!/usr/bin/env python3
"""A trivial cost served with python/gradscope_exec.py, for `gradscope-bench exec`.

f(x) = 1/2 sum x^2, gradient x, at x = sin(1..n).  Measures what the Python
adapter adds per request (JSON, copying the point, numpy if importable).
"""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from gradscope_exec import serve  # noqa: E402


def cost(x):
    return 0.5 * sum(v * v for v in x), [float(v) for v in x]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    serve(cost, [math.sin(i + 1) for i in range(n)], dtype="float64")
