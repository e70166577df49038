#!/usr/bin/env python3
"""Measure numpy matmul GFLOP/s for the shapes of `gradscope-bench gemm`.

Reads a JSON list of shapes from stdin:
  [{"name": ..., "m": .., "n": .., "k": .., "transA": bool, "transB": bool}, ...]
and argv: --dtype float32|float64 --min-time SECONDS.
Prints one JSON object: {"numpy": version, "blas": [...], "results": {name: gflops}}.
Thread count comes from OPENBLAS_NUM_THREADS, set by the caller. Exits 3
with a message when numpy is missing.
"""
import json
import sys
import time


def main():
    try:
        import numpy as np
    except ImportError as exc:  # pragma: no cover
        print(json.dumps({"error": f"numpy not importable: {exc}"}))
        return 3
    args = sys.argv[1:]
    dtype = np.float32
    min_time = 0.3
    for i, a in enumerate(args):
        if a == "--dtype":
            dtype = {"float32": np.float32, "float64": np.float64}[args[i + 1]]
        if a == "--min-time":
            min_time = float(args[i + 1])
    shapes = json.load(sys.stdin)

    blas = []
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                blas.append({k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")})
    except Exception:  # threadpoolctl is optional
        try:
            cfg = np.show_config(mode="dicts")
            blas.append({"internal_api": cfg["Build Dependencies"]["blas"].get("name"), "architecture": "unknown (install threadpoolctl)"})
        except Exception:
            pass

    rng = np.random.default_rng(1234)
    results = {}
    for s in shapes:
        m, n, k = s["m"], s["n"], s["k"]
        a = (rng.standard_normal((k, m) if s["transA"] else (m, k))).astype(dtype)
        b = (rng.standard_normal((n, k) if s["transB"] else (k, n))).astype(dtype)
        opa = a.T if s["transA"] else a
        opb = b.T if s["transB"] else b
        c = np.empty((m, n), dtype=dtype)
        np.matmul(opa, opb, out=c)  # warm-up
        # Calls per batch so one batch takes >= ~20 ms; best batch wins.
        t0 = time.perf_counter()
        np.matmul(opa, opb, out=c)
        one = max(time.perf_counter() - t0, 1e-7)
        reps = max(1, int(0.02 / one))
        best = float("inf")
        start = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            for _ in range(reps):
                np.matmul(opa, opb, out=c)
            best = min(best, (time.perf_counter() - t0) / reps)
            if time.perf_counter() - start >= min_time:
                break
        results[s["name"]] = 2.0 * m * n * k / best / 1e9
    print(json.dumps({"numpy": np.__version__, "blas": blas, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
