"""aigc_tl.modalities.text.domain_adaptation and aigc_tl.data.load_kjv."""

import difflib
import math
import shutil

import pytest
import torch

from aigc_tl import data
from aigc_tl import transfer as tl
from aigc_tl.generative.autoregressive import (
    CharGPT,
    GPTConfig,
    evaluate_bpc,
    lm_loss,
    lm_windows,
)
from aigc_tl.modalities.text.domain_adaptation import (
    CharNGram,
    Replay,
    SpanSampler,
    generate,
    longest_verbatim,
    random_span,
    restrict_to_vocab,
    shuffled_line_split,
)


def _kjv_available() -> bool:
    return shutil.which("bible") is not None or (data.cache_dir("data") / "kjv.txt").exists()


needs_kjv = pytest.mark.skipif(not _kjv_available(), reason=f"run `{data.KJV_INSTALL}` (CI does)")

TEXT = "".join(f"line {i} says {'ab' * (i % 5)} and {'cd' * (i % 3)}.\n" for i in range(200))


class Chars:
    "A character tokenizer over a fixed alphabet (what the functions need of one)."

    def __init__(self, alphabet):
        self.chars, self.stoi = list(alphabet), {c: i for i, c in enumerate(alphabet)}

    def encode(self, s):
        return torch.tensor([self.stoi[c] for c in s])

    def decode(self, ids):
        return "".join(self.chars[i] for i in torch.as_tensor(ids).tolist())


TOK = Chars(sorted(set(TEXT)))


# ---------- the loader ----------

@needs_kjv
def test_load_kjv_verses_and_references():
    kjv = data.load_kjv()
    verses = kjv.splitlines()
    assert len(verses) == 31_102 and verses[0].startswith("In the beginning God created")
    assert verses[-1].startswith("The grace of our Lord Jesus Christ")
    refs = data.load_kjv(references=True).splitlines()
    assert refs[0].startswith("Ge1:1 In the beginning") and refs[-1].startswith("Rev22:21 ")
    assert all(r.endswith(v) for r, v in zip(refs[::997], verses[::997]))
    assert (data.cache_dir("data") / "kjv.txt").exists()


@needs_kjv
def test_kjv_verse_text_fits_the_shakespeare_alphabet():
    from aigc_tl.generative.autoregressive import chargpt_tokenizer

    if not data._shakespeare_dir().exists():
        pytest.skip("run `aigc-tl data fetch shakespeare` first (CI does)")
    chars = chargpt_tokenizer().chars
    assert restrict_to_vocab(data.load_kjv(), chars)[1] == {}
    assert set(restrict_to_vocab(data.load_kjv(references=True), chars)[1]) == {"0", "9"}


def test_load_kjv_missing_names_the_install_command(fresh_home, monkeypatch):
    monkeypatch.setattr(data.shutil, "which", lambda name: None)
    with pytest.raises(data.MissingResource, match="apt-get install bible-kjv"):
        data.load_kjv()


# ---------- text helpers ----------

def test_restrict_to_vocab_drops_or_maps_and_counts():
    assert restrict_to_vocab("aXbXc9", "abc ") == ("abc", {"X": 2, "9": 1})
    assert restrict_to_vocab("aXb", "ab ", replace=" ") == ("a b", {"X": 1})
    assert restrict_to_vocab("abc", "abc") == ("abc", {})
    with pytest.raises(ValueError, match="replace"):
        restrict_to_vocab("aXb", "ab", replace="?")
    with pytest.raises(TypeError):
        restrict_to_vocab(b"abc", "abc")


def test_shuffled_line_split_is_disjoint_exact_and_seeded():
    parts = shuffled_line_split(TEXT, [500, 300, 200], seed=1)
    assert [len(p) for p in parts] == [500, 300, 200]
    whole = [set(p.splitlines()[:-1]) for p in parts]  # complete lines (last one is cut)
    assert not (whole[0] & whole[1]) and not (whole[0] & whole[2]) and not (whole[1] & whole[2])
    assert parts == shuffled_line_split(TEXT, [500, 300, 200], seed=1)
    assert parts != shuffled_line_split(TEXT, [500, 300, 200], seed=2)
    with pytest.raises(ValueError, match="too short"):
        shuffled_line_split(TEXT, [len(TEXT)])
    for bad in ([], [0], [1.5], [True]):
        with pytest.raises(ValueError):
            shuffled_line_split(TEXT, bad)


