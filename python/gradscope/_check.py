"""gradscope.check: run the gradscope binary and serve the function to it from this process."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from . import _binary
from ._dtype import dtype_name
from ._report import Report

if TYPE_CHECKING:  # the serving code imports gradscope_exec, which imports numpy when it can
    from ._serve import Evaluator

__all__ = ["check", "assert_gradients", "merge", "OPTIONS"]

# Keyword options and the CLI flag each maps to (None: used by the package itself).
OPTIONS: Dict[str, Optional[str]] = {
    "mode": "--mode", "dtype": "--dtype", "step": "--step", "samples": "--samples",
    "directions": "--directions", "seed": "--seed", "timeout": "--timeout", "jobs": None,
    "budget": "--budget", "projections": "--projections", "vjp": None,
    "shard": "--shard", "out": "--out", "plan": "--plan",
}
MODES = ("full", "sample", "directional")

# How long forked jobs may take to finish after the binary has exited before they are stopped.
CHILD_GRACE_SECONDS = 5.0


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError("%s must be an integer ≥ %d, got %r" % (name, minimum, value))
    return value


def _positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and value > 0):
        raise ValueError("%s must be a positive number of seconds, got %r" % (name, value))
    return float(value)


def validate_options(options: Dict[str, Any]) -> Dict[str, Any]:
    """The options, checked and normalised; TypeError names an unknown one, ValueError a bad value."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TypeError("gradscope.check() got an unexpected keyword argument %r (options: %s)"
                        % (unknown[0], ", ".join(OPTIONS)))
    out = dict(options)
    if out.get("mode") is not None and out["mode"] not in MODES:
        raise ValueError("mode must be one of %s, got %r" % (", ".join(MODES), out["mode"]))
    if out.get("dtype") is not None:
        out["dtype"] = dtype_name(out["dtype"])
    step = out.get("step")
    if step is not None and step != "auto":
        if isinstance(step, bool) or not isinstance(step, (int, float)) or not (
                math.isfinite(step) and step > 0):
            raise ValueError("step must be 'auto' or a positive number, got %r" % (step,))
    for name in ("samples", "directions", "projections", "jobs"):
        if out.get(name) is not None:
            _positive_int(name, out[name])
    if out.get("seed") is not None:
        _positive_int("seed", out["seed"], minimum=0)
    for name in ("timeout", "budget"):
        if out.get(name) is not None:
            out[name] = _positive_float(name, out[name])
    shard = out.get("shard")
    if shard is not None:
        if isinstance(shard, (tuple, list)) and len(shard) == 2:
            shard = "%s/%s" % (_positive_int("shard index", shard[0], minimum=0), _positive_int("shard count", shard[1]))
        if not isinstance(shard, (str, int)) or isinstance(shard, bool):
            raise ValueError("shard must be 'K/N', (K, N) or N (K from SLURM_ARRAY_TASK_ID or "
                             "JOB_COMPLETION_INDEX), got %r" % (shard,))
        out["shard"] = str(shard)
        if out.get("out") is None:
            raise ValueError("shard needs out='part-K.json', the part file gradscope.merge reads")
    elif out.get("out") is not None:
        raise ValueError("out goes with shard (the part file of one shard)")
    for name in ("out", "plan"):
        if out.get(name) is not None:
            out[name] = os.fspath(out[name])
    if out.get("vjp") is not None and not callable(out["vjp"]):
        raise TypeError("vjp must be a callable vjp(cotangent, *inputs), got %s"
                        % type(out["vjp"]).__name__)
    return out


def _flag_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _label(fn: Any) -> str:
    """How the report's title names the function: name and where it is defined."""
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if name is None:  # an object: an nn.Module, a jax.custom_vjp, a functools.partial, …
        name = type(fn).__name__
        wrapped = getattr(fn, "__wrapped__", None) or getattr(fn, "fun", None)
        if wrapped is not None and getattr(wrapped, "__name__", None):
            name = wrapped.__name__
            code = getattr(wrapped, "__code__", None)
    name = name.replace("<locals>.", "")
    if code is not None:
        return "%s (%s:%d)" % (name, os.path.basename(code.co_filename), code.co_firstlineno)
    return "%s (Python)" % name


def hello_bytes(evaluator: "Evaluator", names: List[str]) -> bytes:
    from ._serve import PROTOCOL
    hello: Dict[str, Any] = {
        "protocol": PROTOCOL,
        "parameters": [{"name": n, "shape": list(s)} for n, s in zip(names, evaluator.block_shapes)],
        "x": evaluator.point.base.tolist(),
        "dtype": evaluator.dtype,
    }
    outputs = evaluator.outputs()  # type: ignore[attr-defined]
    if outputs is not None:
        hello["outputs"] = outputs
    return (json.dumps(hello, separators=(",", ":")) + "\n").encode()


