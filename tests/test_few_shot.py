"""aigc_tl.modalities.image.few_shot: glyphs, ε-MSE, copy check, a tiny adaptation."""

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.core import Evaluate, fit
from aigc_tl.data import MissingResource
from aigc_tl.generative.diffusion import TinyUNet, alphas_cumprod, ddpm_betas, ddpm_loss
from aigc_tl.generative.gan import DCGAN
from aigc_tl.modalities.image.few_shot import (
    WQY_FONT,
    EmpiricalDenoiser,
    EpsMSE,
    FreezeD,
    KeepBest,
    adapt_ddpm,
    copy_rate,
    frequent_hanzi,
    nearest_distance,
    render_glyphs,
    respace,
    sample_fast,
)

needs_font = pytest.mark.skipif(
    not WQY_FONT.is_file(), reason="fonts-wqy-microhei not installed"
)
CHARS = list("山水人月风花雪夜江天春秋日云")


@pytest.fixture(scope="module")
def glyphs():
    return render_glyphs(CHARS)


@needs_font
def test_render_glyphs_look_like_the_zoo_mnist(glyphs):
    assert glyphs.shape == (len(CHARS), 1, 16, 16) and glyphs.dtype == torch.float32
    assert glyphs.min() == -1 and glyphs.max() <= 1 and glyphs.max() > 0.5
    assert (glyphs[:, :, 0] == -1).all() and (
        glyphs[:, :, :, 0] == -1
    ).all()  # black border
    ink = glyphs + 1
    cols = (ink.sum((1, 2)) * torch.arange(16.0)).sum(1) / ink.sum((1, 2, 3))
    rows = (ink.sum((1, 3)) * torch.arange(16.0)).sum(1) / ink.sum((1, 2, 3))
    assert (cols - 7.5).abs().max() < 1.5 and (rows - 7.5).abs().max() < 1.5  # centred
    assert render_glyphs(["山"], size=32).shape == (1, 1, 32, 32)
    assert not torch.equal(glyphs[0], glyphs[1])


def test_render_glyphs_bad_input_and_missing_font(tmp_path):
    with pytest.raises(TypeError, match="chars"):
        render_glyphs("山水")  # a string, not a list of characters
    with pytest.raises(ValueError, match="fill"):
        render_glyphs(["山"], fill=1.5)
    with pytest.raises(MissingResource, match="fonts-wqy-microhei"):
        render_glyphs(["山"], font=tmp_path / "no-such-font.ttc")


def test_frequent_hanzi():
    assert frequent_hanzi(["山山水 a1。", "水山"], 2) == ["山", "水"]
    with pytest.raises(ValueError, match="n must be"):
        frequent_hanzi(["山水"], 3)


def _tiny_unet(seed=0):
    torch.manual_seed(seed)
    return TinyUNet(width=8).eval()


def test_eps_mse_is_ddpm_loss_at_fixed_stratified_draws():
    betas, x0 = ddpm_betas(50), torch.rand(6, 1, 16, 16) * 2 - 1
    score, model = EpsMSE(x0, betas, draws=3, seed=1), _tiny_unet()
    ref = ddpm_loss(model, score.x0, alphas_cumprod(betas), score.t, score.noise)
    assert len(score.x0) == 18 and abs(score(model) - ref.item()) < 1e-6
    assert score(model) == score(model)  # the same draws every call
    assert EpsMSE(x0, betas, 3, seed=2)(model) != score(model)
    m, T = len(score.t), len(betas)
    assert all(
        i * T / m - 1 < t < (i + 1) * T / m for i, t in enumerate(score.t.sort()[0])
    )
    with pytest.raises(ValueError, match="x0"):
        EpsMSE(torch.rand(16, 16), betas)
    with pytest.raises(ValueError, match="draws"):
        EpsMSE(x0, betas, draws=0)


def test_respace_keeps_alphas_bar():
    betas = ddpm_betas(200)
    tau, short = respace(betas, 20)
    assert tau[0] == 0 and tau[-1] == 199 and len(short) == 20
    assert torch.allclose(alphas_cumprod(short), alphas_cumprod(betas)[tau])
    assert torch.allclose(respace(betas, 200)[1], betas, atol=1e-6)
    with pytest.raises(ValueError, match="steps"):
        respace(betas, 0)