def test_random_span_and_span_sampler():
    g = torch.Generator().manual_seed(0)
    s = random_span(TEXT, 50, g)
    assert len(s) == 50 and s in TEXT
    sampler = SpanSampler(TEXT, TOK, 0.1, block_size=16, stride=4)
    x, y = sampler(torch.Generator().manual_seed(3))
    n = round(0.1 * len(TEXT))
    assert sampler.n_chars == n and len(sampler.drawn[0]) == n and sampler.drawn[0] in TEXT
    assert x.shape == y.shape == ((n - 17) // 4 + 1, 16) and torch.equal(x[:, 1:], y[:, :-1])
    assert TOK.decode(x[0]) == sampler.drawn[0][:16]
    sampler(torch.Generator().manual_seed(3))
    assert sampler.drawn[0] == sampler.drawn[1]  # the same generator draws the same span
    assert SpanSampler(TEXT, TOK, 0.001, block_size=16).n_chars == 17  # at least one window
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError):
            SpanSampler(TEXT, TOK, bad, block_size=16)
    with pytest.raises(ValueError):
        random_span(TEXT, 0)
    with pytest.raises(TypeError):
        random_span(TEXT, 2.0)


# ---------- the n-gram baseline ----------

def test_ngram_is_a_distribution_and_matches_counting_by_tensor():
    vocab = TOK.chars + ["<eot>"]
    V, k = len(vocab), 0.1
    for n in (1, 2, 3):
        ng = CharNGram(vocab, n, k).fit(TEXT[:2000])
        total = sum(2 ** ng.log2prob("ab", c) for c in vocab)
        assert math.isclose(total, 1.0, rel_tol=1e-9)
    # add-k bigram by bincount, scored on held-out text
    tr, te = TOK.encode(TEXT[:2000]), TOK.encode(TEXT[2000:3000])
    N = torch.bincount(tr[:-1] * V + tr[1:], minlength=V * V).view(V, V).double()
    ref = -((N + k) / (N.sum(1, keepdim=True) + k * V))[te[:-1], te[1:]].log2()
    bigram = CharNGram(vocab, 2, k).fit(TEXT[:2000])
    held = TEXT[2000:3000]
    ours = torch.tensor([-bigram.log2prob(held[i - 1], held[i]) for i in range(1, len(held))],
                        dtype=torch.float64)
    assert torch.allclose(ours, ref)


def test_ngram_learns_and_checks_its_input():
    vocab = TOK.chars
    uniform = CharNGram(vocab, 3, k=1e9).fit(TEXT)  # huge k: every character equally likely
    assert math.isclose(uniform.bits_per_char(TEXT[:200]), math.log2(len(vocab)), rel_tol=1e-6)
    tri = CharNGram(vocab, 3, 0.01).fit(TEXT[:4000])
    uni = CharNGram(vocab, 1, 0.01).fit(TEXT[:4000])
    assert tri.bits_per_char(TEXT[4000:]) < uni.bits_per_char(TEXT[4000:]) - 0.5
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tri.bits_per_char("line Z")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        CharNGram(vocab, 2).fit("Z")
    for bad in (dict(n=0), dict(n=2.0), dict(k=0), dict(k=-1)):
        with pytest.raises(ValueError):
            CharNGram(vocab, **bad)
    with pytest.raises(ValueError):
        CharNGram(["a", "a"])


# ---------- the memorisation measure ----------

