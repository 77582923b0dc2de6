"""aigc_tl.modalities.text.distillation: the per-position soft-target loss, the student
builder, the speed measure and the headline effect on a small synthetic language."""

import pytest
import torch
import torch.nn.functional as F

from aigc_tl import transfer as tl
from aigc_tl.algorithms.distillation import kd_loss
from aigc_tl.core import fit
from aigc_tl.generative.autoregressive import (
    CharGPT,
    GPTConfig,
    evaluate_bpc,
    lm_loss,
    lm_windows,
)
from aigc_tl.modalities.text.distillation import KJV_TEACHER_RECIPE, per_position_kd, sequence_kd_loss, smaller_gpt, tokens_per_second
from aigc_tl.core import count_parameters


def _logits(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(*shape, generator=g)


# ---------- the loss ----------


@pytest.mark.parametrize("T", [0.5, 1.0, 3.0])
def test_sequence_kd_loss_matches_kl_div_and_kd_loss(T):
    zs, zt = _logits(3, 7, 11), _logits(3, 7, 11, seed=1, scale=3.0)
    ref = (
        T
        * T
        * F.kl_div(
            F.log_softmax(zs / T, -1).flatten(0, 1),
            F.log_softmax(zt / T, -1).flatten(0, 1),
            reduction="batchmean",
            log_target=True,
        )
    )
    ours = sequence_kd_loss(zs, zt, T)
    assert torch.allclose(ours, ref, atol=1e-5)
    assert torch.allclose(ours, kd_loss(zs.flatten(0, 1), zt.flatten(0, 1), T))
    assert torch.allclose(per_position_kd(zs, zt, T).mean(), ours, atol=1e-6)


def test_per_position_kd_shape_zero_and_per_row_kl():
    zs, zt = _logits(2, 5, 9), _logits(2, 5, 9, seed=1)
    pp = per_position_kd(zs, zt, 2.0)
    assert pp.shape == (2, 5) and (pp >= -1e-6).all()
    assert per_position_kd(zt, zt).abs().max() < 1e-5
    row = F.kl_div(
        F.log_softmax(zs[1, 3] / 2, -1),
        F.log_softmax(zt[1, 3] / 2, -1),
        reduction="sum",
        log_target=True,
    )
    assert torch.isclose(pp[1, 3], 4 * row, atol=1e-5)


def test_gradient_is_T_times_the_probability_gap():
    T, zs, zt = 2.0, _logits(2, 4, 6).requires_grad_(), _logits(2, 4, 6, seed=1)
    (grad,) = torch.autograd.grad(sequence_kd_loss(zs, zt, T), zs)
    analytic = T * (F.softmax(zs / T, -1) - F.softmax(zt / T, -1)) / 8  # B·L = 8
    assert torch.allclose(grad, analytic, atol=1e-6)


def test_teacher_gets_no_gradient():
    zs, zt = (
        _logits(1, 3, 4).requires_grad_(),
        _logits(1, 3, 4, seed=1).requires_grad_(),
    )
    sequence_kd_loss(zs, zt).backward()
    assert zt.grad is None and zs.grad is not None


@pytest.mark.parametrize(
    "args, err",
    [
        (("a", _logits(1, 2, 3)), TypeError),
        ((_logits(2, 3), _logits(2, 3)), ValueError),  # (N, C): use kd_loss
        ((_logits(1, 2, 3), _logits(1, 3, 3)), ValueError),
        ((_logits(1, 2, 3), _logits(1, 2, 3), 0.0), ValueError),
        ((_logits(1, 2, 3), _logits(1, 2, 3), True), ValueError),
    ],
)
def test_bad_input_names_the_problem(args, err):
    for f in (sequence_kd_loss, per_position_kd):
        with pytest.raises(err):
            f(*args)


def test_tl_distill_computes_sequence_kd_on_a_gpt():
    torch.manual_seed(0)
    t = CharGPT(GPTConfig(vocab_size=20, block_size=8, n_layer=1, n_embd=16))
    s = smaller_gpt(t, n_layer=1, n_head=2, n_embd=8)
    x, y = torch.randint(0, 20, (3, 8)), torch.randint(0, 20, (3, 8))
    for alpha in (1.0, 0.3):
        theirs = tl.Distill(t, T=2.0, alpha=alpha).loss(s, (x, y), lm_loss)
        ours = alpha * sequence_kd_loss(s(x), t(x), 2.0)
        ours = ours + (1 - alpha) * lm_loss(s, (x, y))
        assert torch.allclose(theirs, ours, atol=1e-6)


# ---------- student, size, speed ----------


def test_smaller_gpt_keeps_vocabulary_and_context():
    t = CharGPT(GPTConfig(vocab_size=30, block_size=12, n_layer=2, n_embd=32))
    s = smaller_gpt(t, n_layer=1, n_head=2, n_embd=8)
    assert (s.config.vocab_size, s.config.block_size) == (30, 12)
    assert count_parameters(s)[1] < count_parameters(t)[1] / 5
    assert s(torch.zeros(1, 12, dtype=torch.long)).shape == (1, 12, 30)
    with pytest.raises(ValueError, match="n_layer"):
        smaller_gpt(t, n_layer=0, n_head=2, n_embd=8)
    with pytest.raises(ValueError, match="n_embd"):
        smaller_gpt(t, n_layer=1, n_head=2, n_embd=2.5)


def test_tokens_per_second():
    m = CharGPT(GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_embd=8))
    v = tokens_per_second(m, torch.zeros(1, 2, dtype=torch.long), 8, repeats=2)
    assert v > 0
    with pytest.raises(ValueError, match="repeats"):
        tokens_per_second(m, torch.zeros(1, 2, dtype=torch.long), 8, repeats=0)


