"The generative chapter's zoo entries: registered lazily, trained with their recipe, cached, reloaded exactly."
import subprocess
import sys

import pytest
import torch

from aigc_tl import zoo
from aigc_tl.core import seed_everything

GENERATIVE = {"chargpt-shakespeare", "dcgan-mnist", "vae-mnist", "ddpm-mnist"}


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("mode", ["quick", "full"])
def test_generative_entries_are_found_without_importing_their_chapter(mode):
    code = f"from aigc_tl import zoo; print(' '.join(zoo.available({mode!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert GENERATIVE <= set(out)


def test_vae_entry_learns_caches_and_reloads(fresh_home, monkeypatch, no_network):
    from aigc_tl.generative import vae
    monkeypatch.setitem(vae.VAE_RECIPE["steps"], "quick", 150)  # a short run of the same recipe
    model = zoo.load("vae-mnist")
    info = model.zoo_info
    assert info["source"] == "trained" and info["recipe"]["steps"]["quick"] == 150
    assert info["heldout_elbo"] > info["untrained_elbo"] + 200  # nats per image: the effect, not just a run
    again = zoo.load("vae-mnist")
    assert again.zoo_info["source"] == "cache" and _same_weights(model, again)
    xt, _ = vae.binarized_mnist("test")
    assert abs(vae.vae_heldout(again, xt, n_samples=5)["elbo"] - info["heldout_elbo"]) < 1e-3


def test_ddpm_entry_learns_caches_and_carries_its_schedule(fresh_home, monkeypatch, no_network):
    from aigc_tl.data import load_mnist
    from aigc_tl.generative import diffusion as d
    monkeypatch.setitem(d.DDPM_RECIPE["quick"], "steps", 60)
    monkeypatch.setitem(d.DDPM_RECIPE, "eval_every", 30)
    model = zoo.load("ddpm-mnist")
    info = model.zoo_info
    assert info["source"] == "trained" and torch.equal(model.betas, d.ddpm_betas(200))
    seed_everything(0)
    xt = torch.nn.functional.interpolate(load_mnist("test")[0], size=16, mode="bilinear", antialias=True) * 2 - 1
    untrained = d.ddpm_heldout(d.TinyUNet(), xt, model.betas)
    assert untrained > 0.9 and info["heldout_ema"] < 0.8 * untrained
    again = zoo.load("ddpm-mnist")
    assert again.zoo_info["source"] == "cache" and _same_weights(model, again)
    x = d.ddpm_sample(again, (2, 1, 16, 16), again.betas, generator=torch.Generator().manual_seed(0))
    assert x.shape == (2, 1, 16, 16) and x.isfinite().all()


def test_dcgan_entry_trains_logs_caches_and_reloads(fresh_home, monkeypatch, no_network):
    from aigc_tl.generative import gan
    monkeypatch.setitem(gan.DCGAN_RECIPE["quick"], "steps", 20)
    monkeypatch.setitem(gan.DCGAN_RECIPE, "eval_every", 10)
    # the judge (digitnet) is itself a zoo model; a stand-in keeps this test about the GAN entry
    fake_scores = lambda fake, real: {"FD_digitnet": float(fake.mean()), "entropy": 0.0, "confidence": 0.0,
                                      "counts": [0] * 10}
    monkeypatch.setattr(gan, "digit_sample_scores", fake_scores)
    monkeypatch.setattr(gan, "digit_features", lambda x: x.flatten(1))
    model = zoo.load("dcgan-mnist")
    info = model.zoo_info
    assert info["source"] == "trained" and info["history"]["steps"].count(10) >= 1
    assert [s for s, v in zip(info["history"]["steps"], info["history"]["values"]["FD_digitnet"]) if v == v] == [0, 10, 20]
    again = zoo.load("dcgan-mnist")
    assert again.zoo_info["source"] == "cache" and _same_weights(model, again)
    s = again.sample(4, generator=torch.Generator().manual_seed(0))
    assert s.shape == (4, 1, 16, 16) and s.abs().max() <= 1


