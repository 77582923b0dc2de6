"Domain adaptation: the gradient-reversal layer, CORAL/MMD losses, DA methods."

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.core import fit, predict, seed_everything
from aigc_tl.cross_domain.adaptation import (
    DAN,
    DANN,
    DeepCORAL,
    DigitMLP,
    SGDRecipe,
    coral_loss,
    grad_reverse,
    mmd_loss,
    source_cross_entropy,
    texture_blend,
)
from aigc_tl.data import load_digits8


def test_grad_reverse_is_minus_lambda_grad():
    z = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, dtype=torch.float64)
    out = grad_reverse(z, 0.7)
    (out * w).sum().backward()
    assert torch.equal(out, z) and torch.equal(z.grad, -0.7 * w)


def test_losses_shapes_and_bad_input():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(32, 6, generator=g), torch.randn(32, 6, generator=g)
    assert coral_loss(a, b).dim() == 0 and mmd_loss(a, b).dim() == 0
    assert mmd_loss(a, b + 2) > 5 * mmd_loss(a, b)
    with pytest.raises(ValueError, match="features"):
        coral_loss(a, b[:, :3])
    with pytest.raises(ValueError, match="2 samples"):
        mmd_loss(a[:1], b)
    with pytest.raises(ValueError, match="weight"):
        DeepCORAL(-1.0)
    with pytest.raises(ValueError, match="images"):
        texture_blend(torch.rand(3, 8, 8))
    assert texture_blend(torch.rand(5, 1, 8, 8)).shape == (5, 3, 8, 8)


def test_dann_attaches_discriminator_and_trains_it():
    m = DANN(0.3, steps=5)
    model = m.attach(DigitMLP(), head="head")
    assert hasattr(model, "domain_discriminator")
    x = torch.rand(8, 3, 8, 8)
    loss = m.loss(model, (x, torch.arange(8) % 10, x + 0.5))
    loss.backward()
    assert model.domain_discriminator[0].weight.grad.abs().sum() > 0


def test_headline_alignment_beats_source_only():
    x_tr, y_tr = load_digits8("train")
    x_te, y_te = load_digits8("test")
    g = torch.Generator().manual_seed(0)
    xs, xt, xe = x_tr.expand(-1, 3, -1, -1), texture_blend(x_tr, generator=g), None
    xe = texture_blend(x_te, generator=g)
    steps = 120
    recipe = SGDRecipe(steps=steps, batch_size=64, lr=0.01, weight_decay=5e-4)
    seed_everything(0)
    base = DigitMLP()
    opt = lambda _: recipe.optimizer([{"params": base.parameters()}])
    fit(
        base,
        source_cross_entropy,
        (xs, y_tr, xs),
        steps=steps,
        optimizer=opt,
        progress=False,
    )
    src = tl.Source(base, head="head")

    def pairs(gen):
        return xs, y_tr, xt[torch.randint(len(xt), (len(xs),), generator=gen)]

    def acc(model):
        return float((predict(model, xe).argmax(1) == y_te).float().mean())

    def run(method):
        return tl.transfer(
            src,
            method,
            pairs,
            recipe=recipe,
            evaluate=acc,
            seeds=(0, 1),
            loss=source_cross_entropy,
        ).mean

    so = run(tl.FineTune(name="source only"))
    assert run(DAN(1.0)) > so + 0.03
