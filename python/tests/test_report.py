"""Report: parsing the binary's JSON report (files written by the real binary, see data/)."""

import json
from pathlib import Path

import pytest

from gradscope import Report

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def test_failing_report_mirrors_the_json():
    data = load("ex4_bias_bug_report.json")
    report = Report(data, text="the text report\n")
    assert report.verdict == "fail"
    assert report.passed is False
    assert report.json is data
    assert report.text == "the text report\n"
    assert str(report) == "the text report\n"
    assert [b.name for b in report.blocks] == ["Theta1", "Theta2"]
    theta1 = report["Theta1"]
    assert theta1.verdict == "fail"
    assert theta1.shape == [5, 4]
    assert theta1.failing == 5
    assert theta1.max_error == theta1.maxError == data["blocks"][0]["maxError"]
    assert [d.code for d in theta1.diagnosis] == ["regularisation", "bias-only", "concentrated"]
    assert "bias column" in theta1.diagnosis[1].message
    assert [d.code for d in report.diagnosis] == ["first-failing-block"]
    assert len(report.entries) == 38
    assert len(theta1.entries) == 20 and all(e.block == "Theta1" for e in theta1.entries)
    first = theta1.entries[0]
    assert first.index == 0 and first.position == (0, 0)
    assert theta1.entries[7].position == (1, 3)
    assert first.verdict == "fail" and first.noise_error == first.noiseError
    assert report.error is None
    assert report.evaluations == data["evaluations"]


def test_passing_report():
    report = Report(load("ex4_pass_report.json"))
    assert report.verdict == "pass" and report.passed
    assert all(b.verdict == "pass" and b.diagnosis == [] for b in report.blocks)
    assert "summary: PASS" in report.text  # a short text report when the binary wrote none


def test_error_report_carries_the_message():
    report = Report(load("error_report.json"))
    assert report.verdict == "error"
    assert report.error == "the program exited with status 1 before sending its hello"
    assert report.blocks == [] and report.entries == []
    assert "ERROR" in repr(report) and report.error in repr(report)
    assert report.error in report.text


def test_no_truth_value():
    report = Report(load("ex4_pass_report.json"))
    with pytest.raises(TypeError, match="report.passed"):
        bool(report)
    with pytest.raises(TypeError):
        assert report


def test_repr_is_readable():
    report = Report(load("ex4_bias_bug_report.json"))
    text = repr(report)
    assert text.startswith("<gradscope Report FAIL: 2 blocks; failing: Theta1, Theta2;")
    assert "180 evaluations" in text
    assert repr(report["Theta1"]).startswith("Block('Theta1' [5, 4]: fail, 20 checked, 5 failing")
    assert repr(report["Theta1"].diagnosis[1]).startswith("Diagnosis('bias-only',")
    assert repr(report.entries[0]).startswith("Entry(Theta1[0, 0]: numeric -0.00928")


def test_unknown_field_and_block():
    report = Report(load("ex4_pass_report.json"))
    with pytest.raises(AttributeError, match="no field 'nonsense'"):
        report.nonsense
    with pytest.raises(KeyError, match="Theta3"):
        report["Theta3"]


def test_vector_report_fields():
    data = {"verdict": "fail", "kind": "jacobian", "jacobian": "full",
            "outputs": [{"name": "y", "shape": [2]}],
            "blocks": [{"name": "∂y/∂x", "output": "y", "input": "x", "shape": [2, 3],
                        "verdict": "fail", "diagnosis": [{"code": "transpose", "message": "m"}],
                        "detectableRelativeError": 1e-6}],
            "entries": [{"block": "∂y/∂x", "index": 4, "verdict": "fail"}], "diagnosis": []}
    report = Report(data)
    block = report["∂y/∂x"]
    assert block.input == "x" and block.output == "y"
    assert block.detectable_relative_error == 1e-6
    assert block.entries[0].position == (1, 1)
    assert report.kind == "jacobian"
