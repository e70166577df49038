"""A custom torch.autograd.Function with a hand-written backward, and an nn.Module that uses
it, checked with GradScope from pytest.

    pip install ./python pytest            # with PyTorch installed (Debian: python3-torch)
    pytest Examples/python/test_torch_function.py

GradScope takes the analytic side from autograd, so the backward you wrote is what gets
checked; the numerical side are calibrated finite differences of the forward.
"""

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed")

import gradscope  # noqa: E402


class Swish(torch.autograd.Function):
    """swish(x) = x·σ(x); d/dx = σ(x) + x·σ(x)·(1 − σ(x))."""

    @staticmethod
    def forward(ctx, x):
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_out):
        x, s = ctx.saved_tensors
        return grad_out * (s + x * s * (1 - s))


class SwishForgotProductRule(Swish):
    """The bug: d/dx (x·σ(x)) written as σ(x)."""

    @staticmethod
    def backward(ctx, grad_out):
        x, s = ctx.saved_tensors
        return grad_out * s


X = torch.linspace(-3, 3, 12, dtype=torch.float64).reshape(3, 4)


def test_swish_backward_is_right():
    gradscope.assert_gradients(Swish.apply, X)


def test_swish_backward_is_right_in_float32_too():
    report = gradscope.check(Swish.apply, X.float())
    assert report.precision == "float32"
    assert report.passed, report.text


def test_wrong_backward_fails():
    with pytest.raises(AssertionError, match="FAIL"):
        gradscope.assert_gradients(SwishForgotProductRule.apply, X)
    # The same bug seen through a scalar loss.
    report = gradscope.check(lambda x: SwishForgotProductRule.apply(x).pow(2).sum(), X)
    assert report.verdict == "fail"


class SwishMLP(torch.nn.Module):
    def __init__(self, activation=Swish):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 2)
        self.activation = activation

    def forward(self, x):
        return self.out(self.activation.apply(self.hidden(x)))


def test_module_parameters_are_checked_block_by_block():
    torch.manual_seed(0)
    model = SwishMLP().double()
    data = torch.randn(5, 4, dtype=torch.float64)
    report = gradscope.assert_gradients(model, data)
    assert [b.input for b in report.blocks] == ["hidden.weight", "hidden.bias",
                                                 "out.weight", "out.bias"]


def test_module_with_the_wrong_backward_fails_in_the_layers_before_it():
    torch.manual_seed(0)
    model = SwishMLP(SwishForgotProductRule).double()
    report = gradscope.check(model, torch.randn(5, 4, dtype=torch.float64))
    verdicts = {b.input: b.verdict for b in report.blocks}
    assert verdicts == {"hidden.weight": "fail", "hidden.bias": "fail",
                        "out.weight": "pass", "out.bias": "pass"}
