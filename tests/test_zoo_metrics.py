import ast
import json
import math
from pathlib import Path

import pytest
import torch

from aigc_tl import metrics, zoo

LIB = Path(zoo.__file__).parent


def test_only_safe_loading_in_the_library():
    "Every torch.load call in aigc_tl passes weights_only=True."
    for f in LIB.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" \
                    and getattr(node.func.value, "id", "") == "torch":
                kw = {k.arg: k.value for k in node.keywords}
                assert "weights_only" in kw and getattr(kw["weights_only"], "value", None) is True, f"{f}:{node.lineno}"


def test_registry_and_errors():
    assert {"digitnet", "craft-vgg16bn", "minilm-l6"} <= set(zoo.available("quick"))
    assert {"gpt2", "resnet18", "vgg19"} <= set(zoo.available("full"))
    with pytest.raises(KeyError):
        zoo.load("no-such-model")
    with pytest.raises(ValueError, match="no quick-mode source"):
        zoo.load("gpt2", mode="quick")
    with pytest.raises(ValueError):
        zoo.register("empty", "nothing")


def test_registry_is_lazy_and_listed_by_entries():
    "Registering and listing import no chapter; a lazy builder is imported on first use."
    import subprocess
    import sys
    code = ("import sys; from aigc_tl import zoo; rows = zoo.entries(); "
            "print(len(rows), any(m.startswith('aigc_tl.generative') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[1] == "False" and int(out.split()[0]) >= 12
    rows = {name: (desc, modes) for name, desc, modes in zoo.entries()}
    assert rows["dcgan-mnist"][1] == ("quick", "full") and rows["gpt2"][1] == ("full",)
    assert all(isinstance(d, str) and d for d, _ in rows.values())
    try:
        zoo.register("lazy-linear", "a test entry", quick="torch.nn:Identity")
        assert isinstance(zoo.load("lazy-linear"), torch.nn.Identity)
        with pytest.raises(TypeError, match="quick"):
            zoo.register("bad", "a test entry", quick="no colon here")
    finally:
        zoo._REGISTRY.pop("lazy-linear", None)


def test_retrain_refuses_models_it_cannot_train():
    for name in ("craft-vgg16bn", "minilm-l6"):
        with pytest.raises(ValueError, match="not trainable"):
            zoo.retrain(name, mode="quick")
        assert not zoo._REGISTRY[name].trainable("quick")
    with pytest.raises(ValueError, match="not trainable"):
        zoo.retrain("gpt2", mode="full")
    assert zoo._REGISTRY["dcgan-mnist"].trainable("quick")


def test_cached_model_trains_once_then_hits_cache(fresh_home):
    calls = []

    def build():
        torch.manual_seed(0)
        return torch.nn.Linear(3, 2)

    def train(m):
        calls.append(1)
        with torch.no_grad():
            m.weight.add_(1.0)
        return {"note": "unit test"}

    a = zoo.cached_model("toy-quick", build, train)
    b = zoo.cached_model("toy-quick", build, train)
    assert len(calls) == 1 and a.zoo_info["source"] == "trained" and b.zoo_info["source"] == "cache"
    assert torch.equal(a.weight, b.weight)
    manifest = json.loads((fresh_home / "zoo" / "toy-quick" / "manifest.json").read_text())
    assert len(manifest["sha256"]) == 64 and "reproduce" in manifest
    # a corrupted file is refused, not silently loaded
    w = fresh_home / "zoo" / "toy-quick" / "model.safetensors"
    w.write_bytes(w.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(RuntimeError, match="does not match"):
        zoo.cached_model("toy-quick", build, train)


def test_cached_model_retrains_when_the_recipe_changes(fresh_home):
    calls = []

    def train(m):
        calls.append(1)
        return {}

    build = lambda: torch.nn.Linear(2, 2)
    a = zoo.cached_model("recipe-quick", build, train, recipe={"steps": 10, "lr": 0.1})
    b = zoo.cached_model("recipe-quick", build, train, recipe={"lr": 0.1, "steps": 10})  # key order is irrelevant
    assert len(calls) == 1 and b.zoo_info["source"] == "cache"
    assert a.zoo_info["recipe_sha256"] == zoo.recipe_fingerprint({"lr": 0.1, "steps": 10})
    c = zoo.cached_model("recipe-quick", build, train, recipe={"steps": 20, "lr": 0.1})
    assert len(calls) == 2 and c.zoo_info["source"] == "trained"
    d = zoo.cached_model("recipe-quick", build, train, recipe={"steps": 20, "lr": 0.1})
    assert len(calls) == 2 and d.zoo_info["source"] == "cache"


def test_cached_model_falls_back_to_packaged_weights(fresh_home, tmp_path, monkeypatch):
    "A cache miss loads the packaged copy of the same recipe; another recipe or retrain trains."
    calls, recipe = [], {"steps": 1}

    def build():
        torch.manual_seed(0)
        return torch.nn.Linear(3, 2)

    def train(m):
        calls.append(1)
        with torch.no_grad():
            m.weight.add_(1.0)
        return {"note": "unit test"}

    a = zoo.cached_model("pkg-quick", build, train, recipe=recipe)
    monkeypatch.setattr(zoo, "packaged_dir", lambda: tmp_path / "weights")
    dest = zoo.package_model("pkg-quick")
    assert dest == tmp_path / "weights" / "pkg-quick.safetensors" and dest.with_suffix(".json").exists()
    monkeypatch.setenv("AIGC_TL_HOME", str(tmp_path / "empty"))  # a machine with an empty cache
    b = zoo.cached_model("pkg-quick", build, train, recipe=recipe)
    assert len(calls) == 1 and b.zoo_info["source"] == "package" and torch.equal(a.weight, b.weight)
    assert not (tmp_path / "empty" / "zoo" / "pkg-quick").exists()  # nothing cached
    c = zoo.cached_model("pkg-quick", build, train, recipe={"steps": 2})  # another recipe
    assert len(calls) == 2 and c.zoo_info["source"] == "trained"
    zoo.cached_model("pkg-quick", build, train, recipe=recipe, retrain=True)
    assert len(calls) == 3
    monkeypatch.setenv("AIGC_TL_HOME", str(tmp_path / "empty2"))
    dest.write_bytes(dest.read_bytes()[:-4] + b"\0\0\0\0")  # a corrupted package is refused
    with pytest.raises(RuntimeError, match="does not match"):
        zoo.cached_model("pkg-quick", build, train, recipe=recipe)
    with pytest.raises(FileNotFoundError, match="no cache entry"):
        zoo.package_model("nothing-quick")


def test_packaged_weights_match_their_manifests_and_are_package_data():
    files = sorted(zoo.packaged_dir().glob("*.safetensors"))
    # every quick-mode model the book trains ships with the library, and nothing else does
    trainable = sorted(
        f"{name}-quick" for name, _, modes in zoo.entries()
        if "quick" in modes and zoo._REGISTRY[name].trainable("quick")
    )
    assert [f.stem for f in files] == trainable
    for f in files:
        info = json.loads(f.with_suffix(".json").read_text())
        assert info["sha256"] == zoo._sha256(f) and len(info["recipe_sha256"]) == 16
        assert f.stat().st_size < 2_000_000 and info["reproduce"].startswith("aigc-tl zoo train")
    setup = (LIB.parent / "setup.py").read_text()
    assert '"weights/*.safetensors"' in setup and '"weights/*.json"' in setup


def test_packaged_craft_backbone_loads_strictly(no_network):
    net = zoo.load("craft-vgg16bn")
    out = net(torch.zeros(1, 3, 32, 32))
    assert out.shape == (1, 512, 2, 2)


def test_packaged_minilm_encoder(no_network):
    enc = zoo.load("minilm-l6")
    with torch.no_grad():
        v = enc(["hello world", "hi there world", "tax law reform"])
    assert v.shape == (3, 384) and torch.allclose(v.norm(dim=1), torch.ones(3), atol=1e-5)
    with pytest.raises(TypeError):
        enc("not a list")


@pytest.mark.parametrize("name,kwargs,check", [
    ("resnet18", {}, lambda m: m(torch.zeros(1, 3, 32, 32)).shape == (1, 1000)),
    ("vgg19", {}, lambda m: m(torch.zeros(1, 3, 32, 32)).shape == (1, 512, 1, 1)),
    ("gpt2", dict(n_layer=1, n_head=2, n_embd=16, vocab_size=50, bos_token_id=0, eos_token_id=0, pad_token_id=0),
     lambda m: m(torch.zeros(1, 5, dtype=torch.long)).logits.shape == (1, 5, 50)),
    ("ddpm-cifar10", dict(sample_size=8, block_out_channels=(8, 16), down_block_types=("DownBlock2D", "DownBlock2D"),
                          up_block_types=("UpBlock2D", "UpBlock2D"), layers_per_block=1, norm_num_groups=4),
     lambda m: m(torch.zeros(1, 3, 8, 8), 10).sample.shape == (1, 3, 8, 8)),
    ("minilm-l6", dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64),
     lambda m: m(["a test"]).shape == (1, 32)),
])
def test_full_mode_code_paths_offline_with_random_weights(no_network, name, kwargs, check):
    model = zoo.load(name, mode="full", pretrained=False, **kwargs).eval()
    with torch.no_grad():
        assert check(model)


def test_metrics_known_answers():
    assert metrics.accuracy(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 0])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        metrics.accuracy(torch.tensor([1]), torch.tensor([1, 2]))
    assert metrics.perplexity(0.0) == 1.0 and metrics.bits_per_char(math.log(2)) == pytest.approx(1.0)
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    assert metrics.psnr(x, x) == math.inf and metrics.ssim(x, x) == pytest.approx(1.0)
    assert metrics.psnr(x, (x + 0.1)) == pytest.approx(20.0, abs=1e-6)  # MSE 0.01 -> 20 dB
    with pytest.raises(ValueError):
        metrics.ssim(x[:, :, :5, :5], x[:, :, :5, :5])


