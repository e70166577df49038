"""Serve a Python cost function to GradScope over the ``gradscope/1`` protocol.

GradScope starts the program with ``sh -c "<command>"`` and talks to it with
one JSON object per line:

1. Hello, program -> checker, the first line on stdout::

       {"protocol": "gradscope/1",
        "parameters": [{"name": "Theta1", "shape": [5, 4]}, ...],
        "x": [...], "dtype": "float64"}

   ``x`` is the point: all parameter blocks flattened row-major, concatenated
   in order.  ``parameters`` and ``dtype`` are optional.

2. Requests, checker -> program, one per line on stdin, answered in order::

       {"id": 7, "op": "evaluate"}                       value at x
       {"id": 8, "op": "evaluate", "gradient": true}     value and gradient
       {"id": 9, "op": "evaluate",
        "offset": {"indices": [17, 40], "values": [1e-6, -2e-6]}}
                                                         value at x + offset
       {"id": 10, "op": "evaluate", "x": [...]}          value at a full point
       {"op": "exit"}                                    stop (as does EOF)

3. Responses, one line each::

       {"id": 8, "value": 0.2876, "gradient": [...]}
       {"id": 9, "error": "message"}

Usage::

    from gradscope_exec import serve

    def cost(x):                  # x: numpy float64 array (or list of floats)
        return value, gradient    # or just value

    serve(cost, x0, parameters=[("W", (3, 4)), ("b", (3,))])

Standard library only; numpy is used when it can be imported.
"""

import contextlib
import json
import math
import sys
import traceback

try:  # numpy is optional: without it, x is a list of floats.
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the environment
    _np = None

__all__ = ["serve", "PROTOCOL"]

PROTOCOL = "gradscope/1"


def _flatten(values):
    """Flatten a numpy array (row-major) or a possibly nested list to floats."""
    if _np is not None and not isinstance(values, (list, tuple)):
        return _np.asarray(values, dtype=_np.float64).ravel(order="C").tolist()
    if isinstance(values, (int, float)):
        return [float(values)]
    out = []
    for v in values:
        if isinstance(v, (list, tuple)) or (_np is not None and isinstance(v, _np.ndarray)):
            out.extend(_flatten(v))
        else:
            out.append(float(v))
    return out


def _to_float(value):
    """The cost value as a Python float (accepts numpy scalars and size-1 arrays)."""
    if _np is not None and isinstance(value, _np.ndarray):
        if value.size != 1:
            raise ValueError("cost value must be a scalar, got an array of shape %s"
                             % (value.shape,))
        return float(value.reshape(-1)[0])
    return float(value)


def _block_size(shape):
    size = 1
    for dim in shape:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 0:
            raise ValueError("parameter shapes must hold non-negative integers, got %r"
                             % (shape,))
        size *= dim
    return size


def _normalise_parameters(parameters):
    """[(name, shape), ...] -> [{"name": str, "shape": [int, ...]}, ...]."""
    blocks = []
    for name, shape in parameters:
        if isinstance(shape, int):
            shape = (shape,)
        shape = [int(d) if _np is not None and isinstance(d, _np.integer) else d
                 for d in shape]
        _block_size(shape)  # validates the entries
        blocks.append({"name": str(name), "shape": list(shape)})
    return blocks


def _as_point(values):
    """The form in which the cost function receives x."""
    if _np is not None:
        return _np.array(values, dtype=_np.float64)
    return list(values)


def _json_number(v):
    # Python's json writes NaN/Infinity/-Infinity, which the protocol accepts.
    return float(v)


class _ProtocolError(Exception):
    """A malformed request: answered with {"id": ..., "error": ...}."""


def _requested_x(request, n):
    """The full point a request's "x" gives (a list of n floats), or None."""
    if request.get("x") is None:
        return None
    full = request["x"]
    if not isinstance(full, list):
        raise _ProtocolError('"x" must be a list of numbers')
    if len(full) != n:
        raise _ProtocolError('"x" has %d entries, expected %d' % (len(full), n))
    # None stands for NaN (JSON has no NaN literal).
    return [math.nan if v is None else float(v) for v in full]


def _requested_offset(request, n):
    """A request's sparse "offset" as validated (indices, values) lists, or None."""
    offset = request.get("offset")
    if offset is None:
        return None
    if not isinstance(offset, dict):
        raise _ProtocolError('"offset" must be an object with "indices" and "values"')
    indices = offset.get("indices", [])
    values = offset.get("values", [])
    if not isinstance(indices, list) or not isinstance(values, list):
        raise _ProtocolError('offset "indices" and "values" must be lists')
    if len(indices) != len(values):
        raise _ProtocolError('offset has %d indices but %d values'
                             % (len(indices), len(values)))
    for i in indices:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n:
            raise _ProtocolError("offset index %r out of range 0..%d" % (i, n - 1))
    return indices, [math.nan if v is None else float(v) for v in values]


