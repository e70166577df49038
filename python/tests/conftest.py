"""Shared fixtures: the package from this checkout, and a stand-in gradscope binary."""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PYTHON = HERE.parent
try:  # the installed package (pip install ./python), else the checkout's
    import gradscope  # noqa: F401
except ImportError:
    sys.path.insert(0, str(PYTHON))

FAKE = HERE / "fake_gradscope.py"


@pytest.fixture
def fake_binary(monkeypatch):
    """GRADSCOPE points at tests/fake_gradscope.py (simple central differences, same contract)."""
    os.chmod(FAKE, 0o755)
    monkeypatch.setenv("GRADSCOPE", str(FAKE))
    monkeypatch.delenv("FAKE_GRADSCOPE_REJECT", raising=False)
    return str(FAKE)