def test_copy_rate_and_nearest_distance():
    g = torch.Generator().manual_seed(0)
    train, heldout = (
        torch.rand(10, 1, 8, 8, generator=g),
        torch.rand(40, 1, 8, 8, generator=g),
    )
    assert torch.allclose(nearest_distance(train, train), torch.zeros(10), atol=1e-3)
    assert copy_rate(train, train, heldout) == 1.0
    assert copy_rate(train + 0.01, train, heldout) == 1.0
    assert copy_rate(torch.rand(200, 1, 8, 8, generator=g), train, heldout) < 0.2
    with pytest.raises(ValueError, match="shape"):
        copy_rate(torch.rand(5, 1, 4, 4), train, heldout)
    with pytest.raises(ValueError, match="q"):
        copy_rate(train, train, heldout, q=1.5)


def test_empirical_denoiser_fits_and_copies():
    betas, g = ddpm_betas(50), torch.Generator().manual_seed(0)
    train = torch.rand(5, 1, 8, 8, generator=g) * 2 - 1
    memoriser = EmpiricalDenoiser(train, betas)
    t = torch.full((5,), 2)
    noise = torch.randn(train.shape, generator=g)
    assert ddpm_loss(memoriser, train, alphas_cumprod(betas), t, noise) < 1e-3
    samples = sample_fast(memoriser, 12, betas, 10, (1, 8, 8), generator=g)
    assert (
        copy_rate(samples, train, torch.rand(30, 1, 8, 8, generator=g) * 2 - 1) == 1.0
    )


def test_keep_best_keeps_the_lowest_validation_step():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    scores = iter([5.0, 3.0, 4.0, 1.0, 2.0, 6.0])  # steps 0, 2, 4, 6, 8, 10
    keep = KeepBest("val", keep_steps=(4,))
    seen = {}

    def evaluate(m):
        v = next(scores)
        seen[v] = m.weight.detach().clone()
        return {"val": v}

    fit(
        model,
        lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(),
        (x, y),
        steps=10,
        batch_size=8,
        progress=False,
        callbacks=[Evaluate(evaluate, 2, True), keep],
    )
    assert keep.best == 1.0 and keep.best_step == 6 and set(keep.states) == {4}
    assert torch.equal(keep.best_state["weight"], seen[1.0])


def test_freeze_d_freezes_the_lower_discriminator_layers():
    gan = DCGAN(z_dim=8, width=8, size=16)
    model = FreezeD(1).attach(gan)
    d = model.discriminator.net
    assert not any(p.requires_grad for p in d[0].parameters())
    assert all(p.requires_grad for p in d[2].parameters())
    assert all(p.requires_grad for p in model.generator.parameters())
    assert all(p.requires_grad for p in gan.parameters())  # the source is untouched
    two = FreezeD(2).attach(gan).discriminator.net
    assert not any(p.requires_grad for m in two[:5] for p in m.parameters())
    with pytest.raises(ValueError, match="layers"):
        FreezeD(3).attach(gan)
    with pytest.raises(TypeError, match="discriminator"):
        FreezeD(1).attach(torch.nn.Linear(2, 2))


def test_adapt_ddpm_checks_its_arguments():
    src = tl.Source(_tiny_unet())
    with pytest.raises(ValueError, match="betas"):
        adapt_ddpm(
            src, tl.FineTune(), torch.rand(4, 1, 16, 16), recipe=tl.Recipe(steps=1)
        )
    src.model.register_buffer("betas", ddpm_betas(50), persistent=False)
    with pytest.raises(ValueError, match="shots"):
        adapt_ddpm(src, tl.FineTune(), torch.rand(4, 16, 16), recipe=tl.Recipe(steps=1))
    with pytest.raises(TypeError, match="Method"):
        adapt_ddpm(
            src, "fine-tune", torch.rand(4, 1, 16, 16), recipe=tl.Recipe(steps=1)
        )


@needs_font
def test_ten_shot_fine_tuning_beats_the_zero_shot_source():
    glyphs = render_glyphs(list("山水人月风花雪夜江天春秋日云光明白石"))
    shots, test = glyphs[:10], glyphs[10:]
    src = tl.source("ddpm-mnist")
    heldout = EpsMSE(test, src.model.betas, draws=4, seed=1)
    zero_shot = heldout(src.model)
    recipe = tl.Recipe(steps=20, batch_size=10, lr=1e-3)
    model, hist = adapt_ddpm(
        src, tl.FineTune(from_layer=4), shots, recipe=recipe, seed=0
    )
    assert heldout(model) < 0.9 * zero_shot  # ten characters, twenty steps
    assert heldout(src.model) == zero_shot  # the source is not modified
    for name in (
        "t_mlp",
        "down1",
        "down2",
        "mid",
    ):  # decoder only: the encoder is frozen
        frozen = src.model.get_submodule(name).state_dict()
        assert all(
            torch.equal(v, model.get_submodule(name).state_dict()[k])
            for k, v in frozen.items()
        )
