"""GradScope for Python: check a hand-written gradient, VJP or backward in one line.

    import gradscope
    report = gradscope.check(fn, x, w)          # a Report: .verdict, .blocks, .text, …
    gradscope.assert_gradients(fn, x, w)        # AssertionError with the text report
    gradscope.check(fn, x, w, shard="2/8", out="part-2.json")   # one shard of a big check
    gradscope.merge(*glob.glob("part-*.json"))  # the shards' report, as if unsharded

``fn`` may be a numpy function returning (value, gradient), a vector-valued numpy
function with ``vjp=``, any PyTorch callable (autograd, so a custom
autograd.Function's backward is checked), an nn.Module (its parameters are the
blocks), or any JAX function (jax.vjp, so a custom_vjp rule is checked).  The
check runs the gradscope binary ($GRADSCOPE, PATH, or .build/release/gradscope in
the checkout) and serves ``fn`` to it from this process.

Importing gradscope needs the standard library alone; numpy, torch and jax are
imported only when the function or its inputs use them.
"""

from ._binary import BinaryNotFoundError, find_binary
from ._check import OPTIONS, assert_gradients, check, merge
from ._report import Block, Diagnosis, Entry, Report
from ._torch_watch import watch
from ._watch import Watcher, layer_statistics

__all__ = ["check", "assert_gradients", "merge", "Report", "Block", "Entry", "Diagnosis",
           "find_binary", "BinaryNotFoundError", "OPTIONS", "Watcher", "layer_statistics", "watch"]
__version__ = "0.2.0"
