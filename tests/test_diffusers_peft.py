"""aigc_tl.modalities.image.diffusers_peft: diffusers/peft against the book's DDPM
and LoRA, a tiny adaptation, and the SD LoRA DreamBooth path on a toy pipeline."""

import copy

import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl import zoo
from aigc_tl.algorithms.peft import LoRAConfig, LoRAConv2d, inject_lora
from aigc_tl.core import count_parameters
from aigc_tl.algorithms.peft import lora_state_dict
from aigc_tl.core import fit
from aigc_tl.data import MissingResource
from aigc_tl.generative.diffusion import alphas_cumprod, ddpm_betas, ddpm_loss, q_sample
from aigc_tl.modalities.image.diffusers_peft import (
    SD_LORA_TARGETS,
    UNET_LORA_TARGETS,
    PeftLoRA,
    book_lora_to_peft,
    ddpm_scheduler,
    dreambooth_lora,
    encode_latents,
    encode_prompts,
    generate,
    load_sd_pipeline,
    peft_lora,
    prepare_images,
    save_lora,
    scheduler_loss,
    scheduler_sample,
    tiny_sd_pipeline,
    tiny_unet2d,
    tiny_unet2d_condition,
)
from aigc_tl.modalities.image.few_shot import EpsMSE, sample_fast

BETAS = ddpm_betas(50)
SMALL = dict(block_out_channels=(8, 16))  # a faster UNet2DModel for the tests


@pytest.fixture(scope="module")
def unet():
    torch.manual_seed(0)
    return tiny_unet2d(**SMALL).eval()


def test_tiny_unets_shapes():
    torch.manual_seed(0)
    u = tiny_unet2d(**SMALL)
    assert u(torch.randn(3, 1, 16, 16), torch.tensor([0, 1, 49])).sample.shape == (
        3,
        1,
        16,
        16,
    )
    c = tiny_unet2d_condition()
    out = c(
        torch.randn(2, 4, 16, 16),
        torch.tensor([0, 9]),
        encoder_hidden_states=torch.randn(2, 5, 16),
    ).sample
    assert out.shape == (2, 4, 16, 16)
    assert "unet2d-mnist" in zoo.available("quick")


def test_scheduler_matches_the_book_forward_process_loss_and_sampler(unet):
    sched = ddpm_scheduler(BETAS)
    abar = alphas_cumprod(BETAS)
    g = torch.Generator().manual_seed(0)
    x0 = torch.rand(6, 1, 16, 16, generator=g) * 2 - 1
    t, noise = (
        torch.randint(0, 50, (6,), generator=g),
        torch.randn(6, 1, 16, 16, generator=g),
    )
    assert torch.allclose(
        sched.add_noise(x0, noise, t), q_sample(x0, t, noise, abar), atol=1e-6
    )
    with torch.no_grad():
        a, b = (
            scheduler_loss(unet, x0, sched, t, noise),
            ddpm_loss(unet, x0, abar, t, noise),
        )
    assert abs(a.item() - b.item()) < 1e-6
    lib = scheduler_sample(
        unet, sched, 3, steps=10, generator=torch.Generator().manual_seed(1)
    )
    ours = sample_fast(unet, 3, BETAS, 10, generator=torch.Generator().manual_seed(1))
    assert lib.shape == (3, 1, 16, 16) and (lib - ours).abs().max() < 1e-3


def test_scheduler_bad_input(unet):
    with pytest.raises(ValueError, match="betas"):
        ddpm_scheduler(torch.tensor([0.1, 1.5]))
    with pytest.raises(ValueError, match="betas"):
        ddpm_scheduler([0.1, 0.2])
    with pytest.raises(ValueError, match="x0"):
        scheduler_loss(unet, torch.zeros(2, 16, 16), ddpm_scheduler(BETAS))
    with pytest.raises(ValueError, match="n must be"):
        scheduler_sample(unet, ddpm_scheduler(BETAS), 0)


