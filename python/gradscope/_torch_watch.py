"""gradscope.watch(model, optimizer): a PyTorch training loop's gradient flow, in two lines.

Works with torch 1.13 (no optimizer hooks): ``optimizer.step`` is wrapped. torch is imported
only by ``watch`` itself.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._watch import Watcher

# Module class name → the stream's activation name (GELU has no saturation or dead-unit rule:
# it is recorded with its mean and spread, as "identity").
_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky-relu", "GELU": "identity"}


class TorchWatcher(Watcher):
    """A :class:`Watcher` wired into a model and its optimizer (see :func:`watch`)."""

    def __init__(self, model: Any, optimizer: Any, every: int = 10, path: Optional[str] = None,
                 settings: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(every=every, path=path, settings=settings)
        self.step_count = 0
        self._last_loss: Optional[float] = None
        self._layers_spec: List[Tuple[str, Any, Optional[Any], str]] = []
        self._outputs: Dict[int, Any] = {}
        self._handles: List[Any] = []
        modules = [(name, m) for name, m in model.named_modules() if not list(m.children())]
        weighted = [(i, name, m) for i, (name, m) in enumerate(modules)
                    if getattr(m, "weight", None) is not None and m.weight.dim() >= 2]
        if not weighted:
            raise ValueError("gradscope.watch: the model has no layer with a weight matrix (Linear, Conv)")
        unseen = []
        for k, (i, name, m) in enumerate(weighted):
            stop = weighted[k + 1][0] if k + 1 < len(weighted) else len(modules)
            after = [(j, mm) for j, (_, mm) in enumerate(modules[i + 1:stop], start=i + 1)
                     if type(mm).__name__ in _ACTIVATIONS]
            label = name or "layer%d" % (k + 1)
            if after:
                j, act = after[0]
                self._layers_spec.append((label, m, act, _ACTIVATIONS[type(act).__name__]))
                self._handles.append(act.register_forward_hook(self._hook(len(self._layers_spec) - 1)))
            else:
                self._layers_spec.append((label, m, None, "identity"))
                if k + 1 < len(weighted):
                    unseen.append(label)
        if unseen:
            print("gradscope.watch: no activation module after %s (a functional activation such as "
                  "torch.sigmoid in forward() cannot be seen): their activations are not watched"
                  % ", ".join(unseen), file=sys.stderr)
        self._optimizer = optimizer
        self._original_step = optimizer.step
        optimizer.step = self._step  # torch 1.13 has no optimizer hooks

    def _hook(self, index: int) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            if module.training and self.should_record(self.step_count):
                self._outputs[index] = output.detach()
        return hook

    def _step(self, *args: Any, **kwargs: Any) -> Any:
        recording = self.should_record(self.step_count)
        if recording:
            before = [m.weight.detach().clone() for _, m, _, _ in self._layers_spec]
            grads = [None if m.weight.grad is None else m.weight.grad.detach().clone()
                     for _, m, _, _ in self._layers_spec]
        result = self._original_step(*args, **kwargs)
        if recording:
            layers = {}
            for k, (label, m, _, activation) in enumerate(self._layers_spec):
                g = grads[k] if grads[k] is not None else before[k] * 0
                out = self._outputs.get(k)
                layers[label] = {
                    "weight_before": before[k].cpu().double().numpy(),
                    "weight_after": m.weight.detach().cpu().double().numpy(),
                    "gradient": g.cpu().double().numpy(),
                    "activations": None if out is None else out.cpu().double().numpy(),
                    "activation": activation,
                }
            self.record(self.step_count, loss=self._last_loss, layers=layers)
            self._outputs.clear()
        self.step_count += 1
        return result

    def loss(self, value: Any, step: Optional[int] = None) -> None:
        """Records the batch loss (a tensor or a number) of the step about to be taken."""
        v = float(value.detach()) if hasattr(value, "detach") else float(value)
        self._last_loss = v
        super().loss(v, step=self.step_count if step is None else step)

    def close(self) -> None:
        if not self._closed:
            for h in self._handles:
                h.remove()
            self._optimizer.step = self._original_step
        super().close()


def watch(model: Any, optimizer: Any, every: int = 10, path: Optional[str] = None,
          settings: Optional[Mapping[str, Any]] = None) -> TorchWatcher:
    """Watches a PyTorch model's gradient flow while ``optimizer`` trains it.

    Every ``every`` optimizer steps, per layer with a weight matrix (Linear, Conv): mean |ΔW|,
    ‖∇W‖, ‖W‖, ‖ΔW‖/‖W‖, and for the activation module that follows it (Sigmoid, Tanh, ReLU,
    LeakyReLU, GELU) the batch's mean, spread, saturated and dead fractions. ``watcher.loss(loss)``
    records a batch loss, ``watcher.epoch(...)`` an epoch, ``watcher.close()`` ends the stream (also
    at interpreter exit). ``gradscope diagnose`` reads the stream (docs/watch.md)."""
    return TorchWatcher(model, optimizer, every=every, path=path, settings=settings)
