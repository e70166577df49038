#!/usr/bin/env python3
"""What the gradscope package costs per evaluation: its serving loop alone, then whole checks.

1. The serving loop without the binary.  A forked driver process plays the binary: it writes N value requests with a one-entry
sparse offset (what a full check sends, ~4 per entry) to the pipe, pipelined in batches
as the binary does, and reads the answers.  This process serves a trivial numpy function
f(x) = ½ Σ x² through gradscope's serving loop (gradscope._serve.serve_fds), exactly as
gradscope.check does.  Printed: wall time and this process's CPU time per evaluation.

2. Whole checks with the binary ($GRADSCOPE, …), same trivial function, full mode: the wall
time of gradscope.check(...) (binary start, probe, report included), the span from the hello
to the binary's exit request per evaluation (what serving costs as a check runs), next to
the same check run by the binary with --exec, the same numpy function served by
python/gradscope_exec.py in a separate program (the pre-package way).

    python3 Benchmarks/python/serve_overhead.py [N] [size]
"""

import shlex
import subprocess

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

import numpy as np  # noqa: E402

from gradscope._adapters import NumpyEvaluator  # noqa: E402
from gradscope._check import hello_bytes  # noqa: E402
from gradscope._serve import serve_fds  # noqa: E402

BATCH = 256  # requests written before reading their answers


def driver(n, size, r, w):
    with os.fdopen(r, "rb") as answers, os.fdopen(w, "wb", buffering=0) as requests:
        answers.readline()  # hello
        sent = 0
        while sent < n:
            batch = min(BATCH, n - sent)
            lines = []
            for k in range(sent, sent + batch):
                lines.append(json.dumps({"id": k + 1, "op": "evaluate", "offset": {
                    "indices": [k % size], "values": [1e-6 if k % 2 else -1e-6]}}))
            requests.write(("\n".join(lines) + "\n").encode())
            for _ in range(batch):
                answers.readline()
            sent += batch
        requests.write(b'{"op":"exit"}\n')


def measure(n, size):
    x0 = np.sin(np.arange(1.0, size + 1))
    ev = NumpyEvaluator(lambda x: (0.5 * float(x @ x), x), (x0,), None, None)
    hello = hello_bytes(ev, ev.inputs.names)
    to_server_r, to_server_w = os.pipe()
    from_server_r, from_server_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(to_server_r)
        os.close(from_server_w)
        try:
            driver(n, size, from_server_r, to_server_w)
        finally:
            os._exit(0)
    os.close(to_server_w)
    os.close(from_server_r)
    wall, cpu = time.perf_counter(), time.process_time()
    serve_fds(ev, hello, to_server_r, from_server_w)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    os.waitpid(pid, 0)
    os.close(to_server_r)
    os.close(from_server_w)
    return wall / n * 1e6, cpu / n * 1e6


def whole_check(size):
    import gradscope
    from gradscope import _serve
    x0 = np.sin(np.arange(1.0, size + 1))
    serving = {}
    original = _serve.serve_fds

    def timed(*args, **kwargs):  # hello to exit: the span in which the binary checks
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            serving["seconds"] = time.perf_counter() - start

    _serve.serve_fds = timed
    try:
        start = time.perf_counter()
        report = gradscope.check(lambda x: (0.5 * float(x @ x), x), x0)
        wall = time.perf_counter() - start
    finally:
        _serve.serve_fds = original
    assert report.passed, report.text
    binary = gradscope.find_binary()
    program = ("import sys, numpy as np; sys.path.insert(0, %r); from gradscope_exec import serve; "
               "serve(lambda x: (0.5 * float(x @ x), x), np.sin(np.arange(1.0, %d)))"
               % (str(Path(__file__).resolve().parents[2] / "python"), size + 1))
    start = time.perf_counter()
    subprocess.run([binary, "check", "--exec", "%s -c %s" % (sys.executable, shlex.quote(program)),
                    "--jobs", "1", "--format", "json"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    exec_wall = time.perf_counter() - start
    return report.evaluations, wall, serving["seconds"], report.seconds, exec_wall


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    sizes = [int(sys.argv[2])] if len(sys.argv) > 2 else [10, 1000, 10000]
    print("1. serving loop, trivial numpy f(x) = ½Σx², %d value requests with a one-entry offset"
          % n)
    for size in sizes:
        wall, cpu = measure(n, size)
        print("  x of %6d entries: %5.1f µs wall, %5.1f µs CPU per evaluation" % (size, wall, cpu))
    print("2. whole full checks of the same function with the binary")
    print("  entries  evaluations  gradscope.check  serving (hello..exit)  binary's clock  "
          "--exec + gradscope_exec")
    for size in (100, 1000, 10000):
        evaluations, wall, serving, seconds, exec_wall = whole_check(size)
        print("  %7d  %11d  %7.3f s  %9.3f s = %4.1f µs/eval  %7.3f s  %9.3f s"
              % (size, evaluations, wall, serving, serving / evaluations * 1e6, seconds,
                 exec_wall))

if __name__ == "__main__":
    main()
