"The temporal-consistency section: its building blocks and headline effects, fast."

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.data import grey, panning_clips
from aigc_tl.metrics import psnr
from aigc_tl.modalities.image.super_resolution import ESPCN, downscale
from aigc_tl.modalities.video.temporal import (
    MultiFrameESPCN,
    flow_blend,
    frame_windows,
    in_frame,
    inflate_espcn,
    multi_frame_sr,
    occlusion_mask,
    pan_flows,
    pan_masks,
    per_frame_sr,
    temporal_sr_loss,
    warp,
    warp_error,
)


@pytest.fixture(scope="module")
def pans():
    clips, v = panning_clips(12, 5, 32, split="test", photo_size=128)
    flows = pan_flows(v, 5, 32)
    return grey(clips), flows, pan_masks(flows)


def lr_of(video):
    return downscale(video.flatten(0, 1)).unflatten(0, video.shape[:2])


def test_warp_with_the_known_pan_flow_is_exact(pans):
    hr, flows, masks = pans
    prev = warp(hr[:, :-1].flatten(0, 1), flows.flatten(0, 1))
    cur, m = hr[:, 1:].flatten(0, 1), masks.flatten(0, 1)
    assert (m * (prev - cur)).abs().max() < 1e-5
    assert warp_error(hr, flows, masks) < 1e-10
    assert 0 < m.mean() < 1  # the borders are masked out


def test_warp_is_a_shift_and_the_mask_marks_the_border():
    x = torch.rand(1, 2, 6, 7)
    f = torch.tensor([-1.0, 2.0])[None, :, None, None].expand(1, 2, 6, 7)
    assert torch.allclose(warp(x, f)[..., 1:, :-2], x[..., :-1, 2:], atol=1e-6)
    assert in_frame(f).sum() == 5 * 5
    zero = torch.zeros(1, 2, 6, 7)
    assert torch.allclose(warp(x, zero), x, atol=1e-6)


def test_occlusion_mask_keeps_consistent_flows_and_drops_inconsistent_ones():
    f = torch.full((1, 2, 8, 8), 1.0)
    assert occlusion_mask(f, -f)[..., :7, :7].all()  # forward = −backward
    assert not occlusion_mask(f, f)[..., :7, :7].any()  # they disagree by 2 px


def test_zero_initialised_three_frame_model_equals_the_per_frame_model(pans):
    torch.manual_seed(0)
    image = ESPCN(width=8)
    torch.nn.init.normal_(image.tail.weight, std=0.1)  # a non-trivial image model
    lr = lr_of(pans[0])
    mf = inflate_espcn(image)
    assert torch.allclose(multi_frame_sr(mf, lr), per_frame_sr(image, lr), atol=1e-6)
    assert frame_windows(lr).shape == (12 * 3, 3, 1, 16, 16)
    fresh = tl.Source(mf).fresh()  # scratch: random body, zero tail = bicubic
    assert torch.count_nonzero(fresh.sr.tail.weight) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: warp(torch.rand(1, 1, 4, 4), torch.zeros(1, 1, 4, 4)),
        lambda: warp(torch.rand(4, 4), torch.zeros(1, 2, 4, 4)),
        lambda: pan_flows(torch.zeros(3), 4, 8),
        lambda: pan_flows(torch.zeros(3, 2), 1, 8),
        lambda: warp_error(
            torch.rand(1, 3, 1, 4, 4),
            torch.zeros(1, 3, 2, 4, 4),
            torch.ones(1, 2, 1, 4, 4),
        ),
        lambda: warp_error(torch.rand(1, 1, 1, 4, 4), None, None),
        lambda: per_frame_sr(ESPCN(width=8), torch.rand(1, 1, 4, 4)),
        lambda: flow_blend(ESPCN(width=8), None, None, None, alpha=0.0),
        lambda: MultiFrameESPCN(frames=2),
        lambda: in_frame(torch.zeros(1, 3, 4, 4)),
        lambda: inflate_espcn(torch.nn.Conv2d(1, 1, 3)),
        lambda: occlusion_mask(torch.zeros(1, 2, 4, 4), torch.zeros(1, 2, 4, 5)),
    ],
)
def test_bad_input_is_a_clear_error(call):
    with pytest.raises((TypeError, ValueError)):
        call()


def test_headline_blend_wins_and_the_warping_loss_steadies(pans):
    "The trade-off on a tiny config: the bundled photo model, 30 steps, one seed."
    hr, flows, masks = pans
    src, lr = tl.source("espcn-photos"), lr_of(pans[0])
    with torch.no_grad():
        per = per_frame_sr(src.model, lr).clamp(0, 1)
        blend = flow_blend(src.model, lr, flows, masks).clamp(0, 1)
    flat = lambda v: v.flatten(0, 1)
    assert psnr(flat(blend), flat(hr)) > psnr(flat(per), flat(hr)) + 0.3
    assert warp_error(blend, flows, masks) < 0.5 * warp_error(per, flows, masks)
    clips, v = panning_clips(48, 4, 32, split="train", photo_size=128)
    f = pan_flows(v, 4, 32)
    data = (grey(clips), f, pan_masks(f))
    r = tl.transfer(
        src,
        tl.FineTune(),
        data,
        recipe=tl.Recipe(30, 4, 3e-4),
        evaluate=lambda m: warp_error(per_frame_sr(m, lr), flows, masks),
        seeds=(0,),
        loss=lambda m, b: temporal_sr_loss(m, b, weight=3.0),
    )
    assert r.mean < 0.8 * warp_error(per, flows, masks)