def _point_for_request(request, x0):
    """The point (a list of floats) a request asks to evaluate."""
    n = len(x0)
    full = _requested_x(request, n)
    point = list(x0 if full is None else full)
    offset = _requested_offset(request, n)
    if offset is not None:
        # With both "x" and "offset", the offset is applied to that x.
        for i, v in zip(*offset):
            point[i] += v
    return point


def _error_response(request_id, exc):
    """The {"id", "error"} answer for an exception raised while answering a request."""
    message = str(exc)
    if not isinstance(exc, _ProtocolError):
        message = "%s: %s" % (type(exc).__name__, message)
    return {"id": request_id, "error": message}


def _evaluate(cost, request, x0, protocol_stdout):
    """Answer one evaluate request; returns the response object."""
    want_gradient = bool(request.get("gradient", False))
    point = _point_for_request(request, x0)
    # Anything the cost function print()s would corrupt the protocol stream:
    # send it to stderr while the cost runs.
    redirect = (contextlib.redirect_stdout(sys.stderr)
                if protocol_stdout is sys.stdout else contextlib.nullcontext())
    with redirect:
        result = cost(_as_point(point))
    if isinstance(result, tuple):
        if len(result) != 2:
            raise ValueError("cost must return value or (value, gradient), "
                             "got a tuple of %d items" % len(result))
        value, gradient = result
    else:
        value, gradient = result, None
    response = {"id": request.get("id"), "value": _json_number(_to_float(value))}
    if want_gradient:
        if gradient is None:
            raise ValueError("gradient requested but cost returned only a value")
        flat = _flatten(gradient)
        if len(flat) != len(x0):
            raise ValueError("gradient has %d entries, expected %d" % (len(flat), len(x0)))
        response["gradient"] = flat
    return response


def _write(stdout, obj):
    stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    stdout.flush()


def serve(cost, x0, parameters=None, dtype=None, stdin=None, stdout=None):
    """Answer gradscope/1 requests on stdin until {"op": "exit"} or end of input.

    cost(x) receives x as a numpy float64 array (a list of floats when numpy
    cannot be imported), flattened row-major and blocks concatenated in the
    order of ``parameters``.  It returns the value, or (value, gradient) with
    the gradient as a numpy array of any shape (flattened row-major) or a list.
    When cost raises, the request is answered with the exception text and the
    program keeps serving.

    x0: the point, a numpy array (any shape, flattened row-major) or a list.
    parameters: [(name, shape), ...], e.g. [("Theta1", (5, 4)), ("b", 3)];
        None announces a single block "x".
    dtype: optional, informational (e.g. "float64"), sent in the hello.
    stdin, stdout: text streams, default sys.stdin and sys.stdout.

    Raises ValueError, before writing anything, when the sizes of
    ``parameters`` do not add up to len(x0).
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout

    x = _flatten(x0)
    hello = {"protocol": PROTOCOL}
    if parameters is not None:
        blocks = _normalise_parameters(parameters)
        total = sum(_block_size(b["shape"]) for b in blocks)
        if total != len(x):
            raise ValueError("parameter shapes hold %d values but x0 has %d"
                             % (total, len(x)))
        hello["parameters"] = blocks
    hello["x"] = x
    if dtype is not None:
        hello["dtype"] = str(dtype)

    try:
        _write(stdout, hello)
        while True:
            line = stdin.readline()
            if not line:  # end of input
                return
            line = line.strip()
            if not line:
                continue
            request_id = None
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise _ProtocolError("a request must be a JSON object")
                request_id = request.get("id")
                op = request.get("op")
                if op == "exit":
                    return
                if op != "evaluate":
                    raise _ProtocolError("unknown op %r" % (op,))
                response = _evaluate(cost, request, x, stdout)
            except Exception as exc:  # keep serving whatever went wrong
                if not isinstance(exc, (_ProtocolError, json.JSONDecodeError)):
                    traceback.print_exc(file=sys.stderr)
                response = _error_response(request_id, exc)
            _write(stdout, response)
    except BrokenPipeError:
        # The checker went away; nothing more to say.  Point stdout at
        # /dev/null so the interpreter's final flush does not complain.
        if stdout is sys.stdout:
            try:
                import os
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass
        return
