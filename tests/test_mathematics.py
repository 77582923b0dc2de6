"The mathematics section: likelihoods, Bayesian estimates, losses and optimisers match their closed forms and torch."
import math

import pytest
import torch
import torch.nn.functional as F

from aigc_tl.generative import mathematics as m
from aigc_tl.generative.vae import gaussian_kl

F64 = torch.float64


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_gaussian_mle_by_gradient_descent_equals_the_closed_form():
    x = 3.0 + 2.0 * torch.randn(200, generator=_gen(), dtype=F64)
    mu, var = m.gaussian_mle(x)
    assert abs(mu - x.mean().item()) < 1e-12 and abs(var - x.var(correction=0).item()) < 1e-12
    mu_gd, var_gd = m.gaussian_mle_gd(x)
    assert abs(mu_gd - mu) < 1e-8 and abs(var_gd - var) < 1e-8


def test_gaussian_nll_is_mse_up_to_scale_and_constant_and_matches_torch():
    y = torch.randn(4, 3, 8, generator=_gen())
    y_hat = y + 0.3 * torch.randn(4, 3, 8, generator=_gen(1))
    for var in (0.25, 1.0, 3.0):
        nll = m.gaussian_nll(y, y_hat, var)
        expect = F.mse_loss(y_hat, y) / (2 * var) + 0.5 * math.log(2 * math.pi * var)
        lib = torch.nn.GaussianNLLLoss(full=True)(y_hat, y, torch.full_like(y, var))
        assert torch.allclose(nll, expect, atol=1e-6) and torch.allclose(nll, lib, atol=1e-6)
    d = torch.distributions.Normal(y_hat, 2.0)
    assert torch.allclose(m.gaussian_nll(y, y_hat, 4.0), -d.log_prob(y).mean(), atol=1e-6)


def test_coin_estimates_agree_with_bayes_rule_on_a_grid():
    h, n, a, b = 7, 10, 3.0, 2.0
    assert m.beta_posterior(h, n, a, b) == (10.0, 5.0)
    est = m.coin_estimates(h, n, a, b, level=0.9)
    th = torch.linspace(0, 1, 100_001, dtype=F64)
    post = th ** (a - 1 + h) * (1 - th) ** (b - 1 + n - h)
    post = post / torch.trapezoid(post, th)
    cdf = torch.cumulative_trapezoid(post, th)
    assert est["mle"] == 0.7
    assert abs(est["map"] - th[post.argmax()].item()) < 1e-4
    assert abs(est["mean"] - torch.trapezoid(th * post, th).item()) < 1e-6
    assert abs(est["lo"] - th[1:][cdf >= 0.05][0].item()) < 1e-4
    assert abs(est["hi"] - th[1:][cdf >= 0.95][0].item()) < 1e-4


