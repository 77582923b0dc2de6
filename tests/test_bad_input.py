"Wrong shapes, dtypes, NaN/inf, empty inputs and out-of-range arguments get a ValueError/TypeError naming the argument."
import pytest
import torch
from torch import nn

from aigc_tl import core, data, metrics, zoo
from aigc_tl.generative import autoregressive as ar
from aigc_tl.generative import diffusion, gan, vae

X, Y = torch.rand(12, 1, 8, 8), torch.arange(12) % 3
F5 = torch.randn(5, 4)
NAN = F5.clone().index_fill_(0, torch.tensor([1]), float("nan"))
INF = F5.clone().index_fill_(0, torch.tensor([2]), float("inf"))
ABAR = diffusion.alphas_cumprod(diffusion.linear_beta_schedule(10))
LIN = lambda: nn.Linear(4, 2)  # noqa: E731
CE = lambda m, b: nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
XY = (torch.randn(8, 4), torch.zeros(8, dtype=torch.long))

CASES = {
    # core
    "seed negative": (lambda: core.seed_everything(-1), "seed"),
    "seed float": (lambda: core.seed_everything(1.5), "seed"),
    "use_mode unknown": (lambda: core.use_mode("fast").__enter__(), "mode"),
    "device unknown": (lambda: core.get_device("gpu0"), "device"),
    "batches empty": (lambda: next(core.iterate_batches((torch.zeros(0, 2),), 4)), "data"),
    "batches not tensors": (lambda: next(core.iterate_batches(([1, 2],), 1)), "data"),
    "batches ragged": (lambda: next(core.iterate_batches((X, Y[:5]), 4)), "lengths"),
    "batch_size zero": (lambda: next(core.iterate_batches((X,), 0)), "batch_size"),
    "fit steps": (lambda: core.fit(LIN(), CE, XY, steps=-1, progress=False), "steps"),
    "fit log_every": (lambda: core.fit(LIN(), CE, XY, steps=1, log_every=0, progress=False), "log_every"),
    "fit amp": (lambda: core.fit(LIN(), CE, XY, steps=1, amp="fp8", device="cpu", progress=False), "amp"),
    "fit no loss": (lambda: core.fit(LIN(), None, XY, steps=1, progress=False), "loss_fn"),
    "predict batch_size": (lambda: core.predict(LIN(), XY[0], batch_size=0), "batch_size"),
    "predict not a tensor": (lambda: core.predict(LIN(), [[1.0] * 4]), "x"),
    "EMA decay": (lambda: core.EMA(LIN(), decay=1.0), "decay"),
    # data
    "split": (lambda: data.load_digits8("validation"), "split"),
    "subset lengths": (lambda: data.subset(X, Y[:7], per_class=1), "length"),
    "subset float labels": (lambda: data.subset(X, Y.float(), per_class=1), "y"),
    "subset both sizes": (lambda: data.subset(X, Y, per_class=1, fraction=0.5), "per_class"),
    "subset fraction": (lambda: data.subset(X, Y, fraction=1.5), "fraction"),
    "subset per_class": (lambda: data.subset(X, Y, per_class=0), "per_class"),
    "subset not tensors": (lambda: data.subset(X.tolist(), Y, per_class=1), "x"),
    "rotate shape": (lambda: data.rotate(X[0], 30), "x"),
    "add_noise std": (lambda: data.add_noise(X, -0.1), "std"),
    # metrics
    "accuracy shapes": (lambda: metrics.accuracy(Y[:5], Y), "pred"),
    "accuracy empty": (lambda: metrics.accuracy(Y[:0], Y[:0]), "target"),
    "psnr shapes": (lambda: metrics.psnr(X, X[:3]), "x"),
    "frechet NaN": (lambda: metrics.frechet_distance(NAN, F5), "feats1"),
    "frechet inf": (lambda: metrics.frechet_distance(F5, INF), "feats2"),
    "frechet 1-D": (lambda: metrics.frechet_distance(F5[0], F5), "feats1"),
    "frechet one sample": (lambda: metrics.frechet_distance(F5[:1], F5), "feats1"),
    "frechet dims": (lambda: metrics.frechet_distance(F5, F5[:, :3]), "feats2"),
    "frechet ints": (lambda: metrics.frechet_distance(F5.long(), F5), "feats1"),
    "kid NaN": (lambda: metrics.kernel_distance(F5, NAN), "feats2"),
    "kid empty": (lambda: metrics.kernel_distance(F5[:0], F5), "feats1"),
    "kid subset_size": (lambda: metrics.kernel_distance(F5, F5, subset_size=1), "subset_size"),
    "extractor": (lambda: metrics.image_features(X, "inception"), "extractor"),
    # zoo
    "zoo mode": (lambda: zoo.load("digitnet", mode="fast"), "mode"),
    "zoo no quick source": (lambda: zoo.load("gpt2", mode="quick"), "gpt2"),
    "zoo retrain packaged": (lambda: zoo.retrain("craft-vgg16bn", mode="quick"), "craft-vgg16bn"),
    "zoo register nothing": (lambda: zoo.register("x", "nothing"), "builder"),
    "zoo register bad builder": (lambda: zoo.register("x", "bad", quick=3), "quick"),
    # generative
    "generator noise shape": (lambda: gan.Generator()(torch.randn(2, 3)), "noise"),
    "discriminator shape": (lambda: gan.Discriminator()(torch.randn(2, 16, 16)), "images"),
    "d_loss not tensor": (lambda: gan.d_loss([0.0], torch.zeros(2)), "real_logits"),
    "gan step z": (lambda: gan.gan_train_step(*_gan_parts(), torch.rand(2, 1, 16, 16), torch.randn(2, 1, 4, 4)), "z"),
    "train_dcgan images": (lambda: gan.train_dcgan(gan.DCGAN(8, 8), X[:, 0], steps=1, progress=False), "images"),
    "train_dcgan steps": (lambda: gan.train_dcgan(gan.DCGAN(8, 8), X, steps=-2, progress=False), "steps"),
    "dcgan sample n": (lambda: gan.DCGAN(8, 8).sample(0), "n"),
    "q_sample t too large": (lambda: diffusion.q_sample(X[:2], torch.tensor([3, 10]), X[:2], ABAR), "t"),
    "q_sample t negative": (lambda: diffusion.q_sample(X[:2], torch.tensor([-1, 0]), X[:2], ABAR), "t"),
    "q_sample t float": (lambda: diffusion.q_sample(X[:2], torch.tensor([1.0, 2.0]), X[:2], ABAR), "t"),
    "q_sample shapes": (lambda: diffusion.q_sample(X[:2], torch.tensor([1]), X[:2], ABAR), "t"),
    "ddpm_loss x0": (lambda: diffusion.ddpm_loss(None, X[:, 0], ABAR), "x0"),
    "top_k": (lambda: ar.top_k_filter(torch.randn(2, 5), 0), "k"),
    "top_p": (lambda: ar.top_p_filter(torch.randn(2, 5), 1.5), "p"),
    "gaussian_kl shapes": (lambda: vae.gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 4)), "logvar"),
}


