import tempfile
from pathlib import Path

import pytest
import torch
from torch import nn

from aigc_tl.core import (History, atomic_save, cache_dir, fit, get_device, get_mode, is_full, iterate_batches,
                          pick, seed_everything, use_mode)


def test_mode_default_and_env(monkeypatch):
    monkeypatch.delenv("AIGC_TL_MODE", raising=False)
    assert get_mode() == "quick" and not is_full() and pick(1, 2) == 1
    monkeypatch.setenv("AIGC_TL_MODE", "FULL")
    assert get_mode() == "full" and pick(1, 2) == 2


def test_bad_mode_is_rejected(monkeypatch):
    monkeypatch.setenv("AIGC_TL_MODE", "fast")
    with pytest.raises(ValueError, match="quick"):
        get_mode()
    with pytest.raises(ValueError):
        with use_mode("turbo"):
            pass


def test_use_mode_restores(monkeypatch):
    monkeypatch.delenv("AIGC_TL_MODE", raising=False)
    with use_mode("full"):
        assert is_full()
    assert get_mode() == "quick"


def test_device_override(monkeypatch):
    monkeypatch.setenv("AIGC_TL_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert get_device("meta") == torch.device("meta")


def test_seed_everything_is_reproducible_and_validates():
    seed_everything(5); a = torch.randn(4)
    seed_everything(5); b = torch.randn(4)
    assert torch.equal(a, b)
    g1, g2 = seed_everything(7), seed_everything(7)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))
    with pytest.raises(ValueError):
        seed_everything(-1)


def test_cache_dir_respects_home(fresh_home):
    p = cache_dir("zoo", "x")
    assert p.is_dir() and fresh_home in p.parents


def test_atomic_save_leaves_no_temp(tmp_path):
    path = atomic_save({"a": torch.ones(2)}, tmp_path / "c.pt")
    assert torch.load(path, weights_only=True)["a"].sum() == 2
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


def test_history_backfills_and_roundtrips():
    h = History(); h.log(1, loss=1.0); h.log(2, loss=0.5, acc=0.9)
    assert h.last("acc") == 0.9 and h["acc"][0] != h["acc"][0]
    h2 = History(); h2.load_state_dict(h.state_dict())
    assert h2.steps == h.steps and h2.last("loss") == 0.5


def test_iterate_batches_replays_from_any_step():
    data = (torch.arange(23), torch.arange(23) * 2)
    first = [b for _, (s, b) in zip(range(9), iterate_batches(data, 5, seed=3))]
    later = [b for _, (s, b) in zip(range(4), iterate_batches(data, 5, seed=3, start=5))]
    for a, b in zip(first[5:], later):
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], 2 * a[0])
    with pytest.raises(ValueError):
        next(iterate_batches((torch.arange(3), torch.arange(4)), 2))
    with pytest.raises(ValueError):
        next(iterate_batches((torch.arange(3),), 0))
    with pytest.raises(TypeError):
        next(iterate_batches(([1, 2],), 1))


def _net():
    seed_everything(1)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))


def _ce(m, b):
    return nn.functional.cross_entropy(m(b[0]), b[1])


@pytest.mark.parametrize("stop_at", [1, 7, 20])
def test_fit_resume_equals_uninterrupted(tmp_path, stop_at):
    x = torch.randn(120, 4, generator=torch.Generator().manual_seed(0)); y = (x[:, 0] > 0).long()
    sched = lambda opt: torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)
    ref = _net()
    h_ref = fit(ref, _ce, (x, y), steps=25, batch_size=16, log_every=3, scheduler=sched, progress=False)
    calls = {"n": 0}

    def flaky(m, b):
        calls["n"] += 1
        if calls["n"] == stop_at:
            raise KeyboardInterrupt
        return _ce(m, b)

    ck = tmp_path / "ck.pt"
    with pytest.raises(KeyboardInterrupt):
        fit(_net(), flaky, (x, y), steps=25, batch_size=16, log_every=3, scheduler=sched, checkpoint=ck,
            progress=False)
    assert torch.load(ck, weights_only=True)["step"] == stop_at - 1
    resumed = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    h = fit(resumed, _ce, (x, y), steps=25, batch_size=16, log_every=3, scheduler=sched, checkpoint=ck,
            progress=False)
    for a, b in zip(ref.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)
    assert h.steps == h_ref.steps and h.values == h_ref.values


def test_fit_periodic_checkpoints_and_eval(tmp_path):
    x = torch.randn(64, 4); y = (x[:, 1] > 0).long()
    h = fit(_net(), _ce, (x, y), steps=20, batch_size=8, checkpoint=tmp_path / "c.pt", checkpoint_every=5,
            eval_fn=lambda m: {"acc": (m(x).argmax(1) == y).float().mean()}, eval_every=10, progress=False)
    assert torch.load(tmp_path / "c.pt", weights_only=True)["step"] == 20
    assert len([v for v in h["acc"] if v == v]) == 2  # at step 10 and at the end


