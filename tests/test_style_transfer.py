"Neural style transfer (aigc_tl.modalities.image.style_transfer) on tiny inputs."

import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl.core import fit
from aigc_tl.data import load_photos
from aigc_tl.modalities.image.style_transfer import (
    FeatureTaps,
    TransformerNet,
    brush_strokes,
    colour_distance,
    content_loss,
    feed_forward_loss,
    gram_matrix,
    match_colour,
    orientation_distance,
    orientation_histogram,
    perceptual_loss,
    crops_per_image,
    style_loss,
    stylize,
)

LAYERS, STYLE, CONTENT = [2, 9, 12, 16], (2, 9, 16), 12


@pytest.fixture(scope="module")
def src():
    return tl.source("craft-vgg16bn")


@pytest.fixture(scope="module")
def taps(src):
    return FeatureTaps(src.model, LAYERS, src.preprocess)


@pytest.fixture(scope="module")
def cat():
    p = load_photos(["chelsea"], size=32)[0]
    return p[None, :, :32, (p.shape[-1] - 32) // 2 :][..., :32]


def test_feature_taps_shapes_freezing_and_errors(src, taps):
    feats = taps(torch.rand(2, 3, 32, 32))
    assert list(feats) == LAYERS
    assert [tuple(f.shape) for f in feats.values()] == [
        (2, 64, 32, 32),
        (2, 128, 16, 16),
        (2, 128, 16, 16),
        (2, 256, 8, 8),
    ]
    assert len(taps.body) == 17 and not taps.body.training
    assert not any(p.requires_grad for p in taps.parameters())
    for bad in ([], [39], [-1], [2.0], [True]):
        with pytest.raises(ValueError, match="layers"):
            FeatureTaps(src.model, bad)
    with pytest.raises(TypeError, match="nn.Sequential"):
        FeatureTaps(nn.Linear(2, 2), [0])


def test_tap_before_an_inplace_relu_is_not_overwritten(src):
    # layer 1 is a BatchNorm followed by ReLU(inplace=True): its tap must keep negatives
    feats = FeatureTaps(src.model, [1, 2], src.preprocess)(torch.rand(1, 3, 16, 16))
    assert (feats[1] < 0).any() and torch.equal(feats[2], feats[1].clamp_min(0))


def test_gram_matrix_value_symmetry_psd_and_errors():
    assert torch.allclose(
        gram_matrix(torch.ones(1, 2, 2, 2)), torch.full((1, 2, 2), 0.5)
    )
    g = gram_matrix(torch.randn(3, 5, 4, 6))
    assert g.shape == (3, 5, 5) and torch.allclose(g, g.transpose(1, 2))
    assert torch.linalg.eigvalsh(g.double()).min() > -1e-9
    f = torch.randn(2, 4, 8, 8)
    assert torch.allclose(
        gram_matrix(f), torch.einsum("nchw,ndhw->ncd", f, f) / f[0].numel(), atol=1e-6
    )
    with pytest.raises(ValueError, match="f must be a"):
        gram_matrix(torch.randn(4, 8, 8))


def test_losses_vanish_for_the_same_image_and_check_inputs(taps, cat):
    with torch.no_grad():
        f = taps(cat)
        grams = {l: gram_matrix(f[l]) for l in STYLE}
        assert content_loss(f[CONTENT], f[CONTENT]) == 0 and style_loss(f, grams) == 0
        other = taps(torch.rand_like(cat))
        assert style_loss(other, grams) > 0.1 and content_loss(other[12], f[12]) > 0.1
        out = perceptual_loss(other, f[CONTENT], grams, CONTENT, 10.0)
    assert torch.isclose(out["loss"], out["content"] + 10.0 * out["style"])
    with pytest.raises(ValueError, match="differ"):
        content_loss(f[9], f[16])
    with pytest.raises(ValueError, match="layers"):
        style_loss({2: f[2]}, grams)


def test_measures():
    brush, noise = brush_strokes(32)[None], torch.rand(1, 3, 32, 32)
    h = orientation_histogram(torch.cat([brush, noise]))
    assert h.shape == (2, 12) and torch.allclose(h.sum(1), torch.ones(2))
    assert h[0].argmax() in (2, 3) and h[1].max() < 0.2  # a 45° peak; noise is flat
    assert orientation_distance(brush, brush) == 0
    assert 0.1 < orientation_distance(noise, brush).item() <= 1
    assert colour_distance(brush, brush).item() < 1e-6
    assert colour_distance(noise, brush).item() > 0.05
    matched = match_colour(noise, brush)
    assert colour_distance(matched, brush) < colour_distance(noise, brush)
    assert torch.allclose(matched.mean((2, 3)), brush.mean((2, 3)), atol=0.02)
    with pytest.raises(ValueError, match="x must be a"):
        orientation_histogram(torch.rand(3, 8, 8))


def test_brush_strokes_is_deterministic_and_in_range():
    a, b = brush_strokes(24, seed=1), brush_strokes(24, seed=1)
    assert a.shape == (3, 24, 24) and torch.equal(a, b)
    assert (
        0 <= a.min() and a.max() <= 1 and not torch.equal(a, brush_strokes(24, seed=2))
    )


def test_stylize_checks_its_inputs(taps, cat):
    with pytest.raises(ValueError, match="RGB"):
        stylize(cat[:, :1], cat, taps, CONTENT, STYLE)
    with pytest.raises(ValueError, match="1 or N"):
        stylize(cat, torch.cat([cat] * 3), taps, CONTENT, STYLE)
    with pytest.raises(ValueError, match="steps"):
        stylize(cat, cat, taps, CONTENT, STYLE, steps=0)


def test_pretrained_features_transfer_strokes_and_random_ones_do_not(src, taps, cat):
    brush = brush_strokes(32)[None]
    torch.manual_seed(0)
    random = FeatureTaps(src.fresh(), LAYERS, src.preprocess)
    x_pre, hist = stylize(cat, brush, taps, CONTENT, STYLE, steps=15)
    x_rnd, _ = stylize(cat, brush, random, CONTENT, STYLE, steps=15)
    assert x_pre.shape == cat.shape and 0 <= x_pre.min() and x_pre.max() <= 1
    assert set(hist.values) >= {"loss", "content", "style"} and len(hist["loss"]) == 15
    d_pre, d_rnd = (orientation_distance(x, brush).item() for x in (x_pre, x_rnd))
    d_photo = orientation_distance(cat, brush).item()
    assert d_pre < 0.5 * d_rnd and d_pre < 0.4 * d_photo  # measured: 0.06, 0.30, 0.39


def test_transformer_net_crops_and_feed_forward_loss(taps, cat):
    net = TransformerNet(width=4, blocks=1)
    assert torch.equal(net(cat), cat)  # the identity before training
    with pytest.raises(ValueError, match="even"):
        net(cat[..., :31])
    with pytest.raises(ValueError, match="width"):
        TransformerNet(width=0)
    crops = crops_per_image([cat[0], cat[0]], 3, 16, torch.Generator().manual_seed(0))
    assert crops.shape == (6, 3, 16, 16)
    with pytest.raises(ValueError, match="smaller"):
        crops_per_image([cat[0]], 1, 40)
    with torch.no_grad():
        targets = taps(crops)[CONTENT]
    loss = feed_forward_loss(taps, brush_strokes(32)[None], CONTENT, STYLE)
    hist = fit(
        net, loss, (crops, targets), steps=3, batch_size=2, progress=False, log_every=1
    )
    assert len(hist["style"]) == 3 and not torch.equal(net(cat), cat)


def test_full_mode_path_vgg19_layers_on_random_weights(src):
    "The full-mode cell's taps (relu1_1..relu5_1, relu4_2) on VGG-19's architecture."
    from torchvision.models.vgg import cfgs, make_layers

    torch.manual_seed(0)
    vgg19 = make_layers(
        cfgs["E"]
    )  # torchvision vgg19().features, without the classifier
    big_style, big_content = (1, 6, 11, 20, 29), 22
    big = FeatureTaps(vgg19, [*big_style, big_content], src.preprocess)
    assert all(isinstance(vgg19[i], nn.ReLU) for i in (*big_style, big_content))
    x = torch.rand(1, 3, 32, 32)
    assert big(x)[29].shape == (1, 512, 2, 2)
    y, hist = stylize(x, brush_strokes(32)[None], big, big_content, big_style, steps=2)
    assert y.shape == x.shape and len(hist["loss"]) == 2
