"""The watch demonstrations run as copied, and `gradscope diagnose` reads what they recorded:
the deep sigmoid network has vanishing gradients, its ReLU + He twin has not."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# A short run: one epoch of 600 digits is 6 steps, every one recorded (a second or two).
SHORT = ["--epochs", "1", "--limit", "600", "--every", "1"]


def binary():
    import gradscope

    try:
        path = gradscope.find_binary()
    except gradscope.BinaryNotFoundError as error:
        pytest.skip("no gradscope binary: %s" % error)
    if path.endswith("fake_gradscope.py"):
        pytest.skip("GRADSCOPE points at the test stand-in")
    return path


def run_example(tmp_path, name, *flags):
    """(the example's stdout, the finding codes and exit status of `gradscope diagnose`)."""
    pytest.importorskip("numpy")
    if name == "torch":
        pytest.importorskip("torch")
    gradscope = binary()
    stream = tmp_path / ("%s.jsonl" % name)
    package = str(Path(sys.modules["gradscope"].__file__).resolve().parents[1])  # the one under test
    env = dict(os.environ, GRADSCOPE_WATCH=str(stream),
               PYTHONPATH=os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p))
    for variable in ("RANK", "SLURM_PROCID", "LOCAL_RANK"):  # a test run under a launcher still records
        env.pop(variable, None)
    out = subprocess.run([sys.executable, str(HERE / ("watch_demo_%s.py" % name)), *SHORT, *flags],
                         capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300)
    assert out.returncode == 0, out.stderr
    diagnosis = subprocess.run([gradscope, "diagnose", str(stream), "--format", "json"],
                               capture_output=True, text=True)
    assert diagnosis.returncode == 0, diagnosis.stderr
    codes = {f["code"] for f in json.loads(diagnosis.stdout)["run"]["findings"]}
    return out.stdout, codes, stream


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_the_sigmoid_demonstration_has_vanishing_gradients(tmp_path, name):
    stdout, codes, stream = run_example(tmp_path, name)
    assert "vanishing-gradients" in codes
    assert stdout.splitlines()[0].startswith("epoch 1/1  train loss ")
    hello = json.loads(stream.read_text().splitlines()[0])
    assert [layer["name"] for layer in hello["layers"]] == ["layer1", "layer2", "layer3", "layer4"]
    assert hello["settings"] == {"activation": "sigmoid", "initialization": "xavier", "optimizer": "momentum",
                                 "learningRate": 0.01, "inputScaling": "unit"}


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_the_relu_he_twin_has_none(tmp_path, name):
    _, codes, _ = run_example(tmp_path, name, "--activation", "relu", "--init", "he")
    assert "vanishing-gradients" not in codes


def test_a_missing_fashion_mnist_names_the_path_and_the_package(tmp_path, monkeypatch):
    pytest.importorskip("numpy")
    sys.path.insert(0, str(HERE))
    try:
        import watch_data
    finally:
        sys.path.remove(str(HERE))
    monkeypatch.setattr(watch_data, "FASHION_MNIST", tmp_path / "nowhere")
    with pytest.raises(SystemExit) as exit:
        watch_data.load("fashion-mnist")
    message = str(exit.value)
    assert str(tmp_path / "nowhere" / "train-images-idx3-ubyte.gz") in message
    assert "apt-get install dataset-fashion-mnist" in message and "\n" not in message


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_gradscope_watch_runs_the_demonstration(tmp_path, name):
    """`gradscope watch -- python3 watch_demo_X.py`: the stream is wired through GRADSCOPE_WATCH,
    the program's output passes through (to stderr under --format json), the diagnosis and the
    files of `train` come out, and the exit status is 0."""
    pytest.importorskip("numpy")
    if name == "torch":
        pytest.importorskip("torch")
    gradscope = binary()
    package = str(Path(sys.modules["gradscope"].__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p))
    for variable in ("RANK", "SLURM_PROCID", "LOCAL_RANK", "GRADSCOPE_WATCH"):
        env.pop(variable, None)
    out = tmp_path / "run"
    run = subprocess.run([gradscope, "watch", "--out", str(out), "--format", "json", "--",
                          sys.executable, str(HERE / ("watch_demo_%s.py" % name)), *SHORT],
                         capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["run"]["completed"] is True
    assert "vanishing-gradients" in {f["code"] for f in summary["run"]["findings"]}
    assert "epoch 1/1  train loss" in run.stderr, "the program's own stdout passes through"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "gradient-flow.svg", "metrics.csv", "metrics.json", "report.html", "watch.jsonl"]


def test_gradscope_watch_reports_a_failing_program(tmp_path):
    """A program that crashes mid-run: exit 3, its status and the end of its traceback quoted."""
    pytest.importorskip("numpy")
    gradscope = binary()
    script = tmp_path / "crash.py"
    script.write_text("import gradscope, numpy as np\n"
                      "w = gradscope.Watcher(every=1)\n"
                      "W = np.ones((3, 3))\n"
                      "w.record(0, loss=1.0, layers={'l1': {'weight_before': W, 'weight_after': W * 0.9,"
                      " 'gradient': W}})\n"
                      "raise RuntimeError('out of batteries')\n")
    package = str(Path(sys.modules["gradscope"].__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p))
    env.pop("GRADSCOPE_WATCH", None)
    run = subprocess.run([gradscope, "watch", "--out", str(tmp_path / "run"), "--", sys.executable, str(script)],
                         capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert run.returncode == 3, run.stderr
    assert "exited with status 1" in run.stderr and "RuntimeError: out of batteries" in run.stderr
    assert "cut short" in run.stdout
