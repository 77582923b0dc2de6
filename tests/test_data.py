from pathlib import Path

import pytest
import torch

from aigc_tl import data


def test_digits8_shapes_and_split():
    x, y = data.load_digits8()
    assert (
        x.shape == (1797, 1, 8, 8)
        and x.dtype == torch.float32
        and y.dtype == torch.int64
    )
    assert 0 <= x.min() and x.max() <= 1
    xtr, _ = data.load_digits8("train")
    xte, _ = data.load_digits8("test")
    assert len(xtr) + len(xte) == 1797 and len(xte) == 360


def test_mnist_quick_split_is_fixed_and_disjoint():
    xtr, ytr = data.load_mnist("train")
    xte, yte = data.load_mnist("test")
    assert xtr.shape == (4000, 1, 28, 28) and xte.shape == (1000, 1, 28, 28)
    assert (
        ytr.bincount().tolist() == [400] * 10 and yte.bincount().tolist() == [100] * 10
    )
    assert torch.equal(data.load_mnist("train")[0], xtr)
    xa, _ = data.load_mnist("all")
    assert len(xa) == 5000
    # no test image appears in the training split
    tr = {hash(r.numpy().tobytes()) for r in xtr}
    assert (
        sum(hash(r.numpy().tobytes()) in tr for r in xte) <= 5
    )  # MNIST has a few exact duplicates at most


@pytest.mark.parametrize("split", ["val", "", None])
def test_bad_split(split):
    with pytest.raises(ValueError):
        data.load_mnist(split)


def test_subset_is_stratified_and_seeded():
    x, y = data.load_digits8()
    a = data.subset(x, y, per_class=3, generator=torch.Generator().manual_seed(0))
    b = data.subset(x, y, per_class=3, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a[0], b[0]) and a[1].bincount().tolist() == [3] * 10
    f = data.subset(
        x, y, fraction=0.1, classes=[0, 1], generator=torch.Generator().manual_seed(0)
    )
    assert set(f[1].tolist()) == {0, 1}
    for bad in [
        dict(),
        dict(per_class=2, fraction=0.5),
        dict(fraction=0.0),
        dict(per_class=0),
    ]:
        with pytest.raises(ValueError):
            data.subset(x, y, **bad)


def test_photos_allowlist_and_shapes():
    (p,) = data.load_photos(["chelsea"], size=32)
    assert p.shape[0] == 3 and min(p.shape[1:]) == 32 and 0 <= p.min() and p.max() <= 1
    with pytest.raises(ValueError, match="available offline"):
        data.load_photos(["eagle"])


def test_natural_images_disjoint_regions_and_classes():
    x, y = data.load_natural_images("train", per_class=5)
    assert x.shape == (50, 3, 32, 32) and y.bincount().tolist() == [5] * 10
    xt, _ = data.load_natural_images("test", per_class=5)
    assert not torch.equal(x, xt)
    with pytest.raises(ValueError):
        data.load_natural_images("val")


def test_shifts_are_deterministic_and_shaped():
    x, _ = data.load_digits8()
    x = x[:16]
    g = lambda: torch.Generator().manual_seed(1)
    assert torch.allclose(data.rotate(x, 0), x, atol=1e-5)
    assert torch.allclose(data.rotate(data.rotate(x, 90), -90), x, atol=1e-4)
    assert data.colorize(x, g()).shape == (16, 3, 8, 8)
    assert torch.equal(data.add_noise(x, 0.2, g()), data.add_noise(x, 0.2, g()))
    with pytest.raises(ValueError):
        data.add_noise(x, -1)
    xm, _ = data.load_mnist("test")
    a = data.blend_with_photos(xm[:8], generator=g())
    b = data.blend_with_photos(xm[:8], generator=g())
    assert (
        a.shape == (8, 3, 28, 28)
        and torch.equal(a, b)
        and 0 <= a.min()
        and a.max() <= 1
    )
    with pytest.raises(ValueError):
        data.blend_with_photos(torch.zeros(2, 2, 28, 28))


def test_tang_poems():
    poems = data.load_tang_poems()
    assert len(poems) == 313 and all(
        p["title"] and p["author"] and p["text"] for p in poems
    )
    assert "\x1b" not in "".join(p["text"] for p in poems)


def test_missing_resources_name_the_install_command(fresh_home, tmp_path):
    with pytest.raises(data.MissingResource, match="aigc-tl data fetch shakespeare"):
        data.load_shakespeare()
    with pytest.raises(data.MissingResource, match="apt-get install fortunes-zh"):
        data.load_tang_poems(tmp_path / "nope")