def test_prior_pull_fades_with_more_data():
    ns = (40, 400, 4000)
    gaps = [abs(e["map"] - e["mle"]) for e in (m.coin_estimates(n // 4, n, 10.0, 10.0) for n in ns)]
    assert all(abs(g - 4.5 / (18 + n)) < 1e-12 for g, n in zip(gaps, ns))  # |a-1 - mle(a+b-2)| / (a+b+n-2)
    assert all(g1 > 5 * g2 for g1, g2 in zip(gaps, gaps[1:]))  # roughly 1/n
    assert m.coin_estimates(0, 1)["map"] == 0.0  # flat prior: MAP = MLE


def test_categorical_nll_and_bits_per_char():
    logits, y = torch.randn(64, 11, generator=_gen()), torch.randint(0, 11, (64,), generator=_gen(1))
    assert torch.allclose(m.categorical_nll(logits, y), F.cross_entropy(logits, y), atol=1e-6)
    big = logits + 1e4  # logsumexp keeps it finite
    assert torch.allclose(m.categorical_nll(big, y), F.cross_entropy(big, y), atol=1e-2)
    assert abs(m.bits_per_char(m.categorical_nll(torch.zeros(5, 32), y[:5] % 32)) - 5.0) < 1e-6


def test_kl_closed_form_matches_torch_vae_and_monte_carlo():
    mu_q, lv_q, mu_p, lv_p = (torch.randn(3, 6, generator=_gen(i), dtype=F64) for i in range(4))
    kl = m.kl_diag_gaussians(mu_q, lv_q, mu_p, lv_p)
    D = torch.distributions
    ref = D.kl_divergence(D.Normal(mu_q, (0.5 * lv_q).exp()), D.Normal(mu_p, (0.5 * lv_p).exp())).sum(-1)
    assert kl.shape == (3,) and torch.allclose(kl, ref, atol=1e-10)
    zero = torch.zeros_like(mu_q)
    assert torch.allclose(m.kl_diag_gaussians(mu_q, lv_q, zero, zero), gaussian_kl(mu_q, lv_q), atol=1e-10)
    est, se = m.kl_monte_carlo(mu_q[0], lv_q[0], mu_p[0], lv_p[0], n_samples=50_000, generator=_gen(9))
    assert 0 < se < 0.2 and abs(est - kl[0].item()) < 4 * se


def _match(step, opt_cls, k=15, **hp):
    g = _gen()
    x, y, w1, b1, w2, b2 = (torch.randn(*s, generator=g, dtype=F64) for s in ((16, 3), (16, 1), (3, 5), (5,), (5, 1), (1,)))
    loss = lambda ps: ((torch.tanh(x @ ps[0] + ps[1]) @ ps[2] + ps[3] - y) ** 2).mean()  # noqa: E731
    ours = [t.clone().requires_grad_() for t in (w1, b1, w2, b2)]
    ref = [t.clone().requires_grad_() for t in (w1, b1, w2, b2)]
    state, opt = {}, opt_cls(ref, **hp)
    for _ in range(k):
        step(ours, list(torch.autograd.grad(loss(ours), ours)), state, **hp)
        opt.zero_grad()
        loss(ref).backward()
        opt.step()
    return max((a - b).abs().max().item() for a, b in zip(ours, ref))


@pytest.mark.parametrize("step,opt_cls,hp", [
    (m.sgd_step, torch.optim.SGD, dict(lr=0.2)),
    (m.momentum_step, torch.optim.SGD, dict(lr=0.05, momentum=0.8)),
    (m.adam_step, torch.optim.Adam, dict(lr=0.02, betas=(0.5, 0.99), eps=1e-6)),
    (m.adam_step, torch.optim.Adam, dict(lr=0.02, weight_decay=0.3)),
    (m.adamw_step, torch.optim.AdamW, dict(lr=0.02, weight_decay=0.3)),
], ids=["sgd", "momentum", "adam", "adam-l2", "adamw"])
def test_optimisers_match_torch_optim(step, opt_cls, hp):
    assert _match(step, opt_cls, **hp) < 1e-12


def test_adamw_decay_is_decoupled_and_l2_in_adam_is_not():
    scale = torch.tensor([0.1, 10.0], dtype=F64)

    def shift(step):
        out = []
        for wd in (0.0, 1e-2):
            w, state, g = torch.ones(2, dtype=F64), {}, _gen()
            for _ in range(50):
                step([w], [scale * torch.randn(2, generator=g, dtype=F64)], state, lr=1e-3, weight_decay=wd)
            out.append(w)
        return out[0] - out[1]

    l2, dec = shift(m.adam_step), shift(m.adamw_step)
    assert l2[0] / l2[1] > 30 and abs(dec[0] / dec[1] - 1) < 0.05


def test_run_optimizer_on_a_valley():
    valley = lambda x: 0.5 * (torch.tensor([1.0, 50.0], dtype=F64) * x**2).sum()  # noqa: E731
    path = m.run_optimizer(m.momentum_step, valley, (-4.0, 1.0), 100, lr=0.005)
    sgd = m.run_optimizer(m.sgd_step, valley, (-4.0, 1.0), 100, lr=0.039)
    assert path.shape == (101, 2) and valley(path[-1]) < valley(sgd[-1]) / 10


P = [torch.zeros(2, requires_grad=True)]
G = [torch.ones(2)]
BAD = {
    "nll x not a tensor": (lambda: m.gaussian_nll([1.0, 2.0], 0.0, 1.0), TypeError, "x"),
    "nll empty": (lambda: m.gaussian_nll(torch.zeros(0), 0.0, 1.0), ValueError, "x"),
    "nll var zero": (lambda: m.gaussian_nll(torch.zeros(3), 0.0, 0.0), ValueError, "var"),
    "mle one sample": (lambda: m.gaussian_mle(torch.ones(1)), ValueError, "x"),
    "mle integer": (lambda: m.gaussian_mle(torch.arange(5)), TypeError, "x"),
    "mle_gd steps": (lambda: m.gaussian_mle_gd(torch.randn(5), steps=0), ValueError, "steps"),
    "coin heads > n": (lambda: m.coin_estimates(5, 3), ValueError, "heads"),
    "coin float heads": (lambda: m.coin_estimates(1.0, 3), TypeError, "heads"),
    "coin prior": (lambda: m.beta_posterior(1, 3, a=0.5), ValueError, "a and b"),
    "coin level": (lambda: m.coin_estimates(1, 3, level=1.0), ValueError, "level"),
    "ce targets float": (lambda: m.categorical_nll(torch.zeros(2, 3), torch.zeros(2)), TypeError, "targets"),
    "ce targets range": (lambda: m.categorical_nll(torch.zeros(2, 3), torch.tensor([0, 3])), ValueError, "targets"),
    "ce logits 1-D": (lambda: m.categorical_nll(torch.zeros(3), torch.tensor([0])), TypeError, "logits"),
    "kl shapes": (lambda: m.kl_diag_gaussians(torch.zeros(3), torch.zeros(3), torch.zeros(4), torch.zeros(4)), ValueError, "mu_p"),
    "kl nan": (lambda: m.kl_diag_gaussians(torch.zeros(3), torch.tensor([0, float("nan"), 0]), torch.zeros(3), torch.zeros(3)), ValueError, "logvar_q"),
    "kl mc samples": (lambda: m.kl_monte_carlo(*[torch.zeros(2)] * 4, n_samples=1), ValueError, "n_samples"),
    "step lr": (lambda: m.sgd_step(P, G, {}, lr=0.0), ValueError, "lr"),
    "step grads length": (lambda: m.adam_step(P, G * 2, {}), ValueError, "grads"),
    "step grad shape": (lambda: m.adamw_step(P, [torch.ones(3)], {}), ValueError, "grad"),
    "step params": (lambda: m.momentum_step(torch.zeros(2), G, {}, lr=0.1), TypeError, "params"),
    "momentum range": (lambda: m.momentum_step(P, G, {}, lr=0.1, momentum=1.0), ValueError, "momentum"),
    "adam betas": (lambda: m.adam_step(P, G, {}, betas=(0.9, 1.0)), ValueError, "betas"),
    "adamw decay": (lambda: m.adamw_step(P, G, {}, weight_decay=-1.0), ValueError, "weight_decay"),
    "run steps": (lambda: m.run_optimizer(m.sgd_step, lambda x: x.sum(), (0.0,), 0, lr=0.1), ValueError, "steps"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_raises_a_clear_error(case):
    fn, exc, word = BAD[case]
    with pytest.raises(exc, match=word):
        fn()
