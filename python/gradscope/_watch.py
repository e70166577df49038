"""gradscope.Watcher: record a numpy or JAX training loop's gradient flow as a gradscope-watch/1 stream.

The stream (docs/watch.md) is JSON lines; ``gradscope diagnose FILE`` applies the same
calibrated rules as ``gradscope train`` to it. numpy is imported only when a sample is recorded.

In a job of several processes (torchrun, SLURM, DDP) only rank 0 records unless ``all_ranks=True``.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import sys
import threading
import weakref
from typing import Any, Dict, List, Mapping, Optional, Sequence, TextIO, Tuple

from ._watch_settings import checked_settings

PROTOCOL = "gradscope-watch/1"
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky-relu", "identity")
# Where a launcher says which process this is, in order: torchrun (and torch.distributed.launch),
# SLURM's srun, then single-node launchers that set the local rank alone.
RANK_VARIABLES = ("RANK", "SLURM_PROCID", "LOCAL_RANK")
# How many batch losses a Watcher keeps until its first sample writes the hello (a loop that
# records losses but no sample never writes a stream: the losses kept stay bounded).
EARLY_LOSSES = 100_000


def _finite(x: Optional[float]) -> Optional[float]:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def process_rank() -> int:
    """This process's rank in a distributed job, 0 when it is alone.

    torch.distributed's rank when torch.distributed is already imported and initialised (it is
    not imported here), else the first of ``RANK``, ``SLURM_PROCID``, ``LOCAL_RANK`` that is set."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None:
        try:
            if dist.is_available() and dist.is_initialized():
                return int(dist.get_rank())
        except Exception:  # a half-imported or unusual torch.distributed: fall back on the environment
            pass
    for name in RANK_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return int(value)
            except ValueError:
                continue
    return 0


def rank_path(path: str, rank: int) -> str:
    """``path`` for ``rank``: rank 0 keeps it, rank N writes ``name.rankN.ext``."""
    if rank == 0:
        return path
    root, ext = os.path.splitext(path)
    return "%s.rank%d%s" % (root, rank, ext)


def numbered_path(path: str, n: int) -> str:
    """``path`` for the n-th watcher of a process writing it: the first keeps it, the n-th
    (n >= 2) writes ``name.n.ext`` beside it (as :func:`rank_path` names a rank's file)."""
    if n <= 1:
        return path
    root, ext = os.path.splitext(path)
    return "%s.%d%s" % (root, n, ext)


# The files the watchers of this process write or wrote (by real path), so that a second watcher
# of the same file (a GAN's two models, a sweep, a notebook cell run twice) writes one of its own.
_claims: Dict[str, object] = {}  # the file's key → the token of the watcher that holds it
_claims_lock = threading.Lock()


