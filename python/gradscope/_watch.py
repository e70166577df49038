"""gradscope.Watcher: record a numpy or JAX training loop's gradient flow as a gradscope-watch/1 stream.

The stream (docs/watch.md) is JSON lines; ``gradscope diagnose FILE`` applies the same
calibrated rules as ``gradscope train`` to it. numpy is imported only when a sample is recorded.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import sys
from typing import Any, Dict, Mapping, Optional, TextIO

PROTOCOL = "gradscope-watch/1"
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky-relu", "identity")
SETTINGS = ("activation", "initialization", "optimizer", "learningRate", "weightDecay", "l2", "inputScaling")


def _finite(x: Optional[float]) -> Optional[float]:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def layer_statistics(weight_before: Any, weight_after: Any, gradient: Any,
                     activations: Any = None, activation: str = "identity") -> Dict[str, Optional[float]]:
    """The figures of one layer at one step, as GradScope's own monitor takes them.

    mean |ΔW|, ‖ΔW‖, ‖W‖ (before the update), ‖∇W‖, ‖ΔW‖/‖W‖; over the batch of activations
    (rows = examples): mean, spread, the fraction of sigmoid/tanh outputs whose derivative is
    under 1 % of its maximum, the fraction of ReLU units at or below 0 for every example."""
    import numpy as np

    w0 = np.asarray(weight_before, dtype=np.float64)
    w1 = np.asarray(weight_after, dtype=np.float64)
    g = np.asarray(gradient, dtype=np.float64)
    dw = w1 - w0
    update_norm = float(np.linalg.norm(dw))
    weight_norm = float(np.linalg.norm(w0))
    out: Dict[str, Optional[float]] = {
        "meanAbsoluteUpdate": float(np.mean(np.abs(dw))) if dw.size else 0.0,
        "updateNorm": update_norm,
        "weightNorm": weight_norm,
        "gradientNorm": float(np.linalg.norm(g)),
        "updateRatio": update_norm / weight_norm if weight_norm > 0 else 0.0,
        "activationMean": None, "activationStd": None, "saturation": None, "deadFraction": None,
    }
    if activations is not None:
        a = np.asarray(activations, dtype=np.float64)
        a2 = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
        out["activationMean"] = _finite(np.mean(a2))
        out["activationStd"] = _finite(np.std(a2))
        if activation == "sigmoid":
            out["saturation"] = float(np.mean(a2 * (1 - a2) < 0.25 * 0.01))
        elif activation == "tanh":
            out["saturation"] = float(np.mean(1 - a2 * a2 < 0.01))
        elif activation in ("relu", "leaky-relu"):
            out["deadFraction"] = float(np.mean(np.all(a2 <= 0, axis=0)))
    return out


class Watcher:
    """Records a training loop's gradient flow every ``every`` steps.

    ``watcher.should_record(step)`` lets the loop skip the copies on other steps;
    ``watcher.record(step, loss=..., layers={"layer1": {"weight_before": W0, "weight_after": W1,
    "gradient": g, "activations": A, "activation": "sigmoid"}, ...})`` writes a sample (the
    first also writes the hello, with the layers in that order); ``watcher.epoch(epoch,
    train_loss=..., test_loss=..., test_accuracy=...)`` an epoch; ``watcher.close()`` the end
    (also at interpreter exit; an uncaught exception leaves the stream without ``end``, which
    ``gradscope diagnose`` reports as a run cut short).

    The stream goes to ``path``, else the file named by ``GRADSCOPE_WATCH``, else
    ``gradscope-watch.jsonl``. ``settings`` says how the run was set up (``activation``,
    ``initialization``, ``optimizer``, ``learningRate``, ``weightDecay``, ``l2``,
    ``inputScaling``), so that no fix suggests what the run already does."""

    def __init__(self, every: int = 10, path: Optional[str] = None,
                 settings: Optional[Mapping[str, Any]] = None) -> None:
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError("every must be an integer >= 1, got %r" % (every,))
        unknown = sorted(set(settings or {}) - set(SETTINGS))
        if unknown:
            raise ValueError("unknown settings %s; known: %s" % (", ".join(unknown), ", ".join(SETTINGS)))
        self.every = every
        self.path = path or os.environ.get("GRADSCOPE_WATCH") or "gradscope-watch.jsonl"
        self.settings = dict(settings or {})
        self._file: Optional[TextIO] = None
        self._layers: Optional[list] = None
        self._epoch = 0
        self._nonfinite: Optional[Dict[str, Any]] = None
        self._closed = False
        self._failed = False
        previous = sys.excepthook

        def hook(kind, value, traceback):  # type: ignore[no-untyped-def]
            self._failed = True
            previous(kind, value, traceback)

        sys.excepthook = hook
        atexit.register(self._at_exit)

    def should_record(self, step: int) -> bool:
        return step % self.every == 0

    def _write(self, message: Dict[str, Any]) -> None:
        if self._closed:
            raise ValueError("the watcher is closed")
        if self._file is None:
            self._file = open(self.path, "w", encoding="utf-8")
        self._file.write(json.dumps(message, allow_nan=False) + "\n")
        self._file.flush()

    def record(self, step: int, loss: Optional[float] = None,
               layers: Optional[Mapping[str, Mapping[str, Any]]] = None, epoch: Optional[int] = None) -> bool:
        """Writes a sample when ``step`` is a recording step; returns whether it did."""
        if not self.should_record(step):
            return False
        if not layers:
            raise ValueError("record needs layers={name: {weight_before, weight_after, gradient, ...}}")
        names = list(layers)
        if self._layers is None:
            declared = []
            for name in names:
                spec = layers[name]
                activation = spec.get("activation", "identity")
                if activation not in ACTIVATIONS:
                    raise ValueError("layer %s: activation %r is not one of %s" % (name, activation, ", ".join(ACTIVATIONS)))
                import numpy as np
                declared.append({"name": name, "activation": activation,
                                 "weights": int(np.asarray(spec["weight_before"]).size)})
            self._layers = names
            hello: Dict[str, Any] = {"type": "hello", "protocol": PROTOCOL, "layers": declared}
            if self.settings:
                hello["settings"] = self.settings
            self._write(hello)
        elif names != self._layers:
            raise ValueError("record: layers %s differ from the first sample's %s" % (names, self._layers))
        rows = []
        for name in names:
            spec = layers[name]
            missing = [k for k in ("weight_before", "weight_after", "gradient") if k not in spec]
            if missing:
                raise ValueError("layer %s: missing %s" % (name, ", ".join(missing)))
            rows.append(layer_statistics(spec["weight_before"], spec["weight_after"], spec["gradient"],
                                         spec.get("activations"), spec.get("activation", "identity")))
        value = _finite(loss)
        if loss is not None and value is None and self._nonfinite is None:
            self._nonfinite = {"step": step, "epoch": epoch if epoch is not None else self._epoch + 1}
        self._write({"type": "sample", "step": step, "epoch": epoch if epoch is not None else self._epoch + 1,
                     "loss": value, "layers": rows})
        return True

    def loss(self, value: float, step: Optional[int] = None) -> None:
        """Records one batch loss (a non-finite one marks the run as diverged)."""
        finite = _finite(value)
        if finite is None and self._nonfinite is None:
            self._nonfinite = {"step": step or 0, "epoch": self._epoch + 1}
        if self._layers is not None:
            self._write({"type": "loss", "step": step, "value": finite})

    def epoch(self, epoch: Optional[int] = None, train_loss: Optional[float] = None, **metrics: float) -> None:
        """Marks the end of an epoch (``train_loss``, and optionally ``test_loss``,
        ``test_accuracy``, ``train_accuracy``, ``steps``, ``seconds``)."""
        self._epoch = epoch if epoch is not None else self._epoch + 1
        if self._layers is None:
            return
        names = {"test_loss": "testLoss", "test_accuracy": "testAccuracy", "train_accuracy": "trainAccuracy",
                 "steps": "steps", "seconds": "seconds"}
        unknown = sorted(set(metrics) - set(names))
        if unknown:
            raise ValueError("unknown epoch metrics %s; known: %s" % (", ".join(unknown), ", ".join(sorted(names))))
        message: Dict[str, Any] = {"type": "epoch", "epoch": self._epoch,
                                   "trainLoss": _finite(train_loss) if train_loss is not None else None}
        for key, value in metrics.items():
            message[names[key]] = int(value) if key == "steps" else _finite(value)
        self._write(message)

    def close(self) -> None:
        """Ends the stream: completed, or non-finite-loss when a loss was NaN or infinite."""
        if self._closed:
            return
        if self._layers is not None:
            end: Dict[str, Any] = {"type": "end", "status": "completed"}
            if self._nonfinite is not None:
                end = {"type": "end", "status": "non-finite-loss", **self._nonfinite}
            self._write(end)
        self._closed = True
        if self._file is not None:
            self._file.close()

    def _at_exit(self) -> None:
        if self._closed:
            return
        if self._failed:
            if self._file is not None:
                self._file.close()
            self._closed = True
            return
        self.close()

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, kind, value, traceback) -> None:  # type: ignore[no-untyped-def]
        if kind is not None:
            self._failed = True
            self._at_exit()
        else:
            self.close()
