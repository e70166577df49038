"""`import gradscope` needs the standard library alone."""

import subprocess
import sys
from pathlib import Path

PYTHON_DIR = str(Path(__file__).resolve().parents[1])


def test_import_loads_no_numerical_library():
    code = ("import sys; sys.path.insert(1, %r); import gradscope; "
            "print(sorted(m for m in ('numpy', 'torch', 'jax', 'gradscope_exec') "
            "if m in sys.modules))" % PYTHON_DIR)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    import gradscope
    assert callable(gradscope.check) and callable(gradscope.assert_gradients)
    assert set(gradscope.OPTIONS) == {"mode", "dtype", "step", "samples", "directions", "seed",
                                      "timeout", "jobs", "budget", "projections", "vjp", "shard", "out",
                                      "plan"}
    assert issubclass(gradscope.BinaryNotFoundError, FileNotFoundError)