def test_fit_rejects_bad_arguments_and_nan():
    x = torch.randn(8, 4); y = torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError):
        fit(_net(), _ce, (x, y), steps=-1, progress=False)
    with pytest.raises(ValueError):
        fit(_net(), _ce, (x, y), steps=1, amp="fp8", progress=False)
    with pytest.raises(FloatingPointError):
        fit(_net(), lambda m, b: m(b[0]).sum() * float("nan"), (x, y), steps=2, progress=False)


def test_fit_with_bf16_autocast_on_cpu():
    x = torch.randn(64, 4); y = (x[:, 0] > 0).long()
    h = fit(_net(), _ce, (x, y), steps=30, batch_size=16, amp="bf16", lr=1e-2, progress=False)
    assert h.last("loss") < h["loss"][0]


def test_model_device():
    from aigc_tl.core import model_device
    assert model_device(torch.nn.Linear(2, 2)) == torch.device("cpu")
    assert model_device(torch.nn.BatchNorm1d(2).requires_grad_(False)) == torch.device("cpu")
    assert model_device(torch.nn.ReLU()) == torch.device("cpu")  # no parameters, no buffers
    q = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(4, 4)), {torch.nn.Linear})
    assert model_device(q) == torch.device("cpu")


def test_fit_trains_inside_no_grad():
    "A zoo model trained on first use may be requested from evaluation code running under no_grad."
    from aigc_tl.core import fit
    torch.manual_seed(0)
    m = torch.nn.Linear(3, 1)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    before = m.weight.detach().clone()
    with torch.no_grad():
        fit(m, lambda mod, b: torch.nn.functional.mse_loss(mod(b[0]), b[1]), (x, y), steps=3, batch_size=8,
            progress=False)
        assert not torch.is_grad_enabled()  # the caller's no_grad is restored afterwards
    assert not torch.equal(before, m.weight)


def test_eval_mode_restores_the_training_flag_even_after_an_error():
    from aigc_tl.core import eval_mode
    m = torch.nn.Sequential(torch.nn.Dropout(0.5))
    with eval_mode(m):
        assert not m.training and not m[0].training
    assert m.training and m[0].training
    with pytest.raises(RuntimeError):
        with eval_mode(m):
            raise RuntimeError("boom")
    assert m.training
    m.eval()
    with eval_mode(m):
        pass
    assert not m.training  # a model that was in eval mode stays there


def test_fit_callbacks_resume_exactly_with_an_ema(tmp_path):
    "A callback with a state_dict (here EMA) travels in the checkpoint: interrupted + resumed == uninterrupted."
    from aigc_tl.core import EMA, Callback
    x = torch.randn(96, 4, generator=torch.Generator().manual_seed(0)); y = (x[:, 0] > 0).long()
    kw = dict(steps=15, batch_size=16, log_every=4, progress=False)
    ref = _net(); ema_ref = EMA(ref, 0.9)
    h_ref = fit(ref, _ce, (x, y), callbacks=[ema_ref], **kw)

    class Stop(Callback):
        def on_step_end(self, state):
            if state.step == 6:
                raise KeyboardInterrupt

    ck = tmp_path / "ema.pt"
    net = _net(); ema = EMA(net, 0.9)
    with pytest.raises(KeyboardInterrupt):
        fit(net, _ce, (x, y), callbacks=[ema, Stop()], checkpoint=ck, **kw)
    net2 = _net(); ema2 = EMA(net2, 0.9)
    h = fit(net2, _ce, (x, y), callbacks=[ema2], checkpoint=ck, **kw)
    for a, b in zip(ema_ref.shadow.state_dict().values(), ema2.shadow.state_dict().values()):
        assert torch.equal(a, b)
    assert h.steps == h_ref.steps and h.values == h_ref.values


def test_fit_nan_is_found_at_the_log_line_and_names_the_steps():
    x = torch.randn(32, 4); y = torch.zeros(32, dtype=torch.long)
    calls = {"n": 0}

    def loss(m, b):
        calls["n"] += 1
        return _ce(m, b) * (float("nan") if calls["n"] == 7 else 1.0)

    with pytest.raises(FloatingPointError, match="steps 5-9"):
        fit(_net(), loss, (x, y), steps=20, batch_size=8, log_every=5, progress=False)


def test_fit_custom_step_with_two_optimisers_and_a_callable_data_source():
    from aigc_tl.core import StepContext
    m = nn.Linear(3, 1)
    opts = [torch.optim.SGD([m.weight], lr=0.1), torch.optim.SGD([m.bias], lr=0.1)]
    seen = []

    def step(model, batch, optimizers, ctx):
        assert isinstance(ctx, StepContext) and optimizers == opts
        for o in optimizers:
            o.zero_grad(set_to_none=True)
            with ctx.autocast():
                loss = (model(batch) - 1).pow(2).mean()
            ctx.update(loss, o)
        return {"loss": loss.detach(), "n": 1.0}

    def data(i):
        seen.append(i)
        return torch.ones(4, 3) * i / 10

    h = fit(m, None, data, steps=6, step_fn=step, optimizer=opts, log_every=3, clip_grad=0.5, progress=False)
    assert seen == list(range(6)) and h.steps == [3, 6] and h["n"] == [1.0, 1.0]
    with pytest.raises(TypeError, match="loss_fn"):
        fit(m, _ce, data, steps=1, step_fn=step, progress=False)