def test_v_prediction_target(unet):
    sched = ddpm_scheduler(BETAS, prediction_type="v_prediction")
    x0, t, noise = (
        torch.zeros(2, 1, 16, 16),
        torch.tensor([3, 40]),
        torch.randn(2, 1, 16, 16),
    )
    zero = lambda x, t: torch.zeros_like(x)  # predicts v = 0: loss = mean v²
    abar = alphas_cumprod(BETAS)[t].view(-1, 1, 1, 1)
    assert torch.isclose(
        scheduler_loss(zero, x0, sched, t, noise), (abar * noise**2).mean(), atol=1e-6
    )


def test_peft_lora_is_the_book_lora_on_both_unets(unet):
    torch.manual_seed(0)
    for model, kw in [
        (unet, {}),
        (
            tiny_unet2d_condition().eval(),
            {"encoder_hidden_states": torch.randn(2, 5, 16)},
        ),
    ]:
        x = torch.randn(2, model.config.in_channels, 16, 16)
        t = torch.tensor([1, 30])
        ours = inject_lora(
            copy.deepcopy(model), LoRAConfig(4, 8, target_modules=UNET_LORA_TARGETS)
        )
        for n, p in ours.named_parameters():
            if n.endswith("lora_B"):
                nn.init.normal_(p, std=0.05)
        theirs = peft_lora(copy.deepcopy(model), 4, 8)
        missing, unexpected = theirs.load_state_dict(
            book_lora_to_peft(lora_state_dict(ours)), strict=False
        )
        assert not unexpected and not [k for k in missing if "lora_" in k]
        assert count_parameters(ours) == count_parameters(theirs)
        with torch.no_grad():
            a, b = ours(x, t, **kw).sample, theirs(x, t, **kw).sample
            base = model(x, t, **kw).sample
        assert (a - b).abs().max() < 1e-5 and (a - base).abs().max() > 1e-3
    assert (
        type(theirs).__name__ == "UNet2DConditionModel"
    )  # in place: class and config kept


def test_book_lora_handles_dilation_and_peft_lora_refuses_it():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=2, dilation=2)
    lora = LoRAConv2d(conv, r=2, alpha=4)
    nn.init.normal_(lora.lora_B)
    x = torch.randn(1, 3, 9, 9)
    merged = nn.functional.conv2d(
        x, conv.weight + lora.delta_weight(), conv.bias, padding=2, dilation=2
    )
    assert torch.allclose(lora(x), merged, atol=1e-5)
    with pytest.raises(ValueError, match="dilation"):
        peft_lora(nn.Sequential(conv), targets=["0"])
    with pytest.raises(ValueError, match="no module"):
        peft_lora(nn.Sequential(conv), targets=["nothing"])
    with pytest.raises(TypeError, match="targets"):
        peft_lora(nn.Sequential(conv), targets="0")
    with pytest.raises(ValueError, match="lora_A"):
        book_lora_to_peft({"layer.weight": torch.zeros(1)})


def test_fine_tune_and_peft_lora_beat_scratch_from_a_briefly_pretrained_unet():
    "The headline effect at toy scale: a pretrained start adapts, scratch has not."
    gen = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.arange(16.0), torch.arange(16.0), indexing="ij")

    def blobs(n, square):  # source: round blobs; target: squares (a related domain)
        c = torch.randint(5, 11, (n, 2), generator=gen).float()
        dy, dx = yy - c[:, :1, None], xx - c[:, 1:, None]
        inside = torch.maximum(dy.abs(), dx.abs()) < 3 if square else dy**2 + dx**2 < 9
        return inside.float()[:, None] * 2 - 1

    torch.manual_seed(0)
    source = tiny_unet2d(**SMALL)
    abar = alphas_cumprod(BETAS)
    fit(
        source,
        lambda m, b: ddpm_loss(m, b[0], abar),
        (blobs(256, False),),
        steps=40,
        batch_size=32,
        lr=3e-3,
        progress=False,
    )
    source.eval().register_buffer("betas", BETAS, persistent=False)
    src = tl.Source(source)
    heldout = EpsMSE(blobs(20, True), BETAS, draws=2, seed=1)
    shots = (blobs(10, True),)
    score = {}
    for method, lr in [
        (tl.Scratch(), 1e-3),
        (tl.FineTune(), 1e-3),
        (PeftLoRA(2), 5e-3),
    ]:
        r = tl.transfer(
            src,
            method,
            shots,
            recipe=tl.Recipe(steps=8, batch_size=10, lr=lr),
            evaluate=heldout,
            seeds=(0,),
            loss=lambda m, b: ddpm_loss(m, b[0], abar),
        )
        score[method.name] = r.mean
        if isinstance(method, PeftLoRA):
            assert r.trainable < 0.3 * r.total
    assert score["fine-tune"] < 0.7 * score["scratch"]
    assert score["LoRA r=2 (peft)"] < 0.7 * score["scratch"]


