"""Inflating image networks to video: the two exact invariants, the two pitfalls."""

import pytest
import torch
from torch import nn

from aigc_tl.modalities.video.inflation import (
    ClipClassifier,
    FrameFlatten,
    InflatedConv3d,
    frame_by_frame,
    inflate,
    inflate_conv,
    per_frame,
    sliding_digits,
)
from aigc_tl.zoo import DigitNet


def _clips(static: bool, t: int = 6) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    if static:
        return torch.rand(3, 1, 1, 28, 28, generator=g).repeat(1, t, 1, 1, 1)
    return torch.rand(3, t, 1, 28, 28, generator=g)


def _diff(video, image, x) -> float:
    with torch.no_grad():
        return (video(x) - frame_by_frame(image, x)).abs().max().item()


def test_conv_shapes_and_identities():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 5, 3, stride=2, padding=1)
    x = torch.randn(2, 3, 7, 10, 10)
    y = inflate_conv(conv, 3, "centre")(x)
    assert isinstance(inflate_conv(conv), InflatedConv3d)
    assert y.shape == (2, 5, 7, 5, 5)
    assert (y - per_frame(conv, x)).abs().max() < 1e-5
    still = x[:, :, :1].repeat(1, 1, 7, 1, 1)
    rep = inflate_conv(conv, 5, "repeat", "replicate")
    assert (rep(still) - per_frame(conv, still)).abs().max() < 1e-5
    assert (rep(x) - per_frame(conv, x)).abs().max() > 0.1


def test_digitnet_invariants_and_zero_padding_pitfall():
    torch.manual_seed(0)
    net = DigitNet().eval()  # the invariants hold for any weights
    static, moving = _clips(True), _clips(False)
    assert inflate(net)(moving).shape == (3, 6, 10)
    assert _diff(inflate(net, 3, "repeat"), net, static) < 1e-4
    assert _diff(inflate(net, 3, "centre"), net, moving) < 1e-4
    assert _diff(inflate(net, 3, "centre", "zeros"), net, moving) < 1e-4
    zeros = inflate(net, 3, "repeat", "zeros")
    with torch.no_grad():
        err = (zeros(static) - frame_by_frame(net, static)).abs().amax(dim=(0, 2))
    assert err[0] > 1e-3 and err[-1] > 1e-3 and err[2:-2].max() < 1e-4
    assert isinstance(inflate(net).net.body[6], FrameFlatten)
    assert isinstance(net.body[0], nn.Conv2d)  # the image network is left untouched


def test_pooled_groupnorm_pitfall():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.GroupNorm(2, 8), nn.SiLU())
    static = _clips(True)
    fading = _clips(False) * torch.linspace(0.2, 1, 6).view(1, -1, 1, 1, 1)
    frame, pooled = inflate(net, norm="frame"), inflate(net, norm="pooled")
    assert _diff(frame, net, fading) < 1e-4
    assert _diff(pooled, net, static) < 1e-4
    assert _diff(pooled, net, fading) > 1e-2
    bn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8)).train()
    assert _diff(inflate(bn, norm="pooled"), bn, fading) < 1e-4


@pytest.mark.parametrize(
    "kwargs, err",
    [
        (dict(time_kernel=2), ValueError),
        (dict(time_kernel=3.0), TypeError),
        (dict(init="middle"), ValueError),
        (dict(time_padding="reflect"), ValueError),
    ],
)
def test_bad_conv_arguments(kwargs, err):
    with pytest.raises(err):
        inflate_conv(nn.Conv2d(1, 1, 3), **kwargs)


def test_bad_model_arguments():
    with pytest.raises(TypeError, match="nn.Conv2d"):
        inflate_conv(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="nn.Module"):
        inflate("digitnet")
    with pytest.raises(ValueError, match="norm"):
        inflate(DigitNet(), norm="batch")
    with pytest.raises(TypeError, match="LSTM"):
        inflate(nn.Sequential(nn.LSTM(2, 2)))
    with pytest.raises(ValueError, match="padding_mode"):
        inflate_conv(nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular"))


def test_sliding_digits_and_clip_classifier():
    clips, right = sliding_digits(4, frames=3, speed=2, split="test", seed=0)
    assert clips.shape == (4, 3, 1, 28, 28) and set(right.tolist()) <= {0, 1}
    v = 2 * right - 1  # frame t+1 is frame t rolled by ±2 px
    for i in range(4):
        assert torch.equal(clips[i, 1], clips[i, 0].roll(2 * int(v[i]), -1))
    torch.manual_seed(0)
    clf = ClipClassifier(inflate(DigitNet().body), 128, 2)
    assert clf(clips).shape == (4, 2)
