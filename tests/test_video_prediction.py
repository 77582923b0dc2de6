"""SimVP-style video prediction (nbs/04_modalities/03_video/03_prediction.ipynb)."""

import pytest
import torch

from aigc_tl import transfer as tl
from aigc_tl import zoo
from aigc_tl.modalities.video.prediction import (
    PRED_RECIPES,
    FrameAutoencoder,
    SimVP,
    _target_clips,
    all_black,
    copy_last,
    from_autoencoder,
    horizon_mse,
    predict,
    prediction_loss,
    split_clips,
)


def test_shapes():
    clips = torch.rand(3, 8, 1, 32, 32)
    past, future = split_clips(clips, 4)
    assert past.shape == future.shape == (3, 4, 1, 32, 32)
    model = SimVP()
    assert model(past).shape == future.shape
    out = predict(model, past)
    assert out.min() >= 0 and out.max() <= 1 and model.training
    assert horizon_mse(out, future).shape == (4,)
    assert torch.equal(copy_last(past, 4)[:, -1], past[:, -1])
    assert all_black(past, 2).shape == (3, 2, 1, 32, 32)
    ae = FrameAutoencoder()
    assert ae(torch.rand(2, 1, 32, 32)).shape == (2, 1, 32, 32)
    m = from_autoencoder(ae)
    assert torch.equal(m.encoder[1].weight, ae.encoder[1].weight)


def test_bad_input():
    with pytest.raises(TypeError, match="clips"):
        split_clips(torch.rand(8, 1, 32, 32), 4)
    with pytest.raises(ValueError, match="past"):
        split_clips(torch.rand(2, 8, 1, 32, 32), 8)
    with pytest.raises(TypeError, match="past"):
        split_clips(torch.rand(2, 8, 1, 32, 32), 2.0)
    with pytest.raises(ValueError, match="4 past frames"):
        SimVP()(torch.rand(2, 3, 1, 32, 32))
    with pytest.raises(ValueError, match="pred"):
        horizon_mse(torch.rand(2, 4, 1, 8, 8), torch.rand(2, 3, 1, 8, 8))
    with pytest.raises(TypeError, match="ae"):
        from_autoencoder(torch.nn.Linear(2, 2))


def test_shapes_source_transfers_to_digits():
    "Headline: the shapes predictor beats all-black zero-shot; fine-tuned at η/10 it"
    " beats the same budget from scratch."
    r = PRED_RECIPES["quick"]
    test_past, test_future = split_clips(_target_clips(60, r, split="test", seed=2), 4)
    train = split_clips(_target_clips(20, r, seed=0), 4)

    def mse(model):
        return float(horizon_mse(predict(model, test_past), test_future).mean())

    shapes = tl.source("simvp-shapes")
    black = mse_black = float(horizon_mse(all_black(test_past, 4), test_future).mean())
    assert mse(shapes.model) < black - 0.003
    run = lambda method, lr: (
        tl.transfer(
            shapes,
            method,
            train,
            recipe=tl.Recipe(steps=30, batch_size=8, lr=lr),
            evaluate=mse,
            seeds=(0,),
            loss=prediction_loss,
        ).mean
    )
    assert run(tl.FineTune(), 2e-4) < run(tl.Scratch(), 2e-3) - 0.001
    assert mse_black < float(horizon_mse(copy_last(test_past, 4), test_future).mean())
    assert "simvp-shapes" in zoo.available("quick")
