"""Tests for aigc_tl.modalities.audio.music (tokens, shipped corpora, n-gram, rendering,
the transfer grid on a tiny random source)."""

import gzip
import hashlib

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl.generative.autoregressive import CharGPT, GPTConfig
from aigc_tl.modalities.audio import music as mu


@pytest.fixture(scope="module")
def tok():
    return mu.MusicTokenizer()


def test_tokenizer_round_trip_and_vocabulary(tok):
    bar = ["n60", "d1", "r", "d0.5", "n108", "d1/3", "<eot>"]
    assert tok.decode(tok.encode(bar)) == bar
    assert len(tok) == 2 + len(mu.PITCHES) + len(mu.DURATIONS) == 97
    with pytest.raises(ValueError, match="not in the music vocabulary"):
        tok.encode(["n200"])
    with pytest.raises(TypeError, match="not one string"):
        tok.encode("n60 d1")


def test_shipped_corpora_match_their_sha256(tok):
    for name, (file, sha, _) in mu.MUSIC_CORPORA.items():
        data = (mu._CORPUS_DIR / file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert len(gzip.decompress(data).splitlines()) > 1000
    bach, fiddle = mu.load_tunes("bach-chorales"), mu.load_tunes("fiddle-tunes")
    assert len(bach) == 1756 and len(fiddle) == 1042
    for tune in bach[:50] + fiddle[:50]:  # every token is in the vocabulary, pairs
        tok.encode(tune.tokens)
        assert all(t[0] in "nr" for t in tune.tokens[0::2])
        assert all(t[0] == "d" for t in tune.tokens[1::2])


def test_part_tokens_reproduces_the_shipped_line():
    pytest.importorskip("music21")
    from music21 import corpus

    path = corpus.getComposer("bach")[0]  # bwv1.6
    score, key = mu._to_c(corpus.parse(path))
    line = " ".join(mu.part_tokens(score.parts[0]))
    assert line == " ".join(mu.load_tunes("bach-chorales")[0].tokens)
    assert f"{key.tonic.name} {key.mode}" == mu.load_tunes("bach-chorales")[0].key


def test_duration_rounding_and_split():
    assert mu._duration(0.26) == "0.25" and mu._duration(0.34) == "1/3"
    assert mu._duration(7.0) == "4"


def test_split_and_sampler_draw_whole_tunes(tok):
    tunes = mu.load_tunes("fiddle-tunes")[:100]
    train, test = mu.split_tunes(tunes, 0.1)
    assert len(test) == 10 and not {t.name for t in train} & {t.name for t in test}
    sampler = mu.TuneSampler(train, tok, 0.1, 16)
    x, y = sampler(torch.Generator().manual_seed(0))
    assert x.shape[1] == 16 and torch.equal(x[:, 1:], y[:, :-1])
    assert len(sampler.drawn[0]) == 9


def test_ngram_beats_uniform_and_is_deterministic(tok):
    tunes = mu.load_tunes("fiddle-tunes")
    train, test = mu.split_tunes(tunes[:200], 0.1)
    a, b = mu.tune_ids(train, tok), mu.tune_ids(test, tok)
    p3 = mu.ngram_perplexity(a, b, len(tok), 3)
    assert p3 < 8 < len(tok)
    assert p3 == mu.ngram_perplexity(a, b, len(tok), 3)


def test_to_stream_pairs_pitch_with_next_duration():
    pytest.importorskip("music21")
    s = mu.to_stream(["d1", "n60", "d1", "<eot>", "r", "d0.5", "n62", "n64", "d2"])
    notes = list(s.notesAndRests)
    assert [n.quarterLength for n in notes] == [1.0, 0.5, 2.0]
    assert notes[0].pitch.midi == 60 and notes[2].pitch.midi == 64


def test_tokens_to_wave_renders_sound():
    if mu.shutil.which("fluidsynth") is None:
        pytest.skip("fluidsynth not installed")
    wave = mu.tokens_to_wave(["n69", "d1", "n72", "d1"], rate=16_000)
    assert wave.dim() == 1 and 16_000 < wave.numel() < 5 * 16_000
    assert wave.abs().max() > 0.01


def test_music_grid_on_a_tiny_random_source(tok):
    "The full-mode code path (long scratch control at every fraction), tiny."
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=len(tok), block_size=8, n_layer=1, n_head=2, n_embd=16)
    model = CharGPT(cfg)
    model.tokenizer = tok
    src = tl.Source(model, tokenizer=tok)
    tunes = mu.load_tunes("fiddle-tunes")[:40]
    train, test = mu.split_tunes(tunes, 0.25)
    ev = mu.HeldOut(mu.tune_ids(test, tok)[:400], 8)
    grid, drawn = mu.music_grid(
        src,
        train,
        ev,
        fractions=(0.5, 1.0),
        steps=2,
        scratch_steps=4,
        long_at=(0.5, 1.0),
        seeds=(0, 1, 2),
        keep_at=0.5,
    )
    names = {m for _, m in grid}
    assert names == {"fine-tune", "LoRA r=8", "scratch", "scratch, 2x steps", "trigram"}
    assert all(len(r.values) == 3 for r in grid.values())
    assert len(grid[0.5, "fine-tune"].models) == 3 and not grid[1.0, "fine-tune"].models
    assert len(drawn[0.5]) == 3 and len(drawn[1.0][0]) == len(train)
    # the equal-steps scratch is the long run's curve at `steps`
    at, curve = grid[0.5, "scratch, 2x steps"].curve()
    assert grid[0.5, "scratch"].values == curve[:, list(at).index(2)].tolist()
    with pytest.raises(ValueError, match="multiple of steps"):
        mu.music_grid(src, train, ev, steps=3, scratch_steps=4)