def test_training_loops_are_reproducible_and_check_inputs():
    from aigc_tl.generative.gan import DCGAN, train_dcgan
    x = torch.rand(64, 1, 16, 16) * 2 - 1
    runs = []
    for _ in range(2):
        seed_everything(3)
        m = DCGAN(z_dim=8, width=8)
        h = train_dcgan(m, x, steps=6, batch_size=8, seed=3, log_every=3, progress=False)
        runs.append((m, h))
    assert _same_weights(runs[0][0], runs[1][0]) and runs[0][1].state_dict() == runs[1][1].state_dict()
    with pytest.raises(ValueError):
        train_dcgan(runs[0][0], x[:, 0], steps=1, progress=False)
    with pytest.raises(ValueError):
        runs[0][0].sample()


def test_full_recipes_build_and_step_offline(no_network):
    "The full-mode recipes (32-px DCGAN, 28-px wide TinyUNet with T = 1000) run their loops on random data."
    from aigc_tl.generative import diffusion as d
    from aigc_tl.generative import gan, vae
    r = gan.DCGAN_RECIPE["full"]
    g = gan.DCGAN(r["z_dim"], 8, r["size"])
    h = gan.train_dcgan(g, torch.rand(16, 1, 32, 32) * 2 - 1, steps=2, batch_size=4, log_every=1, progress=False)
    assert g.sample(2).shape == (2, 1, 32, 32) and len(h["loss_d"]) == 2
    r = d.DDPM_RECIPE["full"]
    unet = d.TinyUNet(width=r["width"])
    hist, ema = d.train_ddpm(unet, torch.rand(8, 1, 28, 28) * 2 - 1, d.ddpm_betas(r["T"]), steps=2, batch_size=4,
                             progress=False)
    assert ema(torch.zeros(1, 1, 28, 28), torch.tensor([999])).shape == (1, 1, 28, 28)
    assert not _same_weights(unet, ema)  # the average lags the weights
    v = vae.VAE(z_dim=vae.VAE_RECIPE["z_dim"], hidden=vae.VAE_RECIPE["hidden"])
    vae.train_vae(v, (torch.rand(16, 1, 28, 28) > 0.5).float(), steps=2, batch_size=4, progress=False)


@pytest.mark.parametrize("stop_at", [1, 5, 9])
def test_dcgan_resume_equals_uninterrupted(tmp_path, monkeypatch, stop_at):
    "A DCGAN run interrupted (after its batch was drawn) and resumed equals the uninterrupted run bit for bit."
    from aigc_tl.generative import gan
    x = torch.rand(64, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    kw = dict(steps=12, batch_size=8, seed=3, log_every=4, progress=False, clip_grad=1.0,
              eval_every=4, eval_fn=lambda m: {"mean": m.sample(z=torch.ones(2, 8)).mean()})

    def fresh():
        seed_everything(3)
        return gan.DCGAN(z_dim=8, width=8)

    ref = fresh()
    h_ref = gan.train_dcgan(ref, x, **kw)
    draw, calls = gan._GANBatches.__call__, {"n": 0}

    def flaky(self, step):
        batch = draw(self, step)  # the generator has moved: the checkpoint must undo that
        calls["n"] += 1
        if calls["n"] == stop_at:
            raise KeyboardInterrupt
        return batch

    ck = tmp_path / "gan.pt"
    monkeypatch.setattr(gan._GANBatches, "__call__", flaky)
    with pytest.raises(KeyboardInterrupt):
        gan.train_dcgan(fresh(), x, checkpoint=ck, **kw)
    monkeypatch.setattr(gan._GANBatches, "__call__", draw)
    assert torch.load(ck, weights_only=True)["step"] == stop_at - 1
    resumed = gan.DCGAN(z_dim=8, width=8)  # other initial weights: all come from the checkpoint
    h = gan.train_dcgan(resumed, x, checkpoint=ck, **kw)
    assert _same_weights(ref, resumed)
    assert h.steps == h_ref.steps and str(h.values) == str(h_ref.values)  # NaN-aware


def test_sample_reads_only_the_last_context_ids():
    from aigc_tl.generative.autoregressive import sample

    seen = []

    class Spy(torch.nn.Module):  # records the length of what it is shown; no config
        def forward(self, idx):
            seen.append(idx.shape[1])
            return torch.zeros(*idx.shape, 5)

    out = sample(Spy(), torch.zeros(6, dtype=torch.long), 3, temperature=0, context=4)
    assert out.shape == (1, 9) and seen == [4, 4, 4]
    with pytest.raises(ValueError, match="context"):
        sample(Spy(), torch.zeros(6, dtype=torch.long), 3, context=0)
