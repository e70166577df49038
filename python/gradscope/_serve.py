"""Serving a function to the gradscope binary over a pair of file descriptors.

The request handling (what "x" and "offset" mean, how errors are answered) is
gradscope_exec's; this module adds the fast path the package needs: the point
lives in one float64 array, a sparse offset is applied in place to a working
copy in the check's dtype and undone after the evaluation, and answers are
written in batches (one write per batch of requests already read, at least
every FLUSH_SECONDS).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import traceback
from typing import Any, Callable, List, Optional, Sequence, Tuple

from gradscope_exec import (PROTOCOL, _ProtocolError, _error_response, _requested_offset,
                            _requested_x)

__all__ = ["Point", "serve_fds", "PROTOCOL"]

# Answers already computed are written at the latest this long after the first of them, so a
# slow function never holds a batch back long enough to look like a timeout to the binary.
FLUSH_SECONDS = 0.02

# Tracebacks printed per check when the function raises (each failing request is answered
# with its error either way; the binary stops at the first, the rest were already in flight).
TRACEBACKS = 3

# Offsets with at least this many entries are applied with numpy rather than entry by entry
# (below it the per-call cost of numpy is larger than the loop's).
DENSE_OFFSET = 64


def number(v: float) -> str:
    """A float as JSON (NaN and the infinities spelled as Python's json spells them)."""
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


class Point:
    """The point of the check and the arrays the function sees.

    ``base`` is the point as float64 (what the hello announces); ``work`` is a copy
    in the check's dtype, and ``views[k]`` is input k's window of ``work`` in its shape.
    ``moved(request)`` moves ``work`` to the requested point; ``restore`` brings it back.
    """

    def __init__(self, np: Any, base: Any, dtype: Any, shapes: Sequence[Tuple[int, ...]],
                 writeable: bool) -> None:
        self.np = np
        self.base = np.ascontiguousarray(base, dtype=np.float64).ravel()
        self.base_list: List[float] = self.base.tolist()
        self.n = self.base.size
        self.work = self.base.astype(dtype)
        self.views = []
        start = 0
        for shape in shapes:
            size = 1
            for d in shape:
                size *= d
            view = self.work[start:start + size].reshape(shape)
            view.flags.writeable = writeable
            self.views.append(view)
            start += size
        assert start == self.n, (start, self.n)

    def move(self, request: dict) -> Any:
        """Set ``work`` to the point the request asks for; returns what ``restore`` needs."""
        full = _requested_x(request, self.n)
        if full is None:
            dense = self._dense_offset(request.get("offset"))
            if dense is not None:
                return dense
        offset = _requested_offset(request, self.n)
        if full is not None:
            point = self.np.array(full, dtype=self.np.float64)
            if offset is not None:
                for i, v in zip(*offset):
                    point[i] += v
            self.work[:] = point
            return True
        if offset is None or not offset[0]:
            return None
        moved = {}
        base = self.base_list
        for i, v in zip(*offset):
            moved[i] = moved.get(i, base[i]) + v
        work = self.work
        for i, v in moved.items():
            work[i] = v
        return moved

    def _dense_offset(self, offset: Any) -> Any:
        """A long offset (the noise estimate's random directions touch every entry) applied with
        numpy; None when it is short or anything about it needs gradscope_exec's checks."""
        np = self.np
        if not isinstance(offset, dict):
            return None
        indices, values = offset.get("indices"), offset.get("values")
        if not (isinstance(indices, list) and isinstance(values, list)
                and len(indices) == len(values) >= DENSE_OFFSET):
            return None
        index = np.asarray(indices)
        if index.dtype.kind not in "iu" or index.ndim != 1:
            return None  # bools, floats, nested lists: let the checks say what is wrong
        if index.min() < 0 or index.max() >= self.n:
            return None
        try:
            step = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            return None  # null (NaN) or non-numbers
        if step.ndim != 1:
            return None
        point = self.base[index]
        if index.size < 2 or bool((index[1:] > index[:-1]).all()):
            point += step  # increasing (as gradscope sends them), so no index repeats
        else:  # repeated indices add up, as in gradscope_exec
            moved = self.base.copy()
            np.add.at(moved, index, step)
            point = moved[index]
        self.work[index] = point
        return index

    def restore(self, moved: Any) -> None:
        if moved is None:
            return
        if moved is True:
            self.work[:] = self.base
            return
        if not isinstance(moved, dict):  # the index array of a dense offset
            self.work[moved] = self.base[moved]
            return
        work, base = self.work, self.base_list
        for i in moved:
            work[i] = base[i]


class Evaluator:
    """What an adapter provides: evaluations at the point ``point.views`` currently holds."""

    point: Point
    vector: bool  # vector-valued (answers cotangent requests) or scalar

    def value(self) -> Any:  # a float (scalar) or a flat sequence of floats (vector)
        raise NotImplementedError

    def value_and_gradient(self) -> Tuple[float, Any]:  # gradient: flat float64 array
        raise NotImplementedError

    def value_and_vjp(self, cotangent: Any) -> Tuple[Any, Any]:  # flat arrays
        raise NotImplementedError


def _id_text(request_id: Any) -> str:
    if type(request_id) is int:
        return str(request_id)
    return json.dumps(request_id)


def _flat_json(values: Any) -> str:
    if hasattr(values, "tolist"):
        values = values.tolist()
    return json.dumps(values, separators=(",", ":"))


def answer(evaluator: Evaluator, request: dict) -> str:
    """The answer line (without newline) to one evaluate request."""
    point = evaluator.point
    moved = point.move(request)
    try:
        rid = _id_text(request.get("id"))
        if evaluator.vector:
            cot = request.get("cotangent")
            if request.get("gradient"):
                raise _ProtocolError('this program is vector-valued: a gradient is asked for '
                                     'with a "cotangent", not "gradient": true')
            if cot is None:
                return '{"id":%s,"value":%s}' % (rid, _flat_json(evaluator.value()))
            if not isinstance(cot, list):
                raise _ProtocolError('"cotangent" must be a list of numbers')
            value, gradient = evaluator.value_and_vjp(
                [math.nan if c is None else c for c in cot])
            return '{"id":%s,"value":%s,"gradient":%s}' % (
                rid, _flat_json(value), _flat_json(gradient))
        if request.get("gradient"):
            value, gradient = evaluator.value_and_gradient()
            return '{"id":%s,"value":%s,"gradient":%s}' % (rid, number(value), _flat_json(gradient))
        return '{"id":%s,"value":%s}' % (rid, number(evaluator.value()))
    finally:
        point.restore(moved)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def serve_fds(evaluator: Evaluator, hello: bytes, read_fd: int, write_fd: int,
              on_error: Optional[Callable[[BaseException], None]] = None) -> None:
    """Write the hello on ``write_fd``, then answer requests read from ``read_fd`` until
    {"op": "exit"}, end of input, or a broken pipe.  A request that cannot be answered
    (a malformed request, or the function raised) is answered {"id", "error"}; the
    traceback goes to stderr and serving continues."""
    failures = 0
    try:
        _write_all(write_fd, hello)
        # The unfinished line, as the chunks read so far: joined only once its newline
        # arrives, so a request of millions of numbers costs linear, not quadratic, time.
        partial: List[bytes] = []
        while True:
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                return
            partial.append(chunk)
            if b"\n" not in chunk:
                continue
            lines = b"".join(partial).split(b"\n")
            partial = [lines.pop()]
            out: List[str] = []
            started = time.perf_counter()
            for line in lines:
                if not line.strip():
                    continue
                request_id = None
                try:
                    request = json.loads(line)
                    if not isinstance(request, dict):
                        raise _ProtocolError("a request must be a JSON object")
                    request_id = request.get("id")
                    op = request.get("op")
                    if op == "exit":
                        if out:
                            _write_all(write_fd, ("\n".join(out) + "\n").encode())
                        return
                    if op != "evaluate":
                        raise _ProtocolError("unknown op %r" % (op,))
                    out.append(answer(evaluator, request))
                except Exception as exc:  # keep serving whatever went wrong
                    if not isinstance(exc, (_ProtocolError, json.JSONDecodeError)):
                        failures += 1
                        if failures <= TRACEBACKS:  # requests in flight may all fail alike
                            traceback.print_exc(file=sys.stderr)
                        if on_error is not None:
                            on_error(exc)
                    out.append(json.dumps(_error_response(request_id, exc)))
                if time.perf_counter() - started > FLUSH_SECONDS:
                    _write_all(write_fd, ("\n".join(out) + "\n").encode())
                    out = []
                    started = time.perf_counter()
            if out:
                _write_all(write_fd, ("\n".join(out) + "\n").encode())
    except BrokenPipeError:
        return  # the binary went away; its report says why
