"""The figures gradscope.watch records per PyTorch layer: mean |ΔW|, ‖ΔW‖, ‖W‖, ‖∇W‖ and the
activations' mean, spread and saturated or dead fraction, computed in torch in the weights'
precision, and the stream's layer object made of them.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

# The figures _layer_figures computes per layer, in the order of the stream's sample layer.
_FIGURES = ("meanAbsoluteUpdate", "updateNorm", "weightNorm", "gradientNorm",
            "activationMean", "activationStd", "fraction")


def _working(t: Any) -> Any:
    """``t`` itself when float32 or float64, else a float32 copy (half, bfloat16)."""
    import torch

    return t if t.dtype in (torch.float32, torch.float64) else t.float()


def _layer_figures(torch: Any, w0: Any, w1: Any, gradient_norm: Any, output: Any, activation: str) -> List[Any]:
    """The figures of layer_statistics as 0-d tensors, in the weights' precision (float32 unless
    float64; no float64 copies), for one ``.tolist()`` over all layers. torch's float32 norms
    are within ~1e-5 of float64 ones; the means within ~1e-7.

    ``w0`` is the layer's own copy from before the step: it is overwritten with w0 − w1, whose
    norm and mean magnitude are those of ΔW. ``gradient_norm`` was taken before the step."""
    weight_norm = torch.linalg.vector_norm(w0)
    delta = w0.sub_(w1)
    update_norm = torch.linalg.vector_norm(delta)
    mean_update = delta.abs_().mean() if delta.numel() else torch.zeros((), dtype=w0.dtype, device=w0.device)
    nan = torch.full((), math.nan, dtype=w0.dtype, device=w0.device)
    if gradient_norm is None:  # no gradient this step: as layer_statistics with a zero gradient
        gradient_norm = torch.zeros((), dtype=w0.dtype, device=w0.device)
    mean = std = fraction = nan
    if output is not None:
        a = _working(output)
        a = a.reshape(a.shape[0], -1) if a.dim() > 1 else a.reshape(1, -1)
        mean = a.mean()
        std = (a - mean).square_().mean().sqrt_()  # the population spread, as np.std
        if activation == "sigmoid":
            fraction = (a * (1 - a) < 0.25 * 0.01).to(a.dtype).mean()
        elif activation == "tanh":
            fraction = (1 - a * a < 0.01).to(a.dtype).mean()
        elif activation in ("relu", "leaky-relu"):
            fraction = (a <= 0).all(dim=0).to(a.dtype).mean()
        if fraction is not nan:  # not finite activations (a diverged run): no fraction, as no mean
            fraction = torch.where(torch.isfinite(a).all(), fraction, fraction.new_full((), math.nan))
    return [f.to(w0.dtype) for f in (mean_update, update_norm, weight_norm, gradient_norm, mean, std, fraction)]


def _values(torch: Any, figures: List[Any]) -> List[float]:
    """The 0-d tensors' values, in one transfer when they share a dtype and device."""
    if all(f.dtype == figures[0].dtype and f.device == figures[0].device for f in figures):
        return torch.stack(figures).tolist()
    return [f.item() for f in figures]


def _row(values: List[float], activation: str) -> Dict[str, Optional[float]]:
    """A sample's layer object from _layer_figures' values (non-finite → null)."""
    f = dict(zip(_FIGURES, (v if math.isfinite(v) else None for v in values)))
    update_norm, weight_norm = values[1], values[2]
    # A zero weight norm gives ratio 0 (nothing to compare with); a non-finite one, null.
    ratio = update_norm / weight_norm if weight_norm > 0 else (0.0 if weight_norm == 0 else math.nan)
    return {
        "meanAbsoluteUpdate": f["meanAbsoluteUpdate"], "updateNorm": f["updateNorm"],
        "weightNorm": f["weightNorm"], "gradientNorm": f["gradientNorm"],
        "updateRatio": ratio if math.isfinite(ratio) else None,
        "activationMean": f["activationMean"], "activationStd": f["activationStd"],
        "saturation": f["fraction"] if activation in ("sigmoid", "tanh") else None,
        "deadFraction": f["fraction"] if activation in ("relu", "leaky-relu") else None,
    }
