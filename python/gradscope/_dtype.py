"""Names of the two precisions a check runs in."""

from __future__ import annotations

from typing import Any

__all__ = ["DTYPES", "dtype_name"]

DTYPES = ("float32", "float64")


def dtype_name(dtype: Any) -> str:
    """"float32"/"float64" from a string, a numpy, torch or JAX dtype; ValueError otherwise."""
    text = str(dtype)
    for prefix in ("torch.", "<class 'numpy.", "dtype('"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = text.rstrip("'>)")
    aliases = {"float": "float32", "f4": "float32", "single": "float32", "float32": "float32",
               "double": "float64", "f8": "float64", "float64": "float64"}
    if dtype is float:
        return "float64"
    if text not in aliases:
        raise ValueError("dtype must be float32 or float64, got %r" % (dtype,))
    return aliases[text]