def _claim_key(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def layer_statistics(weight_before: Any, weight_after: Any, gradient: Any,
                     activations: Any = None, activation: str = "identity") -> Dict[str, Optional[float]]:
    """The figures of one layer at one step, as GradScope's own monitor takes them.

    mean |ΔW|, ‖ΔW‖, ‖W‖ (before the update), ‖∇W‖, ‖ΔW‖/‖W‖; over the batch of activations
    (rows = examples): mean, spread, the fraction of sigmoid/tanh outputs whose derivative is
    under 1 % of its maximum, the fraction of ReLU units at or below 0 for every example."""
    import numpy as np

    with np.errstate(invalid="ignore", over="ignore"):  # a diverged run's figures are null
        mean_update, update_norm, weight_norm, gradient_norm = _weight_figures(
            np, _floating(np, weight_before), _floating(np, weight_after), _floating(np, gradient))
        out: Dict[str, Optional[float]] = {
            "meanAbsoluteUpdate": _finite(mean_update),
            "updateNorm": _finite(update_norm),
            "weightNorm": _finite(weight_norm),
            "gradientNorm": _finite(gradient_norm),
            # 0 for zero weights (nothing to compare with); null when the norm is not finite.
            "updateRatio": _finite(update_norm / weight_norm) if weight_norm > 0 else (0.0 if weight_norm == 0 else None),
            "activationMean": None, "activationStd": None, "saturation": None, "deadFraction": None,
        }
        if activations is not None:
            a = _floating(np, activations)
            a2 = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
            out["activationMean"] = _finite(np.mean(a2, dtype=np.float64))
            out["activationStd"] = _finite(np.std(a2, dtype=np.float64))
            if not np.isfinite(a2).all():
                pass  # not finite (a diverged run): the fractions are null, as the mean is
            elif activation == "sigmoid":
                out["saturation"] = float(np.mean(a2 * (1 - a2) < 0.25 * 0.01))
            elif activation == "tanh":
                out["saturation"] = float(np.mean(1 - a2 * a2 < 0.01))
            elif activation in ("relu", "leaky-relu"):
                out["deadFraction"] = float(np.mean(np.all(a2 <= 0, axis=0)))
        return out


def _floating(np: Any, x: Any) -> Any:
    """``x`` as a float32 or float64 array, copied only when it is neither (or not an array)."""
    a = np.asarray(x)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


# Elements per slice in _weight_figures: small enough for the cache and for the allocator's
# heap (no large temporaries, whose page faults would slow the training steps around a record).
_SLICE = 1 << 16


def _weight_figures(np: Any, w0: Any, w1: Any, g: Any) -> Tuple[float, float, float, float]:
    """mean |w1 − w0|, ‖w1 − w0‖, ‖w0‖, ‖g‖, a slice at a time in the arrays' own precision
    (numpy's pairwise sums), the slices' sums added in float64: float32 weights give the
    float64 figures to ~1e-7, with no float64 copy and no temporary as large as the weights."""
    f0, f1, fg = w0.reshape(-1), w1.reshape(-1), g.reshape(-1)
    n = f0.size
    if n == 0:
        return 0.0, 0.0, 0.0, _slices_norm(np, fg)
    size = min(n, _SLICE)
    delta = np.empty(size, dtype=np.result_type(f0.dtype, f1.dtype))
    squares = np.empty(size, dtype=np.result_type(delta.dtype, f0.dtype))
    absolute = update = weight = 0.0
    for start in range(0, n, size):
        d = np.subtract(f1[start:start + size], f0[start:start + size], out=delta[:min(size, n - start)])
        update += float(np.square(d, out=squares[:len(d)]).sum())
        weight += float(np.square(f0[start:start + size], out=squares[:len(d)]).sum())
        absolute += float(np.abs(d, out=d).sum())
    return absolute / n, math.sqrt(update), math.sqrt(weight), _slices_norm(np, fg)


def _slices_norm(np: Any, x: Any) -> float:
    """‖x‖₂ of a flat array, a slice at a time."""
    if x.size == 0:
        return 0.0
    squares = np.empty(min(x.size, _SLICE), dtype=x.dtype)
    total = 0.0
    for start in range(0, x.size, len(squares)):
        part = x[start:start + len(squares)]
        total += float(np.square(part, out=squares[:len(part)]).sum())
    return math.sqrt(total)


class Watcher:
    """Records a training loop's gradient flow every ``every`` steps.

    ``before = watcher.snapshot(step, weights)`` copies the weights before the update on
    recording steps (None on others), into buffers it reuses;
    ``watcher.record(step, loss=..., layers={"layer1": {"weight_before": W0, "weight_after": W1,
    "gradient": g, "activations": A, "activation": "sigmoid"}, ...})`` writes a sample (the
    first also writes the hello, with the layers in that order); ``watcher.epoch(epoch,
    train_loss=..., test_loss=..., test_accuracy=...)`` an epoch; ``watcher.close()`` the end
    (also at interpreter exit; an uncaught exception leaves the stream without ``end``, which
    ``gradscope diagnose`` reports as a run cut short).

    The stream goes to ``path``, else the file named by ``GRADSCOPE_WATCH``, else
    ``gradscope-watch.jsonl``. A file is written by one watcher at a time: while a watcher of
    this process that is not closed writes it, another one created for the same file (a GAN's
    generator and discriminator, a notebook cell run twice) writes ``name.2.ext`` beside it
    (then ``name.3.ext``, …) and says so on stderr; under ``gradscope watch`` only the first
    stream is diagnosed (``gradscope diagnose name.2.jsonl`` reads the other). ``close()`` frees
    the name. ``path`` (the file written) is fixed when the watcher is created.

    ``settings`` says how the run was set up, so that no fix suggests what the run already
    does: ``activation`` (sigmoid, tanh, relu, leaky-relu), ``initialization`` (xavier,
    xavier-normal, he, normal, debug, debug-rowmajor, ex4; also glorot, kaiming, …),
    ``optimizer`` (sgd, momentum, nesterov, adam; also adamw), ``inputScaling`` (raw, unit,
    standard), and the numbers ``learningRate``, ``weightDecay``, ``l2`` (any real number: a
    numpy scalar or a 0-d tensor too). They are checked at once: an unknown key or value
    raises ValueError, a value of the wrong type TypeError; text is written in GradScope's
    names (``"AdamW"`` as ``"adam"``), numbers as floats.

    Several processes: only rank 0 records (``rank``: given, else :func:`process_rank`; when
    the launcher sets no ``RANK``, create the watcher after ``init_process_group``). On
    another rank the watcher is inert (``active`` is False): ``should_record`` is always False,
    nothing is written and no file is created. With ``all_ranks=True`` every rank records, rank
    N > 0 to the path with ``.rankN`` before its extension (``gradscope-watch.rank3.jsonl``)."""

    def __init__(self, every: int = 10, path: Optional[str] = None,
                 settings: Optional[Mapping[str, Any]] = None, all_ranks: bool = False,
                 rank: Optional[int] = None) -> None:
        if isinstance(every, bool) or not hasattr(every, "__index__") or int(every) < 1:
            raise ValueError("every must be an integer >= 1, got %r" % (every,))
        every = int(every)  # numpy integers too
        self.settings = checked_settings(settings)
        self.every = every
        self.rank = process_rank() if rank is None else int(rank)
        self.active = bool(all_ranks) or self.rank == 0
        self.path = rank_path(path or os.environ.get("GRADSCOPE_WATCH") or "gradscope-watch.jsonl", self.rank)
        self._target = self.path  # the file opened (made absolute when the watcher takes it)
        self._claimed: Optional[str] = None  # the key of the file this watcher holds
        self._file: Optional[TextIO] = None
        self._layers: Optional[List[str]] = None
        self._epoch = 0
        self._nonfinite: Optional[Dict[str, Any]] = None
        self._losses = 0  # batch losses given so far: a loss without a step is the next one
        self._closed = False
        self._failed = False
        self._snapshots: List[Any] = []
        # Batch losses and epochs given before the hello (a loop may call loss() before the first
        # record(): the torch watcher always does, for step 0): written right after the hello, in order.
        self._early: List[Dict[str, Any]] = []
        if not self.active:
            return
        self._claim_path()
        # At exit and on an uncaught exception the watcher is reached through a weak reference,
        # so that a closed watcher (and the model and optimizer it refers to) can be freed.
        me = weakref.ref(self)
        previous = sys.excepthook

        def hook(kind, value, traceback):  # type: ignore[no-untyped-def]
            watcher = me()
            if watcher is not None:
                watcher._failed = True
            previous(kind, value, traceback)

        def at_exit() -> None:
            watcher = me()
            if watcher is not None:
                watcher._at_exit()

        sys.excepthook = hook
        atexit.register(at_exit)
        self._hooks = (hook, previous, at_exit)

    # How the watcher names itself in what it prints.
    _who = "gradscope.Watcher"

    def _claim_path(self) -> None:
        """Takes ``self.path`` for this watcher, or, when another active watcher of this process
        writes that file, the first free ``name.N.ext``, saying so on stderr."""
        wanted = self.path
        with _claims_lock:
            n = 1
            while _claim_key(numbered_path(wanted, n)) in _claims:
                n += 1
            self.path = numbered_path(wanted, n)
            self._claimed = _claim_key(self.path)
            self._token = object()
            _claims[self._claimed] = self._token
        self._target = os.path.abspath(self.path)  # where it goes, whatever the directory later
        if n > 1:
            variable = os.environ.get("GRADSCOPE_WATCH")
            under_watch = bool(variable) and _claim_key(rank_path(variable, self.rank)) == _claim_key(wanted)
            print("%s: another watcher of this process writes or wrote %s; this one writes %s%s"
                  % (self._who, wanted, self.path,
                     " (gradscope watch diagnoses only the first: gradscope diagnose %s reads this one)" % self.path
                     if under_watch else ""), file=sys.stderr)

    def _release_path(self) -> None:
        """Frees the file's name for another watcher of this process, unless this one wrote it:
        a stream written stays this process's, so that a second run in one process (a sweep, a
        notebook cell run again) writes ``name.2.jsonl`` instead of over the first."""
        with _claims_lock:
            if (self._claimed is not None and self._file is None
                    and _claims.get(self._claimed) is getattr(self, "_token", None)):
                del _claims[self._claimed]
            self._claimed = None

    def _unhook(self) -> None:
        """Unregisters the exit handler, and the exception hook when it is still the current one."""
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            return
        hook, previous, at_exit = hooks
        atexit.unregister(at_exit)
        if sys.excepthook is hook:
            sys.excepthook = previous
        self._hooks = None

    def should_record(self, step: int) -> bool:
        """Whether ``record(step, ...)`` would write a sample (never on an inert rank)."""
        return self.active and step % self.every == 0

    def snapshot(self, step: int, arrays: Sequence[Any]) -> Optional[List[Any]]:
        """Copies of ``arrays`` (the weights before the update) when ``step`` is a recording step,
        else None; valid until the next snapshot.

        The copies go to buffers the watcher keeps, so that a recording step does not allocate
        a model's worth of fresh memory: with numpy's allocator that page-faults, and freeing
        the copies slows the steps that follow (together as much as the recording itself)."""
        if not self.should_record(step):
            return None
        import numpy as np

        if len(self._snapshots) != len(arrays):
            self._snapshots = [None] * len(arrays)
        copies = []
        for k, array in enumerate(arrays):
            a = np.asarray(array)
            buffer = self._snapshots[k]
            if buffer is None or buffer.shape != a.shape or buffer.dtype != a.dtype:
                buffer = self._snapshots[k] = np.empty(a.shape, dtype=a.dtype)
            np.copyto(buffer, a)
            copies.append(buffer)
        return copies

    def _write(self, message: Dict[str, Any]) -> None:
        if self._closed:
            raise ValueError("the watcher is closed")
        if self._file is None:
            self._file = open(self._target, "w", encoding="utf-8")
        self._file.write(json.dumps(message, allow_nan=False) + "\n")
        self._file.flush()

    def record(self, step: int, loss: Optional[float] = None,
               layers: Optional[Mapping[str, Mapping[str, Any]]] = None, epoch: Optional[int] = None) -> bool:
        """Writes a sample when ``step`` is a recording step; returns whether it did."""
        if not self.should_record(step):
            return False
        if not layers:
            raise ValueError("record needs layers={name: {weight_before, weight_after, gradient, ...}}")
        names = list(layers)
        if self._layers is None:
            declared = []
            for name in names:
                spec = layers[name]
                if "weight_before" not in spec:
                    raise ValueError("layer %s: missing weight_before" % name)
                import numpy as np
                declared.append((name, spec.get("activation", "identity"), int(np.asarray(spec["weight_before"]).size)))
            self._declare(declared)
        elif names != self._layers:
            raise ValueError("record: layers %s differ from the first sample's %s" % (names, self._layers))
        rows = []
        for name in names:
            spec = layers[name]
            missing = [k for k in ("weight_before", "weight_after", "gradient") if k not in spec]
            if missing:
                raise ValueError("layer %s: missing %s" % (name, ", ".join(missing)))
            rows.append(layer_statistics(spec["weight_before"], spec["weight_after"], spec["gradient"],
                                         spec.get("activations"), spec.get("activation", "identity")))
        self._sample(step, loss, rows, epoch)
        return True

    def _declare(self, layers: List[Any]) -> None:
        """Writes the hello: ``layers`` is [(name, activation, weight count)], input to output."""
        declared = []
        for name, activation, weights in layers:
            if activation not in ACTIVATIONS:
                raise ValueError("layer %s: activation %r is not one of %s" % (name, activation, ", ".join(ACTIVATIONS)))
            declared.append({"name": name, "activation": activation, "weights": int(weights)})
        hello: Dict[str, Any] = {"type": "hello", "protocol": PROTOCOL, "layers": declared}
        if self.settings:
            hello["settings"] = self.settings
        self._write(hello)
        self._layers = [d["name"] for d in declared]
        early, self._early = self._early, []
        for message in early:
            self._write(message)

    def _sample(self, step: int, loss: Optional[float], rows: List[Dict[str, Optional[float]]],
                epoch: Optional[int] = None) -> None:
        """Writes a sample of already computed per-layer figures (after the hello)."""
        value = _finite(loss)
        if loss is not None and value is None and self._nonfinite is None:
            self._nonfinite = {"step": step, "epoch": epoch if epoch is not None else self._epoch + 1}
        self._write({"type": "sample", "step": step, "epoch": epoch if epoch is not None else self._epoch + 1,
                     "loss": value, "layers": rows})

    def loss(self, value: float, step: Optional[int] = None) -> None:
        """Records one batch loss (a non-finite one marks the run as diverged).

        A loss given before the first sample is kept and written right after the hello (the
        stream's first line), so that no step's loss is lost whatever order a loop calls
        ``loss`` and ``record`` in (up to the first :data:`EARLY_LOSSES` of them)."""
        if not self.active:
            return
        finite = _finite(value)
        at = self._losses if step is None else step
        self._losses += 1
        if finite is None and self._nonfinite is None:
            self._nonfinite = {"step": at, "epoch": self._epoch + 1}
        self._emit({"type": "loss", "step": step, "value": finite})

    def _emit(self, message: Dict[str, Any]) -> None:
        """Writes a loss or epoch line, or keeps it until the hello (in order, up to
        :data:`EARLY_LOSSES` lines)."""
        if self._layers is not None:
            self._write(message)
        elif not self._closed and len(self._early) < EARLY_LOSSES:
            self._early.append(message)

    def epoch(self, epoch: Optional[int] = None, train_loss: Optional[float] = None, **metrics: float) -> None:
        """Marks the end of an epoch (``train_loss``, and optionally ``test_loss``,
        ``test_accuracy``, ``train_accuracy``, ``steps``, ``seconds``).

        An epoch marked before the first sample is kept, with the losses, and written right
        after the hello in the order they came."""
        names = {"test_loss": "testLoss", "test_accuracy": "testAccuracy", "train_accuracy": "trainAccuracy",
                 "steps": "steps", "seconds": "seconds"}
        unknown = sorted(set(metrics) - set(names))
        if unknown:
            raise ValueError("unknown epoch metrics %s; known: %s" % (", ".join(unknown), ", ".join(sorted(names))))
        self._epoch = epoch if epoch is not None else self._epoch + 1
        if not self.active:
            return
        message: Dict[str, Any] = {"type": "epoch", "epoch": self._epoch,
                                   "trainLoss": _finite(train_loss) if train_loss is not None else None}
        for key, value in metrics.items():
            message[names[key]] = int(value) if key == "steps" else _finite(value)
        self._emit(message)

    def close(self) -> None:
        """Ends the stream: completed, or non-finite-loss when a loss was NaN or infinite."""
        if self._closed:
            return
        if self._layers is not None and self.active:
            end: Dict[str, Any] = {"type": "end", "status": "completed"}
            if self._nonfinite is not None:
                end = {"type": "end", "status": "non-finite-loss", **self._nonfinite}
            self._write(end)
        self._closed = True
        self._snapshots = []
        self._early = []
        if self._file is not None:
            self._file.close()
        self._release_path()
        self._unhook()

    def _at_exit(self) -> None:
        if self._closed:
            return
        if self._failed:
            if self._file is not None:
                self._file.close()
            self._closed = True
            self._release_path()
            return
        self.close()

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, kind, value, traceback) -> None:  # type: ignore[no-untyped-def]
        if kind is not None:
            self._failed = True
            self._at_exit()
        else:
            self.close()
