#!/usr/bin/env python3
"""Record what gradscope prints for a fixed set of commands and seeds, timings removed, so that a
refactoring can be shown to change no output (issue #11):

    scripts/behaviour-snapshot.py BINARY OUTDIR      # before, with the old binary
    scripts/behaviour-snapshot.py BINARY OUTDIR2     # after
    diff -r OUTDIR OUTDIR2                           # must print nothing

Each command's stdout goes to OUTDIR/NAME.txt (text) or NAME.json (JSON with the timing members
"seconds", "elapsed*", "started", "finished" and "*Seconds" removed, keys sorted), and its exit status to
OUTDIR/NAME.status. Text lines with wall-clock figures ("… s", "ms", "µs", "took", "ETA") are dropped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any, List, Tuple

BUGS = ["bias-reg-gradient", "bias-reg-cost", "bias-reg-cost-twice", "missing-1/m", "reg-gradient-2x",
        "sigmoid-derivative-on-activation", "output-delta-sign", "transposed-weight-gradient",
        "softmax-diagonal", "reused-parameter-not-accumulated", "conv-kernel-not-flipped", "one-entry-off",
        "maxpool-wrong-routing", "bias-mean-instead-of-sum"]
# dropout-left-on is left out: its masks differ from run to run (that is the bug it shows).


def commands(work: str) -> List[Tuple[str, List[str]]]:
    out: List[Tuple[str, List[str]]] = []
    out.append(("check-default", ["check", "--format", "json"]))
    out.append(("check-default-text", ["check"]))
    for mode in ["sample", "directional"]:
        out.append(("check-" + mode, ["check", "--mode", mode, "--format", "json"]))
    out.append(("check-relu-sample", ["check", "--layers", "8,16,4", "--activation", "relu", "--mode", "sample",
                                      "--format", "json"]))
    out.append(("check-leaky-full", ["check", "--layers", "6,10,3", "--activation", "leaky-relu", "--format", "json"]))
    out.append(("check-tanh-f32", ["check", "--layers", "6,10,3", "--activation", "tanh", "--dtype", "float32",
                                   "--format", "json"]))
    out.append(("check-ex4", ["check", "--model", "ex4-debug", "--format", "json"]))
    for bug in BUGS:
        name = "bug-" + bug.replace("/", "-")
        out.append((name, ["check", "--bug", bug, "--format", "json"]))
        out.append((name + "-text", ["check", "--bug", bug]))
    for activation in ["sigmoid", "relu", "tanh", "leaky-relu"]:
        out.append(("train-" + activation, ["train", "--hidden", "24", "--epochs", "2", "--activation", activation,
                                            "--quiet", "--format", "json", "--out", os.path.join(work, "t-" + activation)]))
    out.append(("train-deep-sigmoid", ["train", "--hidden", "64,64,64", "--epochs", "2", "--activation", "sigmoid",
                                       "--quiet", "--format", "json", "--out", os.path.join(work, "t-deep")]))
    out.append(("compare", ["compare", "--hidden", "16", "--epochs", "2", "--activation", "sigmoid,relu",
                            "--quiet", "--format", "json", "--out", os.path.join(work, "c")]))
    # Text summaries with findings and their fixes.
    out.append(("train-deep-sigmoid-text", ["train", "--hidden", "64,64,64", "--epochs", "2", "--activation",
                                            "sigmoid", "--quiet", "--out", os.path.join(work, "t-deep-text")]))
    out.append(("train-diverging-text", ["train", "--hidden", "32", "--activation", "relu", "--init", "he",
                                         "--optimizer", "sgd", "--lr", "1e8", "--epochs", "2", "--quiet",
                                         "--out", os.path.join(work, "t-div")]))
    # Usage errors: the message on stderr names the flag.
    errors = [["train", "--lr", "0"], ["train", "--epochs", "0"], ["train", "--batch", "0"],
              ["train", "--momentum", "1"], ["train", "--weight-decay=-1"], ["train", "--monitor-every", "0"],
              ["train", "--layers", "3,5", "--epochs", "1"], ["check", "--layers", "3"], ["check", "--layers", "3,0,2"],
              ["check", "--hidden", "0"], ["check", "--examples", "0"], ["check", "--lambda", "-1"],
              ["check", "--model", "ex4-debug", "--layers", "3,4"], ["compare", "--lr", "0,0.1", "--epochs", "1"],
              ["train", "--data", "cifar"]]
    for i, args in enumerate(errors):
        out.append(("error-%02d" % i, args + ["--out", os.path.join(work, "e%02d" % i)] if args[0] != "check" else args))
    return out


TIMING_KEY = re.compile(r"^(seconds|elapsed.*|started|finished|.*Seconds|seconds.*|wallClock.*|date|timestamp|time)$")
TIMING_TEXT = re.compile(r"(\d[\d.]*\s*(s|ms|µs|min)\b|took|ETA|elapsed|seconds|started|/tmp/)")


def scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not TIMING_KEY.match(k)}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"/tmp/[^\s\"']+", "TMP", value)
    return value


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="gradscope-snapshot-")
    try:
        for name, args in commands(work):
            result = subprocess.run([binary] + args, capture_output=True, text=True, timeout=600)
            with open(os.path.join(outdir, name + ".status"), "w") as f:
                f.write("%d\n" % result.returncode)
            if name.startswith("error-"):
                with open(os.path.join(outdir, name + ".err"), "w") as f:
                    f.write(scrub(result.stderr))
            if "--format" in args and "json" in args:
                try:
                    data = scrub(json.loads(result.stdout))
                    with open(os.path.join(outdir, name + ".json"), "w") as f:
                        json.dump(data, f, indent=1, sort_keys=True)
                    continue
                except json.JSONDecodeError:
                    pass
            lines = [line for line in result.stdout.splitlines() if not TIMING_TEXT.search(line)]
            with open(os.path.join(outdir, name + ".txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
        # The files a training run writes (metrics, history), timings removed.
        for run in sorted(os.listdir(work)):
            for file in ["metrics.json"]:
                path = os.path.join(work, run, file)
                if os.path.exists(path):
                    with open(path) as f:
                        data = scrub(json.load(f))
                    with open(os.path.join(outdir, "files-%s-%s" % (run, file)), "w") as f:
                        json.dump(data, f, indent=1, sort_keys=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
