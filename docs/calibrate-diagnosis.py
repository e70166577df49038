#!/usr/bin/env python3
"""Re-runs the diagnosis calibration runs of docs/diagnosis-calibration.md.

Each configuration trains on the bundled digits with `gradscope train` (plus the
common flags below), then this script reads OUT/metrics.json and prints the
figures the rules use: the vanishing ratio (smallest hidden layer's median
mean |dW| over the largest layer's), the median update ratio, the largest
per-reading median update ratio, the median saturated and dead fractions per
layer, the test accuracy, and the finding codes gradscope reported.

Usage: python3 docs/calibrate-diagnosis.py [.build/release/gradscope] [NAME ...]
"""
import json
import statistics as st
import subprocess
import sys
import tempfile

COMMON = ["--lr", "0.05", "--epochs", "20"]
CONFIGS = {
    "sigmoid 5x30 xavier": "--hidden 30,30,30,30,30 --activation sigmoid",
    "relu 5x30 he": "--hidden 30,30,30,30,30 --activation relu --init he",
    "leaky-relu 5x30 he": "--hidden 30,30,30,30,30 --activation leaky-relu --init he",
    "tanh 5x30 xavier": "--hidden 30,30,30,30,30 --activation tanh",
    "sigmoid 3x100": "--hidden 100,100,100 --activation sigmoid",
    "relu 3x100 he": "--hidden 100,100,100 --activation relu --init he",
    "sigmoid 64 (default)": "",
    "relu 64 he": "--activation relu --init he",
    "sigmoid 3x30 ex4 init": "--hidden 30,30,30 --activation sigmoid --init ex4",
    "adam sigmoid 5x30": "--hidden 30,30,30,30,30 --activation sigmoid --optimizer adam --lr 0.001",
    "sigmoid 64 raw pixels": "--hidden 64 --normalize raw",
    "sigmoid 5x30 raw pixels": "--hidden 30,30,30,30,30 --normalize raw",
    "tanh 64 raw pixels": "--hidden 64 --activation tanh --normalize raw",
    "sigmoid 64 sgd lr 2": "--hidden 64 --lr 2 --optimizer sgd",
    "relu 2x100 sgd lr 1": "--hidden 100,100 --activation relu --init he --lr 1 --optimizer sgd",
    "relu 2x100 sgd lr 3": "--hidden 100,100 --activation relu --init he --lr 3 --optimizer sgd",
    "relu 2x100 momentum lr 0.5": "--hidden 100,100 --activation relu --init he --lr 0.5",
    "sigmoid 64 sgd lr 1e-4": "--hidden 64 --optimizer sgd --lr 0.0001",
}


def median(values):
    values = [v for v in values if v is not None and v == v]
    return st.median(values) if values else float("nan")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/gradscope"
    names = sys.argv[2:] or list(CONFIGS)
    for name in names:
        out = tempfile.mkdtemp(prefix="gradscope-calibration-")
        subprocess.run([binary, "train", "--quiet", "--format", "json", "--out", out] + COMMON + CONFIGS[name].split(),
                       capture_output=True, text=True)
        run = json.load(open(out + "/metrics.json"))["runs"][0]
        samples, layers = run["history"]["samples"], len(run["history"]["layers"])
        updates = [median([s["layers"][l]["meanAbsoluteUpdate"] for s in samples]) for l in range(layers)]
        vanishing = min(updates[:-1]) / max(updates) if max(updates) > 0 else float("nan")
        ratio = median([x["updateRatio"] for s in samples for x in s["layers"]])
        spike = max(median([x["updateRatio"] for x in s["layers"]]) for s in samples)
        saturation = [median([s["layers"][l].get("saturation") for s in samples]) for l in range(layers - 1)]
        dead = [median([s["layers"][l].get("deadFraction") for s in samples]) for l in range(layers - 1)]
        accuracy = run["history"]["epochs"][-1].get("testAccuracy", float("nan"))
        fmt = lambda xs: "/".join("%.2f" % x for x in xs if x == x) or "-"
        print("| %s | %.1f%% | %.3g | %.2g | %.2g | %s | %s | %s |" % (
            name, 100 * accuracy, vanishing, ratio, spike, fmt(saturation), fmt(dead),
            ", ".join(f["code"] for f in run["findings"]) or "none"))


if __name__ == "__main__":
    main()
