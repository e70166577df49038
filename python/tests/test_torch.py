"""PyTorch: autograd functions, custom autograd.Function backward, nn.Module parameters,
value-only evaluations (no backward), float32 (against tests/fake_gradscope.py)."""

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch)")

import gradscope  # noqa: E402


class Square(torch.autograd.Function):
    backward_calls = 0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        Square.backward_calls += 1
        (x,) = ctx.saved_tensors
        return 2 * x * grad


class SquareSignBug(Square):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -2 * x * grad


X = torch.linspace(-1, 1, 5, dtype=torch.float64)


def test_scalar_output_checks_the_custom_backward(fake_binary):
    Square.backward_calls = 0
    report = gradscope.check(lambda x: Square.apply(x).sum(), X)
    assert report.passed
    # One gradient request: the value-only evaluations never ran the backward.
    assert Square.backward_calls == 1
    assert report.evaluations == 11


def test_wrong_backward_fails(fake_binary):
    assert gradscope.check(lambda x: SquareSignBug.apply(x).sum(), X).verdict == "fail"


def test_vector_output_is_checked_through_vjps(fake_binary):
    Square.backward_calls = 0
    report = gradscope.check(Square.apply, X)
    assert report.json["outputs"] == [{"name": "out", "shape": [5]}]
    assert report.passed
    assert Square.backward_calls == 1  # only for the cotangent request
    assert report.json["valueOnly"]["value"] == pytest.approx((X * X).tolist())
    assert gradscope.check(SquareSignBug.apply, X).verdict == "fail"


def test_float32_tensors(fake_binary):
    report = gradscope.check(lambda x: torch.sin(x).sum(), X.float())
    assert report.json["helloDtype"] == "float32" and report.passed


def test_integer_targets_are_constants(fake_binary):
    logits = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    report = gradscope.check(torch.nn.functional.cross_entropy, logits, torch.tensor([0, 1, 2, 0]))
    assert [b.name for b in report.blocks] == ["input"] and report.passed


def test_module_parameters_are_the_blocks(fake_binary):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    before = [p.detach().clone() for p in model.parameters()]
    data = torch.randn(4, 3)
    report = gradscope.check(model, data)
    assert [b.name for b in report.blocks] == ["0.weight", "0.bias"]
    assert report.json["helloDtype"] == "float32" and report.passed
    assert report.json["outputs"] == [{"name": "out", "shape": [4, 2]}]
    report = gradscope.check(model, data, dtype="float64")
    assert report.json["helloDtype"] == "float64" and report.passed
    # The caller's module is untouched (the check works on a copy).
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert next(model.parameters()).dtype == torch.float32


def test_module_with_a_scalar_loss(fake_binary):
    class Loss(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(3, 1).double()

        def forward(self, x, y):
            return ((self.linear(x).squeeze(1) - y) ** 2).mean()

    torch.manual_seed(1)
    report = gradscope.check(Loss(), torch.randn(5, 3, dtype=torch.float64),
                             torch.randn(5, dtype=torch.float64), jobs=2)
    assert [b.name for b in report.blocks] == ["linear.weight", "linear.bias"]
    assert "outputs" not in report.json or report.json["outputs"] is None
    assert report.passed
