#!/usr/bin/env python3
"""Codes right / codes reported by `gradscope check --bug NAME --format json` over the built-in
mistakes, against the truth table of Tests/GradCheckTests/DiagnosisPrecisionTests.swift.

usage: scripts/diagnosis-precision.py BINARY"""
import json
import subprocess
import sys
from typing import Dict, Set, Tuple

B = "layer1.bias", "layer2.bias"
ALL = ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]
TRUTH: Dict[str, Tuple[Dict[str, Set[str]], Set[str]]] = {
    "bias-reg-gradient": ({b: {"regularisation", "bias-only"} for b in B}, {"regularisation-term"}),
    "bias-reg-cost": ({b: {"regularisation", "bias-only"} for b in B}, {"regularisation-term"}),
    "bias-reg-cost-twice": ({b: {"regularisation", "bias-only"} for b in B}, {"regularisation-term"}),
    "missing-1/m": ({b: {"scale"} for b in ALL}, {"scale"}),
    "reg-gradient-2x": ({b: {"regularisation"} for b in ["layer1.weight", "layer2.weight"]}, {"regularisation-term"}),
    "sigmoid-derivative-on-activation": ({b: {"sigmoid-derivative-on-activation"} for b in ALL[:2]},
                                         {"sigmoid-derivative-on-activation"}),
    "output-delta-sign": ({b: {"sign"} for b in ALL}, {"sign"}),
    "transposed-weight-gradient": ({"layer1.weight": {"transpose"}}, set()),
    "softmax-diagonal": ({b: {"softmax-diagonal"} for b in ALL}, {"softmax-diagonal"}),
    "reused-parameter-not-accumulated": ({b: {"reused-parameter-not-accumulated"} for b in ALL[:2]},
                                         {"reused-parameter-not-accumulated"}),
    "conv-kernel-not-flipped": ({b: {"conv-kernel-not-flipped"} for b in ["layer1.kernel", "layer1.bias"]},
                                {"conv-kernel-not-flipped"}),
    "one-entry-off": ({"layer1.weight": {"single-entry"}}, set()),
    "dropout-left-on": ({}, {"nondeterministic"}),
    "maxpool-wrong-routing": ({b: {"maxpool-wrong-routing"} for b in ["layer1.kernel", "layer1.bias"]},
                              {"maxpool-wrong-routing"}),
    "bias-mean-instead-of-sum": ({"layer2.bias": {"scale", "bias-only"}}, set()),
}


def main() -> int:
    binary = sys.argv[1]
    right = reported = expected = 0
    for bug, (blocks, model) in TRUTH.items():
        out = subprocess.run([binary, "check", "--bug", bug, "--format", "json"], capture_output=True, text=True)
        report = json.loads(out.stdout)
        wrong = []
        for b in report["blocks"]:
            codes = {d["code"] for d in b["diagnosis"]}
            reported += len(codes)
            good = codes & blocks.get(b["name"], set())
            right += len(good)
            wrong += ["%s:%s" % (b["name"], c) for c in sorted(codes - good)]
        codes = {d["code"] for d in report["diagnosis"]}
        reported += len(codes)
        right += len(codes & model)
        wrong += ["model:%s" % c for c in sorted(codes - model)]
        expected += sum(len(c) for c in blocks.values()) + len(model)
        print("%-34s %s" % (bug, "ok" if not wrong else "untrue: " + ", ".join(wrong)))
    print("codes right / reported: %d / %d (precision %.2f); true codes found: %d / %d" % (
        right, reported, right / max(reported, 1), right, expected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
