"""aigc_tl.modalities.image.personalisation: the conditional U-Net, new labels, textual
inversion, DreamBooth, the packaged zoo model and the headline effect."""

import copy

import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl import zoo
from aigc_tl.generative.diffusion import alphas_cumprod, ddpm_betas, ddpm_loss
from aigc_tl.modalities.image.personalisation import (
    DDPM_COND_RECIPE,
    CondUNet,
    Conditioned,
    DreamBooth,
    LabelEmbedding,
    TextualInversion,
    add_label,
    cond_ddpm_loss,
    digit_labels,
    new_label_row,
    personalise,
    sample_labelled,
)


def _tiny(seed=0, labels=3):
    torch.manual_seed(seed)
    model = CondUNet(labels, width=8).eval()
    model.register_buffer("betas", ddpm_betas(50), persistent=False)
    return model


def test_label_embedding_adds_rows_and_checks_labels():
    emb = LabelEmbedding(3, 4)
    assert emb(torch.tensor([0, 2])).shape == (2, 4) and emb.new.shape == (0, 4)
    assert emb.add(torch.ones(4)) == 3 and emb.add(torch.zeros(4)) == 4
    assert emb.table.shape == (5, 4) and torch.equal(emb(torch.tensor([3]))[0], torch.ones(4))
    with pytest.raises(ValueError, match="row must"):
        emb.add(torch.ones(5))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 5\)"):
        emb(torch.tensor([5]))
    with pytest.raises(TypeError, match="integer"):
        emb(torch.tensor([0.5]))


def test_cond_unet_uses_the_label_and_matches_ddpm_loss():
    model, x = _tiny(), torch.randn(3, 1, 16, 16)
    t, y = torch.tensor([0, 5, 49]), torch.tensor([0, 1, 2])
    out = model(x, t, y)
    assert out.shape == x.shape and not torch.allclose(out, model(x, t, y.flip(0)))
    with pytest.raises(ValueError, match="one label per image"):
        model(x, t, y[:2])
    abar, noise = alphas_cumprod(model.betas), torch.randn_like(x)
    torch.manual_seed(1)
    ours = cond_ddpm_loss(model, (x, y), abar)
    torch.manual_seed(1)
    ref = ddpm_loss(Conditioned(model, y), x, abar)
    assert torch.equal(ours, ref)
    ref2 = ddpm_loss(lambda a, b: model(a, b, y), x, abar, t, noise)
    assert torch.allclose(ddpm_loss(Conditioned(model, y), x, abar, t, noise), ref2)


def test_sample_labelled_and_digit_labels_shapes():
    model = _tiny()
    g = lambda: torch.Generator().manual_seed(0)
    s = sample_labelled(model, torch.tensor([0, 1, 2, 0]), model.betas, 5, generator=g())
    assert s.shape == (4, 1, 16, 16) and s.min() >= -1.5
    assert torch.equal(s, sample_labelled(model, torch.tensor([0, 1, 2, 0]), model.betas, 5, generator=g()))
    clf = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
    assert digit_labels(s, clf).shape == (4,)


def test_new_label_rows_and_add_label():
    model = _tiny()
    emb = model.label_emb
    assert torch.allclose(new_label_row(emb, "mean"), emb.base.mean(0))
    assert torch.equal(new_label_row(emb, 1), emb.base[1])
    r1 = new_label_row(emb, "random", torch.Generator().manual_seed(0))
    r2 = new_label_row(emb, "random", torch.Generator().manual_seed(0))
    assert torch.equal(r1, r2) and r1.shape == (64,)
    for bad in ("seven", 3, -1, True):
        with pytest.raises(ValueError, match="init must"):
            new_label_row(emb, bad)
    assert add_label(model, 2) == 3 and torch.equal(model.label_emb.table[3], emb.base[2])
    with pytest.raises(TypeError, match="LabelEmbedding"):
        add_label(nn.Linear(2, 2))


