"""gradscope.watch(model, optimizer): a PyTorch training loop's gradient flow, in two lines.

Works with torch 1.13 (no optimizer hooks): ``optimizer.step`` is wrapped, and so is
``torch.Tensor.backward`` (to take the batch loss from ``loss.backward()``); ``close()``
restores both. torch is imported only by ``watch`` itself.
"""

from __future__ import annotations

import functools
import math
import sys
import types
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ._torch_figures import _FIGURES, _layer_figures, _row, _values, _working
from ._torch_layers import (_ACTIVATIONS, _SKIPPED, _definition_order, _execution_order,
                            _label, _modules, _skip_reason, _tensor_type, _weight_matrix)
from ._watch import Watcher


# The marks torch's LR schedulers put on the optimizer.step they wrapped (1.13: _with_counter;
# 2.x: _wrapped_by_lr_sched). The watcher's step carries the mark of the step it wraps, so that a
# scheduler created before watch() finds its wrapper still in place and does not warn.
_SCHEDULER_MARKS = ("_with_counter", "_wrapped_by_lr_sched")

# The active watchers that take the loss from Tensor.backward, and the one wrapper they share
# (installed by the first, removed by the last: watchers compose whatever order they close in).
_backward_watchers: List["TorchWatcher"] = []
_backward_state: Dict[str, Any] = {}