def _gan_parts():
    g, d = gan.Generator(z_dim=4, width=8), gan.Discriminator(width=8)
    return g, d, torch.optim.Adam(g.parameters()), torch.optim.Adam(d.parameters())


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_clear_error(case):
    call, names = CASES[case]
    with pytest.raises((ValueError, TypeError)) as e:
        call()
    assert names.lower() in str(e.value).lower(), f"{case}: {e.value!r} does not name {names!r}"


# --- every public callable has a case -------------------------------------------------
# Modules that other people are writing right now (not checked yet).
SKIP_MODULES = ("aigc_tl._modidx", "aigc_tl.modalities.video", "aigc_tl.cross_domain")

# "module.name" -> why no bad-input case makes sense.
NO_INPUT_TO_CHECK = {
    "zoo.entries": "takes no argument",
    "zoo.packaged_dir": "takes no argument",
    "core.is_full": "takes no argument",
    "core.get_mode": "takes no argument",
}


def _public_callables():
    "{id(obj): (obj, ['module.name', ...])} over every module's `__all__`."
    import importlib
    import inspect
    import pkgutil

    import aigc_tl

    found = {}
    for info in pkgutil.walk_packages(aigc_tl.__path__, "aigc_tl."):
        if info.name.startswith(SKIP_MODULES):
            continue
        mod = importlib.import_module(info.name)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                short = info.name.removeprefix("aigc_tl.")
                found.setdefault(id(obj), (obj, []))[1].append(f"{short}.{name}")
    return found


def _covered_names():
    "The `alias.name(` / bare `name(` calls in CASES, as 'module.name' strings."
    import ast
    import re
    from pathlib import Path

    src = Path(__file__).read_text()
    tree = ast.parse(src)
    aliases, bare = {}, {}  # alias -> module; bare name -> module
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aigc_tl"):
            for a in node.names:
                target = f"{node.module}.{a.name}".removeprefix("aigc_tl.")
                aliases[a.asname or a.name] = target
                bare[a.asname or a.name] = node.module.removeprefix("aigc_tl")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("aigc_tl.") and a.asname:
                    aliases[a.asname] = a.name.removeprefix("aigc_tl.")
    cases = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "CASES"
    )
    text = ast.get_source_segment(src, cases)
    out = set()
    for alias, name in re.findall(r"\b(\w+)\.(\w+)\(", text):
        if alias in aliases:
            out.add(f"{aliases[alias]}.{name}")
    for name in re.findall(r"(?<![\w.])(\w+)\(", text):
        if name in bare:
            out.add(f"{bare[name].lstrip('.')}.{name}")
    return out


def test_every_public_callable_has_a_bad_input_case():
    covered = _covered_names()
    homes = [names for _, names in _public_callables().values()]
    missing = [
        names[0]
        for names in homes
        if not (set(names) & covered) and not (set(names) & set(NO_INPUT_TO_CHECK))
    ]
    assert not missing, f"{len(missing)} public callables have no bad-input case: {missing}"
    known = {n for names in homes for n in names}
    stale = [n for n in NO_INPUT_TO_CHECK if n not in known or n in covered]
    assert not stale, f"NO_INPUT_TO_CHECK entries that are unknown or have a case: {stale}"
