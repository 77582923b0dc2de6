"""aigc_tl.transfer: two zoo sources (digitnet, chargpt-shakespeare), three methods each."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from aigc_tl import transfer as tl  # noqa: E402
from aigc_tl.data import load_mnist, subset  # noqa: E402

SEEDS = (0, 1)
RECIPE = tl.Recipe(steps=4, batch_size=8, lr=1e-3)


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _same(model, state):
    return all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())


@pytest.fixture(scope="module")
def digits():
    src = tl.source("digitnet")
    x, y = load_mnist("test")
    g = torch.Generator().manual_seed(0)
    (xa, ya), (xb, yb) = (subset(x, y, per_class=k, generator=g) for k in (4, 3))
    keep_a, keep_b = ya < 5, yb < 5  # a 5-class target: digits 0-4
    xb, yb = xb[keep_b], yb[keep_b]

    def accuracy(model):
        return (model(xb).argmax(1) == yb).float().mean().item()

    return src, (xa[keep_a], ya[keep_a]), accuracy


@pytest.fixture(scope="module")
def text():
    src = tl.source("chargpt-shakespeare")
    ids = src.preprocess("It is a truth universally acknowledged, that a single man " * 8)
    w = ids.unfold(0, 33, 16)  # windows of 32 input ids + 1 target
    x, y = w[:, :-1], w[:, 1:]

    def nll(model):
        return tl.cross_entropy_loss(model, (x[-4:], y[-4:])).item()

    return src, (x[:-4], y[:-4]), nll


DIGIT_METHODS = [
    (tl.Scratch(), lambda src: sum(p.numel() for p in src.model.body.parameters()) + 645),
    (tl.LinearProbe(), lambda src: 128 * 5 + 5),
    (tl.LoRA(rank=2, targets="body.7"), lambda src: 2 * (1568 + 128) + 128 * 5 + 5),
]


@pytest.mark.parametrize("method,expected", DIGIT_METHODS, ids=lambda m: str(m))
def test_digitnet_methods(digits, method, expected):
    src, data, accuracy = digits
    before = _state(src.model)
    r = tl.transfer(src, method, data, recipe=RECIPE, evaluate=accuracy, seeds=SEEDS,
                    num_classes=5, metric="accuracy")
    assert _same(src.model, before) and src.model.head.out_features == 10
    assert r.trainable == expected(src) and r.total >= r.trainable
    assert r.method == method.name and r.metric == "accuracy" and r.seeds == list(SEEDS)
    assert len(r.values) == 2 and len(r.histories) == 2 and r.n_train == 20
    assert math.isclose(r.mean, np.mean(r.values)) and math.isclose(r.std, np.std(r.values))
    assert all(0 <= v <= 1 for v in r.values) and r.seconds > 0


def test_linear_probe_trains_only_the_head(digits):
    src, _, _ = digits
    m = tl.LinearProbe().attach(src.model, head="head", num_classes=5)
    assert [n for n, p in m.named_parameters() if p.requires_grad] == [
        "head.weight", "head.bias"]


def test_text_methods_and_compare(text):
    src, data, nll = text
    before = _state(src.model)
    methods = [tl.FineTune(), tl.LoRA(rank=2, targets="c_attn"), tl.SoftPrompt(4)]
    results = [tl.transfer(src, m, data, recipe=RECIPE, evaluate=nll, seeds=SEEDS)
               for m in methods]
    assert _same(src.model, before)
    total = sum(p.numel() for p in src.model.parameters())
    ft, lora, prompt = results
    assert (ft.trainable, ft.total) == (total, total)
    assert lora.trainable == 2 * 2 * (128 + 3 * 128)  # 2 layers × r·(in + out)
    assert prompt.trainable == 4 * 128 and prompt.total == total + 4 * 128
    assert ft.metric == "nll" and all(math.isfinite(v) for r in results for v in r.values)
    # scratch is rebuilt from the config (its own init), not a copy of the source
    fresh = src.fresh()
    assert type(fresh) is type(src.model) and not _same(fresh, before)

    cmp = tl.compare(results, baseline={"uniform": math.log(len(src.tokenizer))})
    assert list(cmp.table.index) == [r.method for r in results] + ["uniform"]
    assert all(r.method in cmp.markdown for r in results) and cmp.figure is not None
    plt.close(cmp.figure)


def test_compare_over_fractions(digits):
    src, data, accuracy = digits
    results = [tl.transfer(src, tl.LinearProbe(), data, recipe=RECIPE, evaluate=accuracy,
                           seeds=(0,), num_classes=5, fraction=f) for f in (0.5, 1.0)]
    assert [r.n_train for r in results] == [10, 20]
    cmp = tl.compare(results, plot=False)
    assert list(cmp.table.columns) == ["linear probe"] and len(cmp.table) == 2


def test_data_drawn_per_seed_and_kept_models(digits):
    src, (x, y), accuracy = digits
    drawn = []

    def draw(g):
        keep = torch.randperm(len(x), generator=g)[:10]
        drawn.append(keep)
        return x[keep], y[keep]

    r = tl.transfer(src, tl.BitFit(), draw, recipe=RECIPE, evaluate=accuracy, seeds=SEEDS,
                    num_classes=5, keep_models=True)
    assert len(drawn) == 2 and not torch.equal(*drawn) and r.n_train == 10
    assert len(r.models) == 2 and r.models[0] is not src.model


def test_learning_curve(digits):
    src, (x, y), accuracy = digits
    r = tl.transfer(src, tl.FineTune(), (x, y), recipe=RECIPE, evaluate=accuracy,
                    seeds=SEEDS, num_classes=5, eval_every=2, metric="accuracy")
    steps, values = r.curve()
    assert steps.tolist() == [0, 2, 4] and values.shape == (2, 3)
    assert np.allclose(values[:, -1], r.values)  # the curve ends at the reported value
    seen = []

    class Count:  # a callback built per seed
        def __init__(self, seed):
            self.seed = seed

        def on_end(self, state):
            seen.append((self.seed, state.step))

    plain = tl.transfer(src, tl.FineTune(), (x, y), recipe=RECIPE, evaluate=accuracy,
                        seeds=SEEDS, num_classes=5, callbacks=lambda s: [Count(s)])
    assert seen == [(0, 4), (1, 4)]
    with pytest.raises(ValueError, match="eval_every"):
        plain.curve()
    with pytest.raises(ValueError, match="eval_every"):
        tl.transfer(src, tl.FineTune(), (x, y), recipe=RECIPE, evaluate=accuracy,
                    num_classes=5, eval_every=-1)


def test_bad_input_names_the_argument(digits):
    src, data, accuracy = digits
    run = lambda **kw: tl.transfer(**{**dict(source=src, method=tl.FineTune(),
                                             target_data=data, recipe=RECIPE,
                                             evaluate=accuracy), **kw})
    with pytest.raises(TypeError, match="source"):
        run(source=src.model)
    with pytest.raises(TypeError, match="method"):
        run(method="fine-tune")
    with pytest.raises(TypeError, match="recipe"):
        run(recipe={"steps": 4})
    with pytest.raises(TypeError, match="evaluate"):
        run(evaluate=None)
    with pytest.raises(ValueError, match="seeds"):
        run(seeds=())
    with pytest.raises(ValueError, match="fraction"):
        run(fraction=1.5)
    with pytest.raises(ValueError, match="steps"):
        tl.Recipe(steps=0)
    with pytest.raises(ValueError, match="rank"):
        tl.LoRA(rank=0)
    with pytest.raises(ValueError, match="head"):
        tl.LinearProbe().attach(torch.nn.Linear(3, 2))
    with pytest.raises(TypeError, match="results"):
        tl.compare([1.0])
    with pytest.raises(TypeError, match="model"):
        tl.Source("digitnet")


def test_fresh_rebuilds_a_diffusers_model_from_its_config():
    diffusers = pytest.importorskip("diffusers")
    unet = diffusers.UNet2DModel(
        sample_size=8, in_channels=1, out_channels=1, block_out_channels=(4, 8),
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"), norm_num_groups=4, layers_per_block=1,
    )
    fresh = tl.Source(unet).fresh()
    assert fresh.config == unet.config and fresh is not unet
    assert not torch.equal(fresh.conv_in.weight, unet.conv_in.weight)


def test_lora_default_targets_include_gpt2_conv1d():
    transformers = pytest.importorskip("transformers")
    cfg = transformers.GPT2Config(n_layer=1, n_head=2, n_embd=16, vocab_size=20,
                                  n_positions=16, bos_token_id=0, eos_token_id=0)
    model = transformers.GPT2LMHeadModel(cfg)
    targets = tl._default_targets(model, None)
    assert "transformer.h.0.attn.c_attn" in targets and "transformer.h.0.mlp.c_fc" in targets
    adapted = tl.LoRA(rank=2).attach(model)
    assert type(adapted.transformer.h[0].attn.c_attn).__name__ == "LoRAConv1D"