def _take_backward(watcher: "TorchWatcher") -> None:
    import torch

    if _backward_state.get("wrapper") is not torch.Tensor.backward:
        original = torch.Tensor.backward

        @functools.wraps(original)
        def backward(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if _backward_watchers and self.numel() == 1:
                pending = self.detach()
                for w in _backward_watchers:
                    w._pending_loss = pending
            return result

        torch.Tensor.backward = backward
        _backward_state.update(original=original, wrapper=backward)
    _backward_watchers.append(watcher)


def _release_backward(watcher: "TorchWatcher") -> None:
    import torch

    if watcher in _backward_watchers:
        _backward_watchers.remove(watcher)
    if not _backward_watchers and _backward_state.get("wrapper") is torch.Tensor.backward:
        torch.Tensor.backward = _backward_state["original"]
        _backward_state.clear()
    # If something else wrapped Tensor.backward after us, ours stays under it as a pass-through.


class TorchWatcher(Watcher):
    """A :class:`Watcher` wired into a model and its optimizer (see :func:`watch`)."""

    _who = "gradscope.watch"

    def __init__(self, model: Any, optimizer: Any, every: int = 10, path: Optional[str] = None,
                 settings: Optional[Mapping[str, Any]] = None, all_ranks: bool = False,
                 rank: Optional[int] = None) -> None:
        import torch

        modules = _modules(model)
        # Every module with a weight matrix (Linear, Conv): the layers the forward is traced
        # through; those the optimizer trains are watched, the others only separate them.
        self._weighted = [(name, m) for name, m in modules if _weight_matrix(m) is not None]
        if not self._weighted:
            raise ValueError("gradscope.watch: the model has no layer with a weight matrix (Linear, Conv)")
        groups = getattr(optimizer, "param_groups", None)  # None: an optimizer-like object that does not say
        trained = None if groups is None else {id(p) for group in groups for p in group["params"]}
        skipped: Dict[str, List[str]] = {}
        self._watched = set()  # indices into _weighted of the watched layers
        for k, (name, m) in enumerate(self._weighted):
            reason = _skip_reason(torch, m, _weight_matrix(m), trained)
            if reason is None:
                self._watched.add(k)
            else:
                skipped.setdefault(reason, []).append(_label(name, m, k))
        why = "; ".join("%s (%s)" % (", ".join(labels), _SKIPPED[reason]) for reason, labels in skipped.items())
        if not self._watched:
            raise ValueError("gradscope.watch: no layer to watch: the optimizer trains none of the model's weight "
                             "matrices: %s" % why)
        super().__init__(every=every, path=path, settings=settings, all_ranks=all_ranks, rank=rank)
        self._grad_enabled = torch.is_grad_enabled
        self.step_count = 0
        self._last_loss: Optional[float] = None
        self._pending_loss: Any = None  # the detached scalar of the last backward() since the step
        self._explicit_loss = False  # watcher.loss was called since the last step
        self._auto_loss: Optional[float] = None  # the loss the last step took from backward()
        self._layers_spec: List[Tuple[str, Any, Optional[Any], str]] = []
        self._outputs: Dict[int, Any] = {}
        self._handles: List[Any] = []
        self._buffers: List[Any] = []  # the CPU copies of the weights before a recorded step
        self._optimizer = optimizer
        self._installed: Optional[Callable[..., Any]] = None
        # The step in progress: whether it records, the weights before it and ‖∇W‖ per layer,
        # whether its activations are taken (a closure evaluated again, as by LBFGS, is not).
        self._recording = False
        self._before: List[Any] = []
        self._gradient_norms: Optional[List[Any]] = None
        self._acts_taken = False
        self._closure_calls = 0
        self._activations = [m for _, m in modules if type(m).__name__ in _ACTIVATIONS]
        # Until the first training forward, the layers in definition order, each with the first
        # activation module defined after it (the fallback when no forward is seen before the
        # first step).
        self._layers_spec, self._unseen = _definition_order(modules, self._weighted, self._watched)
        # Which layer each call of an activation module (in one forward) feeds: None until the
        # mapping is known; per module, a list indexed by the call's position in the forward.
        self._act_layers: Optional[Dict[int, List[Optional[int]]]] = None
        self._act_calls: Dict[int, int] = {}  # id(activation module) → its calls this step
        # On a recording step, the watched layers' outputs of this step's forward, by id (the
        # tensors are held, so that no id is reused within the step): an activation call whose
        # input is one of them, or a view of one, belongs to that layer, whatever the learned
        # order says (a branch skipped, LayerDrop, a forward unlike the first).
        self._produced: Dict[int, Tuple[int, Any]] = {}
        self._producing: List[Any] = []  # the hooks that fill _produced
        self._trace: List[Tuple[Any, ...]] = []  # the first training forward's calls
        self._traced: set = set()  # the weighted modules in the trace
        self._in_model = False  # in the model's own forward (while learning)
        self._learning: List[Any] = []  # the hooks needed only to learn the mapping
        if not self.active:
            return  # another rank: no hooks, no wrappers, nothing to pay
        if skipped:
            print("gradscope.watch: not watched: %s" % why, file=sys.stderr)
        try:
            for k, (_, m) in enumerate(self._weighted):
                self._learning.append(m.register_forward_hook(self._weighted_hook(k)))
            for act in self._activations:
                self._handles.append(act.register_forward_hook(self._activation_hook()))
            # Registered last, so that it runs after the hooks of a model that is itself a layer.
            self._learning.append(model.register_forward_pre_hook(self._model_pre_hook))
            self._learning.append(model.register_forward_hook(self._model_hook))
            self._install_step()
            _take_backward(self)
        except BaseException:
            # A model torch cannot hook (a ScriptModule): nothing of the watcher stays behind.
            self._detach()
            self._closed = True
            self._release_path()
            self._unhook()
            raise

    def _install_step(self) -> None:
        """optimizer.step ← the watcher's (torch 1.13 has no optimizer hooks).

        The replacement is a method bound to the optimizer, like the original, so that an LR
        scheduler created afterwards can wrap it as usual; it carries the scheduler's mark when
        the step it replaces is a scheduler's wrapper, so that one created before is content."""
        optimizer = self._optimizer
        self._had_own_step = "step" in vars(optimizer)
        original = optimizer.step
        self._original_step = original
        watcher = self

        def step(opt: Any, *args: Any, **kwargs: Any) -> Any:
            if watcher._closed:
                return original(*args, **kwargs)
            return watcher._step(original, *args, **kwargs)

        for mark in _SCHEDULER_MARKS:
            if getattr(original, mark, False):
                setattr(step, mark, True)
        self._installed = types.MethodType(step, optimizer)
        optimizer.step = self._installed

    def _weighted_hook(self, k: int) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            # Only a training forward that builds a graph (not an evaluation under no_grad).
            if not module.training or self._act_layers is not None or not self._grad_enabled():
                return
            if not self._in_model and k in self._traced:
                # Outside the model's own forward (its parts called one by one), a layer called
                # again starts the second forward: the first one is complete.
                try:
                    self._learn()
                except Exception as error:  # never the user's forward that fails
                    self._give_up(error)
                return
            self._traced.add(k)
            self._trace.append((k, output))
        return hook

    def _model_pre_hook(self, module: Any, inputs: Any) -> None:
        self._in_model = True

    def _activation_hook(self) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            # A forward under no_grad (a probe between backward and step) is not the one trained on.
            if not module.training or self._acts_taken or not self._grad_enabled():
                return
            layers = self._act_layers
            if layers is None:  # learning: the call, what it took and what it gave
                self._trace.append((module, inputs[0] if inputs else None, output))
                return
            if not self.should_record(self.step_count):
                return
            calls = layers.get(id(module))
            if not calls:
                return
            try:
                n = self._act_calls.get(id(module), 0)
                self._act_calls[id(module)] = n + 1
                produced, index = self._producer(inputs[0] if inputs else None, module)
                if not produced:  # not a layer's output (a norm layer in between): the learned order
                    index = calls[n % len(calls)]
                if index is not None and isinstance(output, _tensor_type()):
                    self._outputs[index] = output.detach()
            except Exception as error:  # never the user's forward that fails
                self._give_up(error)
        return hook

    def _producer(self, x: Any, module: Any) -> Tuple[bool, Optional[int]]:
        """Whether ``x`` is a watched layer's output of this step (or a view of one, as by
        ``flatten``), and that layer when its activation module is ``module`` (else None)."""
        for candidate in (x, getattr(x, "_base", None)):
            if candidate is None:
                continue
            found = self._produced.get(id(candidate))
            if found is not None and found[1] is candidate:
                index = found[0]
                return True, (index if self._layers_spec[index][2] is module else None)
        return False, None

    def _producing_hook(self, index: int) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            if (module.training and self._recording_forward() and self._grad_enabled()
                    and isinstance(output, _tensor_type())):
                self._produced[id(output)] = (index, output)
        return hook

    def _recording_forward(self) -> bool:
        return not self._acts_taken and self.should_record(self.step_count)

    def _model_hook(self, module: Any, inputs: Any, output: Any) -> None:
        """The end of the model's first training forward: the mapping is learned from it."""
        self._in_model = False
        if module.training and self._act_layers is None and self._grad_enabled() and self._traced & self._watched:
            try:
                self._learn()
            except Exception as error:  # never the user's forward that fails
                self._give_up(error)

    def _learn(self) -> None:
        """Layers and activations from the calls of the first training forward (self._trace),
        or, when none was seen, in definition order. Sets _layers_spec, _act_layers, and the
        outputs of a recording step's forward; removes the hooks needed only to learn; warns
        once about the layers whose activation no hook sees."""
        trace, self._trace, self._traced = self._trace, [], set()
        for h in self._learning:
            h.remove()
        self._learning = []
        if any(isinstance(e[0], int) and e[0] in self._watched for e in trace):
            spec, unseen, act_layers, outputs = _execution_order(trace, self._weighted, self._watched)
            self._layers_spec, self._unseen = spec, unseen
            called = {id(m) for _, m, _, _ in spec}
            missed = [_label(name, m, k) for k, (name, m) in enumerate(self._weighted)
                      if k in self._watched and id(m) not in called]
            if missed:
                print("gradscope.watch: not watched: %s (not called with gradients in the first training "
                      "forward: a branch it did not take, gradient checkpointing, or a module whose forward "
                      "is never called)" % ", ".join(missed), file=sys.stderr)
            if self.should_record(self.step_count):
                self._outputs.update(outputs)
        else:
            act_layers = {id(act): [k] for k, (_, _, act, _) in enumerate(self._layers_spec) if act is not None}
        self._act_layers = act_layers
        self._act_calls = {}
        watched = {key for key, calls in act_layers.items() if any(k is not None for k in calls)}
        for act, handle in zip(self._activations, self._handles):
            if id(act) not in watched:
                handle.remove()  # an activation module no watched layer uses: no hook to pay
        self._handles = [h for act, h in zip(self._activations, self._handles) if id(act) in watched]
        for index, (_, m, act, _) in enumerate(self._layers_spec):
            if act is not None:
                self._producing.append(m.register_forward_hook(self._producing_hook(index)))
        if self._unseen:
            print("gradscope.watch: no activation module after %s (a functional activation such as "
                  "torch.sigmoid in forward() cannot be seen): their activations are not watched"
                  % ", ".join(self._unseen), file=sys.stderr)

    def _step(self, original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The optimizer's step, watched. Nothing the watcher does may fail the user's step: if
        taking the figures fails, the watcher stops (:meth:`_give_up`) and the step goes on."""
        closure, replaced = _closure(args, kwargs)
        try:
            self._begin_step(closure is not None)
        except Exception as error:
            self._give_up(error)
            return original(*args, **kwargs)
        if closure is not None:
            args, kwargs = replaced(self._watched_closure(closure))
        result = original(*args, **kwargs)
        if self._closed:  # stopped in the closure
            return result
        try:
            self._end_step()
        except Exception as error:
            self._give_up(error)
        return result

    def _begin_step(self, closure: bool) -> None:
        """Before the optimizer's step: the loss of the backward before it (with a closure, the
        closure's loss, taken by :meth:`_watched_closure`), and on a recording step the
        weights and, unless the closure computes it, ‖∇W‖."""
        import torch

        self._auto_loss = None
        self._closure_calls = 0
        self._recording = self.should_record(self.step_count)
        self._gradient_norms = None
        if closure:
            self._pending_loss = None  # the closure's backward runs in the step
        else:
            if self._act_layers is None:
                self._learn()
            self._take_loss(None)
        self._before = []
        if self._recording:
            with torch.no_grad():
                self._before = [self._copy(torch, k, m.weight.detach())
                                for k, (_, m, _, _) in enumerate(self._layers_spec)]
            if not closure:
                self._gradient_norms = self._norms_of_gradients()

    def _watched_closure(self, closure: Callable[[], Any]) -> Callable[[], Any]:
        """``closure`` (``optimizer.step(closure)``), which also, at its first call in the step,
        takes the loss it returns, the gradient at the weights before the step, and the
        activations of its forward (LBFGS evaluates it again along its search: not those)."""
        def watched() -> Any:
            loss = closure()
            self._closure_calls += 1
            if self._closure_calls == 1 and not self._closed:
                try:
                    self._take_loss(loss)
                    if self._act_layers is None:
                        self._learn()
                    if self._recording:
                        self._gradient_norms = self._norms_of_gradients()
                    self._acts_taken = True
                except Exception as error:
                    self._give_up(error)
            return loss
        return watched

    def _take_loss(self, value: Any) -> None:
        """Records the step's loss unless ``watcher.loss`` did: ``value`` (a closure's), else
        that of the last backward() of a one-element tensor."""
        if self._explicit_loss:
            return
        loss = _scalar(value)
        if loss is None:
            loss = _scalar(self._pending_loss)
        if loss is not None:
            self._record_loss(loss, self.step_count)
            self._auto_loss = loss

    def _norms_of_gradients(self) -> List[Any]:
        """‖∇W‖ per layer now, as 0-d tensors (None for a layer without a gradient); a sparse
        gradient's (nn.Embedding(sparse=True)) from its values."""
        import torch

        norms = []
        with torch.no_grad():
            for _, m, _, _ in self._layers_spec:
                g = m.weight.grad
                if g is None:
                    norms.append(None)
                    continue
                g = g.detach()
                if g.layout == torch.sparse_coo:
                    g = g.coalesce().values()
                elif g.layout != torch.strided:  # compressed sparse layouts
                    g = g.values()
                norms.append(torch.linalg.vector_norm(_working(g)))
        return norms

    def _end_step(self) -> None:
        """After the optimizer's step: on a recording step, the sample."""
        import torch

        if self._recording:
            if self._gradient_norms is None:  # a closure the optimizer did not call
                self._gradient_norms = self._norms_of_gradients()
            if self._layers is None:
                self._declare_layers()
            with torch.no_grad():
                figures = []
                for k, (_, m, _, activation) in enumerate(self._layers_spec):
                    figures.append(_layer_figures(torch, self._before[k], _working(m.weight.detach()),
                                                  self._gradient_norms[k], self._outputs.get(k), activation))
                values = _values(torch, [f for layer in figures for f in layer])
            rows = [_row(values[k * len(_FIGURES):(k + 1) * len(_FIGURES)], activation)
                    for k, (_, _, _, activation) in enumerate(self._layers_spec)]
            self._sample(self.step_count, self._last_loss, rows)
        self._finish_step()

    def _finish_step(self) -> None:
        self._outputs.clear()
        self._produced.clear()
        self._before = []
        self._gradient_norms = None
        self._acts_taken = False
        self._act_calls.clear()
        self.step_count += 1
        self._pending_loss = None
        self._explicit_loss = False
        self._last_loss = None

    def _declare_layers(self) -> None:
        self._declare([(label, activation, m.weight.numel()) for label, m, _, activation in self._layers_spec])

    def _give_up(self, error: BaseException) -> None:
        """Stops watching after a failure of the watcher's own (never the user's step): one line
        on stderr, hooks and wrappers removed, the stream closed as it is, without ``end``, so
        that ``gradscope diagnose`` reads it as cut short. Training goes on."""
        if self._closed or not self.active:
            return
        try:
            if self._layers is None and self._layers_spec:
                self._declare_layers()  # the stream says at least what it watched
        except Exception:
            pass
        print("gradscope.watch: recording failed at step %d (%s: %s); the watcher stops and training goes "
              "on; %s ends there, without `end` (read as cut short)"
              % (self.step_count, type(error).__name__, str(error).splitlines()[0] if str(error) else "",
                 self.path), file=sys.stderr)
        self._detach()
        self.active = False
        self._closed = True
        self._early = []
        self._snapshots = []
        if self._file is not None:
            try:
                self._file.close()
            except Exception:
                pass
        self._release_path()

    def _copy(self, torch: Any, k: int, w: Any) -> Any:
        """Layer k's weights before the step (float32 unless float64). On the CPU the copy goes
        to a buffer kept from one recording to the next: fresh allocations of a model's worth of
        memory page-fault, and freeing them slows the steps that follow. On a GPU, whose caching
        allocator reuses memory anyway, the copy is transient (no standing extra memory)."""
        dtype = w.dtype if w.dtype in (torch.float32, torch.float64) else torch.float32
        if w.device.type != "cpu":
            return w.to(dtype=dtype, copy=True)
        while len(self._buffers) <= k:
            self._buffers.append(None)
        buffer = self._buffers[k]
        if buffer is None or buffer.shape != w.shape or buffer.dtype != dtype:
            buffer = self._buffers[k] = torch.empty(w.shape, dtype=dtype)
        return buffer.copy_(w)

    def _record_loss(self, value: float, step: int) -> None:
        self._last_loss = value
        super().loss(value, step=step)

    def loss(self, value: Any, step: Optional[int] = None) -> None:
        """Records the batch loss (a tensor or a number) of the step about to be taken.

        Optional: without it the step takes the loss from ``loss.backward()``. A call after
        ``optimizer.step()`` with the loss that step already took is not recorded twice."""
        if not self.active:
            return
        v = float(value.detach()) if hasattr(value, "detach") else float(value)
        if self._auto_loss is not None and self._pending_loss is None and (
                v == self._auto_loss or (math.isnan(v) and math.isnan(self._auto_loss))):
            self._auto_loss = None  # the previous step took this very loss from backward()
            return
        self._explicit_loss = True
        self._record_loss(v, self.step_count if step is None else step)

    def _detach(self) -> None:
        """Removes the hooks, restores ``optimizer.step`` and ``torch.Tensor.backward``."""
        for h in self._handles + self._learning + self._producing:
            h.remove()
        self._handles, self._learning, self._trace, self._producing = [], [], [], []
        self._produced.clear()
        if self._installed is not None and vars(self._optimizer).get("step") is self._installed:
            if self._had_own_step:
                self._optimizer.step = self._original_step
            else:
                del self._optimizer.step
        # else an LR scheduler wrapped the watcher's step: it stays, as a pass-through
        _release_backward(self)
        self._buffers = []
        self._before = []
        self._outputs.clear()

    def close(self) -> None:
        if not self._closed and self.active:
            self._detach()
        super().close()


def _closure(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Any, Callable[[Any], Any]]:
    """The closure of ``optimizer.step(closure)`` (by name or first), or None; and a function
    that gives the step's arguments with another closure in its place."""
    if callable(kwargs.get("closure")):
        return kwargs["closure"], lambda c: (args, {**kwargs, "closure": c})
    if args and callable(args[0]):
        return args[0], lambda c: ((c,) + tuple(args[1:]), kwargs)
    return None, lambda c: (args, kwargs)


def _scalar(value: Any) -> Optional[float]:
    """A one-element tensor's or a number's value (a closure's loss), else None."""
    if value is None:
        return None
    try:
        if hasattr(value, "detach"):
            return float(value.detach()) if value.numel() == 1 else None
        return float(value)
    except (TypeError, ValueError):
        return None


def watch(model: Any, optimizer: Any, every: int = 10, path: Optional[str] = None,
          settings: Optional[Mapping[str, Any]] = None, all_ranks: bool = False,
          rank: Optional[int] = None) -> TorchWatcher:
    """Watches a PyTorch model's gradient flow while ``optimizer`` trains it.

    Every ``every`` optimizer steps, per layer with a weight matrix (Linear, Conv) that
    ``optimizer`` trains: mean |ΔW|, ‖∇W‖, ‖W‖, ‖ΔW‖/‖W‖, and for the activation module that
    follows it (Sigmoid, Tanh, ReLU, LeakyReLU, GELU) the batch's mean, spread, saturated and
    dead fractions. A layer whose weight is frozen (``requires_grad`` False), is not among
    ``optimizer.param_groups`` when ``watch`` is called (another optimizer's, as in a GAN), is
    not a parameter itself (``nn.utils.weight_norm``, a parametrization), or is an embedding (a
    lookup table: only the rows a batch uses change) is not watched, and one line on stderr
    names those layers and why; when none is left, ValueError. ``watcher.epoch(...)`` records
    an epoch, ``watcher.close()`` ends the stream (also at interpreter exit) and restores
    ``optimizer.step`` and ``torch.Tensor.backward``. ``gradscope diagnose`` reads the stream
    (docs/watch.md).

    The batch loss comes from ``loss.backward()`` (the last backward of a one-element tensor
    before the step; with gradient accumulation, the last micro-batch's), or, for
    ``optimizer.step(closure)`` (LBFGS), from what the closure returns at its first call in the
    step, which also gives ‖∇W‖ and the activations. ``watcher.loss(loss)``
    overrides it for that step: call it when backward runs on something other than the loss
    (a GradScaler's scaled loss, ``torch.autograd.backward``). LR schedulers may be created before
    or after ``watch``. In a job of several processes only rank 0 records; on the others the
    watcher wraps and hooks nothing (``all_ranks=True``: every rank, rank N to
    ``name.rankN.jsonl``). The rank is ``rank`` when given (e.g. under ``mp.spawn`` before the
    process group exists), else ``torch.distributed.get_rank()`` when a process group is
    initialised, else ``RANK``, ``SLURM_PROCID`` or ``LOCAL_RANK``, else 0.

    Each layer's activation module is the one that runs on its output in the model's first
    training forward (a ReLU shared by several layers serves each of them); the layers are in
    the order that forward calls them. Until that forward, and when the first step comes
    without one, the activation is the first activation module defined after the layer. A
    training forward is one in train mode with gradients enabled: a forward under
    ``torch.no_grad()`` (a probe batch between ``backward()`` and ``step()``) is not recorded.

    Two watchers of one process never share a file: the second of the same path writes
    ``name.2.jsonl`` beside it, and says so on stderr (see :class:`Watcher`). The watcher never
    fails the training step: if taking its figures fails, it says so in one line on stderr,
    stops (hooks and wrappers removed) and leaves the stream without ``end``, which
    ``gradscope diagnose`` reads as cut short; training goes on."""
    return TorchWatcher(model, optimizer, every=every, path=path, settings=settings, all_ranks=all_ranks,
                        rank=rank)