def check(fn: Callable[..., Any], *inputs: Any, **options: Any) -> Report:
    """Check ``fn``'s hand-written derivative at ``inputs`` with the gradscope binary.

    fn: a numpy function returning ``(value, gradient)`` (gradient: one array, or one per
        input); a vector-valued numpy function ``fn(*inputs) -> output(s)`` with
        ``vjp=lambda cotangent, *inputs: gradient per input``; any PyTorch callable of
        tensors (autograd gives the analytic side); an ``nn.Module`` (its parameters are
        the blocks, ``inputs`` its data); or any JAX function (``jax.vjp``).
    inputs: arrays or tensors, or one dict of them (blocks named by key).  Floating-point
        inputs are checked; others (integer labels, …) are passed through unchanged.
    options: mode ("full" | "sample" | "directional"), dtype ("float32" | "float64"),
        step ("auto" or a number), samples, directions, seed, timeout (s), jobs (forked
        copies of this process serving the function), budget (s), projections, vjp;
        shard ("K/N", (K, N), or N with K from SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX)
        with out (the part file) and plan (a plan.json from `gradscope plan`): check one
        shard of the entries, for ``gradscope.merge``.

    Returns a Report; raises ValueError when the binary rejects the options (exit 64),
    TypeError for an unknown option, gradscope.BinaryNotFoundError without a binary.
    """
    opts = validate_options(options)
    binary = _binary.find_binary()
    from ._adapters import JaxEvaluator, prepare
    evaluator = prepare(fn, inputs, opts.get("dtype"), opts.get("vjp"))
    if isinstance(evaluator, JaxEvaluator) and (opts.get("jobs") or 1) > 1:
        raise ValueError("jobs > 1 serves the function from forked copies of this process, and "
                         "JAX does not survive a fork (it is multithreaded); use jobs=1 — JAX "
                         "already computes on every core")
    names = (evaluator.names if hasattr(evaluator, "names")  # nn.Module parameters
             else evaluator.inputs.names)  # type: ignore[attr-defined]
    return run(binary, evaluator, hello_bytes(evaluator, names), opts, _label(fn))


def assert_gradients(fn: Callable[..., Any], *inputs: Any, **options: Any) -> Report:
    """Like ``check``, but raises AssertionError with the text report unless the verdict is
    "pass" (so pytest shows the per-block table); returns the report when it passes."""
    __tracebackhide__ = True  # pytest: show the report, not this frame
    report = check(fn, *inputs, **options)
    if not report.passed:
        raise AssertionError("gradient check %s\n%s" % (str(report.verdict).upper(), report.text))
    return report


def merge(*paths: Any, partial: bool = False) -> Report:
    """Merge the part files of a sharded check (``check(..., shard="K/N", out=...)`` or
    ``gradscope check --shard``) into one Report, as ``gradscope merge`` does: the same entries
    as the unsharded check.  ValueError names a missing, duplicated, foreign or unreadable
    part file."""
    files = [os.fspath(p) for p in paths]
    if not files:
        raise ValueError("merge needs the part files, e.g. gradscope.merge(*glob.glob('part-*.json'))")
    binary = _binary.find_binary()
    with tempfile.TemporaryDirectory(prefix="gradscope-") as tmp:
        text_path = os.path.join(tmp, "report.txt")
        command = [binary, "merge", *files, "--format", "json", "--text", text_path]
        if partial:
            command.append("--partial")
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode in (64, 65, 66):
            raise ValueError(_last_error(stderr) or "gradscope merge failed")
        text = ""
        if os.path.exists(text_path):
            with open(text_path, encoding="utf-8", errors="replace") as f:
                text = f.read()
    return _report(done.returncode, done.stdout.decode("utf-8", "replace"), stderr, text, command)


def _command(binary: str, fds: str, text_path: str, opts: Dict[str, Any], label: str) -> List[str]:
    if not _binary.supports(binary, "--exec-fds"):
        raise RuntimeError(
            "the gradscope binary at %s has no `check --exec-fds` (it predates the Python "
            "package); rebuild it from this checkout: swift build -c release --product gradscope"
            % binary)
    command = [binary, "check", "--exec-fds", fds, "--format", "json"]
    if _binary.supports(binary, "--text"):
        command += ["--text", text_path]
    if _binary.supports(binary, "--exec-label"):
        command += ["--exec-label", label]
    for name, flag in OPTIONS.items():
        if flag is not None and opts.get(name) is not None:
            command += [flag, _flag_value(opts[name])]
    return command


