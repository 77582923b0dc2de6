"""Tests for aigc_tl.modalities.audio.spectrograms (spoken words, spectrogram images,
MFCCs, the voice sampler)."""

import pytest
import torch
import torchaudio

from aigc_tl.modalities.audio import spectrograms as sg


@pytest.fixture(scope="module")
def words():
    return sg.spoken_words(["en-us", "en-us+f3", "en-us+m3"], seed=0)


def test_dct_matrix_matches_torchaudio_and_is_orthonormal():
    ref = torchaudio.functional.create_dct(13, 40, "ortho").T
    assert torch.allclose(sg.dct_matrix(13, 40), ref, atol=1e-6)
    D = sg.dct_matrix(16, 16)
    assert torch.allclose(D @ D.T, torch.eye(16), atol=1e-5)


def test_spoken_words_are_deterministic_and_labelled(words):
    waves, labels, ids = words
    assert len(waves) == 30 and labels.tolist() == list(range(10)) * 3
    assert ids.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    again = sg.spoken_words(["en-us"], seed=0)[0]
    assert all(torch.equal(a, b) for a, b in zip(again, waves[:10]))
    assert all(w.abs().max() > 0.05 for w in waves)


def test_spectrogram_image_is_a_digit_sized_image(words):
    image = sg.spectrogram_image(words[0][0])
    assert image.shape == (1, 28, 28)
    assert image.min() >= 0 and image.max() <= 1 and image.max() > 0.9
    assert sg.mfcc_stats(words[0][0]).shape == (26,)


def test_voice_sampler_draws_whole_voices():
    images, labels = torch.rand(40, 1, 28, 28), torch.arange(40) % 10
    ids = torch.arange(40) // 10
    s = sg.VoiceSampler(images, labels, ids, pool=[0, 1, 2], k=2)
    x, y = s(torch.Generator().manual_seed(0))
    assert len(x) == 20 and sorted(y.tolist()) == sorted(list(range(10)) * 2)
    assert 3 not in ids[torch.isin(ids, s.drawn[0])]