def test_textual_inversion_changes_only_the_new_row():
    src = tl.Source(_tiny())
    shots = torch.rand(4, 1, 16, 16) * 2 - 1
    res = personalise(src, TextualInversion(), shots, recipe=tl.Recipe(steps=3, batch_size=4, lr=0.1),
                      evaluate=lambda m: 0.0, seeds=(0, 1))
    assert len(res.models) == 2 and res.trainable == 64
    before = src.model.state_dict()
    for m in res.models:
        after = m.state_dict()
        assert all(torch.equal(after[n], v) for n, v in before.items() if v.numel())
        assert after["label_emb.new"].shape == (1, 64)
        assert not torch.equal(after["label_emb.new"][0], new_label_row(src.model.label_emb))
    assert src.model.label_emb.new.shape == (0, 64)  # the source is untouched
    with pytest.raises(TypeError):
        personalise(tl.Source(nn.Linear(2, 2)), TextualInversion(), shots,
                    recipe=tl.Recipe(steps=1), evaluate=lambda m: 0.0)


def test_dreambooth_mixes_the_prior_into_each_batch():
    px, py = torch.rand(6, 1, 16, 16), torch.tensor([0, 1, 2, 0, 1, 2])
    db = DreamBooth(prior=(px, py), prior_batch=5)
    assert db.name == "DreamBooth + prior preservation" and DreamBooth().name == "DreamBooth"
    model = db.attach(_tiny(), generator=torch.Generator().manual_seed(0))
    seen = []
    db.loss(model, (torch.rand(2, 1, 16, 16), torch.full((2,), db.label)),
            lambda m, b: seen.append((b[0].shape[0], b[1].tolist())) or torch.zeros(()))
    assert db.label == 3 and seen[0][0] == 7 and seen[0][1][:2] == [3, 3]
    assert set(seen[0][1][2:]) <= {0, 1, 2}
    trainable, total = db.count(model)
    assert trainable == total
    for bad, match in [((px,), "prior must"), ((px, py[:3]), "prior must"), ((px, py.float()), "prior must")]:
        with pytest.raises(ValueError, match=match):
            DreamBooth(prior=bad)
    with pytest.raises(TypeError, match="prior_batch"):
        DreamBooth(prior=(px, py), prior_batch=2.0)


def test_packaged_model_loads_without_training(fresh_home, no_network):
    model = zoo.load("ddpm-mnist-cond")
    info = model.zoo_info
    assert info["source"] == "package" and info["recipe_sha256"] == zoo.recipe_fingerprint(DDPM_COND_RECIPE)
    assert info["test_label_accuracy"] > 0.85 and info["reproduce"] == "aigc-tl zoo train ddpm-mnist-cond"
    assert not (fresh_home / "zoo" / "ddpm-mnist-cond-quick").exists()  # nothing cached
    assert model.label_emb.base.shape == (9, 64) and len(model.betas) == 200
    weights = zoo.packaged_dir() / "ddpm-mnist-cond-quick.safetensors"
    assert weights.stat().st_size < 2_000_000


def test_headline_effect_one_seed():
    "Inversion beats an untrained row; DreamBooth forgets the old labels; the prior keeps them."
    src = tl.source("ddpm-mnist-cond")
    betas, new = src.model.betas, 9
    from aigc_tl.data import mnist_gan_images

    x, y = mnist_gan_images("train", 16)
    shots = x[y == 9][:10]
    old = torch.arange(9).repeat_interleave(4)
    clf = zoo.load("digitnet")

    def rates(model, old_too=True):
        labels = torch.cat([torch.full((64,), new), old if old_too else old[:0]])
        read = digit_labels(sample_labelled(model, labels, betas, generator=torch.Generator().manual_seed(5)), clf)
        old_acc = (read[64:] == old).float().mean().item() if old_too else None
        return (read[:64] == 9).float().mean().item(), old_acc

    base = copy.deepcopy(src.model)  # an untrained new row: the mean of the others
    add_label(base, "mean")
    base_rate = rates(base, False)[0]
    run = lambda method, lr: personalise(src, method, shots, recipe=tl.Recipe(steps=40, batch_size=10, lr=lr),
                                         evaluate=lambda m: 0.0, seeds=(0,)).models[0]
    ti_rate = rates(run(TextualInversion(), 0.1), False)[0]
    prior_labels = torch.arange(9).repeat_interleave(10)
    prior = (sample_labelled(src.model, prior_labels, betas, generator=torch.Generator().manual_seed(7)), prior_labels)
    db_rate, db_old = rates(run(DreamBooth(), 1e-3))
    pp_rate, pp_old = rates(run(DreamBooth(prior=prior), 1e-3))
    assert ti_rate > base_rate + 0.08
    assert db_rate > 0.5 and pp_rate > 0.5
    assert db_old < 0.6 and pp_old > db_old + 0.25