def test_longest_verbatim_agrees_with_difflib():
    g = torch.Generator().manual_seed(0)
    for _ in range(30):
        a = "".join("abc"[i] for i in torch.randint(0, 3, (40,), generator=g).tolist())
        b = "".join("abc"[i] for i in torch.randint(0, 3, (200,), generator=g).tolist())
        ours = longest_verbatim(a, b)
        block = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
            0, len(a), 0, len(b))
        assert len(ours) == block.size and ours in a and ours in b
    assert longest_verbatim("xyz", "abc") == ""
    assert longest_verbatim("the cat sat", "a cat sat on") == " cat sat"
    with pytest.raises(ValueError, match="sample must not be empty"):
        longest_verbatim("", "abc")
    with pytest.raises(TypeError):
        longest_verbatim("abc", None)


# ---------- sampling and replay ----------

class Recorder(torch.nn.Module):
    "Wraps a model and records the length of every context it is given."

    def __init__(self, model):
        super().__init__()
        self.model, self.lengths = model, []

    def forward(self, idx):
        self.lengths.append(idx.shape[1])
        return self.model(idx)


def test_generate_uses_the_given_context():
    torch.manual_seed(0)
    gpt = Recorder(CharGPT(GPTConfig(vocab_size=len(TOK.chars), block_size=16, n_layer=1,
                                     n_head=2, n_embd=16)))
    out = generate(gpt, TOK, "line", 20, block_size=8, n_samples=3,
                   generator=torch.Generator().manual_seed(0))
    assert len(out) == 3 and all(len(s) == 20 and set(s) <= set(TOK.chars) for s in out)
    assert max(gpt.lengths) == 8 and len(gpt.lengths) == 20
    again = generate(gpt, TOK, "line", 20, block_size=8, n_samples=3,
                     generator=torch.Generator().manual_seed(0))
    assert again == out
    with pytest.raises(ValueError):
        generate(gpt, TOK, "line", 5, block_size=8, n_samples=0)


def test_replay_replaces_a_share_of_each_batch():
    torch.manual_seed(0)
    gpt = CharGPT(GPTConfig(vocab_size=len(TOK.chars), block_size=16, n_layer=1, n_head=2,
                            n_embd=16))
    src = lm_windows(TOK.encode(TEXT[:1000]), 16)
    tgt = lm_windows(TOK.encode(TEXT[1000:2000]), 16)
    rep = Replay(src, share=0.25)
    model = rep.attach(gpt, generator=torch.Generator().manual_seed(0))
    seen = []
    rep.loss(model, (tgt[0][:8], tgt[1][:8]), lambda m, b: seen.append(b) or lm_loss(m, b))
    (x, y), = seen
    assert torch.equal(x[2:], tgt[0][2:8]) and torch.equal(y[2:], tgt[1][2:8])
    src_rows = {tuple(r) for r in src[0].tolist()}
    assert all(tuple(r) in src_rows for r in x[:2].tolist())
    assert rep.name == "fine-tune + 25% replay"
    with pytest.raises(ValueError):
        Replay(src, share=1.0)
    with pytest.raises(TypeError):
        Replay(src[0], share=0.25)


# ---------- one small adaptation effect ----------

@needs_kjv
def test_fine_tuning_on_kjv_beats_zero_shot_and_scratch():
    if not data._shakespeare_dir().exists():
        pytest.skip("run `aigc-tl data fetch shakespeare` first (CI does)")
    src = tl.source("chargpt-shakespeare")
    tok = src.tokenizer
    train, test = shuffled_line_split(data.load_kjv(), [2048, 1025])
    test_ids = tok.encode(test)

    def bpc(model):
        return evaluate_bpc(model, test_ids, 32)

    zero_shot = bpc(src.model)
    results = {
        m.name: tl.transfer(src, m, SpanSampler(train, tok, 1.0, 32, stride=8),
                            recipe=tl.Recipe(steps=12, batch_size=8, lr=lr, clip_grad=1.0),
                            loss=lm_loss, evaluate=bpc, seeds=(0,))
        for m, lr in [(tl.FineTune(), 3e-4), (tl.Scratch(), 1e-3)]
    }
    ft, scratch = results["fine-tune"].mean, results["scratch"].mean
    assert ft < zero_shot - 0.02  # measured: 0.07-0.09 lower over seeds 0-2
    assert scratch > ft + 0.5  # measured: about 1.3 bpc higher
