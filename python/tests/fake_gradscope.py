#!/usr/bin/env python3
"""A stand-in for the gradscope binary, for the package's unit tests.

It speaks the package's side of the contract (docs/python.md, notes: `gradscope check
--exec-fds R:W[,R:W] --format json --text FILE ...`): reads every job's hello, asks for the
gradient (scalar programs) or a VJP with a fixed cotangent (vector programs), compares it
with plain central differences, spreading the value requests round-robin over the jobs,
and prints a JSON report shaped like the real one.  Its numerical check is deliberately
simple (fixed step, fixed tolerance): the tests check the package, not a checker.

The report carries what the tests look at: "argv", the hello's dtype ("helloDtype"), how
many requests each job answered ("answersPerJob") and, for vector programs, the answer to a
value-only request ("valueOnly").  FAKE_GRADSCOPE_REJECT=--flag makes it reject that flag
with exit status 64, as the real binary rejects a bad option.
"""

import json
import math
import os
import sys

HELP = """USAGE: gradscope check <options>
  --exec <command>  --exec-fds <R:W[,R:W...]>  --exec-label <text>  --text <file>
  --jobs <n>  --timeout <s>  --budget <s>  --projections <k>  --mode <mode>  --dtype <dtype>
  --samples <n>  --directions <n>  --step <step>  --seed <seed>  --format <format>
"""


class Job:
    def __init__(self, r, w):
        self.r = os.fdopen(r, "rb", buffering=0)
        self.w = os.fdopen(w, "wb", buffering=0)
        self.buffer = b""
        self.next_id = 1

    def line(self):
        while b"\n" not in self.buffer:
            chunk = self.r.read(1 << 16)
            if not chunk:
                raise EOFError("the program closed its end before answering")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def ask_many(self, requests):
        ids = []
        for request in requests:
            request = dict(request, id=self.next_id, op="evaluate")
            ids.append(self.next_id)
            self.next_id += 1
            self.w.write((json.dumps(request) + "\n").encode())
        answers = []
        for rid in ids:
            answer = self.line()
            if answer.get("id") != rid:
                raise RuntimeError("answered %r for request %d" % (answer.get("id"), rid))
            answers.append(answer)
        return answers


def usage(message):
    sys.stderr.write("Error: %s\nUsage: gradscope check <options>\n" % message)
    sys.exit(64)


def main(argv):
    if argv[:1] != ["check"]:
        usage("only `check` is faked")
    if "--help" in argv:
        sys.stdout.write(HELP)
        return 0
    args, i = {}, 1
    while i < len(argv):
        if not argv[i].startswith("--") or i + 1 >= len(argv):
            usage("unexpected argument %r" % argv[i])
        args[argv[i]] = argv[i + 1]
        i += 2
    known = {"--exec-fds", "--exec-label", "--text", "--format", "--mode", "--dtype", "--step",
             "--samples", "--directions", "--seed", "--timeout", "--budget", "--projections"}
    rejected = os.environ.get("FAKE_GRADSCOPE_REJECT")  # a flag to reject as the real one would
    for flag in args:
        if flag not in known or flag == rejected:
            usage("Unknown option '%s'" % flag)
    if args.get("--mode", "full") not in ("full", "sample", "directional"):
        usage("bad mode")
    jobs = []
    for pair in args["--exec-fds"].split(","):
        r, w = (int(v) for v in pair.split(":"))
        jobs.append(Job(r, w))
    report = {"argv": argv, "blocks": [], "entries": [], "diagnosis": [], "evaluations": 0}
    try:
        hellos = [job.line() for job in jobs]
        hello = hellos[0]
        if any(h != hello for h in hellos[1:]):
            raise RuntimeError("the jobs announced different hellos")
        report.update(check(jobs, hello, args, report))
    except Exception as exc:  # noqa: BLE001
        report.update(verdict="error", error="%s: %s" % (type(exc).__name__, exc))
    for job in jobs:
        try:
            job.w.write(b'{"op":"exit"}\n')
            job.w.close()
        except BrokenPipeError:
            pass
    text = "fake gradscope: %s\n" % report["verdict"].upper()
    for b in report["blocks"]:
        text += "%s %s %s\n" % (b["name"], b["shape"], b["verdict"].upper())
    if "--text" in args:
        with open(args["--text"], "w") as f:
            f.write(text)
    sys.stdout.write(json.dumps(report))
    return {"pass": 0, "fail": 1, "inconclusive": 2, "error": 3}[report["verdict"]]