def test_frechet_distance_matches_analytic_gaussians():
    d = 4
    sigma2 = torch.diag(torch.tensor([1.0, 4.0, 9.0, 0.25]))
    # N(0, I) vs N(mu, diag(s^2)): ||mu||^2 + sum (1 - s)^2
    mu = torch.tensor([1.0, 0.0, -1.0, 2.0])
    expected = mu.pow(2).sum() + ((1 - sigma2.diag().sqrt()) ** 2).sum()
    assert metrics.gaussian_frechet(torch.zeros(d), torch.eye(d), mu, sigma2) == pytest.approx(expected.item(), abs=1e-9)
    g = torch.Generator().manual_seed(0)
    a = torch.randn(50_000, d, generator=g)
    b = mu + torch.randn(50_000, d, generator=g) * sigma2.diag().sqrt()
    assert metrics.frechet_distance(a, b) == pytest.approx(expected.item(), rel=0.03)
    assert abs(metrics.frechet_distance(a, a)) < 1e-8
    with pytest.raises(ValueError):
        metrics.frechet_distance(a, b[:, :3])


def test_kid_unbiased_near_zero_for_same_distribution():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(600, 8, generator=g), torch.randn(600, 8, generator=g)
    same, same_std = metrics.kernel_distance(a, b, generator=g)
    shifted, _ = metrics.kernel_distance(a, b + 1, generator=g)
    assert abs(same) < 3 * same_std + 1e-3 and shifted > 0.5


