"""Adapters: a numpy, PyTorch or JAX function (or an nn.Module) as an Evaluator.

numpy, torch and jax are imported here only when the function or its inputs
come from them; ``import gradscope`` itself needs the standard library alone.
"""

from __future__ import annotations

import copy
import inspect
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ._dtype import DTYPES, dtype_name
from ._serve import Evaluator, Point

__all__ = ["prepare"]


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("gradscope.check needs numpy (pip install numpy)") from exc
    return numpy


def _torch_loaded() -> Any:
    return sys.modules.get("torch")


def _is_torch_tensor(obj: Any) -> bool:
    torch = _torch_loaded()
    return torch is not None and isinstance(obj, torch.Tensor)


def _is_torch_module(obj: Any) -> bool:
    torch = _torch_loaded()
    return torch is not None and isinstance(obj, torch.nn.Module)


def _is_jax_array(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.split(".")[0] in ("jax", "jaxlib") and hasattr(obj, "dtype")


class Inputs:
    """The arguments of the function: which of them are checked blocks, and their names.

    Positional inputs are named by the function's parameter names when it has plain ones,
    else x0, x1, …; a single dict input is passed as a dict and its blocks are named by key.
    Floating-point inputs are blocks; anything else (integer labels, strings, None) is passed
    through unchanged and not checked.
    """

    def __init__(self, fn: Callable[..., Any], args: Tuple[Any, ...],
                 is_float: Callable[[Any], bool]) -> None:
        if not args:
            raise TypeError("gradscope.check needs at least one input to check the function at")
        self.args = args
        self.is_dict = len(args) == 1 and isinstance(args[0], dict)
        if self.is_dict:
            items = list(args[0].items())
            for key, _ in items:
                if not isinstance(key, str):
                    raise TypeError("dict inputs need string keys, got %r" % (key,))
        else:
            names = _parameter_names(fn, len(args))
            items = list(zip(names, args))
        self.keys = [k for k, v in items if is_float(v)]
        self.values = [v for k, v in items if is_float(v)]
        self.all_keys = [k for k, _ in items]
        if not self.keys:
            raise TypeError("none of the inputs is a floating-point array: nothing to check")
        positions = {k: i for i, k in enumerate(self.all_keys)}
        self._positions = [positions[k] for k in self.keys]
        self._all_blocks = not self.is_dict and len(self.keys) == len(args)

    @property
    def names(self) -> List[str]:
        return [str(k) for k in self.keys]

    def build(self, blocks: Sequence[Any]) -> Tuple[Any, ...]:
        """The function's arguments with the blocks replaced by ``blocks``."""
        if self._all_blocks:
            return tuple(blocks)
        if self.is_dict:
            d = dict(self.args[0])
            d.update(zip(self.keys, blocks))
            return (d,)
        args = list(self.args)
        for position, block in zip(self._positions, blocks):
            args[position] = block
        return tuple(args)


def _parameter_names(fn: Callable[..., Any], count: int) -> List[str]:
    fallback = ["x%d" % i for i in range(count)]
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return fallback
    names = []
    for p in signature.parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        names.append(p.name)
    return names[:count] if len(names) >= count else fallback


def _common_dtype(names: List[str], dtypes: List[str], requested: Optional[str]) -> str:
    if requested is not None:
        return requested
    unsupported = [(n, d) for n, d in zip(names, dtypes) if d not in DTYPES]
    if unsupported:
        raise ValueError("input %s is %s: gradscope checks float32 or float64; pass dtype="
                         "'float32' or dtype='float64' to check it in one of those"
                         % unsupported[0])
    return dtypes[0] if len(set(dtypes)) == 1 else "float64"


def _structure(out: Any, is_leaf: Callable[[Any], bool]) -> Tuple[List[str], List[Any], Callable]:
    """Outputs as (names, leaves, rebuild): one array, a tuple/list of them, or a dict."""
    if isinstance(out, dict):
        keys = list(out)
        return [str(k) for k in keys], [out[k] for k in keys], lambda leaves: dict(zip(keys, leaves))
    if isinstance(out, (tuple, list)):
        kind = type(out)
        names = ["out%d" % i for i in range(len(out))]
        if kind is tuple or kind is list:
            return names, list(out), lambda leaves: kind(leaves)
        return names, list(out), lambda leaves: kind(*leaves)  # a namedtuple
    return ["out"], [out], lambda leaves: leaves[0]


def _check_leaves(leaves: List[Any], is_leaf: Callable[[Any], bool], what: str) -> None:
    for leaf in leaves:
        if not is_leaf(leaf):
            raise TypeError("%s must be an array, a tuple or list of arrays, or a dict of arrays; "
                            "got %s" % (what, type(leaf).__name__))


class _Base(Evaluator):
    np: Any
    block_shapes: List[Tuple[int, ...]]
    output_leaves: List[Any]

    def outputs(self) -> Optional[List[Dict[str, Any]]]:
        if not self.vector:
            return None
        return [{"name": n, "shape": list(s)} for n, s in zip(self.output_names, self.output_shapes)]

    def _split_cotangent(self, cotangent: Sequence[float]) -> List[Any]:
        np = self.np
        flat = np.asarray(cotangent, dtype=np.float64)
        if flat.size != self.output_size:
            raise ValueError("cotangent has %d entries, expected %d (the outputs' total size)"
                             % (flat.size, self.output_size))
        parts, start = [], 0
        for shape, dtype in zip(self.output_shapes, self.output_dtypes):
            size = int(np.prod(shape, dtype=np.int64))
            parts.append(flat[start:start + size].reshape(shape).astype(dtype))
            start += size
        return parts

    def _flat_gradient(self, gradient: Any, inputs: Inputs) -> Any:
        """A gradient per block (array, list/tuple per input, or dict by name) as one float64 array."""
        np = self.np
        if isinstance(gradient, dict):
            missing = [k for k in inputs.keys if k not in gradient]
            if missing:
                raise ValueError("the gradient dict has no entry for %s" % ", ".join(map(str, missing)))
            parts = [gradient[k] for k in inputs.keys]
        elif isinstance(gradient, (list, tuple)):
            parts = list(gradient)
            if (len(parts) == len(inputs.all_keys) and len(parts) != len(inputs.keys)):
                index = {k: i for i, k in enumerate(inputs.all_keys)}
                parts = [parts[index[k]] for k in inputs.keys]
        else:
            parts = [gradient]
        try:
            flat = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts])
        except (TypeError, ValueError) as exc:
            raise ValueError("cannot read the gradient: %s" % exc) from exc
        if flat.size != self.point.n:
            hint = ""
            if len(inputs.names) > 1:
                hint = ("; every floating-point input is checked: pass data the gradient does "
                        "not cover through a closure, e.g. check(lambda %s: f(...), %s)"
                        % (inputs.names[0], inputs.names[0]))
            raise ValueError("the gradient has %d entries, expected %d (%s)%s" % (
                flat.size, self.point.n, ", ".join("%s %s" % (n, list(s)) for n, s in
                                                  zip(inputs.names, self.block_shapes)), hint))
        return flat

    def _set_outputs(self, leaves: List[Any]) -> None:
        np = self.np
        self.output_shapes = [tuple(int(d) for d in np.shape(leaf)) for leaf in leaves]
        self.output_dtypes = [np.dtype(dtype_name(getattr(leaf, "dtype", "float64"))
                                       if _is_float_dtype(leaf) else "float64") for leaf in leaves]
        self.output_size = sum(int(np.prod(s, dtype=np.int64)) for s in self.output_shapes)


