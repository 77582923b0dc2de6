"""aigc_tl.modalities.text.cross_lingual: the poem split, the vocabulary swap, the two
initialisation maps, the `NewVocabulary` method, the headline effects (Tang poems)."""

import copy

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.data import load_tang_poems
from aigc_tl.generative.autoregressive import (
    CharGPT,
    CharTokenizer,
    GPTConfig,
    evaluate_bpc,
    lm_loss,
)
from aigc_tl.modalities.text.cross_lingual import (
    NewVocabulary,
    frequency_rank_map,
    punctuation_map,
    split_poems,
    swap_vocabulary,
)
from aigc_tl.modalities.text.domain_adaptation import SpanSampler

POEMS = [{"text": f"诗{i}，春{i % 3}。"} for i in range(10)]


def _gpt(vocab_size=12, seed=0):
    torch.manual_seed(seed)
    return CharGPT(
        GPTConfig(vocab_size=vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=16)
    )


# ---------- split_poems ----------


def test_split_poems_whole_poems_disjoint_and_complete():
    a, b, rest = split_poems(POEMS, [2, 3], seed=1)
    parts = [t.split("\n\n")[:-1] for t in (a, b, rest)]
    assert [len(p) for p in parts] == [2, 3, 5]
    assert sorted(sum(parts, [])) == sorted(p["text"] for p in POEMS)
    assert split_poems(POEMS, [2, 3], seed=1) == [a, b, rest]  # seeded
    assert split_poems(POEMS, [2, 3], seed=2) != [a, b, rest]


@pytest.mark.parametrize(
    "poems, sizes, err",
    [
        (POEMS, [5, 5], ValueError),  # nothing left for training
        (POEMS, [0], ValueError),
        (POEMS, [True], ValueError),
        ([], [1], TypeError),
        ([{"title": "x"}], [1], TypeError),
    ],
)
def test_split_poems_bad_input(poems, sizes, err):
    with pytest.raises(err):
        split_poems(poems, sizes)


# ---------- swap_vocabulary ----------


def test_swap_vocabulary_shapes_tied_copied_rows_and_body_kept():
    base = _gpt()
    old = base.transformer.wte.weight.clone()
    m = swap_vocabulary(
        copy.deepcopy(base),
        30,
        "normal",
        {3: 5, 0: 0},
        generator=torch.Generator().manual_seed(0),
    )
    E = m.transformer.wte.weight
    assert E.shape == (30, 16) and m.config.vocab_size == 30
    assert torch.equal(E[3], old[5]) and torch.equal(E[0], old[0])
    assert m(torch.tensor([[29, 3, 1]])).shape == (1, 3, 30)
    assert E.requires_grad
    for (k, v), (k2, v2) in zip(base.state_dict().items(), m.state_dict().items()):
        if k != "transformer.wte.weight":
            assert k == k2 and torch.equal(v, v2)


def test_swap_vocabulary_mean_init_centres_on_the_old_mean():
    base = _gpt()
    with torch.no_grad():
        base.transformer.wte.weight.add_(1.5)
    m = swap_vocabulary(
        copy.deepcopy(base), 500, "mean", generator=torch.Generator().manual_seed(0)
    )
    mean = base.transformer.wte.weight.mean(0)
    assert (m.transformer.wte.weight.mean(0) - mean).abs().max() < 0.01
    r = swap_vocabulary(
        copy.deepcopy(base), 500, "normal", generator=torch.Generator().manual_seed(0)
    )
    assert r.transformer.wte.weight.mean().abs() < 0.01


