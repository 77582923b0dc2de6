"""The video chapter's motion module: shapes, errors, the zero-init invariant, and the
headline effect on a small config (the motion module beats both the frozen image model
and a video U-Net from scratch)."""

import copy

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl import zoo
from aigc_tl.generative.diffusion import TinyUNet, alphas_cumprod
from aigc_tl.generative.gan import mnist_gan_images
from aigc_tl.modalities.video.motion_module import (
    MotionModule,
    TemporalLayer,
    VideoDenoiser,
    centre_frames,
    drifting_digits,
    same_label_fraction,
    video_ddpm_loss,
    video_heldout,
)


def test_temporal_layer_is_identity_at_init_and_mixes_time_after():
    layer = TemporalLayer(16)
    layer.frames = 3
    h = torch.randn(6, 16, 4, 4)
    assert torch.equal(layer(h), h)
    with torch.no_grad():
        layer.proj.weight.fill_(0.1)
    out = layer(h).view(2, 3, 16, 4, 4)
    h2 = h.clone().view(2, 3, 16, 4, 4)
    h2[:, 2] = torch.randn(2, 16, 4, 4)  # change the last frame only
    out2 = layer(h2.view(6, 16, 4, 4)).view(2, 3, 16, 4, 4)
    assert not torch.allclose(out[:, 1], out2[:, 1])  # frame 1 sees frame 2
    assert torch.allclose(out[:, 0], out2[:, 0])  # kernel 3: frame 0 does not


def test_temporal_layer_rejects_bad_shapes():
    layer = TemporalLayer(16)
    layer.frames = 4
    with pytest.raises(ValueError, match="frames=4"):
        layer(torch.randn(6, 16, 4, 4))


def test_video_model_equals_image_model_exactly_at_init():
    torch.manual_seed(0)
    image = TinyUNet()
    video = VideoDenoiser(copy.deepcopy(image))
    x, t = torch.randn(2, 5, 1, 16, 16), torch.tensor([3, 150])
    with torch.no_grad():
        ref = image(x.flatten(0, 1), t.repeat_interleave(5)).view(x.shape)
        assert torch.equal(video(x, t), ref)
    with pytest.raises(ValueError, match="clips"):
        video(x[0], t)


def test_motion_module_freezes_the_image_weights():
    src = tl.Source(TinyUNet())
    model = MotionModule().attach(src.model)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".temporal." in n for n in trainable)
    assert all(p.requires_grad for p in src.model.parameters())  # source untouched
    scratch = MotionModule(scratch=True)
    assert not scratch.pretrained and scratch.name == "video U-Net from scratch"
    full = scratch.attach(src.model)
    assert all(p.requires_grad for p in full.parameters())
    with pytest.raises(ValueError, match="no Conv2d"):
        VideoDenoiser(TinyUNet(), blocks=("t_mlp",))


def test_drifting_digits_and_centring():
    imgs = mnist_gan_images("test", 16)[0][:20]
    clips = drifting_digits(imgs, 5, 4, speed=1.0, seed=0)
    assert clips.shape == (5, 4, 1, 16, 16)
    assert torch.equal(clips, drifting_digits(imgs, 5, 4, speed=1.0, seed=0))
    c = centre_frames((clips.flatten(0, 1) + 1) / 2).view(5, 4, 1, 16, 16)
    assert torch.equal(c[:, 0], c[:, 3])  # a roll is undone by re-centring
    assert same_label_fraction(zoo.load("digitnet"), clips) == 1.0
    with pytest.raises(ValueError, match="images"):
        drifting_digits(imgs[0], 5, 4)
    with pytest.raises(ValueError, match="clips"):
        video_ddpm_loss(TinyUNet(), imgs, alphas_cumprod(torch.rand(10) * 0.01))


def test_motion_module_beats_frozen_and_scratch():
    src = tl.source("ddpm-mnist")
    betas = src.model.betas
    abar = alphas_cumprod(betas)
    train = drifting_digits(mnist_gan_images("train", 16)[0], 30, 4, seed=0)
    test = drifting_digits(mnist_gan_images("test", 16)[0], 60, 4, seed=1)
    frozen = video_heldout(MotionModule().attach(src.model), test, betas)
    kw = dict(
        recipe=tl.Recipe(steps=40, batch_size=4, lr=2e-3),
        evaluate=lambda m: video_heldout(m, test, betas),
        seeds=(0,),
        loss=lambda m, b: video_ddpm_loss(m, b[0], abar),
    )
    motion = tl.transfer(src, MotionModule(), (train,), **kw)
    scratch = tl.transfer(src, MotionModule(scratch=True), (train,), **kw)
    assert motion.mean < frozen - 0.003
    assert motion.mean < scratch.mean - 0.01
