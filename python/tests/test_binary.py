"""Finding the gradscope binary: $GRADSCOPE, then PATH, then .build/release in the checkout."""

import os
from pathlib import Path

import pytest

import gradscope
from gradscope import _binary


def make_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No $GRADSCOPE, an empty PATH, and searches starting in empty directories."""
    monkeypatch.delenv("GRADSCOPE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    package, cwd = tmp_path / "site" / "gradscope", tmp_path / "work" / "project"
    package.mkdir(parents=True)
    cwd.mkdir(parents=True)
    monkeypatch.setattr(_binary, "_search_starts", lambda: (package, cwd))
    return package, cwd


def test_none_found_names_all_three_places(nowhere):
    with pytest.raises(gradscope.BinaryNotFoundError) as info:
        gradscope.find_binary()
    message = str(info.value)
    assert "$GRADSCOPE is not set" in message
    assert "not on PATH" in message
    assert ".build/release/gradscope" in message
    assert str(nowhere[0]) in message and str(nowhere[1]) in message
    assert isinstance(info.value, FileNotFoundError)


def test_check_raises_it_before_calling_fn(nowhere):
    called = []
    with pytest.raises(gradscope.BinaryNotFoundError):
        gradscope.check(lambda x: called.append(x), 1.0)
    assert called == []


def test_environment_variable_first(nowhere, tmp_path, monkeypatch):
    binary = make_executable(tmp_path / "custom" / "gs")
    make_executable(tmp_path / "empty-bin" / "gradscope")
    monkeypatch.setenv("GRADSCOPE", str(binary))
    assert gradscope.find_binary() == str(binary)


def test_environment_variable_that_is_not_executable(nowhere, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADSCOPE", str(tmp_path / "missing"))
    with pytest.raises(gradscope.BinaryNotFoundError, match=r"\$GRADSCOPE is set to"):
        gradscope.find_binary()


def test_path_second(nowhere, tmp_path):
    binary = make_executable(tmp_path / "empty-bin" / "gradscope")
    make_executable(nowhere[1].parent / ".build" / "release" / "gradscope")
    assert gradscope.find_binary() == str(binary)


def test_checkout_build_above_the_package_then_the_cwd(nowhere, tmp_path):
    package, cwd = nowhere
    above_cwd = make_executable(cwd.parent / ".build" / "release" / "gradscope")
    assert gradscope.find_binary() == str(above_cwd)
    above_package = make_executable(package.parent.parent / ".build" / "release" / "gradscope")
    assert gradscope.find_binary() == str(above_package)