def test_teacher_recipe_is_the_pages():
    r = KJV_TEACHER_RECIPE
    assert r["source"] == "chargpt-shakespeare" and r["split"][0] == 100_000
    assert r["block_size"] == 32 and r["steps"] * r["batch_size"] * 32 > r["split"][0]


# ---------- the headline effect, on a small synthetic language ----------


def _language(n_words, seed):
    "Words of a 12-word lexicon with Zipf-like frequencies, separated by spaces."
    words = "the lord said unto moses and aaron saying speak ye children israel".split()
    p = torch.tensor([1 / (i + 1) for i in range(len(words))])
    g = torch.Generator().manual_seed(seed)
    idx = torch.multinomial(p, n_words, replacement=True, generator=g)
    return " ".join(words[i] for i in idx.tolist())


def test_distilled_student_beats_hard_labels_on_little_text():
    train, test = _language(3000, 0), _language(400, 1)
    chars = sorted(set(train + test))
    enc = lambda s: torch.tensor([chars.index(c) for c in s])
    w = lm_windows(enc(train), 16, stride=8)
    torch.manual_seed(0)
    teacher = CharGPT(
        GPTConfig(vocab_size=len(chars), block_size=16, n_layer=1, n_embd=48)
    )
    fit(teacher, lm_loss, w, steps=150, batch_size=32, lr=3e-3, progress=False)
    teacher.eval().requires_grad_(False)
    student = tl.Source(smaller_gpt(teacher, n_layer=1, n_head=2, n_embd=16))
    ev = lambda m: evaluate_bpc(m, enc(test), 16)
    recipe = tl.Recipe(steps=60, batch_size=16, lr=3e-3, clip_grad=1.0)
    kw = dict(recipe=recipe, loss=lm_loss, evaluate=ev, seeds=(0, 1))
    few = (w[0][:6], w[1][:6])  # the students see 6 windows (~100 characters) only
    hard = tl.transfer(student, tl.Scratch(), few, **kw)
    kd = tl.Distill(teacher, T=1.0, alpha=1.0, pretrained=False)
    soft = tl.transfer(student, kd, few, **kw)
    assert max(soft.values) < min(hard.values) - 0.05
    assert ev(teacher) < soft.mean