def check(jobs, hello, args, report):
    x = hello["x"]
    n = len(x)
    blocks = hello.get("parameters") or [{"name": "x", "shape": [n]}]
    dtype = args.get("--dtype", hello.get("dtype", "float64"))
    outputs = hello.get("outputs")
    h = 1e-3 if dtype == "float32" else 1e-6
    tolerance = 2e-2 if dtype == "float32" else 1e-6
    if outputs:
        size = sum(math.prod(o["shape"]) for o in outputs)
        cot = [math.sin(k + 1.0) for k in range(size)]
        value_only = jobs[0].ask_many([{}])[0]
        first = jobs[0].ask_many([{"cotangent": cot}])[0]
        if "error" in first:
            raise RuntimeError(first["error"])
        analytic = first["gradient"]
        def project(answer):
            if "error" in answer:
                raise RuntimeError(answer["error"])
            return sum(c * v for c, v in zip(cot, answer["value"]))
        report["valueOnly"] = value_only
    else:
        first = jobs[0].ask_many([{"gradient": True}])[0]
        if "error" in first:
            raise RuntimeError(first["error"])
        analytic = first["gradient"]
        def project(answer):
            if "error" in answer:
                raise RuntimeError("request %s: the program answered with an error: %s"
                                   % (answer["id"], answer["error"]))
            return answer["value"]
    per_job = [[] for _ in jobs]
    for i in range(n):
        for sign in (1, -1):
            per_job[(2 * i + (sign < 0)) % len(jobs)].append(
                (i, sign, {"offset": {"indices": [i], "values": [sign * h]}}))
    values = {}
    answered_by = []
    for job, requests in zip(jobs, per_job):
        if not requests:
            continue
        answers = job.ask_many([r for _, _, r in requests])
        answered_by.append(len(answers))
        for (i, sign, _), answer in zip(requests, answers):
            values[(i, sign)] = project(answer)
    report["answersPerJob"] = answered_by
    report["evaluations"] = 1 + 2 * n
    numeric = [(values[(i, 1)] - values[(i, -1)]) / (2 * h) for i in range(n)]
    start = 0
    verdict = "pass"
    for block in blocks:
        size = math.prod(block["shape"])
        failing = 0
        worst = 0.0
        for k in range(start, start + size):
            error = abs(numeric[k] - analytic[k])
            bound = tolerance * (1 + abs(numeric[k]))
            ok = error <= bound
            failing += not ok
            worst = max(worst, error)
            report["entries"].append({"block": block["name"], "index": k - start,
                                      "numeric": numeric[k], "analytic": analytic[k],
                                      "error": error, "bound": bound,
                                      "verdict": "pass" if ok else "fail"})
        diagnosis = []
        if failing:
            verdict = "fail"
            diagnosis.append({"block": block["name"], "code": "fake",
                              "message": "%d entries of %s disagree" % (failing, block["name"])})
        report["blocks"].append({"name": block["name"], "shape": block["shape"],
                                 "verdict": "fail" if failing else "pass", "checked": size,
                                 "failing": failing, "maxError": worst,
                                 "diagnosis": diagnosis})
        start += size
    return {"verdict": verdict, "precision": dtype, "helloDtype": hello.get("dtype"),
            "outputs": outputs, "value": first["value"], "seconds": 0.0,
            "kind": "jacobian" if outputs else "gradient"}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
