"""Tests for aigc_tl.cross_domain.meta (MAML, Reptile, the functional inner loop)."""

import copy

import pytest
import torch
import torch.nn.functional as F

from aigc_tl.cross_domain.meta import (
    adapt,
    few_shot_mse,
    maml_step,
    reptile_step,
    sine_net,
    sine_tasks,
    task_forward,
)


def _tasks(n=3, k=5, seed=0):
    return sine_tasks(n, k, torch.Generator().manual_seed(seed))


def test_sine_tasks_shapes_and_range():
    xs, ys, xq, yq = sine_tasks(6, 5, torch.Generator().manual_seed(0), k_query=7)
    assert xs.shape == ys.shape == (6, 5, 1) and xq.shape == yq.shape == (6, 7, 1)
    assert xs.abs().max() <= 5 and yq.abs().max() <= 5
    again = sine_tasks(6, 5, torch.Generator().manual_seed(0), k_query=7)
    assert all(torch.equal(a, b) for a, b in zip((xs, ys, xq, yq), again))


@pytest.mark.parametrize("kw", [{"n": 0}, {"k": -1}, {"k_query": 1.5}])
def test_sine_tasks_bad_input(kw):
    args = {"n": 2, "k": 3, **kw}
    with pytest.raises(ValueError, match=next(iter(kw))):
        sine_tasks(**args)


def test_adapt_equals_sgd_and_batched():
    torch.manual_seed(0)
    net = sine_net()
    xs, ys, _, _ = _tasks()
    phi = adapt(net, xs[0], ys[0], steps=4, lr=0.02)
    twin = copy.deepcopy(net)
    opt = torch.optim.SGD(twin.parameters(), lr=0.02)
    for _ in range(4):
        opt.zero_grad()
        F.mse_loss(twin(xs[0]), ys[0]).backward()
        opt.step()
    for n, p in twin.named_parameters():
        assert torch.allclose(phi[n], p, atol=1e-6)
    phi3 = adapt(net, xs, ys, steps=4, lr=0.02)
    assert phi3["0.weight"].shape == (3, 40, 1)
    for n in phi3:
        assert torch.allclose(
            phi3[n][1], adapt(net, xs[1], ys[1], 4, 0.02)[n], atol=1e-5
        )


def test_adapt_bad_input():
    net, (xs, ys, _, _) = sine_net(), _tasks()
    with pytest.raises(ValueError, match="steps"):
        adapt(net, xs, ys, steps=-1, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        adapt(net, xs, ys, steps=1, lr=0.0)
    with pytest.raises(ValueError, match="x, y"):
        adapt(net, xs, ys[:, :2], steps=1, lr=0.1)
    with pytest.raises(TypeError, match="tensors"):
        adapt(net, xs.numpy(), ys, steps=1, lr=0.1)


def test_first_order_maml_gradient_is_gradient_at_adapted_params():
    torch.manual_seed(1)
    net, tasks = sine_net(), _tasks(n=2, seed=1)
    m = copy.deepcopy(net)
    maml_step(m, torch.optim.SGD(m.parameters(), lr=0.0), tasks, 2, 0.01, True)
    want = {n: torch.zeros_like(p) for n, p in net.named_parameters()}
    for i in range(2):
        phi = adapt(net, tasks[0][i], tasks[1][i], 2, 0.01)
        phi = {n: p.detach().requires_grad_() for n, p in phi.items()}
        loss = F.mse_loss(task_forward(net, phi, tasks[2][i]), tasks[3][i])
        for (n, _), g in zip(
            phi.items(), torch.autograd.grad(loss, list(phi.values()))
        ):
            want[n] += g / 2
    for n, p in m.named_parameters():
        assert torch.allclose(p.grad, want[n], atol=1e-6)


def test_second_order_differs_and_steps_validate():
    torch.manual_seed(2)
    net, tasks = sine_net(), _tasks(seed=2)
    grads = []
    for first_order in (True, False):
        m = copy.deepcopy(net)
        maml_step(
            m, torch.optim.SGD(m.parameters(), lr=0.0), tasks, 1, 0.05, first_order
        )
        grads.append(torch.cat([p.grad.flatten() for p in m.parameters()]))
    assert not torch.allclose(grads[0], grads[1])
    with pytest.raises(TypeError, match="tasks"):
        maml_step(net, torch.optim.SGD(net.parameters(), 0.1), tasks[:2])
    with pytest.raises(ValueError, match="shapes"):
        reptile_step(
            net, torch.optim.SGD(net.parameters(), 0.1), tuple(t[0] for t in tasks)
        )


def test_reptile_sgd_lr1_lands_on_mean_adapted_weights():
    torch.manual_seed(3)
    net, tasks = sine_net(), _tasks(seed=3)
    m = copy.deepcopy(net)
    reptile_step(m, torch.optim.SGD(m.parameters(), lr=1.0), tasks, 3, 0.01)
    x, y = torch.cat(tasks[0::2], 1), torch.cat(tasks[1::2], 1)
    phi = adapt(net, x, y, 3, 0.01)
    for n, p in m.named_parameters():
        assert torch.allclose(p, phi[n].mean(0), atol=1e-6)


def test_maml_beats_pretraining_small():
    """Headline effect, small: 150 meta-iterations of MAML beat plain pooled pretraining
    after 10 adaptation steps on held-out 10-shot tasks."""
    test = sine_tasks(100, 10, torch.Generator().manual_seed(99), k_query=50)
    scores = {}
    for name in ("maml", "pretrain"):
        torch.manual_seed(0)
        net, gen = sine_net(), torch.Generator().manual_seed(0)
        opt = torch.optim.Adam(net.parameters(), lr=3e-3)
        for _ in range(150):
            tasks = sine_tasks(10, 10, gen)
            if name == "maml":
                maml_step(net, opt, tasks, 1, 0.01)
            else:
                opt.zero_grad()
                x, y = torch.cat(tasks[0::2], 1), torch.cat(tasks[1::2], 1)
                F.mse_loss(net(x), y).backward()
                opt.step()
        scores[name] = few_shot_mse(net, test, (0, 10), 0.01)
    zero = few_shot_mse(None, test, (0, 10))
    assert scores["maml"][10] < 0.85 * scores["pretrain"][10], scores
    assert scores["maml"][10] < scores["maml"][0] and scores["pretrain"][10] < zero[10]
