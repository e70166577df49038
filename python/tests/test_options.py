"""Option validation, the command line the options become, and the binary's usage errors."""

import numpy as np
import pytest

import gradscope
from gradscope._check import validate_options


def quadratic(x):
    return float(0.5 * np.sum(x * x)), x.copy()


@pytest.mark.parametrize("name", ["steps", "job", "verbose", "rtol"])
def test_unknown_option_is_a_type_error_naming_it(fake_binary, name):
    with pytest.raises(TypeError, match=repr(name)):
        gradscope.check(quadratic, np.ones(3), **{name: 1})


@pytest.mark.parametrize("options, match", [
    ({"mode": "everything"}, "mode must be one of full, sample, directional"),
    ({"dtype": "float16"}, "dtype must be float32 or float64"),
    ({"step": -1e-4}, "step must be 'auto' or a positive number"),
    ({"step": "small"}, "step must be"),
    ({"samples": 0}, "samples must be an integer"),
    ({"directions": 2.5}, "directions must be an integer"),
    ({"jobs": True}, "jobs must be an integer"),
    ({"seed": -1}, "seed must be an integer ≥ 0"),
    ({"timeout": 0}, "timeout must be a positive number"),
    ({"budget": float("inf")}, "budget must be a positive number"),
    ({"projections": 0}, "projections must be an integer"),
])
def test_bad_values_are_value_errors(options, match):
    with pytest.raises(ValueError, match=match):
        validate_options(options)


def test_vjp_must_be_callable():
    with pytest.raises(TypeError, match="vjp must be a callable"):
        validate_options({"vjp": 3})


@pytest.mark.parametrize("given, name", [
    ("float32", "float32"), ("f8", "float64"), (np.float32, "float32"),
    (np.dtype("float64"), "float64"), (float, "float64"), ("double", "float64")])
def test_dtype_spellings(given, name):
    assert validate_options({"dtype": given})["dtype"] == name


def test_options_become_flags(fake_binary):
    report = gradscope.check(quadratic, np.ones(3), mode="sample", samples=4, seed=7,
                             step=1e-4, timeout=30, budget=2.5, directions=3, projections=2)
    argv = report.json["argv"]
    pairs = dict(zip(argv[1::2], argv[2::2]))
    assert argv[:2] == ["check", "--exec-fds"]
    assert pairs["--format"] == "json"
    assert pairs["--mode"] == "sample" and pairs["--samples"] == "4" and pairs["--seed"] == "7"
    assert pairs["--step"] == "0.0001" and pairs["--timeout"] == "30.0"
    assert pairs["--budget"] == "2.5" and pairs["--directions"] == "3"
    assert pairs["--projections"] == "2"
    assert pairs["--exec-label"].startswith("quadratic (test_options.py:")
    assert "--jobs" not in pairs  # the number of fd pairs is the number of jobs


def test_usage_error_from_the_binary_is_a_value_error(fake_binary, monkeypatch):
    monkeypatch.setenv("FAKE_GRADSCOPE_REJECT", "--budget")
    with pytest.raises(ValueError, match="rejected the options: Error: Unknown option '--budget'"):
        gradscope.check(quadratic, np.ones(3), budget=1.0)


def test_no_inputs_and_not_callable(fake_binary):
    with pytest.raises(TypeError, match="at least one input"):
        gradscope.check(quadratic)
    with pytest.raises(TypeError, match="needs a callable"):
        gradscope.check(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="nothing to check"):
        gradscope.check(quadratic, np.arange(3))