def _is_float_dtype(leaf: Any) -> bool:
    try:
        dtype_name(getattr(leaf, "dtype", "float64"))
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- numpy


class _ReturnsJax(Exception):
    """The "numpy" function returned JAX arrays: it is a JAX function of numpy inputs."""


class NumpyEvaluator(_Base):
    """fn(*inputs) -> (value, gradient) for a scalar cost; or fn(*inputs) -> output(s) with
    vjp(cotangent(s), *inputs) -> gradient per input for a vector-valued function."""

    def __init__(self, fn: Callable[..., Any], args: Tuple[Any, ...], dtype: Optional[str],
                 vjp: Optional[Callable[..., Any]]) -> None:
        np = self.np = _numpy()
        self.fn, self.vjp = fn, vjp

        def is_float(v: Any) -> bool:
            return isinstance(v, float) or (isinstance(v, (np.ndarray, np.generic))
                                            and np.issubdtype(v.dtype, np.floating))
        self.inputs = Inputs(fn, args, is_float)
        arrays = [np.asarray(v) for v in self.inputs.values]
        self.dtype = _common_dtype(self.inputs.names, [str(a.dtype) for a in arrays], dtype)
        self.block_shapes = [a.shape for a in arrays]
        base = np.concatenate([a.astype(np.float64).ravel() for a in arrays])
        self.point = Point(np, base, self.dtype, self.block_shapes, writeable=False)
        self.vector = vjp is not None
        probe = fn(*self._args())
        if self.vector:
            self.output_names, leaves, self._rebuild = _structure(probe, None)
            _check_leaves(leaves, lambda x: isinstance(x, (np.ndarray, np.generic, float)),
                          "a vector-valued function's output")
            self._set_outputs(leaves)
        else:
            if _is_jax_array(probe) or (isinstance(probe, (tuple, list, dict)) and not (
                    isinstance(probe, tuple) and len(probe) == 2 and np.ndim(probe[0]) == 0)
                    and any(_is_jax_array(v) for v in
                            (probe.values() if isinstance(probe, dict) else probe))):
                raise _ReturnsJax()
            if not (isinstance(probe, tuple) and len(probe) == 2):
                raise TypeError("a numpy function must return (value, gradient) — or pass "
                                "vjp=... for a vector-valued one; it returned %s"
                                % type(probe).__name__)
            self._scalar(probe[0])
            self._flat_gradient(probe[1], self.inputs)

    def _args(self) -> Tuple[Any, ...]:
        return self.inputs.build(self.point.views)

    def _scalar(self, value: Any) -> float:
        np = self.np
        if np.ndim(value) != 0:
            raise ValueError("the value must be a scalar, got shape %s; for a vector-valued "
                             "function pass vjp=..." % (np.shape(value),))
        return float(value)

    def value(self) -> Any:
        out = self.fn(*self._args())
        if self.vector:
            return self._flat_outputs(out)
        return self._scalar(out[0] if isinstance(out, tuple) else out)

    def _flat_outputs(self, out: Any) -> Any:
        np = self.np
        _, leaves, _ = _structure(out, None)
        return np.concatenate([np.asarray(leaf, dtype=np.float64).ravel() for leaf in leaves])

    def value_and_gradient(self) -> Tuple[float, Any]:
        out = self.fn(*self._args())
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError("gradient requested but the function did not return (value, gradient)")
        return self._scalar(out[0]), self._flat_gradient(out[1], self.inputs)

    def value_and_vjp(self, cotangent: Any) -> Tuple[Any, Any]:
        args = self._args()
        out = self.fn(*args)
        cot = self._rebuild(self._split_cotangent(cotangent))
        assert self.vjp is not None
        return self._flat_outputs(out), self._flat_gradient(self.vjp(cot, *args), self.inputs)