def test_fid_inception_refuses_quick_mode():
    with pytest.raises(RuntimeError, match="AIGC_TL_MODE=full"):
        metrics.fid_inception(torch.zeros(2, 3, 8, 8), torch.zeros(2, 3, 8, 8))


def test_cached_model_handles_tied_weights(fresh_home):
    "A language model whose output layer shares the embedding matrix caches and reloads."
    class Tied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.emb = torch.nn.Embedding(7, 4)
            self.out = torch.nn.Linear(4, 7, bias=False)
            self.out.weight = self.emb.weight

    def train(m):
        with torch.no_grad():
            m.emb.weight.mul_(2.0)
        return {}

    a = zoo.cached_model("tied-quick", Tied, train)
    b = zoo.cached_model("tied-quick", Tied, train)
    assert b.zoo_info["source"] == "cache" and torch.equal(a.emb.weight, b.emb.weight)
    assert b.out.weight is b.emb.weight


def test_mmd2_unbiased_is_the_one_estimator():
    "mmd_rbf (Part I) and KID share metrics.mmd2_unbiased, the formula written out here."
    from aigc_tl.metrics import mmd2_unbiased
    from aigc_tl.principles.transfer import mmd_rbf

    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(50, 3, generator=g), torch.randn(40, 3, generator=g) + 1
    ab = torch.cat([a, b]).double()
    k = torch.exp(-torch.cdist(ab, ab) ** 2 / 2)
    manual = (
        (k[:50, :50].sum() - 50) / (50 * 49)
        + (k[50:, 50:].sum() - 40) / (40 * 39)
        - 2 * k[:50, 50:].mean()
    )
    assert abs(mmd_rbf(a, b, bandwidth=1.0) - float(manual)) < 1e-9
    with pytest.raises(ValueError, match="kernel matrices"):
        mmd2_unbiased(k[:1, :1], k[50:, 50:], k[:1, 50:])
