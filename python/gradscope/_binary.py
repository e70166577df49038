"""Finding the gradscope binary and asking it which flags it knows."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Optional, Tuple

__all__ = ["find_binary", "BinaryNotFoundError", "check_help"]

RELEASE = Path(".build") / "release" / "gradscope"


class BinaryNotFoundError(FileNotFoundError):
    """No gradscope binary in $GRADSCOPE, on PATH, or in a .build/release of this checkout."""


def _upward(start: Path) -> Optional[Path]:
    for directory in [start, *start.parents]:
        candidate = directory / RELEASE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_binary() -> str:
    """The gradscope binary: $GRADSCOPE, else `gradscope` on PATH, else `.build/release/gradscope`
    in a directory above this package's file or above the working directory."""
    env = os.environ.get("GRADSCOPE")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
        found = shutil.which(env)
        if found:
            return found
        raise BinaryNotFoundError("$GRADSCOPE is set to %r, which is not an executable file" % env)
    found = shutil.which("gradscope")
    if found:
        return found
    package, cwd = _search_starts()
    for start in (package, cwd):
        candidate = _upward(start)
        if candidate is not None:
            return str(candidate)
    raise BinaryNotFoundError(
        "cannot find the gradscope binary: $GRADSCOPE is not set, `gradscope` is not on PATH, and "
        "there is no .build/release/gradscope above %s or above the working directory %s. "
        "Build it with `swift build -c release --product gradscope` in the GradScope checkout, or "
        "set GRADSCOPE=/path/to/gradscope." % (package, cwd))


def _search_starts() -> Tuple[Path, Path]:
    """Where the upward search for .build/release/gradscope starts: this package, the cwd."""
    return Path(__file__).resolve().parent, Path.cwd().resolve()


_HELP: Dict[Tuple[str, float], str] = {}


def check_help(binary: str) -> str:
    """`gradscope check --help` of this binary (cached per path and modification time)."""
    try:
        key = (os.path.realpath(binary), os.stat(binary).st_mtime)
    except OSError:
        key = (binary, 0.0)
    if key not in _HELP:
        result = subprocess.run([binary, "check", "--help"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        _HELP[key] = result.stdout.decode("utf-8", "replace")
    return _HELP[key]


def supports(binary: str, flag: str) -> bool:
    """Whether `gradscope check` of this binary lists ``flag`` (e.g. "--exec-fds") in its help."""
    return flag in check_help(binary)
