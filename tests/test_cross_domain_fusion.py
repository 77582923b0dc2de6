"""The cross-domain chapter's model fusion: weight averaging, interpolation (exact
endpoints), task vectors, the output ensemble, the greedy soup, clear errors, agreement
with torch's AveragedModel, and the headline effect on 8×8 digits (a shared start fuses,
different random starts do not)."""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel

from aigc_tl.core import fit, predict
from aigc_tl.cross_domain.fusion import (
    apply_task_vectors,
    average_weights,
    ensemble_logits,
    greedy_soup,
    interpolate,
    task_vector,
    with_weights,
)
from aigc_tl.data import load_digits8


def mlp(seed: int, hidden: int = 32) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def train(model, x, y, steps, seed, lr=1e-2):
    fit(model, lambda m, b: F.cross_entropy(m(b[0]), b[1]), (x, y), steps=steps,
        lr=lr, seed=seed, batch_size=64, device="cpu", progress=False,
        log_every=steps)
    return model


def acc(model, x, y):
    return (predict(model, x, device="cpu").argmax(1) == y).float().mean().item()


def test_average_weights_values_weights_and_integer_buffers():
    sds = [{"w": torch.tensor([0.0, 2.0]), "n": torch.tensor(3)},
           {"w": torch.tensor([4.0, 6.0]), "n": torch.tensor(5)}]
    assert torch.equal(average_weights(sds)["w"], torch.tensor([2.0, 4.0]))
    assert torch.equal(average_weights(sds, [3, 1])["w"], torch.tensor([1.0, 3.0]))
    assert average_weights(sds)["n"].item() == 3  # ints are copied from the first


def test_interpolation_endpoints_are_the_ingredients_exactly():
    a, b = mlp(0).state_dict(), mlp(1).state_dict()
    for k in a:
        assert torch.equal(interpolate(a, b, 0.0)[k], a[k])
        assert torch.equal(interpolate(a, b, 1.0)[k], b[k])
        assert torch.allclose(interpolate(a, b, 0.5)[k], (a[k] + b[k]) / 2)


def test_matches_torch_averaged_model_with_batch_norm():
    torch.manual_seed(0)
    m_a = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                        nn.Linear(4 * 36, 10))
    m_b = copy.deepcopy(m_a)
    for p in m_b.parameters():
        p.data.add_(torch.randn_like(p))
    swa = AveragedModel(m_a)
    swa.update_parameters(m_a)
    swa.update_parameters(m_b)
    ours = average_weights([m_a.state_dict(), m_b.state_dict()])
    for k, p in swa.module.named_parameters():
        assert torch.allclose(p, ours[k], atol=1e-6)


def test_task_vectors_round_trip_and_negation():
    pre, ft = mlp(0).state_dict(), mlp(1).state_dict()
    tau = task_vector(ft, pre)
    back = apply_task_vectors(pre, [tau], 1.0)
    assert all(torch.allclose(back[k], ft[k]) for k in ft)
    half = apply_task_vectors(pre, [tau, tau], [0.25, 0.25])
    assert all(torch.allclose(half[k], interpolate(pre, ft, 0.5)[k]) for k in ft)


def test_ensemble_is_the_mean_of_logits_and_restores_train_mode():
    ms = [nn.Linear(4, 3), nn.Linear(4, 3)]
    x = torch.randn(5, 4)
    out = ensemble_logits(ms, x)
    assert out.shape == (5, 3) and torch.allclose(out, (ms[0](x) + ms[1](x)) / 2)
    assert all(m.training for m in ms)


def test_greedy_soup_skips_a_harmful_ingredient():
    toy = [{"w": torch.tensor([v])} for v in (1.2, 0.7, 9.0)]
    soup, kept = greedy_soup(toy, lambda sd: -abs(sd["w"].item() - 1.0))
    assert kept == [0, 1] and abs(soup["w"].item() - 0.95) < 1e-6


@pytest.mark.parametrize(
    "bad, err",
    [
        (lambda: average_weights([]), ValueError),
        (lambda: average_weights([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}]),
         ValueError),
        (lambda: average_weights([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}]),
         ValueError),
        (lambda: average_weights({"w": torch.zeros(2)}), TypeError),
        (lambda: average_weights([{"w": torch.zeros(2)}], weights=[1, 2]), ValueError),
        (lambda: average_weights([{"w": torch.zeros(2)}], weights=[-1]), ValueError),
        (lambda: interpolate({"w": torch.zeros(2)}, {"w": torch.zeros(2)}, 1.5),
         ValueError),
        (lambda: task_vector({"w": torch.zeros(2)}, {"w": torch.zeros(3)}), ValueError),
        (lambda: apply_task_vectors({"w": torch.zeros(2)}, [], 1.0), ValueError),
        (lambda: apply_task_vectors({"w": torch.zeros(2)}, [{"w": torch.zeros(2)}],
                                    [1.0, 2.0]), ValueError),
        (lambda: ensemble_logits([], torch.zeros(1, 4)), ValueError),
        (lambda: ensemble_logits([nn.Linear(4, 2), "x"], torch.zeros(1, 4)), TypeError),
        (lambda: greedy_soup([], lambda sd: 0.0), ValueError),
    ],
)
def test_bad_input_is_a_clear_error(bad, err):
    with pytest.raises(err):
        bad()


def test_shared_start_fuses_and_different_starts_do_not():
    x_tr, y_tr = load_digits8("train")
    x_te, y_te = load_digits8("test")
    pre = train(mlp(100), x_tr, y_tr, 150, 0)
    a = train(copy.deepcopy(pre), x_tr, y_tr, 60, 10, 3e-3)
    b = train(copy.deepcopy(pre), x_tr, y_tr, 60, 20, 5e-3)
    ra, rb = (train(mlp(s), x_tr, y_tr, 210, s) for s in (201, 202))
    for m1, m2 in ((a, b), (ra, rb)):  # endpoints of the curve are the ingredients
        sa, sb = m1.state_dict(), m2.state_dict()
        assert acc(with_weights(m1, interpolate(sa, sb, 0.0)), x_te, y_te) == acc(
            m1, x_te, y_te)
        assert acc(with_weights(m1, interpolate(sa, sb, 1.0)), x_te, y_te) == acc(
            m2, x_te, y_te)
    shared = acc(with_weights(a, average_weights([a.state_dict(), b.state_dict()])),
                 x_te, y_te)
    diff = acc(with_weights(ra, average_weights([ra.state_dict(), rb.state_dict()])),
               x_te, y_te)
    best_diff = max(acc(ra, x_te, y_te), acc(rb, x_te, y_te))
    assert shared > 0.9 and shared > max(acc(a, x_te, y_te), acc(b, x_te, y_te)) - 0.02
    assert diff < best_diff - 0.2 and shared - diff > 0.2
    ens = (ensemble_logits([ra, rb], x_te).argmax(1) == y_te).float().mean().item()
    assert ens > best_diff - 0.03  # the output ensemble does not need a shared start
