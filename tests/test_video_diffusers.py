"""Motion modules with diffusers: zeroed modules are an exact no-op, only motion trains;
VideoMAE features on a tiny random config (no downloads)."""

import pytest
import torch
from diffusers import DDPMScheduler, UNetMotionModel
from transformers import VideoMAEConfig, VideoMAEModel

from aigc_tl.modalities.video.diffusers_motion import (
    animate,
    image_unet_per_frame,
    motion_modules,
    tiny_motion_adapter,
    tiny_unet,
    video_denoising_loss,
    video_unet,
    videomae_features,
    zero_motion_modules,
)


@pytest.fixture(scope="module")
def unet():
    return tiny_unet(seed=0)


def _clips(n=2, t=4, c=1, size=16, seed=0):
    return torch.rand(
        n, t, c, size, size, generator=torch.Generator().manual_seed(seed)
    )


def test_zeroed_motion_modules_are_a_no_op(unet):
    x = _clips() * 2 - 1
    with torch.no_grad():
        ref = image_unet_per_frame(unet, x, 30)
        raw = video_unet(animate(unet, tiny_motion_adapter(seed=0), zero=False), x, 30)
        zeroed = animate(unet, tiny_motion_adapter(seed=0))
        assert isinstance(zeroed, UNetMotionModel) and len(motion_modules(zeroed)) > 0
        assert video_unet(zeroed, x, 30).shape == x.shape
        assert (video_unet(zeroed, x, 30) - ref).abs().max() < 1e-5
        assert (video_unet(animate(unet), x, 30) - ref).abs().max() < 1e-5  # no adapter
    assert (raw - ref).abs().max() > 1e-2  # as shipped, the modules are not zero


def test_only_motion_parameters_train(unet):
    video = animate(unet, tiny_motion_adapter(seed=1))
    trainable = [n for n, p in video.named_parameters() if p.requires_grad]
    assert trainable and all("motion_modules" in n for n in trainable)
    frozen = {
        n: p.detach().clone()
        for n, p in video.named_parameters()
        if not p.requires_grad
    }
    sched, clips = DDPMScheduler(num_train_timesteps=100), _clips(2)
    opt = torch.optim.Adam([p for p in video.parameters() if p.requires_grad], 3e-3)
    held = lambda: video_denoising_loss(
        video, clips, sched, torch.Generator().manual_seed(5)
    ).item()
    before = held()
    for step in range(4):
        g = torch.Generator().manual_seed(step)
        loss = video_denoising_loss(video, clips, sched, g)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert held() < before - 0.01
    params = dict(video.named_parameters())
    assert all(torch.equal(params[n], v) for n, v in frozen.items())


def test_videomae_features_tiny():
    cfg = VideoMAEConfig(
        image_size=16,
        patch_size=8,
        num_frames=4,
        tubelet_size=2,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    mae = VideoMAEModel(cfg).eval()
    grey, rgb = _clips(3, 4, 1, 20), _clips(3, 4, 3, 16)
    assert videomae_features(mae, grey).shape == (3, 16)
    assert torch.isfinite(videomae_features(mae, rgb)).all()
    # grey clips are RGB clips with equal channels
    same = videomae_features(mae, grey.expand(-1, -1, 3, -1, -1).contiguous())
    assert torch.allclose(videomae_features(mae, grey), same, atol=1e-5)
    with pytest.raises(ValueError, match="frames"):
        videomae_features(mae, _clips(1, 6))


def test_bad_inputs(unet):
    with pytest.raises(TypeError, match="unet"):
        animate(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="adapter"):
        animate(unet, adapter=unet)
    with pytest.raises(ValueError, match="no motion modules"):
        zero_motion_modules(unet)
    with pytest.raises(TypeError, match="clips"):
        image_unet_per_frame(unet, torch.rand(4, 1, 16, 16), 0)
    with pytest.raises(TypeError, match="model"):
        video_unet(unet, _clips(), 0)