@pytest.fixture(scope="module")
def pipe():
    return tiny_sd_pipeline(seed=0)


def test_encoders_and_prepare_images(pipe):
    from PIL import Image

    ims = [Image.new("RGB", (40, 30), (255, 0, 0)), Image.new("L", (20, 50), 128)]
    x = prepare_images(ims, 32)
    assert x.shape == (2, 3, 32, 32) and x.min() >= -1 and x.max() <= 1
    assert torch.allclose(x[0, 0], torch.ones(32, 32)) and torch.allclose(
        x[0, 1], -torch.ones(32, 32)
    )
    mean, std = encode_latents(pipe, x, batch_size=1)
    assert mean.shape == std.shape == (2, 4, 16, 16) and (std > 0).all()
    assert encode_prompts(pipe, ["a", "b c"]).shape == (
        2,
        pipe.tokenizer.model_max_length,
        16,
    )


def test_dreambooth_lora_trains_only_the_adapter_and_samples(pipe, tmp_path):
    "The full-mode cell's path: 2 training steps with prior preservation, 1 sampling."
    torch.manual_seed(0)
    images, prior = torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 3, 32, 32) * 2 - 1
    vae, text = (
        copy.deepcopy(pipe.vae.state_dict()),
        copy.deepcopy(pipe.text_encoder.state_dict()),
    )
    base = copy.deepcopy(pipe.unet.state_dict())
    hist = dreambooth_lora(
        pipe,
        images,
        "a photo of sks dog",
        class_images=prior,
        class_prompt="a photo of dog",
        steps=2,
        lr=1e-2,
    )
    assert len(hist["loss"]) >= 1 and all(torch.isfinite(torch.tensor(hist["loss"])))
    now = pipe.unet.state_dict()
    wrapped = lambda k: k if k in now else ".base_layer.".join(k.rsplit(".", 1))
    assert all(torch.equal(v, now[wrapped(k)]) for k, v in base.items())  # U-Net frozen
    assert all(torch.equal(v, pipe.vae.state_dict()[k]) for k, v in vae.items())
    assert all(
        torch.equal(v, pipe.text_encoder.state_dict()[k]) for k, v in text.items()
    )
    lora_b = [p for n, p in pipe.unet.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.requires_grad and p.dtype == torch.float32 for p in lora_b)
    assert any(p.abs().max() > 0 for p in lora_b)  # B left zero: the adapter trained
    lora_names = [n for n, _ in pipe.unet.named_parameters() if "lora_" in n]
    assert all(any(f".{t}." in n for t in SD_LORA_TARGETS) for n in lora_names)
    out = generate(pipe, "a photo of sks dog", n=1, steps=2)
    assert out.shape == (1, 3, 32, 32) and out.abs().max() <= 1
    file = save_lora(pipe, tmp_path)
    assert file.exists() and file.stat().st_size < 500_000


def test_dreambooth_bad_input_and_missing_checkpoint(pipe):
    x = torch.zeros(1, 3, 32, 32)
    with pytest.raises(ValueError, match="images"):
        dreambooth_lora(pipe, torch.zeros(1, 1, 32, 32), "p")
    with pytest.raises(TypeError, match="prompt"):
        dreambooth_lora(pipe, x, "")
    with pytest.raises(ValueError, match="together"):
        dreambooth_lora(pipe, x, "p", class_images=x)
    with pytest.raises(ValueError, match="prior_weight"):
        dreambooth_lora(pipe, x, "p", class_images=x, class_prompt="q", prior_weight=-1)
    with pytest.raises(MissingResource, match="no-such/stable-diffusion"):
        load_sd_pipeline("no-such/stable-diffusion", offline=True)
