"""The settings a watched program reports (docs/watch.md, "settings"): checked when a Watcher is
created, so that a value GradScope does not know is refused at once rather than after training,
and written in GradScope's own terms.
"""

from __future__ import annotations

import math
import numbers
import struct
from typing import Any, Dict, Mapping, Optional

SETTINGS = ("activation", "initialization", "optimizer", "learningRate", "weightDecay", "l2", "inputScaling")
# The text settings and the values GradScope knows (Sources/Training/WatchStream.swift: ActivationKind,
# Initializer, OptimizerKind, Normalization), and the other names programs use for some of them,
# written as GradScope's own (the reader maps the same aliases).
TEXT_SETTINGS = {
    "activation": ("sigmoid", "tanh", "relu", "leaky-relu"),
    "initialization": ("xavier", "xavier-normal", "he", "normal", "debug", "debug-rowmajor", "ex4"),
    "optimizer": ("sgd", "momentum", "nesterov", "adam"),
    "inputScaling": ("raw", "unit", "standard"),
}
SETTING_ALIASES = {
    "activation": {"leaky_relu": "leaky-relu", "leakyrelu": "leaky-relu"},
    "initialization": {"kaiming": "he", "kaiming-normal": "he", "kaiming-uniform": "he",
                       "glorot": "xavier", "glorot-uniform": "xavier",
                       "xavier-uniform": "xavier", "glorot-normal": "xavier-normal"},
    "optimizer": {"adamw": "adam"},
}
NUMBER_SETTINGS = ("learningRate", "weightDecay", "l2")


def _described(value: Any) -> str:
    return "%r (%s)" % (value, type(value).__name__)


def _text_setting(key: str, value: Any) -> str:
    known = TEXT_SETTINGS[key]
    aliases = SETTING_ALIASES.get(key, {})
    allowed = ", ".join(known) + ("; also %s" % ", ".join(sorted(aliases)) if aliases else "")
    if not isinstance(value, str):
        raise TypeError("settings[%r] must be text, one of %s; got %s" % (key, allowed, _described(value)))
    given = value.strip().lower().replace("_", "-")  # PyTorch's names: kaiming_normal, xavier_uniform
    canonical = aliases.get(given, given)
    if canonical not in known:
        raise ValueError("settings[%r] %r is not one GradScope knows: %s" % (key, value, allowed))
    return canonical


def _number_setting(key: str, value: Any) -> float:
    number: Any = value
    if not isinstance(value, (bool, str, bytes)) and not isinstance(value, numbers.Real) \
            and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        number = value.item()  # a 0-d numpy array, torch tensor or jax.Array
    if isinstance(number, bool) or type(number).__name__ == "bool_" or not isinstance(number, numbers.Real):
        raise TypeError("settings[%r] must be a real number (int, float, a numpy scalar or a 0-d tensor); got %s"
                        % (key, _described(value)))
    result = float(number)
    if not math.isfinite(result):
        raise ValueError("settings[%r] must be a finite number; got %r" % (key, result))
    return _shortest(result, str(getattr(value, "dtype", "")))


def _shortest(x: float, dtype: str) -> float:
    """A float32 or float16 value as the shortest decimal that is the same in that precision
    (np.float32(0.01) as 0.01, not 0.009999999776482582), so that the diagnosis quotes it as given."""
    for suffix, form in (("float32", "f"), ("float16", "e")):
        if dtype.endswith(suffix):
            packed = struct.pack(form, x)
            for digits in range(1, 18):
                y = float("%.*g" % (digits, x))
                if struct.pack(form, y) == packed:
                    return y
    return x


def checked_settings(settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """``settings`` as the stream's hello writes them: known keys only, text values in GradScope's
    vocabulary (case aside; aliases such as ``adamw``, ``kaiming``, ``glorot`` mapped to its own
    names), numbers as finite floats. Raises ValueError or TypeError naming the key and what it
    accepts."""
    if settings is None:
        return {}
    if not isinstance(settings, Mapping):
        raise TypeError("settings must be a mapping such as {'optimizer': 'adam', 'learningRate': 0.001}; got %s"
                        % _described(settings))
    unknown = sorted(str(k) for k in settings if k not in SETTINGS)
    if unknown:
        raise ValueError("unknown settings %s; known: %s" % (", ".join(unknown), ", ".join(SETTINGS)))
    checked: Dict[str, Any] = {}
    for key, value in settings.items():
        checked[key] = _text_setting(key, value) if key in TEXT_SETTINGS else _number_setting(key, value)
    return checked