def run(binary: str, evaluator: "Evaluator", hello: bytes, opts: Dict[str, Any],
        label: str) -> Report:
    """Start the binary on one pipe pair per job, serve job 1 here and the others from forks."""
    from ._serve import serve_fds
    jobs = opts.get("jobs") or 1
    # Per job: (ours_write -> theirs_read) for hello and answers, (theirs_write -> ours_read).
    pairs: List[Tuple[int, int, int, int]] = []
    try:
        for _ in range(jobs):
            answers_r, answers_w = os.pipe()
            requests_r, requests_w = os.pipe()
            pairs.append((requests_r, answers_w, answers_r, requests_w))
        theirs = [fd for p in pairs for fd in (p[2], p[3])]
        fds = ",".join("%d:%d" % (p[2], p[3]) for p in pairs)
        with tempfile.TemporaryDirectory(prefix="gradscope-") as tmp:
            text_path = os.path.join(tmp, "report.txt")
            command = _command(binary, fds, text_path, opts, label)
            with open(os.path.join(tmp, "stdout"), "w+b") as out, \
                    open(os.path.join(tmp, "stderr"), "w+b") as err:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                        pass_fds=theirs)
                for fd in theirs:
                    os.close(fd)
                pairs = [(p[0], p[1], -1, -1) for p in pairs]
                children = _fork_jobs(evaluator, hello, pairs[1:], keep=pairs[0])
                for p in pairs[1:]:
                    os.close(p[0])
                    os.close(p[1])
                pairs = pairs[:1]
                threads = _one_thread_each(jobs)
                try:
                    serve_fds(evaluator, hello, pairs[0][0], pairs[0][1])
                finally:
                    os.close(pairs[0][0])
                    os.close(pairs[0][1])
                    pairs = []
                    threads()
                    status = proc.wait()
                    _reap(children)
                out.seek(0)
                stdout = out.read().decode("utf-8", "replace")
                err.seek(0)
                stderr = err.read().decode("utf-8", "replace")
            text = ""
            if os.path.exists(text_path):
                with open(text_path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
    finally:
        for p in pairs:
            for fd in p:
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
    return _report(status, stdout, stderr, text, command)


def _report(status: int, stdout: str, stderr: str, text: str, command: List[str]) -> Report:
    message = stderr.strip()
    if status == 64:
        raise ValueError("gradscope check rejected the options: %s" % (message or "usage error"))
    data: Optional[Dict[str, Any]] = None
    if stdout.strip():
        try:
            data = json.loads(stdout)
        except json.JSONDecodeError:
            data = None
    if data is None or status not in (0, 1, 2, 3):
        if status == 3:
            data = {"verdict": "error", "error": _last_error(message), "blocks": [],
                    "entries": [], "diagnosis": []}
        else:
            raise RuntimeError("gradscope check exited with status %d without a report "
                               "(command: %s); stderr: %s" % (status, " ".join(command),
                                                              message[-2000:]))
    return Report(data, text)


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("gradscope:"):
            return line[len("gradscope:"):].strip()
    return lines[-1] if lines else "evaluation error"


def _one_thread_each(jobs: int) -> Callable[[], None]:
    """With several jobs on a small machine, each process computes with one torch thread."""
    torch = sys.modules.get("torch")
    if jobs <= 1 or torch is None:
        return lambda: None
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    return lambda: torch.set_num_threads(before)


def _fork_jobs(evaluator: "Evaluator", hello: bytes, pairs: List[Tuple[int, int, int, int]],
               keep: Tuple[int, int, int, int]) -> List[int]:
    """Fork one copy of this process per extra job; each serves its pair and exits."""
    children = []
    for index, pair in enumerate(pairs):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the copy: serve, then leave without running the caller's code
            status = 0
            try:
                for fd in (keep[0], keep[1]):
                    os.close(fd)
                for other in pairs:
                    if other is not pair:
                        os.close(other[0])
                        os.close(other[1])
                torch = sys.modules.get("torch")
                if torch is not None:
                    torch.set_num_threads(1)
                os.environ["GRADSCOPE_JOB"] = str(index + 2)
                from ._serve import serve_fds
                serve_fds(evaluator, hello, pair[0], pair[1])
            except BaseException:  # noqa: BLE001 - a forked copy must never return
                import traceback
                traceback.print_exc()
                status = 1
            finally:
                try:
                    sys.stderr.flush()
                finally:
                    os._exit(status)
        children.append(pid)
    return children


def _reap(children: List[int]) -> None:
    """Wait for the forked jobs; stop the ones still busy after CHILD_GRACE_SECONDS."""
    deadline = time.monotonic() + CHILD_GRACE_SECONDS
    pending = list(children)
    while pending:
        for pid in list(pending):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                pending.remove(pid)
        if not pending:
            return
        if time.monotonic() > deadline:
            for pid in pending:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in pending:
                os.waitpid(pid, 0)
            return
        time.sleep(0.002)