# ---------------------------------------------------------------- PyTorch


class TorchEvaluator(_Base):
    """Any callable of tensors; the analytic side is torch.autograd.grad (so a custom
    autograd.Function's backward is what gets checked)."""

    def __init__(self, fn: Callable[..., Any], args: Tuple[Any, ...], dtype: Optional[str]) -> None:
        import torch
        np = self.np = _numpy()
        self.torch, self.fn = torch, fn

        def is_float(v: Any) -> bool:
            if isinstance(v, torch.Tensor):
                return v.is_floating_point()
            return isinstance(v, float) or (isinstance(v, (np.ndarray, np.generic))
                                            and np.issubdtype(v.dtype, np.floating))
        self.inputs = Inputs(fn, args, is_float)
        tensors = [v.detach().cpu() if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v))
                   for v in self.inputs.values]
        self.devices = [v.device if isinstance(v, torch.Tensor) else torch.device("cpu")
                        for v in self.inputs.values]
        self.dtype = _common_dtype(self.inputs.names, [dtype_name(t.dtype) if t.is_floating_point()
                                                       and t.dtype in (torch.float32, torch.float64)
                                                       else str(t.dtype) for t in tensors], dtype)
        self.torch_dtype = getattr(torch, self.dtype)
        self.block_shapes = [tuple(t.shape) for t in tensors]
        base = np.concatenate([t.double().numpy().ravel() for t in tensors])
        self.point = Point(np, base, self.dtype, self.block_shapes, writeable=True)
        with torch.no_grad():
            probe = fn(*self._args(False)[0])
        self._classify(probe)

    def _classify(self, probe: Any) -> None:
        torch = self.torch
        self.vector = not (isinstance(probe, float) or
                           (isinstance(probe, torch.Tensor) and probe.dim() == 0))
        if self.vector:
            self.output_names, leaves, _ = _structure(probe, None)
            _check_leaves(leaves, lambda x: isinstance(x, torch.Tensor), "the function's output")
            self._set_outputs([leaf.detach().cpu().numpy() if leaf.is_floating_point()
                               and leaf.dtype in (torch.float32, torch.float64)
                               else leaf.detach().cpu().double().numpy() for leaf in leaves])

    def _leaves(self, requires_grad: bool) -> List[Any]:
        torch = self.torch
        leaves = []
        for view, device in zip(self.point.views, self.devices):
            t = torch.from_numpy(view).clone()
            if device.type != "cpu":
                t = t.to(device)
            leaves.append(t.requires_grad_(requires_grad))
        return leaves

    def _args(self, requires_grad: bool) -> Tuple[Tuple[Any, ...], List[Any]]:
        leaves = self._leaves(requires_grad)
        return self.inputs.build(leaves), leaves

    def _call(self, requires_grad: bool) -> Tuple[Any, List[Any]]:
        args, leaves = self._args(requires_grad)
        return self.fn(*args), leaves

    def _flat(self, tensors: Sequence[Any]) -> Any:
        return self.torch.cat([t.detach().reshape(-1).to("cpu", self.torch.float64)
                               for t in tensors]).numpy() if tensors else self.np.zeros(0)

    def value(self) -> Any:
        with self.torch.no_grad():
            out, _ = self._call(False)
        if self.vector:
            return self._flat(_structure(out, None)[1])
        return float(out)

    def _grads(self, outs: List[Any], leaves: List[Any], cots: Optional[List[Any]]) -> Any:
        torch = self.torch
        pairs = [(o, c) for o, c in zip(outs, cots or [None] * len(outs)) if o.requires_grad]
        if pairs:
            grads = torch.autograd.grad([o for o, _ in pairs], leaves,
                                        grad_outputs=None if cots is None else [c for _, c in pairs],
                                        allow_unused=True)
        else:
            grads = [None] * len(leaves)
        return self._flat([torch.zeros_like(leaf) if g is None else g
                           for g, leaf in zip(grads, leaves)])

    def value_and_gradient(self) -> Tuple[float, Any]:
        with self.torch.enable_grad():
            out, leaves = self._call(True)
            if not isinstance(out, self.torch.Tensor):
                return float(out), self.np.zeros(self.point.n)
            return float(out.detach()), self._grads([out], leaves, None)

    def value_and_vjp(self, cotangent: Any) -> Tuple[Any, Any]:
        torch = self.torch
        with torch.enable_grad():
            out, leaves = self._call(True)
            outs = _structure(out, None)[1]
            cots = [torch.from_numpy(c).to(o.device, o.dtype)
                    for c, o in zip(self._split_cotangent(cotangent), outs)]
            return self._flat(outs), self._grads(outs, leaves, cots)


