"""Tests for aigc_tl.modalities.audio.speaker (parallel utterances, the FiLM converter,
speaker adaptation methods, the ridge baseline)."""

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.modalities.audio import speaker as sp


def test_random_sentences_are_deterministic():
    a, b = sp.random_sentences(5, seed=3), sp.random_sentences(5, seed=3)
    assert a == b and all(5 <= len(s.split()) <= 8 for s in a)


def test_parallel_utterances_share_the_reference_frames():
    d = sp.parallel_utterances(["a quiet river"], ["en-us+f3", "en-us+m3"])
    (X1, Y1), (X2, Y2) = d["en-us+f3"], d["en-us+m3"]
    assert X1[0] is X2[0] and Y1[0].shape == X1[0].shape == Y2[0].shape
    assert X1[0].shape[0] == 40


def test_converter_is_identity_at_init_and_after_reset():
    vc = sp.VoiceConverter(4)
    x = torch.randn(2, 40, 30)
    assert torch.equal(vc(x, torch.tensor([0, 3])), x)
    fresh = tl.Source(vc).fresh()
    assert torch.equal(fresh(x, torch.tensor([1, 2])), x)
    with pytest.raises(ValueError, match="x must be"):
        vc(torch.randn(2, 39, 30), torch.tensor([0, 1]))


def test_code_only_method_trains_only_the_code():
    vc = sp.VoiceConverter(4)
    voice = sp.SpeakerAdaptation("code").attach(vc)
    trainable = [n for n, p in voice.named_parameters() if p.requires_grad]
    assert trainable == ["z"]
    assert torch.allclose(voice.z, vc.speakers.weight.mean(0))
    groups = sp.SpeakerAdaptation("code").param_groups(voice, 1e-3)
    assert groups[0]["lr"] == pytest.approx(0.025)
    full = sp.SpeakerAdaptation("all").attach(vc)
    assert all(p.requires_grad for p in full.parameters())
    assert sp.SpeakerAdaptation("all", pretrained=False).name == "scratch"


def test_ridge_matches_least_squares_and_frame_crops():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 50, generator=g)
    r = sp.RidgeFrames(context=1, lam=1e-8)
    W = torch.randn(3 * 6 + 1, 6, generator=g)
    y = (r.features(x) @ W).T
    r.fit([x], [y])
    assert torch.allclose(r(x), y, atol=1e-3)
    crops = sp.FrameCrops([x, x], [y, y], 1, frames=16)
    cx, cy = crops(torch.Generator().manual_seed(0))
    assert cx.shape[1:] == (6, 16) and cx.shape == cy.shape


def test_adaptation_reduces_l1_against_identity():
    "Effect at tiny scale: fine-tuning a fresh converter on one voice beats identity."
    d = sp.parallel_utterances(sp.random_sentences(4, seed=0), ["en-us+f3"])
    X, Y = d["en-us+f3"]
    src = tl.Source(sp.VoiceConverter(2))
    ev = lambda m: sp.held_out_l1(lambda x: m(x[None])[0], X[3:], Y[3:])
    r = tl.transfer(src, sp.SpeakerAdaptation("all"), sp.FrameCrops(X[:3], Y[:3], 3),
                    recipe=tl.Recipe(steps=40, batch_size=8), evaluate=ev,
                    loss=sp.l1_loss, seeds=(0,))
    assert r.mean < sp.held_out_l1(lambda x: x, X[3:], Y[3:]) - 0.05