def test_shakespeare_when_fetched():
    if not (data._shakespeare_dir()).exists():
        pytest.skip("run `aigc-tl data fetch shakespeare` first (CI does)")
    text = data.load_shakespeare(["hamlet"])
    assert "Hamlet" in text and len(text) > 100_000
    with pytest.raises(ValueError):
        data.load_shakespeare(["no_such_play"])


def test_grey_is_itu_luma_for_one_image_or_a_batch():
    rgb = torch.rand(2, 3, 5, 4)
    expected = 0.299 * rgb[:, 0] + 0.587 * rgb[:, 1] + 0.114 * rgb[:, 2]
    assert torch.allclose(data.grey(rgb)[:, 0], expected)
    assert data.grey(rgb[0]).shape == (1, 5, 4)
    with pytest.raises(ValueError, match="RGB"):
        data.grey(torch.rand(2, 1, 5, 4))


# ---- video clips ----
def test_clip_builders_shapes_ranges_and_determinism():
    from aigc_tl.data import bouncing_shapes, moving_digits, panning_clips

    c, y = moving_digits(3, frames=5, size=32, seed=1)
    assert c.shape == (3, 5, 1, 32, 32) and y.shape == (3, 1)
    assert 0 <= c.min() and c.max() <= 1
    assert torch.equal(c, moving_digits(3, frames=5, size=32, seed=1)[0])
    w, _ = moving_digits(2, frames=4, size=16, wrap=True, speed=1.5)
    sums = w.sum((2, 3, 4))  # a rolled digit keeps all its ink
    assert torch.allclose(sums, sums[:, :1].expand_as(sums))
    s = bouncing_shapes(4, frames=6, size=32, seed=0)
    assert s.shape == (4, 6, 1, 32, 32) and (s.amax((1, 2, 3, 4)) >= 0.5).all()
    p, v = panning_clips(3, frames=4, size=24, max_speed=2, seed=0)
    assert p.shape == (3, 4, 3, 24, 24) and v.abs().max() <= 2
    for i in range(3):  # frame t+1 = frame t shifted by v, exactly
        vy, vx = (int(k) for k in v[i])
        a, b, n = p[i, 0], p[i, 1], 24
        ya, yb, xa, xb = max(vy, 0), max(-vy, 0), max(vx, 0), max(-vx, 0)
        assert torch.equal(
            b[:, yb : n - ya, xb : n - xa], a[:, ya : n - yb, xa : n - xb]
        )


def test_clip_builders_reject_bad_input():
    from aigc_tl.data import moving_digits, panning_clips

    with pytest.raises(ValueError, match="frames"):
        moving_digits(2, frames=0)
    with pytest.raises(ValueError, match="digit_size"):
        moving_digits(2, size=16, digit_size=20)
    with pytest.raises(ValueError, match="max_speed"):
        panning_clips(2, max_speed=-1)
    with pytest.raises(ValueError, match="split"):
        panning_clips(2, split="val")


def test_roll_clips_rolls_by_start_plus_t_velocity():
    from aigc_tl.data import roll_clips

    x = torch.arange(2 * 1 * 8 * 8, dtype=torch.float).view(2, 1, 8, 8)
    v, s = (
        torch.tensor([[0.0, 1.0], [2.0, -1.0]]),
        torch.tensor([[0.0, 3.0], [1.0, 0.0]]),
    )
    c = roll_clips(x, v, 3, s)
    assert c.shape == (2, 3, 1, 8, 8)
    assert torch.equal(c[0, 2], x[0].roll((0, 5), (-2, -1)))
    assert torch.equal(c[1, 1], x[1].roll((3, -1), (-2, -1)))
    with pytest.raises(ValueError, match="velocity"):
        roll_clips(x, v[:1], 3)


def test_speak_is_deterministic_and_voices_share_timing():
    a = data.speak("the same sentence in two voices", "en-us+f3")
    b = data.speak("the same sentence in two voices", "en-us+m3")
    assert a.dtype == torch.float32 and a.abs().max() <= 1 and a.abs().max() > 0.1
    assert torch.equal(a, data.speak("the same sentence in two voices", "en-us+f3"))
    assert abs(a.shape[0] - b.shape[0]) < 0.05 * a.shape[0]
    assert not torch.allclose(a[: b.shape[0]], b[: a.shape[0]])
    assert len(data.espeak_variants()) > 50
