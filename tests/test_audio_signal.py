"""Tests for aigc_tl.modalities.audio.signal (STFT, mel filterbank, Griffin-Lim, LSD)."""

import pytest
import torch
import torchaudio

from aigc_tl.data import speak
from aigc_tl.modalities.audio.signal import (
    griffin_lim,
    hann,
    istft,
    log_spectral_distance,
    mel_filterbank,
    mel_spectrogram,
    mel_to_linear,
    stft,
)


@pytest.fixture(scope="module")
def wave():
    return speak("a short test sentence", "en-us+f3", rate=16_000)


def test_stft_and_istft_match_torch(wave):
    ref = torch.stft(wave, 512, 128, window=torch.hann_window(512), return_complex=True)
    assert torch.allclose(stft(wave), ref, atol=1e-4)
    assert torch.allclose(istft(stft(wave), length=wave.numel()), wave, atol=1e-5)
    assert torch.allclose(hann(512), torch.hann_window(512), atol=1e-6)


def test_stft_batches(wave):
    two = torch.stack([wave, wave.flip(0)])
    assert torch.allclose(stft(two)[1], stft(wave.flip(0)), atol=1e-4)
    assert istft(stft(two), length=wave.numel()).shape == two.shape


def test_mel_matches_torchaudio(wave):
    ta = torchaudio.functional.melscale_fbanks(
        257, 0.0, 8000.0, 80, 16_000, None, "htk"
    )
    assert torch.allclose(mel_filterbank(80, 512, 16_000), ta, atol=1e-4)
    ref = torchaudio.transforms.MelSpectrogram(
        16_000, n_fft=512, hop_length=128, n_mels=80, power=1.0, mel_scale="htk"
    )(wave)
    assert torch.allclose(mel_spectrogram(wave), ref, atol=1e-3 * ref.max())
    assert mel_to_linear(mel_spectrogram(wave)).min() >= 0


@pytest.mark.parametrize("momentum", [0.0, 0.99])
def test_griffin_lim_matches_torchaudio(wave, momentum):
    mag = stft(wave).abs()
    ours = griffin_lim(mag, 8, length=wave.numel(), momentum=momentum)
    theirs = torchaudio.functional.griffinlim(
        mag,
        torch.hann_window(512),
        512,
        128,
        512,
        1.0,
        8,
        momentum,
        wave.numel(),
        False,
    )
    assert torch.allclose(ours, theirs, atol=1e-3)


def test_lsd_floor_and_griffin_lim_beats_random_phase(wave):
    X = stft(wave)
    assert (
        log_spectral_distance(stft(istft(X, length=wave.numel())).abs(), X.abs()) < 0.01
    )
    g = torch.Generator().manual_seed(0)
    random = griffin_lim(X.abs(), 0, length=wave.numel(), generator=g)
    g = torch.Generator().manual_seed(0)
    gl = griffin_lim(X.abs(), 25, length=wave.numel(), generator=g)
    lsd = [log_spectral_distance(stft(y).abs(), X.abs()) for y in (random, gl)]
    assert lsd[1] < lsd[0] - 2.0
