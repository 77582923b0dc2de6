"The super-resolution section's building blocks and its headline effect, small and fast."
import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl.metrics import psnr
from aigc_tl.modalities.image.super_resolution import (
    ESPCN,
    bicubic_upscale,
    downscale,
    pixel_shuffle,
    random_crops,
    render_text_images,
    self_reconstruction_loss,
    sr_loss,
)


def test_pixel_shuffle_matches_torch():
    t = torch.randn(2, 18, 4, 5)
    assert torch.equal(pixel_shuffle(t, 3), nn.PixelShuffle(3)(t))


def test_untrained_espcn_is_bicubic_and_fresh_keeps_the_zero_tail():
    net, x = ESPCN(scale=2, width=8), torch.rand(2, 1, 8, 8)
    assert torch.equal(net(x), bicubic_upscale(x, 2))
    fresh = tl.Source(net).fresh()
    assert torch.equal(fresh(x), bicubic_upscale(x, 2))
    assert not torch.equal(fresh.body[0].weight, net.body[0].weight)


def test_renderer_is_deterministic_and_in_range():
    a, b = render_text_images(3, size=32, seed=5), render_text_images(3, size=32, seed=5)
    assert a.shape == (3, 1, 32, 32) and torch.equal(a, b)
    assert 0 <= a.min() < 0.5 < a.max() <= 1  # black text on white


@pytest.mark.parametrize(
    "call",
    [
        lambda: downscale(torch.rand(1, 1, 9, 8)),
        lambda: downscale(torch.rand(8, 8)),
        lambda: downscale(torch.full((1, 1, 8, 8), float("nan"))),
        lambda: bicubic_upscale(torch.rand(1, 1, 4, 4), scale=1),
        lambda: pixel_shuffle(torch.rand(1, 3, 2, 2), 2),
        lambda: ESPCN(scale=1.5),
        lambda: random_crops([torch.rand(1, 8, 8)], 2, 16, torch.Generator()),
        lambda: random_crops([], 2, 4, torch.Generator()),
        lambda: render_text_images(0),
        lambda: render_text_images(2, font_sizes=(10, 5)),
    ],
)
def test_bad_input_is_a_clear_error(call):
    with pytest.raises((TypeError, ValueError)):
        call()


def test_fine_tuning_beats_scratch_and_the_broken_recipe_learns_nothing():
    "Headline effect on a tiny config: a briefly pretrained source, one text image."
    from aigc_tl.core import fit

    torch.manual_seed(0)
    photos = [render_text_images(1, size=48, seed=s, font_sizes=(10, 14))[0] for s in (1, 2)]
    source = ESPCN(width=16)
    batch = lambda step: random_crops(photos, 16, 16, torch.Generator().manual_seed(step))
    fit(source, sr_loss, batch, steps=150, lr=2e-3, progress=False)
    held = render_text_images(8, size=32, seed=99, font_sizes=(10, 14))
    evaluate = lambda m: psnr(m(downscale(held)).clamp(0, 1), held)
    target = lambda g: random_crops(list(render_text_images(1, 48, 7, (10, 14))), 64, 16, g)
    src, recipe = tl.Source(source), tl.Recipe(steps=30, batch_size=16, lr=1e-3)
    run = lambda m, loss=sr_loss: tl.transfer(
        src, m, target, recipe=recipe, evaluate=evaluate, loss=loss, seeds=(0, 1)
    )
    ft, scratch = run(tl.FineTune()), run(tl.Scratch())
    bicubic = psnr(bicubic_upscale(downscale(held)).clamp(0, 1), held)
    assert ft.mean > scratch.mean + 0.3 and ft.mean > bicubic + 0.5
    broken = run(tl.Scratch(), self_reconstruction_loss)
    assert abs(broken.mean - bicubic) < 0.05
