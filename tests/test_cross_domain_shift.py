"Measuring shift: the OpenCV loader, proxy A-distance, Spearman, shift builders."

import pytest
import torch
from scipy.stats import spearmanr

from aigc_tl import zoo
from aigc_tl.cross_domain.shift import (
    digit_shifts,
    domain_classifier_error,
    load_cv_digits,
    proxy_a_distance,
    shift_measures,
    spearman,
)
from aigc_tl.data import MissingResource, load_mnist, load_photos


def test_cv_digits_format():
    x, y = load_cv_digits()
    assert x.shape == (5000, 1, 28, 28) and x.min() >= 0 and x.max() <= 1
    assert torch.bincount(y).eq(500).all() and (y[:500] == 0).all()
    assert load_cv_digits(pad=0)[0].shape == (5000, 1, 20, 20)
    with pytest.raises(MissingResource, match="opencv-doc"):
        load_cv_digits("/nonexistent/digits.png")
    with pytest.raises(ValueError, match="pad"):
        load_cv_digits(pad=-1)


def test_proxy_a_distance_range_and_errors():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(300, 8, generator=g), torch.randn(300, 8, generator=g)
    assert proxy_a_distance(a, b) < 0.3
    assert proxy_a_distance(a, b + 4) > 1.9
    assert 0.3 < domain_classifier_error(a, b + 0.3) <= 0.5 + 1e-9
    with pytest.raises(ValueError, match="feature sizes differ"):
        proxy_a_distance(a, b[:, :4])
    with pytest.raises(ValueError, match="source"):
        proxy_a_distance(a[0], b)


def test_spearman_matches_scipy():
    g = torch.Generator().manual_seed(1)
    u, v = torch.rand(25, generator=g).round(decimals=1), torch.rand(25, generator=g)
    assert spearman(u, v) == pytest.approx(spearmanr(u, v).statistic, abs=1e-12)
    with pytest.raises(ValueError):
        spearman([1, 2], [1, 2])


def test_digit_shifts_shapes_and_bad_input():
    x = torch.rand(6, 1, 28, 28)
    out = digit_shifts(
        x, torch.Generator().manual_seed(0), photos=load_photos(["coffee"])
    )
    assert len(out) == 12 and all(v.shape == x.shape for v in out.values())
    with pytest.raises(ValueError, match="grey"):
        digit_shifts(torch.rand(6, 3, 28, 28))


def test_headline_measures_track_the_drop():
    model = zoo.load("digitnet")
    x, y = load_mnist("test")
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    s, t = perm[:300], perm[300:600]
    rows = {
        a: shift_measures(model, x[s], x[t] if a == 0 else rotate_(x[t], a), y[t])
        for a in (0, 20, 45, 90)
    }
    acc = [rows[a]["accuracy"] for a in rows]
    assert acc[0] > 0.95 and acc[-1] < 0.3
    assert rows[0]["MMD²"] < 0.01 and rows[0]["proxy A-distance"] < 0.4
    drop = [-a for a in acc]
    assert spearman([r["LEEP"] for r in rows.values()], drop) < -0.9
    assert spearman([r["MMD²"] for r in rows.values()], drop) > 0.7


def rotate_(x, a):
    from aigc_tl.data import rotate

    return rotate(x, a)
