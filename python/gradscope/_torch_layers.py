"""Which layers of a PyTorch model gradscope.watch watches, and which activation module belongs
to each: the weighted leaf modules an optimizer trains (not frozen, foreign, computed or
embedding weights), matched to the activation modules that run on their outputs in the first
training forward (or, before one, the first defined after each). torch is imported by the
functions that need it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

# Module class name → the stream's activation name (GELU has no saturation or dead-unit rule:
# it is recorded with its mean and spread, as "identity").
_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky-relu", "GELU": "identity"}


def _label(name: str, module: Any, index: int) -> str:
    """The layer's name in the stream: its module path (``encoder.fc1``); a path of indices only,
    as ``nn.Sequential`` gives (``0``, ``2``), is prefixed with the module's type (``linear0``),
    so that findings read "linear0 updates 10⁴× less than linear10"."""
    if not name:
        return "layer%d" % (index + 1)
    if all(part.isdigit() for part in name.split(".")):
        kind = type(module).__name__
        if kind.startswith("Parametrized"):  # torch.nn.utils.parametrize's class for a Linear
            kind = kind[len("Parametrized"):]
        return kind.lower() + name
    return name


# Why a layer with a weight matrix is not watched, as the note on stderr says it.
_SKIPPED = {
    "computed": "its weight is computed from other parameters, as by weight_norm or a parametrization",
    "frozen": "frozen: its weight does not require grad",
    "foreign": "its weight is not among this optimizer's parameters",
    "lookup": "an embedding: only the rows a batch uses change, so its mean |ΔW| is no measure of its gradient flow",
}


def _tensor_type() -> Any:
    import torch

    return torch.Tensor


def _modules(model: Any) -> List[Tuple[str, Any]]:
    """The model's leaf modules, and those whose only child holds their parametrizations
    (torch.nn.utils.parametrize), in definition order."""
    try:
        from torch.nn.utils.parametrize import is_parametrized
    except ImportError:  # an older torch
        def is_parametrized(module: Any) -> bool:
            return False
    out = []
    for name, m in model.named_modules():
        children = list(m.children())
        if not children or (is_parametrized(m) and all(c is m.parametrizations for c in children)):
            out.append((name, m))
    return out


def _weight_matrix(module: Any) -> Any:
    """The module's ``weight`` when it is a tensor of two or more dimensions (Linear, Conv,
    Embedding), else None."""
    w = getattr(module, "weight", None)
    return w if w is not None and hasattr(w, "dim") and w.dim() >= 2 else None


def _skip_reason(torch: Any, module: Any, weight: Any, trained: Optional[set]) -> Optional[str]:
    """Why a layer with this weight is not watched (a key of _SKIPPED), or None: it must not be
    an embedding (a lookup table, whose few rows per batch would read as vanishing gradients),
    and its weight must be a parameter (a leaf; weight_norm computes ``weight`` from
    ``weight_g`` and ``weight_v``), require grad, and be one of the optimizer's (``trained``;
    None: not known)."""
    if isinstance(module, (torch.nn.Embedding, torch.nn.EmbeddingBag)):
        return "lookup"
    if not isinstance(weight, torch.nn.Parameter):
        return "computed"
    if not weight.requires_grad:
        return "frozen"
    if trained is not None and id(weight) not in trained:
        return "foreign"
    return None


def _definition_order(modules: List[Tuple[str, Any]], weighted: List[Tuple[str, Any]], watched: set
                      ) -> Tuple[List[Tuple[str, Any, Optional[Any], str]], List[str]]:
    """The watched layers in definition order, each with the first activation module defined
    after it and before the next layer, watched or not (the fallback when no training forward
    is seen before the first step); and the labels of the layers but the last that have none."""
    position = {id(m): i for i, (_, m) in enumerate(modules)}
    spec, unseen = [], []
    last = max(watched)
    for k, (name, m) in enumerate(weighted):
        if k not in watched:
            continue
        i = position[id(m)]
        stop = position[id(weighted[k + 1][1])] if k + 1 < len(weighted) else len(modules)
        after = [mm for _, mm in modules[i + 1:stop] if type(mm).__name__ in _ACTIVATIONS]
        label = _label(name, m, len(spec))
        if after:
            spec.append((label, m, after[0], _ACTIVATIONS[type(after[0]).__name__]))
        else:
            spec.append((label, m, None, "identity"))
            if k != last:
                unseen.append(label)
    return spec, unseen


def _execution_order(trace: List[Tuple[Any, ...]], weighted: List[Tuple[str, Any]],  # type: ignore[no-untyped-def]
                     watched: set):
    """The layers and their activations from the calls of a training forward.

    ``trace`` holds, in call order, ``(k, output)`` for a call of weighted module k and
    ``(module, input, output)`` for a call of an activation module. A layer is a watched
    weighted module, at its first call, in the order of first calls (modules never called are
    not watched: they take no part in the forward). Its activation is the call of an activation
    module that takes the layer's very output (the same tensor, or a view of it); failing that, the first
    activation call after the layer's and before the next weighted call that no other layer
    took that way (a BatchNorm or Dropout in between). A module used after several layers
    (one shared ReLU) serves each of them, by the position of its call. Weighted modules that
    are not watched (frozen, another optimizer's) take their activations all the same: an
    activation of their output belongs to no watched layer.

    Returns (spec, the labels of the layers but the last without an activation, per
    activation module the layer index of each of its calls in the forward, the recording
    step's outputs by layer index)."""
    first: Dict[int, int] = {}  # weighted module → the position of its first call in the trace
    for position, event in enumerate(trace):
        if isinstance(event[0], int) and event[0] not in first:
            first[event[0]] = position
    order = sorted((m for m in first if m in watched), key=first.get)  # type: ignore[arg-type]
    layer_at = {first[m]: index for index, m in enumerate(order)}  # trace position → layer index
    owner: Dict[int, int] = {}  # activation call position → the weighted call position it follows
    taken = set()  # weighted call positions with an activation
    produced: Dict[int, int] = {}  # id(a weighted call's output) → its position (the latest)
    for position, event in enumerate(trace):
        if isinstance(event[0], int):
            produced[id(event[1])] = position
        else:
            source = _source(trace, produced, event[1])
            if source is not None and source not in taken:
                owner[position] = source
                taken.add(source)
    for position, event in enumerate(trace):
        if not isinstance(event[0], int) or position in taken:
            continue
        for later in range(position + 1, len(trace)):
            if isinstance(trace[later][0], int):
                break
            if later not in owner and not _took_another(trace, later, produced, position):
                owner[later] = position
                taken.add(position)
                break
    spec: List[Tuple[str, Any, Optional[Any], str]] = []
    unseen = []
    acts: Dict[int, Any] = {}  # layer index → (activation module, its output)
    for position, source in owner.items():
        if source in layer_at:
            acts[layer_at[source]] = (trace[position][0], trace[position][2])
    for index, m in enumerate(order):
        name, module = weighted[m]
        label = _label(name, module, index)
        if index in acts:
            act = acts[index][0]
            spec.append((label, module, act, _ACTIVATIONS[type(act).__name__]))
        else:
            spec.append((label, module, None, "identity"))
            if index + 1 < len(order):
                unseen.append(label)
    act_layers: Dict[int, List[Optional[int]]] = {}
    for position, event in enumerate(trace):
        if not isinstance(event[0], int):
            source = owner.get(position)
            act_layers.setdefault(id(event[0]), []).append(layer_at.get(source) if source is not None else None)
    outputs = {index: output.detach() for index, (_, output) in acts.items() if isinstance(output, _tensor_type())}
    return spec, unseen, act_layers, outputs


def _source(trace: List[Tuple[Any, ...]], produced: Dict[int, int], x: Any) -> Optional[int]:
    """The position of the weighted call whose output ``x`` is, or is a view of (``view``,
    ``flatten``, ``reshape`` of a contiguous output: its ``_base``); else None."""
    for candidate in (x, getattr(x, "_base", None)):
        if candidate is not None and id(candidate) in produced:
            position = produced[id(candidate)]
            if trace[position][1] is candidate:
                return position
    return None


def _took_another(trace: List[Tuple[Any, ...]], position: int, produced: Dict[int, int], source: int) -> bool:
    """Whether the activation call at ``position`` takes the output of a weighted call other
    than ``source`` (it belongs to that one, even when it took it already)."""
    other = _source(trace, produced, trace[position][1])
    return other is not None and other != source
