"""aigc_tl.modalities.text.style_control: a style vector at every position."""

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.generative.autoregressive import CharGPT, GPTConfig, evaluate_bpc, sample
from aigc_tl.modalities.text.style_control import (
    StyleConditionedLM,
    StyleTuning,
    WithStyle,
    steering_rate,
    style_classifier,
    style_windows,
    styled_lm_loss,
    text_chunks,
)

# two "styles" over one alphabet: which letters follow a line break tells them apart
STYLE_A = "".join(f"ab{'ab' * (i % 4)} ba\n" for i in range(120))
STYLE_B = "".join(f"cd{'dc' * (i % 3)} cd\n" for i in range(120))


class Chars:
    def __init__(self, alphabet):
        self.chars, self.stoi = list(alphabet), {c: i for i, c in enumerate(alphabet)}

    def encode(self, s):
        return torch.tensor([self.stoi[c] for c in s])

    def decode(self, ids):
        return "".join(self.chars[i] for i in torch.as_tensor(ids).tolist())


TOK = Chars(sorted(set(STYLE_A + STYLE_B)))


def tiny_gpt(seed=0):
    torch.manual_seed(seed)
    cfg = GPTConfig(
        vocab_size=len(TOK.chars), block_size=16, n_layer=1, n_head=2, n_embd=32
    )
    return CharGPT(cfg)


def test_conditioned_model_starts_as_its_base_and_leaves_it_alone():
    base = tiny_gpt()
    before = {k: v.clone() for k, v in base.state_dict().items()}
    cond = StyleConditionedLM(base, 3)
    x = torch.randint(0, len(TOK.chars), (4, 10))
    out = cond(x, torch.tensor([0, 1, 2, 0]))
    assert out.shape == (4, 10, len(TOK.chars))
    assert torch.allclose(out, base(x))
    assert cond.style.weight.shape == (3, 32)
    assert all(torch.equal(v, base.state_dict()[k]) for k, v in before.items())
    assert torch.allclose(WithStyle(cond, 1)(x), base(x))  # one id for every row


def test_bad_input_raises_clear_errors():
    cond = StyleConditionedLM(tiny_gpt(), 2)
    x = torch.zeros(2, 5, dtype=torch.long)
    with pytest.raises(ValueError, match="style ids"):
        cond(x, torch.tensor([0, 2]))
    with pytest.raises(ValueError, match="shape"):
        cond(x, torch.tensor([0]))
    with pytest.raises(TypeError, match="LongTensor"):
        cond(x, torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="n_styles"):
        StyleConditionedLM(tiny_gpt(), 0)
    with pytest.raises(TypeError, match="texts"):
        style_windows("one string", TOK, 8)
    with pytest.raises(ValueError, match="n must"):
        text_chunks("abc", 4)
    with pytest.raises(ValueError, match="style_lr"):
        StyleTuning(0.0)
    with pytest.raises(ValueError, match="samples"):
        steering_rate(None, [], 0)


def test_windows_loss_and_param_groups():
    x, s, y = style_windows([STYLE_A[:40], STYLE_B[:56]], TOK, 8)
    assert x.shape == y.shape == (4 + 6, 8) and s.tolist() == [0] * 4 + [1] * 6
    assert torch.equal(x[:, 1:], y[:, :-1])
    cond = StyleConditionedLM(tiny_gpt(), 2)
    assert styled_lm_loss(cond, (x, s, y)).dim() == 0
    groups = StyleTuning(0.05).param_groups(cond, 1e-3)
    assert [g["lr"] for g in groups] == [1e-3, 0.05]
    n = sum(p.numel() for g in groups for p in g["params"])
    assert n == sum(p.numel() for p in cond.parameters())


def test_judge_and_fresh_conditioned_model():
    judge = style_classifier([STYLE_A, STYLE_B], 12)
    assert steering_rate(judge, text_chunks(STYLE_A, 12), 0) == 1.0
    assert steering_rate(judge, text_chunks(STYLE_B, 12), 1) == 1.0
    src = tl.Source(StyleConditionedLM(tiny_gpt(), 2))
    fresh = src.fresh()  # scratch: new base weights, a random style table
    assert isinstance(fresh, StyleConditionedLM) and fresh.style.weight.abs().sum() > 0
    assert not torch.equal(
        fresh.base.transformer.wte.weight, src.model.base.transformer.wte.weight
    )


def test_the_token_steers_on_two_toy_styles():
    "Headline effect, small: trained on both styles, the token picks the style."
    data = style_windows([STYLE_A, STYLE_B], TOK, 16, stride=4)
    src = tl.Source(StyleConditionedLM(tiny_gpt(), 2))
    recipe = tl.Recipe(steps=80, batch_size=16, lr=3e-3, clip_grad=1.0)
    r = tl.transfer(
        src,
        StyleTuning(3e-2),
        data,
        recipe=recipe,
        loss=styled_lm_loss,
        evaluate=lambda m: 0.0,
        seeds=(0,),
        keep_models=True,
    )
    model = r.models[0]
    ids = [TOK.encode(t[-257:]) for t in (STYLE_A, STYLE_B)]
    right = [evaluate_bpc(WithStyle(model, s), ids[s], 16) for s in (0, 1)]
    wrong = [evaluate_bpc(WithStyle(model, 1 - s), ids[s], 16) for s in (0, 1)]
    assert all(r_ + 0.05 < w for r_, w in zip(right, wrong))
    g = torch.Generator().manual_seed(0)
    styles = torch.tensor([0] * 8 + [1] * 8)
    out = sample(
        WithStyle(model, styles),
        TOK.encode("\n").repeat(16, 1),
        12,
        temperature=0.5,
        generator=g,
        context=16,
    )
    texts = [TOK.decode(o[1:]) for o in out]
    judge = style_classifier([STYLE_A, STYLE_B], 12)
    assert steering_rate(judge, texts[:8], 0) >= 0.75
    assert steering_rate(judge, texts[8:], 1) >= 0.75