class ModuleEvaluator(TorchEvaluator):
    """An nn.Module called on fixed data; its named parameters are the blocks."""

    def __init__(self, module: Any, args: Tuple[Any, ...], dtype: Optional[str]) -> None:
        import torch
        np = self.np = _numpy()
        self.torch, self.fn = torch, module
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise TypeError("the module has no parameters that require a gradient")
        self.names = [n for n, _ in named]
        self.dtype = _common_dtype(self.names, [dtype_name(p.dtype) if p.dtype in
                                                (torch.float32, torch.float64) else str(p.dtype)
                                                for _, p in named], dtype)
        self.torch_dtype = getattr(torch, self.dtype)
        # A copy in the check's dtype: the caller's module is neither moved nor changed.
        self.module = copy.deepcopy(module).to(self.torch_dtype)
        self.params = [p for p in self.module.parameters() if p.requires_grad]
        self.block_shapes = [tuple(p.shape) for p in self.params]
        base = np.concatenate([p.detach().cpu().double().numpy().ravel() for p in self.params])
        self.point = Point(np, base, self.dtype, self.block_shapes, writeable=True)
        device = self.params[0].device

        def data(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                v = torch.from_numpy(v)
            if isinstance(v, torch.Tensor):
                v = v.to(device)
                if v.is_floating_point():
                    v = v.to(self.torch_dtype)
            return v
        if len(args) == 1 and isinstance(args[0], dict):
            self.kwargs = {k: data(v) for k, v in args[0].items()}
            self.data: Tuple[Any, ...] = ()
        else:
            self.kwargs, self.data = {}, tuple(data(v) for v in args)
        # On the CPU the parameters become views of the point's working copy, so moving the
        # point moves them with no copying; elsewhere they are loaded before each evaluation.
        self.shared = device.type == "cpu"
        if self.shared:
            with torch.no_grad():
                for p, view in zip(self.params, self.point.views):
                    p.data = torch.from_numpy(view)
        with torch.no_grad():
            self._load()
            probe = self.module(*self.data, **self.kwargs)
        self._classify(probe)

    def _load(self) -> None:
        if self.shared:
            return
        torch = self.torch
        with torch.no_grad():
            for p, view in zip(self.params, self.point.views):
                p.copy_(torch.from_numpy(view))

    def _call(self, requires_grad: bool) -> Tuple[Any, List[Any]]:
        self._load()
        return self.module(*self.data, **self.kwargs), self.params


# ---------------------------------------------------------------- JAX


class JaxEvaluator(_Base):
    """Any JAX function; the analytic side is jax.vjp (so a custom_vjp rule is what gets
    checked); values are plain calls."""

    def __init__(self, fn: Callable[..., Any], args: Tuple[Any, ...], dtype: Optional[str]) -> None:
        import jax
        import jax.numpy as jnp
        np = self.np = _numpy()
        self.jax, self.jnp, self.fn = jax, jnp, fn

        def is_float(v: Any) -> bool:
            return isinstance(v, float) or (hasattr(v, "dtype") and hasattr(v, "shape")
                                            and np.issubdtype(np.dtype(v.dtype), np.floating))
        self.inputs = Inputs(fn, args, is_float)
        arrays = [np.asarray(v) for v in self.inputs.values]
        self.dtype = _common_dtype(self.inputs.names, [str(a.dtype) for a in arrays], dtype)
        if self.dtype == "float64" and jnp.asarray(np.zeros(1)).dtype != np.float64:
            raise ValueError(
                "float64 inputs to a JAX function, but JAX computes in float32: call "
                "jax.config.update('jax_enable_x64', True) first, or check in float32 "
                "(float32 inputs, or dtype='float32')")
        self.block_shapes = [a.shape for a in arrays]
        base = np.concatenate([a.astype(np.float64).ravel() for a in arrays])
        self.point = Point(np, base, self.dtype, self.block_shapes, writeable=True)
        probe = self._f(*self._blocks())
        leaves, self.treedef = jax.tree_util.tree_flatten(probe)
        self.vector = not (len(leaves) == 1 and np.ndim(leaves[0]) == 0
                           and not isinstance(probe, (tuple, list, dict)))
        if self.vector:
            self.output_names = _jax_names(jax, probe, len(leaves))
            self._set_outputs([np.asarray(leaf) for leaf in leaves])

    def _blocks(self) -> List[Any]:
        return [self.jnp.array(view) for view in self.point.views]

    def _f(self, *blocks: Any) -> Any:
        return self.fn(*self.inputs.build(blocks))

    def _flat(self, leaves: Sequence[Any]) -> Any:
        np = self.np
        return np.concatenate([np.asarray(leaf, dtype=np.float64).ravel() for leaf in leaves])

    def value(self) -> Any:
        out = self._f(*self._blocks())
        if self.vector:
            return self._flat(self.jax.tree_util.tree_leaves(out))
        return float(out)

    def value_and_gradient(self) -> Tuple[float, Any]:
        out, pullback = self.jax.vjp(self._f, *self._blocks())
        grads = pullback(self.jnp.ones_like(out))
        return float(out), self._flat(grads)

    def value_and_vjp(self, cotangent: Any) -> Tuple[Any, Any]:
        jax = self.jax
        out, pullback = jax.vjp(self._f, *self._blocks())
        leaves, treedef = jax.tree_util.tree_flatten(out)
        cots = [self.jnp.asarray(c) for c in self._split_cotangent(cotangent)]
        grads = pullback(jax.tree_util.tree_unflatten(treedef, cots))
        return self._flat(leaves), self._flat(grads)


def _jax_names(jax: Any, out: Any, count: int) -> List[str]:
    """Output names from the pytree paths: "out" for one array, out0, out1 for a tuple, the
    keys for a dict, joined with "." when nested (out1.s)."""
    if count == 1 and not isinstance(out, (tuple, list, dict)):
        return ["out"]
    try:
        paths = jax.tree_util.tree_flatten_with_path(out)[0]
    except AttributeError:  # an older JAX without key paths
        return ["out%d" % i for i in range(count)]
    names = []
    for path, _ in paths:
        parts = []
        for key in path:
            for attr in ("key", "idx", "name"):
                if hasattr(key, attr):
                    part = str(getattr(key, attr))
                    break
            else:
                part = str(key)
            parts.append("out" + part if not parts and part.isdigit() else part)
        names.append(".".join(parts) or "out")
    return names if len(set(names)) == len(names) else ["out%d" % i for i in range(count)]


# ---------------------------------------------------------------- dispatch


def _returns_jax(fn: Callable[..., Any], args: Tuple[Any, ...]) -> bool:
    jax = sys.modules.get("jax")
    if jax is None:
        return False
    if (type(fn).__module__ or "").split(".")[0] in ("jax", "jaxlib"):
        return True  # jax.jit, jax.custom_vjp, jax.numpy functions
    values = args[0].values() if len(args) == 1 and isinstance(args[0], dict) else args
    return any(_is_jax_array(v) for v in values)


def prepare(fn: Callable[..., Any], args: Tuple[Any, ...], dtype: Optional[str],
            vjp: Optional[Callable[..., Any]]) -> Evaluator:
    """The evaluator for ``fn`` at ``args``: nn.Module, PyTorch, JAX or numpy."""
    if not callable(fn):
        raise TypeError("gradscope.check needs a callable, got %s" % type(fn).__name__)
    values = args[0].values() if len(args) == 1 and isinstance(args[0], dict) else args
    if _is_torch_module(fn):
        if vjp is not None:
            raise TypeError("vjp= is for numpy functions; an nn.Module is differentiated by autograd")
        return ModuleEvaluator(fn, args, dtype)
    if any(_is_torch_tensor(v) for v in values):
        if vjp is not None:
            raise TypeError("vjp= is for numpy functions; PyTorch functions are differentiated "
                            "by autograd (write a custom autograd.Function to check a backward)")
        return TorchEvaluator(fn, args, dtype)
    if _returns_jax(fn, args):
        if vjp is not None:
            raise TypeError("vjp= is for numpy functions; JAX functions are differentiated by "
                            "jax.vjp (write a jax.custom_vjp to check a rule)")
        return JaxEvaluator(fn, args, dtype)
    try:
        return NumpyEvaluator(fn, args, dtype, vjp)
    except _ReturnsJax:
        return JaxEvaluator(fn, args, dtype)
