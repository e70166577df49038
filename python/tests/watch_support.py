"""What the watch tests share: the real gradscope binary, and `gradscope diagnose` on a stream."""

import json
import subprocess

import pytest

import gradscope


def binary():
    """The real binary (skipped when there is none, or GRADSCOPE points at the test stand-in)."""
    try:
        path = gradscope.find_binary()
    except gradscope.BinaryNotFoundError as error:
        pytest.skip("no gradscope binary: %s" % error)
    if path.endswith("fake_gradscope.py"):
        pytest.skip("GRADSCOPE points at the test stand-in")
    return path


def diagnose(path, *extra):
    """(exit status, the finding codes, the completed process) of `gradscope diagnose --format json`."""
    out = subprocess.run([binary(), "diagnose", str(path), "--format", "json", *extra],
                         capture_output=True, text=True)
    codes = set()
    if out.stdout.strip():
        codes = {f["code"] for f in json.loads(out.stdout)["run"]["findings"]}
    return out.returncode, codes, out