def test_swap_vocabulary_equals_state_dict_loading():
    base = _gpt()
    ours = swap_vocabulary(
        copy.deepcopy(base), 20, generator=torch.Generator().manual_seed(3)
    )
    plain = CharGPT(
        GPTConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, n_embd=16)
    )
    sd = {k: v for k, v in base.state_dict().items() if "wte" not in k}
    plain.load_state_dict(sd, strict=False)
    with torch.no_grad():
        plain.transformer.wte.weight.copy_(ours.transformer.wte.weight)
    x = torch.randint(0, 20, (2, 8))
    assert torch.allclose(plain(x), ours(x), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, err",
    [
        (dict(vocab_size=0), ValueError),
        (dict(vocab_size=2.5), ValueError),
        (dict(vocab_size=10, init="zeros"), ValueError),
        (dict(vocab_size=10, copy_rows={10: 0}), ValueError),
        (dict(vocab_size=10, copy_rows={0: 12}), ValueError),
    ],
)
def test_swap_vocabulary_bad_input(kwargs, err):
    with pytest.raises(err):
        swap_vocabulary(_gpt(), **kwargs)


def test_swap_vocabulary_needs_a_token_embedding():
    with pytest.raises(TypeError, match="wte"):
        swap_vocabulary(torch.nn.Linear(3, 3), 10)


# ---------- the maps ----------


def test_punctuation_and_frequency_rank_maps():
    zh, en = CharTokenizer("山月，。\n山"), CharTokenizer("ee e,.\nx")
    p = punctuation_map(zh, en)
    assert p == {
        zh.stoi["\n"]: en.stoi["\n"],
        zh.stoi["，"]: en.stoi[","],
        zh.stoi["。"]: en.stoi["."],
        zh.eot_id: en.eot_id,
    }
    r = frequency_rank_map("山山山月月，", zh, "eeexx,", en)
    assert r[zh.stoi["山"]] == en.stoi["e"] and r[zh.stoi["月"]] == en.stoi["x"]
    assert r[zh.eot_id] == en.eot_id and len(r) == 4
    with pytest.raises(ValueError, match="old_text"):
        frequency_rank_map("山", zh, "", en)


# ---------- the method ----------


def test_new_vocabulary_method_freezes_the_body_and_leaves_the_source():
    src = tl.Source(_gpt())
    frozen = NewVocabulary(40, freeze_body=True)
    m = frozen.attach(src.model, generator=torch.Generator().manual_seed(0))
    assert frozen.count(m)[0] == 40 * 16 and src.model.config.vocab_size == 12
    full = NewVocabulary(40, "mean")
    assert full.count(full.attach(src.model))[0] == sum(
        p.numel() for p in m.parameters()
    )
    assert NewVocabulary(40, pretrained=False).name.startswith("random body")
    with pytest.raises(ValueError, match="init"):
        NewVocabulary(40, init="uniform")


# ---------- the headline effects, small config ----------


@pytest.fixture(scope="module")
def tang():
    poems = load_tang_poems()
    test_text, _, train_text = split_poems(poems, [32, 16])
    zh = CharTokenizer("".join(p["text"] for p in poems) + "\n")
    return zh, train_text, zh.encode(test_text)


def _bpc(tang, method, seeds):
    zh, train_text, test_ids = tang
    src = tl.source("chargpt-shakespeare")
    r = tl.transfer(
        src,
        method,
        SpanSampler(train_text, zh, 1.0, 32, stride=8),
        recipe=tl.Recipe(steps=16, batch_size=8, lr=3e-3, clip_grad=1.0),
        loss=lm_loss,
        evaluate=lambda m: evaluate_bpc(m, test_ids, 32, max_windows=32),
        seeds=seeds,
    )
    return r.mean


def test_punctuation_map_beats_random_embeddings_on_the_english_body(tang):
    zh = tang[0]
    en = tl.source("chargpt-shakespeare").tokenizer
    mapped = NewVocabulary(len(zh), copy_rows=punctuation_map(zh, en))
    assert _bpc(tang, mapped, (0,)) < _bpc(tang, NewVocabulary(len(zh)), (0,)) - 0.15


def test_frozen_english_body_beats_a_frozen_random_body(tang):
    V = len(tang[0])
    english = NewVocabulary(V, freeze_body=True)
    random_body = NewVocabulary(V, freeze_body=True, pretrained=False)
    assert _bpc(tang, english, (0,)) < _bpc(tang, random_body, (0,)) - 0.3
