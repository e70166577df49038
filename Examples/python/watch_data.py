"""Data for the watch demonstrations: the bundled UCI digits, Debian's Fashion-MNIST, or a CSV.

``load(name)`` returns float32 inputs scaled to [0, 1] and int64 labels, as
(x_train, y_train, x_test, y_test). Standard library and numpy only.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path
from typing import Any, Optional, Tuple

# The digits GradScope bundles (8 × 8, 64 pixels of 0…16 then the label per row, 1,797 rows),
# relative to this file in the repository: Examples/python/ → Sources/Datasets/Resources/.
DIGITS = Path(__file__).resolve().parents[2] / "Sources" / "Datasets" / "Resources" / "digits.csv.gz"
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist

Split = Tuple[Any, Any, Any, Any]


def load(data: str = "digits", limit: Optional[int] = None, seed: int = 0) -> Split:
    """``data``: ``digits`` (1,437 train / 360 test rows), ``fashion-mnist`` (60,000 / 10,000),
    or the path of a CSV (optionally .gz) whose rows are pixels of 0…16 then the label, split
    80/20 like the digits. ``limit`` keeps the first ``limit`` training rows."""
    if data == "fashion-mnist":
        x_train, y_train, x_test, y_test = _fashion_mnist()
    else:
        x_train, y_train, x_test, y_test = _csv(DIGITS if data == "digits" else Path(data), seed)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return x_train, y_train, x_test, y_test


def shown(path: str) -> str:
    """``path`` as a person would type it here: relative to the working directory when inside
    it, else as it is."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _missing(path: Path, hint: str) -> SystemExit:
    return SystemExit("watch_data: %s not found; %s" % (path, hint))


def _csv(path: Path, seed: int) -> Split:
    import numpy as np

    if not path.exists():
        raise _missing(path, "pass --data PATH (rows of 64 pixels of 0..16, then the label)"
                       if path == DIGITS else "check the --data path")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    order = np.random.default_rng(seed).permutation(len(table))
    table = table[order]
    x = (table[:, :-1] / 16.0).astype(np.float32)
    y = table[:, -1].astype(np.int64)
    cut = len(table) - (len(table) + 4) // 5  # a fifth, rounded up, for testing
    return x[:cut], y[:cut], x[cut:], y[cut:]


def _idx(path: Path) -> Any:
    import numpy as np

    if not path.exists():
        raise _missing(path, "apt-get install dataset-fashion-mnist")
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = struct.unpack(">%dI" % (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def _fashion_mnist() -> Split:
    import numpy as np

    def part(prefix: str) -> Tuple[Any, Any]:
        images = _idx(FASHION_MNIST / ("%s-images-idx3-ubyte.gz" % prefix))
        labels = _idx(FASHION_MNIST / ("%s-labels-idx1-ubyte.gz" % prefix))
        return (images.reshape(len(images), -1) / np.float32(255)).astype(np.float32), labels.astype(np.int64)

    return part("train") + part("t10k")
