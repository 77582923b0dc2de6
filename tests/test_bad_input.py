"Wrong shapes, dtypes, NaN/inf, empty inputs and out-of-range arguments get a ValueError/TypeError naming the argument."

import pytest
import torch
from torch import nn

from aigc_tl import core, data, display, metrics, zoo
from aigc_tl import transfer as tl
from aigc_tl.algorithms import distillation as kd
from aigc_tl.algorithms import peft, sharing
from aigc_tl.algorithms import prompt_tuning as pt
from aigc_tl.algorithms import self_supervised as ssl
from aigc_tl.algorithms import semi_supervised as semi
from aigc_tl.algorithms import unsupervised as unsup
from aigc_tl.cross_domain import adaptation as xadapt
from aigc_tl.cross_domain import fusion as xfuse
from aigc_tl.cross_domain import meta as xmeta
from aigc_tl.cross_domain import shift as xshift
from aigc_tl.generative import autoregressive as ar
from aigc_tl.generative import diffusion, gan, vae
from aigc_tl.generative import mathematics as gm
from aigc_tl.generative import performance as perf
from aigc_tl.generative import pipeline as pipe
from aigc_tl.modalities.audio import music as amus
from aigc_tl.modalities.audio import signal as asig
from aigc_tl.modalities.audio import speaker as aspk
from aigc_tl.modalities.audio import spectrograms as aspec
from aigc_tl.modalities.image import diffusers_peft as dpeft
from aigc_tl.modalities.image import few_shot as fs
from aigc_tl.modalities.image import personalisation as pers
from aigc_tl.modalities.image import style_transfer as st
from aigc_tl.modalities.image import super_resolution as sr
from aigc_tl.modalities.text import cross_lingual as xl
from aigc_tl.modalities.text import distillation as tkd
from aigc_tl.modalities.text import domain_adaptation as da
from aigc_tl.modalities.text import pretrained_lstm as lstm
from aigc_tl.modalities.text import style_control as sc
from aigc_tl.modalities.text import transformers_peft as tpeft
from aigc_tl.modalities.video import diffusers_motion as dm
from aigc_tl.modalities.video import inflation as infl
from aigc_tl.modalities.video import motion_module as mm
from aigc_tl.modalities.video import prediction as vp
from aigc_tl.modalities.video import temporal as vt
from aigc_tl.principles import fine_tuning as ft
from aigc_tl.principles import layers
from aigc_tl.principles import strategies as strat
from aigc_tl.principles import transfer as principles
from aigc_tl.principles import transferability as tfy

X, Y = torch.rand(12, 1, 8, 8), torch.arange(12) % 3
F5 = torch.randn(5, 4)
NAN = F5.clone().index_fill_(0, torch.tensor([1]), float("nan"))
INF = F5.clone().index_fill_(0, torch.tensor([2]), float("inf"))
ABAR = diffusion.alphas_cumprod(diffusion.linear_beta_schedule(10))
LIN = lambda: nn.Linear(4, 2)  # noqa: E731
CE = lambda m, b: nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
XY = (torch.randn(8, 4), torch.zeros(8, dtype=torch.long))
L3 = torch.randn(4, 3)  # logits, 4 samples x 3 classes
SEQ = lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))  # noqa: E731
BETAS = diffusion.linear_beta_schedule(10)
GPT = lambda: ar.CharGPT(ar.GPTConfig(5, block_size=8, n_layer=1, n_head=1, n_embd=8))  # noqa: E731
TOK = ar.CharTokenizer("abcde")
IDS = torch.zeros(1, 2, dtype=torch.long)
LSTM_TOK = lambda: lstm.TextgenrnnTokenizer({"a": 1, "b": 2, "<s>": 3})  # noqa: E731
CLIPS = torch.rand(2, 4, 1, 8, 8)  # video clips (N, T, C, H, W)
SIMVP = lambda: vp.SimVP(past=2, future=2, channels=4, hidden=4, patch=2)  # noqa: E731
DIGIT_MLP = lambda: xadapt.DigitMLP(64, 4)  # noqa: E731  (a classifier with .features)

CASES = {
    # core
    "seed negative": (lambda: core.seed_everything(-1), "seed"),
    "seed float": (lambda: core.seed_everything(1.5), "seed"),
    "use_mode unknown": (lambda: core.use_mode("fast").__enter__(), "mode"),
    "device unknown": (lambda: core.get_device("gpu0"), "device"),
    "batches empty": (
        lambda: next(core.iterate_batches((torch.zeros(0, 2),), 4)),
        "data",
    ),
    "batches not tensors": (lambda: next(core.iterate_batches(([1, 2],), 1)), "data"),
    "batches ragged": (lambda: next(core.iterate_batches((X, Y[:5]), 4)), "lengths"),
    "batch_size zero": (lambda: next(core.iterate_batches((X,), 0)), "batch_size"),
    "fit steps": (lambda: core.fit(LIN(), CE, XY, steps=-1, progress=False), "steps"),
    "fit log_every": (
        lambda: core.fit(LIN(), CE, XY, steps=1, log_every=0, progress=False),
        "log_every",
    ),
    "fit amp": (
        lambda: core.fit(
            LIN(), CE, XY, steps=1, amp="fp8", device="cpu", progress=False
        ),
        "amp",
    ),
    "fit no loss": (
        lambda: core.fit(LIN(), None, XY, steps=1, progress=False),
        "loss_fn",
    ),
    "predict batch_size": (
        lambda: core.predict(LIN(), XY[0], batch_size=0),
        "batch_size",
    ),
    "predict not a tensor": (lambda: core.predict(LIN(), [[1.0] * 4]), "x"),
    "EMA decay": (lambda: core.EMA(LIN(), decay=1.0), "decay"),
    # data
    "split": (lambda: data.load_digits8("validation"), "split"),
    "subset lengths": (lambda: data.subset(X, Y[:7], per_class=1), "length"),
    "subset float labels": (lambda: data.subset(X, Y.float(), per_class=1), "y"),
    "subset both sizes": (
        lambda: data.subset(X, Y, per_class=1, fraction=0.5),
        "per_class",
    ),
    "subset fraction": (lambda: data.subset(X, Y, fraction=1.5), "fraction"),
    "subset per_class": (lambda: data.subset(X, Y, per_class=0), "per_class"),
    "subset not tensors": (lambda: data.subset(X.tolist(), Y, per_class=1), "x"),
    "rotate shape": (lambda: data.rotate(X[0], 30), "x"),
    "roll_clips velocity": (
        lambda: data.roll_clips(torch.rand(2, 1, 8, 8), torch.zeros(3, 2), 4),
        "velocity",
    ),
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
    "kid subset_size": (
        lambda: metrics.kernel_distance(F5, F5, subset_size=1),
        "subset_size",
    ),
    "extractor": (lambda: metrics.image_features(X, "inception"), "extractor"),
    # zoo
    "zoo mode": (lambda: zoo.load("digitnet", mode="fast"), "mode"),
    "zoo no quick source": (lambda: zoo.load("gpt2", mode="quick"), "gpt2"),
    "zoo retrain packaged": (
        lambda: zoo.retrain("craft-vgg16bn", mode="quick"),
        "craft-vgg16bn",
    ),
    "zoo register nothing": (lambda: zoo.register("x", "nothing"), "builder"),
    "zoo register bad builder": (lambda: zoo.register("x", "bad", quick=3), "quick"),
    # generative
    "generator noise shape": (lambda: gan.Generator()(torch.randn(2, 3)), "noise"),
    "discriminator shape": (
        lambda: gan.Discriminator()(torch.randn(2, 16, 16)),
        "images",
    ),
    "d_loss not tensor": (lambda: gan.d_loss([0.0], torch.zeros(2)), "real_logits"),
    "gan step z": (
        lambda: gan.gan_train_step(
            *_gan_parts(), torch.rand(2, 1, 16, 16), torch.randn(2, 1, 4, 4)
        ),
        "z",
    ),
    "train_dcgan images": (
        lambda: gan.train_dcgan(gan.DCGAN(8, 8), X[:, 0], steps=1, progress=False),
        "images",
    ),
    "train_dcgan steps": (
        lambda: gan.train_dcgan(gan.DCGAN(8, 8), X, steps=-2, progress=False),
        "steps",
    ),
    "dcgan sample n": (lambda: gan.DCGAN(8, 8).sample(0), "n"),
    "q_sample t too large": (
        lambda: diffusion.q_sample(X[:2], torch.tensor([3, 10]), X[:2], ABAR),
        "t",
    ),
    "q_sample t negative": (
        lambda: diffusion.q_sample(X[:2], torch.tensor([-1, 0]), X[:2], ABAR),
        "t",
    ),
    "q_sample t float": (
        lambda: diffusion.q_sample(X[:2], torch.tensor([1.0, 2.0]), X[:2], ABAR),
        "t",
    ),
    "q_sample shapes": (
        lambda: diffusion.q_sample(X[:2], torch.tensor([1]), X[:2], ABAR),
        "t",
    ),
    "ddpm_loss x0": (lambda: diffusion.ddpm_loss(None, X[:, 0], ABAR), "x0"),
    "top_k": (lambda: ar.top_k_filter(torch.randn(2, 5), 0), "k"),
    "top_p": (lambda: ar.top_p_filter(torch.randn(2, 5), 1.5), "p"),
    "gaussian_kl shapes": (
        lambda: vae.gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 4)),
        "logvar",
    ),
    # core (more)
    "cache_dir parts": (lambda: core.cache_dir("models", 3), "parts"),
    "atomic_save path": (lambda: core.atomic_save({}, 3), "path"),
    "progress_bar total": (lambda: core.progress_bar(-1), "total"),
    "to_device device": (lambda: core.to_device(X, "tpu"), "device"),
    "eval_mode model": (lambda: core.eval_mode("model").__enter__(), "model"),
    "model_device model": (lambda: core.model_device("model"), "model"),
    "StepContext clip_grad": (
        lambda: core.StepContext(torch.device("cpu"), clip_grad=-1.0),
        "clip_grad",
    ),
    "Evaluate every": (lambda: core.Evaluate(lambda m: {}, every=-1), "every"),
    "count_parameters model": (lambda: core.count_parameters("model"), "model"),
    # data (more)
    "load_mnist split": (lambda: data.load_mnist("dev"), "split"),
    "mnist_gan_images size": (lambda: data.mnist_gan_images("train", 0), "size"),
    "binarized_mnist split": (lambda: data.binarized_mnist("dev"), "split"),
    "speak text": (lambda: data.speak("  "), "text"),
    "speak speed": (lambda: data.speak("hello", speed=10), "speed"),
    "speak voice": (lambda: data.speak("hello", "en-us+no-such-voice"), "voice"),
    "load_photos names": (lambda: data.load_photos(["no-such-photo"]), "names"),
    "grey channels": (lambda: data.grey(torch.rand(2, 2, 4, 4)), "images"),
    "load_natural_images per_class": (
        lambda: data.load_natural_images(per_class=0),
        "per_class",
    ),
    "colorize shape": (lambda: data.colorize(X[:, 0]), "x"),
    "blend scale": (lambda: data.blend_with_photos(X, scale=-1), "scale"),
    "moving_digits n": (lambda: data.moving_digits(0), "n"),
    "bouncing_shapes frames": (lambda: data.bouncing_shapes(2, frames=0), "frames"),
    "panning_clips max_speed": (
        lambda: data.panning_clips(2, max_speed=-1),
        "max_speed",
    ),
    "load_vtest step": (lambda: data.load_vtest(2, step=0), "step"),
    "load_shakespeare works": (
        lambda: data.load_shakespeare(["No Such Play"]),
        "works",
    ),
    "shakespeare_split val_fraction": (
        lambda: data.shakespeare_split(1000, val_fraction=1.5),
        "val_fraction",
    ),
    # display
    "image_grid shape": (lambda: display.image_grid(torch.rand(4)), "images"),
    "show_images row_titles": (
        lambda: display.show_images(X[:4], nrow=2, row_titles=["a"]),
        "row_titles",
    ),
    "audio_player rate": (lambda: display.audio_player(torch.zeros(100), 0), "rate"),
    "encode_webm fps": (
        lambda: display.encode_webm(torch.rand(2, 1, 8, 8), fps=0),
        "fps",
    ),
    "video_player fps": (
        lambda: display.video_player(torch.rand(2, 1, 8, 8), fps=0),
        "fps",
    ),
    # metrics (more)
    "perplexity NaN": (lambda: metrics.perplexity(float("nan")), "mean_nll"),
    "bits_per_char negative": (lambda: metrics.bits_per_char(-1.0), "mean_nll"),
    "ssim window": (lambda: metrics.ssim(X, X, window=0), "window"),
    "gaussian_frechet dims": (
        lambda: metrics.gaussian_frechet(
            torch.zeros(3), torch.eye(3), torch.zeros(4), torch.eye(4)
        ),
        "mu2",
    ),
    "mmd2 shapes": (
        lambda: metrics.mmd2_unbiased(torch.eye(3), torch.eye(3), torch.ones(2, 3)),
        "kxy",
    ),
    "image_distance extractor": (
        lambda: metrics.image_distance(X, X, extractor="inception"),
        "extractor",
    ),
    # transfer
    "Source model": (lambda: tl.Source("model"), "model"),
    "source not a name": (lambda: tl.source(LIN()), "name"),
    "FineTune lr_decay": (lambda: tl.FineTune(lr_decay=0), "lr_decay"),
    "L2SP alpha": (lambda: tl.L2SP(alpha=-1), "alpha"),
    "Distill T": (lambda: tl.Distill(LIN(), T=0), "T"),
    "LoRA rank": (lambda: tl.LoRA(rank=0), "rank"),
    "Adapters rank": (lambda: tl.Adapters(rank=0), "rank"),
    "SoftPrompt n_tokens": (lambda: tl.SoftPrompt(n_tokens=0), "n_tokens"),
    "Recipe steps": (lambda: tl.Recipe(steps=-1), "steps"),
    "cross_entropy_loss batch": (lambda: tl.cross_entropy_loss(LIN(), F5), "batch"),
    "transfer seeds": (
        lambda: tl.transfer(
            tl.Source(LIN()),
            tl.Scratch(),
            XY,
            recipe=tl.Recipe(steps=1),
            evaluate=lambda m: 0.0,
            seeds=(),
        ),
        "seeds",
    ),
    "compare empty": (lambda: tl.compare([]), "results"),
    # algorithms.distillation
    "kd_loss T": (lambda: kd.kd_loss(L3, L3, T=0), "T"),
    "distillation_loss alpha": (
        lambda: kd.distillation_loss(L3, L3, Y[:4], alpha=1.5),
        "alpha",
    ),
    "HintLoss dims": (lambda: kd.HintLoss(0, 4), "student_dim"),
    "feature_output_loss hint": (
        lambda: kd.feature_output_loss(L3, L3, F5, F5, nn.Linear(4, 4)),
        "hint",
    ),
    # algorithms.peft
    "LoRAConfig r": (lambda: peft.LoRAConfig(r=0), "r"),
    "LoRALinear base": (lambda: peft.LoRALinear(nn.Conv2d(1, 1, 1)), "base"),
    "LoRAConv2d base": (lambda: peft.LoRAConv2d(LIN()), "base"),
    "LoRAConv1D base": (lambda: peft.LoRAConv1D(LIN()), "base"),
    "inject_lora config": (lambda: peft.inject_lora(SEQ(), {"r": 2}), "config"),
    "inject_lora no match": (
        lambda: peft.inject_lora(SEQ(), peft.LoRAConfig(target_modules=("nope",))),
        "target_modules",
    ),
    "merge_lora no lora": (lambda: peft.merge_lora(SEQ()), "model"),
    "unmerge_lora no lora": (lambda: peft.unmerge_lora(SEQ()), "model"),
    "lora_state_dict no lora": (lambda: peft.lora_state_dict(SEQ()), "model"),
    "load_lora_state_dict no lora": (
        lambda: peft.load_lora_state_dict(SEQ(), {}),
        "model",
    ),
    "bitfit no bias": (lambda: peft.bitfit(nn.Linear(4, 2, bias=False)), "model"),
    "BottleneckAdapter dim": (lambda: peft.BottleneckAdapter(0), "dim"),
    "Adapted adapter": (lambda: peft.Adapted(LIN(), "adapter"), "adapter"),
    "add_adapters no match": (
        lambda: peft.add_adapters(SEQ(), ["nope"]),
        "target_modules",
    ),
    # algorithms.prompt_tuning
    "SoftPromptLM n_tokens": (lambda: pt.SoftPromptLM(GPT(), n_tokens=-1), "n_tokens"),
    "SoftPromptLM base": (lambda: pt.SoftPromptLM(LIN()), "base"),
    "train_soft_prompt_only model": (
        lambda: pt.train_soft_prompt_only(GPT()),
        "SoftPromptLM",
    ),
    # algorithms.self_supervised
    "nt_xent shapes": (lambda: ssl.nt_xent_loss(F5, F5[:3]), "z2"),
    "nt_xent temperature": (
        lambda: ssl.nt_xent_loss(F5, F5, temperature=0),
        "temperature",
    ),
    "random_augment shape": (lambda: ssl.random_augment(X[:, 0]), "x"),
    "small_encoder width": (lambda: ssl.small_encoder(width=0), "width"),
    "projection_head in_dim": (lambda: ssl.projection_head(in_dim=-1), "in_dim"),
    "simclr_loss x": (lambda: ssl.simclr_loss(nn.Flatten(), X[:, 0]), "x"),
    "rotate_batch shape": (lambda: ssl.rotate_batch(X[:, 0]), "x"),
    "rotation_loss x": (lambda: ssl.rotation_loss(nn.Flatten(), X[:, 0]), "x"),
    "linear_probe lengths": (
        lambda: ssl.linear_probe(F5, Y[:4], F5, Y[:5]),
        "train_labels",
    ),
    # algorithms.semi_supervised
    "translate dx": (lambda: semi.translate(X, torch.zeros(3), torch.zeros(12)), "dx"),
    "weak_augment max_shift": (lambda: semi.weak_augment(X, max_shift=-1), "max_shift"),
    "strong_augment cutout": (lambda: semi.strong_augment(X, cutout=-1), "cutout"),
    "confident threshold": (lambda: semi.confident_pseudo_labels(L3, 1.5), "threshold"),
    "pseudo_label threshold": (
        lambda: semi.pseudo_label_loss(nn.Flatten(), X, threshold=-0.1),
        "threshold",
    ),
    "fixmatch shapes": (lambda: semi.fixmatch_loss(nn.Flatten(), X, X[:3]), "x_strong"),
    "ramp_up end": (lambda: semi.ramp_up(5, 10, 3), "end"),
    # algorithms.sharing
    "MultiHeadModel heads": (lambda: sharing.MultiHeadModel(LIN(), {}), "heads"),
    "joint_loss empty": (
        lambda: sharing.joint_loss(
            sharing.MultiHeadModel(nn.Identity(), {"a": LIN()}), {}
        ),
        "batches",
    ),
    "soft_sharing not a model": (
        lambda: sharing.soft_sharing_penalty(LIN(), None),
        "model_b",
    ),
    # algorithms.unsupervised
    "corrupt mask_prob": (lambda: unsup.corrupt(X, mask_prob=1.5), "mask_prob"),
    "Autoencoder encoder": (lambda: unsup.Autoencoder("enc", nn.Identity()), "encoder"),
    "reconstruction_loss noise_std": (
        lambda: unsup.reconstruction_loss(
            unsup.Autoencoder(nn.Identity(), nn.Identity()), X, noise_std=-1
        ),
        "noise_std",
    ),
    "transfer_encoder n_classes": (
        lambda: unsup.transfer_encoder(nn.Flatten(), 64, 0),
        "n_classes",
    ),
    # generative.autoregressive (more)
    "CharTokenizer text": (lambda: ar.CharTokenizer(""), "text"),
    "GPTConfig n_head": (lambda: ar.GPTConfig(n_embd=10, n_head=3), "n_head"),
    "CausalSelfAttention cfg": (lambda: ar.CausalSelfAttention({"n_embd": 8}), "cfg"),
    "MLP cfg": (lambda: ar.MLP(None), "cfg"),
    "Block cfg": (lambda: ar.Block(None), "cfg"),
    "CharGPT too long": (lambda: GPT()(torch.zeros(1, 9, dtype=torch.long)), "idx"),
    "lm_windows block_size": (lambda: ar.lm_windows(torch.arange(10), 0), "block_size"),
    "lm_loss batch": (
        lambda: ar.lm_loss(GPT(), torch.zeros(2, 4, dtype=torch.long)),
        "batch",
    ),
    "evaluate_bpc block_size": (
        lambda: ar.evaluate_bpc(GPT(), torch.arange(5), 9),
        "block_size",
    ),
    "chargpt_optimizer params": (lambda: ar.chargpt_optimizer([]), "params"),
    "chargpt_scheduler opt": (lambda: ar.chargpt_scheduler("adam"), "opt"),
    "train_chargpt model": (lambda: ar.train_chargpt(LIN(), progress=False), "model"),
    "sample temperature": (
        lambda: ar.sample(GPT(), IDS, 2, temperature=-1),
        "temperature",
    ),
    "hf_gpt2_config special_id": (
        lambda: ar.hf_gpt2_config(ar.GPTConfig(vocab_size=5), 7),
        "special_id",
    ),
    "to_hf_gpt2 special_id": (lambda: ar.to_hf_gpt2(GPT(), -1), "special_id"),
    # generative.diffusion (more)
    "linear_beta_schedule order": (
        lambda: diffusion.linear_beta_schedule(10, 0.1, 0.01),
        "beta_end",
    ),
    "alphas_cumprod range": (
        lambda: diffusion.alphas_cumprod(torch.tensor([0.1, 1.5])),
        "betas",
    ),
    "ddpm_step t": (lambda: diffusion.ddpm_step(X[:2], 10, X[:2], BETAS), "t"),
    "ddpm_sample shape": (
        lambda: diffusion.ddpm_sample(lambda x, t: x, (2, 8, 8), BETAS),
        "shape",
    ),
    "timestep_embedding dim": (
        lambda: diffusion.timestep_embedding(torch.arange(3), 7),
        "dim",
    ),
    "TinyUNet width": (lambda: diffusion.TinyUNet(width=12), "width"),
    "ddpm_heldout x0": (
        lambda: diffusion.ddpm_heldout(diffusion.TinyUNet(width=8), X[:, 0], BETAS),
        "x0",
    ),
    "train_ddpm steps": (
        lambda: diffusion.train_ddpm(
            diffusion.TinyUNet(width=8), X, BETAS, steps=-1, progress=False
        ),
        "steps",
    ),
    "ddpm_betas T": (lambda: diffusion.ddpm_betas(0), "T"),
    # generative.gan (more)
    "dcgan_init module": (lambda: gan.dcgan_init("net"), "module"),
    "g_loss not tensor": (lambda: gan.g_loss_nonsaturating([0.0]), "fake_logits"),
    "digit_sample_scores fake": (lambda: gan.digit_sample_scores(X[:, 0], X), "fake"),
    "digit_features images": (
        lambda: gan.digit_features(torch.rand(2, 3, 16, 16)),
        "images",
    ),
    "Generator z_dim": (lambda: gan.Generator(z_dim=0), "z_dim"),
    "Discriminator size": (lambda: gan.Discriminator(size=10), "size"),
    # generative.mathematics
    "gaussian_nll var": (lambda: gm.gaussian_nll(F5, 0.0, -1.0), "var"),
    "gaussian_mle empty": (lambda: gm.gaussian_mle(torch.zeros(0)), "x"),
    "gaussian_mle_gd 2-D": (lambda: gm.gaussian_mle_gd(F5), "x"),
    "beta_posterior heads": (lambda: gm.beta_posterior(5, 3), "heads"),
    "coin_estimates level": (lambda: gm.coin_estimates(2, 5, level=1.5), "level"),
    "categorical_nll targets": (
        lambda: gm.categorical_nll(L3, torch.zeros(4)),
        "targets",
    ),
    "bits_per_char NaN": (lambda: gm.bits_per_char(float("nan")), "nll_nats"),
    "kl_diag shapes": (lambda: gm.kl_diag_gaussians(F5, F5, F5[:2], F5), "mu_p"),
    "kl_monte_carlo n_samples": (
        lambda: gm.kl_monte_carlo(F5, F5, F5, F5, n_samples=0),
        "n_samples",
    ),
    "sgd_step lr": (lambda: gm.sgd_step([F5.clone()], [F5], {}, lr=-0.1), "lr"),
    "momentum_step momentum": (
        lambda: gm.momentum_step([F5.clone()], [F5], {}, 0.1, momentum=1.5),
        "momentum",
    ),
    "adam_step betas": (
        lambda: gm.adam_step([F5.clone()], [F5], {}, betas=(0.9, 1.0)),
        "betas",
    ),
    "adamw_step grads": (lambda: gm.adamw_step([F5.clone()], [], {}), "grads"),
    "run_optimizer steps": (
        lambda: gm.run_optimizer(
            gm.sgd_step, lambda x: (x**2).sum(), [1.0], -1, lr=0.1
        ),
        "steps",
    ),
    # generative.performance
    "state_dict_mb model": (lambda: perf.state_dict_mb("model"), "model"),
    "compare_latency rounds": (
        lambda: perf.compare_latency({"a": lambda: 1}, rounds=0),
        "rounds",
    ),
    "quantize_int8 model": (lambda: perf.quantize_int8("model"), "model"),
    "prune_global amount": (lambda: perf.prune_global(SEQ(), 1.5), "amount"),
    "sparsity no layer": (lambda: perf.sparsity(nn.ReLU()), "model"),
    "Autocast dtype": (lambda: perf.Autocast(LIN(), dtype=torch.int8), "dtype"),
    "lm_distillation shapes": (
        lambda: perf.lm_distillation_loss(
            torch.randn(2, 3, 5), torch.randn(2, 3, 6), IDS
        ),
        "teacher_logits",
    ),
    "LowPrecision dtype": (lambda: perf.LowPrecision(LIN(), dtype=torch.int8), "dtype"),
    # generative.pipeline
    "Stage fn": (lambda: pipe.Stage("a", "not callable"), "fn"),
    "Pipeline needs": (
        lambda: pipe.Pipeline([pipe.Stage("a", lambda s: s, needs=("missing",))]).run(
            {}
        ),
        "missing",
    ),
    "bigram_counts vocab": (lambda: pipe.bigram_counts("abc", []), "vocab"),
    "bigram_bpc k": (
        lambda: pipe.bigram_bpc([[1.0, 1.0], [1.0, 1.0]], "ab", ["a", "b"], k=-1),
        "k",
    ),
    "toy_text_pipeline n_sample": (
        lambda: pipe.toy_text_pipeline("ab", "ab", "ab", n_sample=-1),
        "n_sample",
    ),
    # generative.vae (more)
    "reparameterize shapes": (
        lambda: vae.reparameterize(torch.zeros(2, 3), torch.zeros(2, 4)),
        "logvar",
    ),
    "VAE z_dim": (lambda: vae.VAE(z_dim=0), "z_dim"),
    "elbo beta": (
        lambda: vae.elbo(X, X, torch.zeros(12, 2), torch.zeros(12, 2), beta=-1),
        "beta",
    ),
    "vae_loss x": (lambda: vae.vae_loss(vae.VAE((1, 8, 8), 2, 8), X[:, 0]), "images"),
    "vae_heldout n_samples": (
        lambda: vae.vae_heldout(vae.VAE((1, 8, 8), 2, 8), X, n_samples=0),
        "n_samples",
    ),
    "train_vae steps": (
        lambda: vae.train_vae(vae.VAE((1, 8, 8), 2, 8), X, steps=-1, progress=False),
        "steps",
    ),
    # principles
    "small_cnn num_classes": (lambda: ft.small_cnn(num_classes=0), "num_classes"),
    "freeze not a model": (lambda: ft.freeze("model", "0"), "model"),
    "unfreeze not a model": (lambda: ft.unfreeze("model"), "model"),
    "freeze_until n_children": (lambda: ft.freeze_until(SEQ(), 5), "n_children"),
    "replace_head attr": (lambda: ft.replace_head(SEQ(), "head", 3), "head"),
    "param_groups decay": (
        lambda: ft.param_groups_discriminative(SEQ(), 0.1, decay=0),
        "decay",
    ),
    "ft L2SP alpha": (lambda: ft.L2SP(SEQ(), "2", alpha=-1), "alpha"),
    "layered_cnn width": (lambda: layers.layered_cnn(width=0), "width"),
    "transplant n": (lambda: layers.transplant(SEQ(), SEQ(), 9), "n"),
    "split_at n": (lambda: layers.split_at(SEQ(), -1), "n"),
    "layer_transfer_model n": (
        lambda: layers.layer_transfer_model(SEQ(), SEQ(), 9, True),
        "n",
    ),
    "linear_to_conv in_shape": (
        lambda: strat.linear_to_conv(LIN(), (1, 3, 3)),
        "in_shape",
    ),
    "fully_convolutional input_shape": (
        lambda: strat.fully_convolutional(SEQ(), (1, 0, 28)),
        "input_shape",
    ),
    "ResidualAdapter rank": (lambda: strat.ResidualAdapter(4, rank=0), "rank"),
    "importance_weights dims": (
        lambda: strat.importance_weights(F5, F5[:, :3]),
        "feats_target",
    ),
    "weighted_ce weight": (
        lambda: strat.weighted_cross_entropy(L3, Y[:4], torch.ones(3)),
        "weight",
    ),
    "Domain x": (lambda: principles.Domain("d", "pixels", [1, 2]), "x"),
    "Task labels": (lambda: principles.Task("t", ()), "labels"),
    "pan_yang source": (
        lambda: principles.pan_yang_setting("source", "target"),
        "source",
    ),
    "mmd_rbf bandwidth": (
        lambda: principles.mmd_rbf(F5, F5, bandwidth=-1.0),
        "bandwidth",
    ),
    "shuffle_labels y": (lambda: principles.shuffle_labels(F5), "y"),
    "transfer_gain NaN": (
        lambda: principles.transfer_gain([float("nan")], [0.5]),
        "with_source",
    ),
    "logme_evidence targets": (
        lambda: tfy.logme_evidence(F5, torch.zeros(4)),
        "targets",
    ),
    "logme float labels": (lambda: tfy.logme(F5, Y[:5].float()), "labels"),
    "leep probs": (lambda: tfy.leep(F5, Y[:5]), "source_probs"),
    # modalities.image.diffusers_peft
    "tiny_unet2d overrides": (lambda: dpeft.tiny_unet2d(no_such_option=1), "overrides"),
    "tiny_unet2d_condition overrides": (
        lambda: dpeft.tiny_unet2d_condition(no_such_option=1),
        "overrides",
    ),
    "ddpm_scheduler betas": (
        lambda: dpeft.ddpm_scheduler(torch.tensor([0.1, 1.5])),
        "betas",
    ),
    "scheduler_loss x0": (
        lambda: dpeft.scheduler_loss(None, X[:, 0], dpeft.ddpm_scheduler(BETAS)),
        "x0",
    ),
    "scheduler_sample n": (
        lambda: dpeft.scheduler_sample(None, dpeft.ddpm_scheduler(BETAS), 0),
        "n",
    ),
    "peft_lora rank": (lambda: dpeft.peft_lora(SEQ(), rank=0, targets=("0",)), "rank"),
    "dpeft PeftLoRA rank": (lambda: dpeft.PeftLoRA(rank=0), "rank"),
    "book_lora_to_peft state": (
        lambda: dpeft.book_lora_to_peft({"w": torch.zeros(1)}),
        "lora_A",
    ),
    "tiny_sd_pipeline seed": (lambda: dpeft.tiny_sd_pipeline(seed=-1), "seed"),
    "prepare_images tensors": (lambda: dpeft.prepare_images([X[0]], 16), "images"),
    "encode_latents images": (lambda: dpeft.encode_latents(None, X[:, 0]), "images"),
    "encode_prompts one string": (
        lambda: dpeft.encode_prompts(None, "a photo"),
        "prompts",
    ),
    "generate n": (lambda: dpeft.generate(None, "a photo", n=0), "n"),
    "dreambooth_loss prior_weight": (
        lambda: dpeft.dreambooth_loss(None, None, None, prior_weight=-1),
        "prior_weight",
    ),
    "dreambooth_lora images": (
        lambda: dpeft.dreambooth_lora(None, X[:, 0], "a sks digit"),
        "images",
    ),
    "save_lora not a pipeline": (lambda: dpeft.save_lora(LIN(), "/tmp/x"), "pipe"),
    # modalities.image.few_shot
    "render_glyphs size": (lambda: fs.render_glyphs(["a"], size=0), "size"),
    "frequent_hanzi n": (lambda: fs.frequent_hanzi(["天地"], 0), "n"),
    "EpsMSE draws": (lambda: fs.EpsMSE(X, BETAS, draws=0), "draws"),
    "EmpiricalDenoiser images": (
        lambda: fs.EmpiricalDenoiser(X[:, 0], BETAS),
        "images",
    ),
    "respace steps": (lambda: fs.respace(BETAS, 11), "steps"),
    "Respaced timesteps": (
        lambda: fs.Respaced(LIN(), torch.tensor([0.5, 1.0])),
        "timesteps",
    ),
    "sample_fast n": (lambda: fs.sample_fast(LIN(), 0, BETAS), "n"),
    "nearest_distance shapes": (
        lambda: fs.nearest_distance(X, torch.rand(3, 1, 4, 4)),
        "x",
    ),
    "copy_rate q": (lambda: fs.copy_rate(X, X, X, q=1.5), "q"),
    "KeepBest key": (lambda: fs.KeepBest(key=""), "key"),
    "adapt_ddpm source": (
        lambda: fs.adapt_ddpm(
            tl.Source(LIN()), tl.Scratch(), X, recipe=tl.Recipe(steps=1)
        ),
        "source",
    ),
    "FreezeD layers": (lambda: fs.FreezeD(layers=-1), "layers"),
    # modalities.image.personalisation
    "LabelEmbedding num_labels": (lambda: pers.LabelEmbedding(0, 4), "num_labels"),
    "CondUNet num_labels": (lambda: pers.CondUNet(0), "num_labels"),
    "Conditioned labels": (
        lambda: pers.Conditioned(LIN(), torch.tensor([0.5])),
        "labels",
    ),
    "cond_ddpm_loss batch": (
        lambda: pers.cond_ddpm_loss(None, X, diffusion.alphas_cumprod(BETAS)),
        "batch",
    ),
    "sample_labelled labels": (
        lambda: pers.sample_labelled(None, torch.tensor([0.5]), BETAS),
        "labels",
    ),
    "digit_labels images": (
        lambda: pers.digit_labels(torch.rand(2, 3, 16, 16)),
        "images",
    ),
    "new_label_row init": (
        lambda: pers.new_label_row(pers.LabelEmbedding(3, 4), init="zeros!"),
        "init",
    ),
    "add_label init": (
        lambda: pers.add_label(pers.CondUNet(3, width=8), init="zeros!"),
        "init",
    ),
    "TextualInversion init": (lambda: pers.TextualInversion(init="zeros!"), "init"),
    "DreamBooth prior_batch": (lambda: pers.DreamBooth(prior_batch=1.5), "prior_batch"),
    "personalise model": (
        lambda: pers.personalise(
            tl.Source(LIN()),
            tl.Scratch(),
            X,
            recipe=tl.Recipe(steps=1),
            evaluate=lambda m: 0.0,
        ),
        "LabelEmbedding",
    ),
    # modalities.image.style_transfer
    "FeatureTaps layers": (lambda: st.FeatureTaps(SEQ(), [7]), "layers"),
    "gram_matrix shape": (lambda: st.gram_matrix(X[:, 0]), "f"),
    "content_loss shapes": (
        lambda: st.content_loss(X, torch.rand(12, 2, 8, 8)),
        "target",
    ),
    "style_loss layers": (lambda: st.style_loss({0: X}, {1: X}), "feats"),
    "stylize content": (
        lambda: st.stylize(X[0, 0], X[:1], lambda x: {}, 0, [0]),
        "content",
    ),
    "colour_distance 3-D": (
        lambda: st.colour_distance(torch.rand(3, 8, 8), torch.rand(1, 3, 8, 8)),
        "x",
    ),
    "orientation_histogram 3-D": (
        lambda: st.orientation_histogram(torch.rand(3, 8, 8)),
        "x",
    ),
    "orientation_distance 3-D": (
        lambda: st.orientation_distance(torch.rand(3, 8, 8), torch.rand(3, 8, 8)),
        "x",
    ),
    "match_colour 3-D": (
        lambda: st.match_colour(torch.rand(3, 8, 8), torch.rand(1, 3, 8, 8)),
        "content",
    ),
    "brush_strokes n": (lambda: st.brush_strokes(n=0), "n"),
    "TransformerNet width": (lambda: st.TransformerNet(width=0), "width"),
    "crops_per_image size": (
        lambda: st.crops_per_image([torch.rand(3, 8, 8)], 2, 16),
        "size",
    ),
    "feed_forward_loss style": (
        lambda: st.feed_forward_loss(lambda x: {}, X[0, 0], 0, [0]),
        "style",
    ),
    # modalities.image.super_resolution
    "downscale scale": (lambda: sr.downscale(X, scale=0), "scale"),
    "bicubic_upscale scale": (lambda: sr.bicubic_upscale(X, scale=0), "scale"),
    "pixel_shuffle channels": (
        lambda: sr.pixel_shuffle(torch.rand(1, 3, 4, 4), 2),
        "t",
    ),
    "ESPCN scale": (lambda: sr.ESPCN(scale=0), "scale"),
    "random_crops size": (
        lambda: sr.random_crops([torch.rand(1, 8, 8)], 2, 16, torch.Generator()),
        "size",
    ),
    "sr_loss y": (lambda: sr.sr_loss(sr.ESPCN(width=4), X[:, 0]), "y"),
    "self_reconstruction_loss y": (
        lambda: sr.self_reconstruction_loss(sr.ESPCN(width=4), X[:, 0]),
        "y",
    ),
    "render_text_images n": (lambda: sr.render_text_images(0), "n"),
    # modalities.text.cross_lingual
    "split_poems sizes": (
        lambda: xl.split_poems([{"title": "t", "text": "x"}], [5]),
        "sizes",
    ),
    "swap_vocabulary init": (
        lambda: xl.swap_vocabulary(GPT(), 6, init="zeros!"),
        "init",
    ),
    "frequency_rank_map new_text": (
        lambda: xl.frequency_rank_map("", TOK, "abc", TOK),
        "new_text",
    ),
    "NewVocabulary init": (lambda: xl.NewVocabulary(6, init="zeros!"), "init"),
    # modalities.text.distillation
    "per_position_kd T": (
        lambda: tkd.per_position_kd(torch.randn(2, 3, 5), torch.randn(2, 3, 5), T=-1),
        "T",
    ),
    "sequence_kd_loss T": (
        lambda: tkd.sequence_kd_loss(torch.randn(2, 3, 5), torch.randn(2, 3, 5), T=0),
        "T",
    ),
    "kjv_texts tokenizer": (lambda: tkd.kjv_texts("tok"), "tokenizer"),
    "smaller_gpt n_head": (lambda: tkd.smaller_gpt(GPT(), 1, 3, 8), "n_head"),
    "tokens_per_second repeats": (
        lambda: tkd.tokens_per_second(GPT(), IDS, repeats=0),
        "repeats",
    ),
    # modalities.text.domain_adaptation
    "restrict_to_vocab replace": (
        lambda: da.restrict_to_vocab("abc", ["a"], replace="zz"),
        "replace",
    ),
    "shuffled_line_split sizes": (
        lambda: da.shuffled_line_split("a\nb\n", [5]),
        "sizes",
    ),
    "random_span n_chars": (lambda: da.random_span("abc", 10), "n_chars"),
    "SpanSampler fraction": (
        lambda: da.SpanSampler("abcde" * 10, TOK, 1.5, 4),
        "fraction",
    ),
    "CharNGram n": (lambda: da.CharNGram(["a", "b"], n=0), "n"),
    "longest_verbatim sample": (lambda: da.longest_verbatim(3, "abc"), "sample"),
    "generate n_chars": (
        lambda: da.generate(GPT(), TOK, "ab", -1, block_size=8),
        "n_chars",
    ),
    "Replay source_windows": (lambda: da.Replay(None), "source_windows"),
    # modalities.text.pretrained_lstm
    "TextgenrnnTokenizer vocab": (lambda: lstm.TextgenrnnTokenizer({}), "vocab"),
    "fold_to_vocab tokenizer": (lambda: lstm.fold_to_vocab("abc", "tok"), "tokenizer"),
    "TextgenrnnConfig rnn_size": (
        lambda: lstm.TextgenrnnConfig(rnn_size=0),
        "rnn_size",
    ),
    "TextgenRNN config": (lambda: lstm.TextgenRNN({"rnn_size": 8}), "config"),
    "cudnn_lstm_to_torch shapes": (
        lambda: lstm.cudnn_lstm_to_torch(
            torch.zeros(4, 8), torch.zeros(3, 8), torch.zeros(16)
        ),
        "recurrent_kernel",
    ),
    "keras_lstm_to_torch shapes": (
        lambda: lstm.keras_lstm_to_torch(
            torch.zeros(4, 8), torch.zeros(3, 8), torch.zeros(8)
        ),
        "recurrent_kernel",
    ),
    "lstm_reference x": (
        lambda: lstm.lstm_reference(
            torch.zeros(3),
            torch.zeros(8, 2),
            torch.zeros(8, 2),
            torch.zeros(8),
            torch.zeros(8),
        ),
        "x",
    ),
    "load_keras_weights weights": (
        lambda: lstm.load_keras_weights(
            lstm.TextgenRNN(lstm.TextgenrnnConfig(10, 4, 4, 1, 8)), {}
        ),
        "weights",
    ),
    "document_windows max_length": (
        lambda: lstm.document_windows(["ab"], LSTM_TOK(), max_length=0),
        "max_length",
    ),
    "windows_bpc shapes": (
        lambda: lstm.windows_bpc(
            LIN(), torch.zeros(3, 4, dtype=torch.long), torch.zeros(2, dtype=torch.long)
        ),
        "y",
    ),
    "generate_documents n_samples": (
        lambda: lstm.generate_documents(None, None, n_samples=0),
        "n_samples",
    ),
    "DocumentSampler n_chars": (
        lambda: lstm.DocumentSampler("ab\nab\n", LSTM_TOK(), 0),
        "n_chars",
    ),
    # modalities.text.style_control
    "StyleConditionedLM n_styles": (
        lambda: sc.StyleConditionedLM(GPT(), 0),
        "n_styles",
    ),
    "style_windows texts": (lambda: sc.style_windows([], TOK, 4), "texts"),
    "styled_lm_loss batch": (
        lambda: sc.styled_lm_loss(sc.StyleConditionedLM(GPT(), 2), torch.zeros(2, 4)),
        "batch",
    ),
    "WithStyle style": (
        lambda: sc.WithStyle(sc.StyleConditionedLM(GPT(), 2), 5),
        "style",
    ),
    "text_chunks n": (lambda: sc.text_chunks("abc", 0), "n"),
    "style_classifier texts": (
        lambda: sc.style_classifier(["only one style"], 4),
        "texts",
    ),
    "steering_rate style": (lambda: sc.steering_rate(None, ["a"], -1), "style"),
    "StyleTuning style_lr": (lambda: sc.StyleTuning(style_lr=-1), "style_lr"),
    # modalities.text.transformers_peft
    "peft_lora_config rank": (
        lambda: tpeft.peft_lora_config(SEQ(), rank=0, targets=("0",)),
        "rank",
    ),
    "peft_to_book no peft": (lambda: tpeft.peft_to_book_state_dict(SEQ()), "model"),
    "tpeft PeftLoRA rank": (lambda: tpeft.PeftLoRA(rank=0), "rank"),
    "held_out_perplexity ids": (
        lambda: tpeft.held_out_perplexity(GPT(), torch.arange(5), 9),
        "ids",
    ),
    "adapt_causal_lm train_ids": (
        lambda: tpeft.adapt_causal_lm(
            GPT(), torch.arange(50) % 5, torch.arange(50) % 5
        ),
        "train_ids",
    ),
    # zoo (more)
    "available mode": (lambda: zoo.available("fast"), "mode"),
    "recipe_fingerprint recipe": (lambda: zoo.recipe_fingerprint([1, 2]), "recipe"),
    "cached_model key": (
        lambda: zoo.cached_model("", lambda: nn.Linear(1, 1), lambda m: {}),
        "key",
    ),
    "package_model key": (lambda: zoo.package_model("../escape"), "key"),
    "ZooEntry builders": (lambda: zoo.ZooEntry("x", "no builder"), "builder"),
    "DigitNet num_classes": (lambda: zoo.DigitNet(num_classes=0), "num_classes"),
    "TextEncoder max_length": (
        lambda: zoo.TextEncoder(nn.Linear(1, 1), None, max_length=0),
        "max_length",
    ),
    "TextEncoder model": (lambda: zoo.TextEncoder("bert", None), "model"),
    "CharGPT cfg": (lambda: ar.CharGPT({"n_embd": 8}), "cfg"),
    "perceptual_loss content_layer": (
        lambda: st.perceptual_loss({0: X}, X, {}, 3, 1.0),
        "content_layer",
    ),
    "punctuation_map new_tok": (lambda: xl.punctuation_map("zh", TOK), "new_tok"),
    "fid_inception shapes": (lambda: metrics.fid_inception(X, X[:, 0]), "fake"),
    "SRRecipe crop": (lambda: sr.SRRecipe(crop=0), "crop"),
    "load_causal_lm name": (lambda: tpeft.load_causal_lm(LIN()), "name"),
    # modalities.video.inflation
    "InflatedConv3d conv2d": (lambda: infl.InflatedConv3d(nn.Linear(4, 2)), "conv2d"),
    "inflate_conv time_kernel": (
        lambda: infl.inflate_conv(nn.Conv2d(1, 2, 3), time_kernel=2),
        "time_kernel",
    ),
    "inflate_conv init": (
        lambda: infl.inflate_conv(nn.Conv2d(1, 2, 3), init="zeros"),
        "init",
    ),
    "inflate model": (lambda: infl.inflate(nn.Conv2d), "model"),
    "inflate norm": (lambda: infl.inflate(SEQ(), norm="batch"), "norm"),
    "inflate unknown layer": (
        lambda: infl.inflate(nn.Sequential(nn.LSTM(4, 4))),
        "LSTM",
    ),
    "sliding_digits split": (
        lambda: infl.sliding_digits(4, split="validation"),
        "split",
    ),
    "per_frame images": (
        lambda: infl.per_frame(nn.Identity(), torch.rand(2, 1, 8, 8)),
        "x",
    ),
    "per_frame not a module": (lambda: infl.per_frame("conv", CLIPS), "layer"),
    "FrameWise str": (lambda: infl.FrameWise("conv"), "module"),
    "frame_by_frame images": (
        lambda: infl.frame_by_frame(nn.Identity(), torch.rand(2, 1, 8, 8)),
        "clips",
    ),
    "ClipClassifier dim": (lambda: infl.ClipClassifier(nn.Identity(), 0, 2), "dim"),
    "InflatedNet net": (lambda: infl.InflatedNet(nn.Conv2d(1, 1, 3)), "inflate"),
    # modalities.video.motion_module
    "TemporalLayer h": (lambda: mm.TemporalLayer(8)(torch.zeros(8, 4, 4)), "h"),
    "VideoDenoiser block": (
        lambda: mm.VideoDenoiser(nn.Sequential(nn.ReLU()), blocks=("0",)),
        "block",
    ),
    "VideoDenoiser x": (
        lambda: mm.VideoDenoiser(nn.Sequential(nn.Conv2d(1, 8, 1)), blocks=("0",))(
            CLIPS[0], torch.zeros(1)
        ),
        "x",
    ),
    "video_ddpm_loss x0": (lambda: mm.video_ddpm_loss(None, CLIPS[0], ABAR), "x0"),
    "video_heldout clips": (
        lambda: mm.video_heldout(LIN(), torch.rand(4, 4), BETAS),
        "clips",
    ),
    "drifting_digits frames": (lambda: mm.drifting_digits(X, 2, 0), "frames"),
    "same_label_fraction clips": (
        lambda: mm.same_label_fraction(LIN(), CLIPS[0]),
        "clips",
    ),
    "WithTemporal str block": (
        lambda: mm.WithTemporal("down1", nn.Identity()),
        "block",
    ),
    "MotionModule blocks str": (lambda: mm.MotionModule(blocks="down1"), "blocks"),
    "centre_frames clips": (lambda: mm.centre_frames(CLIPS), "x"),
    # modalities.video.prediction
    "split_clips past": (lambda: vp.split_clips(CLIPS, 4), "past"),
    "split_clips float past": (lambda: vp.split_clips(CLIPS, 2.0), "past"),
    "split_clips clips": (lambda: vp.split_clips(CLIPS[0], 2), "clips"),
    "SimVP x": (
        lambda: vp.SimVP(past=2, future=2, channels=4, hidden=4, patch=2)(CLIPS),
        "past frames",
    ),
    "prediction_loss batch": (
        lambda: vp.prediction_loss(SIMVP(), (CLIPS[:, :3], CLIPS[:, 3:])),
        "past frames",
    ),
    "predict past": (lambda: vp.predict(SIMVP(), CLIPS[:, 0]), "x"),
    "horizon_mse shapes": (lambda: vp.horizon_mse(CLIPS, CLIPS[:, :2]), "truth"),
    "copy_last past": (lambda: vp.copy_last(CLIPS[0], 2), "past"),
    "all_black past": (lambda: vp.all_black(CLIPS.long(), 2), "past"),
    "from_autoencoder ae": (lambda: vp.from_autoencoder(SEQ()), "ae"),
    "FrameEncoder channels": (lambda: vp.FrameEncoder(channels=0), "channels"),
    "FrameDecoder channels": (lambda: vp.FrameDecoder(channels=-1), "channels"),
    "Translator past": (lambda: vp.Translator(past=0, future=2), "past"),
    "FrameAutoencoder patch": (lambda: vp.FrameAutoencoder(patch=0), "patch"),
    "PredRecipe steps": (lambda: vp.PredRecipe(steps=-1), "steps"),
    # modalities.video.temporal
    "warp flow": (lambda: vt.warp(X[:2], torch.zeros(2, 1, 8, 8)), "flow"),
    "warp x": (lambda: vt.warp(X[0], torch.zeros(1, 2, 8, 8)), "x"),
    "in_frame flow": (lambda: vt.in_frame(torch.zeros(2, 3, 8, 8)), "flow"),
    "pan_flows v": (lambda: vt.pan_flows(torch.zeros(2), 3, 8), "v"),
    "pan_flows frames": (lambda: vt.pan_flows(torch.zeros(2, 2), 1, 8), "frames"),
    "pan_masks flows": (lambda: vt.pan_masks(torch.zeros(2, 2, 3, 8, 8)), "flow"),
    "warp_error masks": (
        lambda: vt.warp_error(
            CLIPS, torch.zeros(2, 3, 2, 8, 8), torch.ones(2, 2, 1, 8, 8)
        ),
        "masks",
    ),
    "warp_error video": (
        lambda: vt.warp_error(
            CLIPS[:, :1], torch.zeros(2, 0, 2, 8, 8), torch.ones(2, 0, 1, 8, 8)
        ),
        "video",
    ),
    "per_frame_sr video": (lambda: vt.per_frame_sr(LIN(), X), "video"),
    "flow_blend alpha": (
        lambda: vt.flow_blend(LIN(), CLIPS, None, None, alpha=0),
        "alpha",
    ),
    "temporal_sr_loss flows": (
        lambda: vt.temporal_sr_loss(
            LIN(), (CLIPS, torch.zeros(2, 3, 2, 4, 4), torch.ones(2, 3, 1, 8, 8))
        ),
        "flows",
    ),
    "occlusion_mask reverse": (
        lambda: vt.occlusion_mask(torch.zeros(1, 2, 8, 8), torch.zeros(1, 2, 4, 4)),
        "reverse",
    ),
    "farneback_flows frames": (lambda: vt.farneback_flows(CLIPS), "frames"),
    "MultiFrameESPCN frames": (lambda: vt.MultiFrameESPCN(frames=2), "frames"),
    "inflate_espcn model": (lambda: vt.inflate_espcn(SEQ()), "model"),
    "frame_windows video": (lambda: vt.frame_windows(CLIPS[0]), "video"),
    "multi_frame_sr video": (
        lambda: vt.multi_frame_sr(vt.MultiFrameESPCN(width=4), X),
        "video",
    ),
    # modalities.video.diffusers_motion
    "tiny_unet channels": (lambda: dm.tiny_unet(channels=()), "channels"),
    "motion_modules model": (lambda: dm.motion_modules("unet"), "model"),
    "zero_motion_modules model": (lambda: dm.zero_motion_modules("unet"), "model"),
    "animate unet": (lambda: dm.animate(SEQ()), "unet"),
    "video_unet clips": (lambda: dm.video_unet(SEQ(), CLIPS[0], 0), "clips"),
    "video_unet model": (lambda: dm.video_unet(SEQ(), CLIPS, 0), "model"),
    "image_unet_per_frame unet": (
        lambda: dm.image_unet_per_frame(SEQ(), CLIPS, 0),
        "unet",
    ),
    "video_denoising_loss clips": (
        lambda: dm.video_denoising_loss(None, CLIPS.long(), None),
        "clips",
    ),
    "videomae_features clips": (lambda: dm.videomae_features(None, X, None), "clips"),
    "tiny_motion_adapter channels": (
        lambda: dm.tiny_motion_adapter(channels=()),
        "channels",
    ),
    "tiny_motion_adapter max_frames": (
        lambda: dm.tiny_motion_adapter(max_frames=0),
        "max_frames",
    ),
    # cross_domain.shift
    "load_cv_digits pad": (lambda: xshift.load_cv_digits(pad=-1), "pad"),
    "domain_classifier_error sizes": (
        lambda: xshift.domain_classifier_error(F5, torch.randn(5, 3)),
        "feature sizes",
    ),
    "domain_classifier_error target": (
        lambda: xshift.domain_classifier_error(F5, F5[:2]),
        "target",
    ),
    "proxy_a_distance source": (
        lambda: xshift.proxy_a_distance(F5.tolist(), F5),
        "source",
    ),
    "spearman lengths": (lambda: xshift.spearman([1, 2, 3], [1, 2]), "sequences"),
    "digit_shifts x": (lambda: xshift.digit_shifts(torch.rand(2, 3, 8, 8)), "x"),
    "shift_measures xt": (
        lambda: xshift.shift_measures(DIGIT_MLP(), X, X[:2], Y[:2]),
        "target",
    ),
    # cross_domain.adaptation
    "texture_blend x": (lambda: xadapt.texture_blend(X[0]), "x"),
    "coral_loss sizes": (lambda: xadapt.coral_loss(F5, torch.randn(5, 3)), "features"),
    "coral_loss one sample": (lambda: xadapt.coral_loss(F5[:1], F5[:1]), "samples"),
    "mmd_loss sizes": (lambda: xadapt.mmd_loss(F5, torch.randn(5, 3)), "features"),
    "AlignFeatures weight": (lambda: xadapt.AlignFeatures(weight=-1), "weight"),
    "DeepCORAL weight": (lambda: xadapt.DeepCORAL(weight="1"), "weight"),
    "DAN weight": (lambda: xadapt.DAN(weight=True), "weight"),
    "DANN weight": (lambda: xadapt.DANN(weight=-1), "weight"),
    "SGDRecipe steps": (lambda: xadapt.SGDRecipe(steps=0), "steps"),
    "DigitMLP width": (lambda: xadapt.DigitMLP(64, 0), "width"),
    "GradReverse lam": (lambda: xadapt.GradReverse.apply(torch.ones(2), None), "lam"),
    "grad_reverse lam": (lambda: xadapt.grad_reverse(torch.ones(2), "strong"), "lam"),
    "source_cross_entropy batch": (
        lambda: xadapt.source_cross_entropy(DIGIT_MLP(), torch.rand(4, 64)),
        "batch",
    ),
    "domain_discriminator width": (lambda: xadapt.domain_discriminator(0), "width"),
    # cross_domain.fusion
    "average_weights empty": (lambda: xfuse.average_weights([]), "state_dicts"),
    "average_weights keys": (
        lambda: xfuse.average_weights([LIN().state_dict(), SEQ().state_dict()]),
        "state_dicts",
    ),
    "average_weights weights": (
        lambda: xfuse.average_weights([LIN().state_dict()] * 2, [1.0]),
        "weights",
    ),
    "average_weights one dict": (
        lambda: xfuse.average_weights(LIN().state_dict()),
        "state_dicts",
    ),
    "interpolate alpha": (
        lambda: xfuse.interpolate(LIN().state_dict(), LIN().state_dict(), 1.5),
        "alpha",
    ),
    "interpolate shapes": (
        lambda: xfuse.interpolate(
            LIN().state_dict(), nn.Linear(4, 3).state_dict(), 0.5
        ),
        "shape",
    ),
    "task_vector keys": (
        lambda: xfuse.task_vector(LIN().state_dict(), SEQ().state_dict()),
        "finetuned",
    ),
    "apply_task_vectors scales": (
        lambda: xfuse.apply_task_vectors(
            LIN().state_dict(), [LIN().state_dict()] * 2, [1.0]
        ),
        "scale",
    ),
    "ensemble_logits models": (lambda: xfuse.ensemble_logits(LIN(), F5), "models"),
    "ensemble_logits not modules": (
        lambda: xfuse.ensemble_logits([LIN().state_dict()], F5),
        "models",
    ),
    "greedy_soup empty": (lambda: xfuse.greedy_soup([], len), "state_dicts"),
    "with_weights keys": (
        lambda: xfuse.with_weights(nn.Linear(2, 2), {"weight": torch.zeros(2, 2)}),
        "keys",
    ),
    # cross_domain.meta
    "task_forward params": (
        lambda: xmeta.task_forward(xmeta.sine_net(), {}, torch.rand(3, 1)),
        "params",
    ),
    "task_loss y": (
        lambda: xmeta.task_loss(
            xmeta.sine_net(),
            dict(xmeta.sine_net().named_parameters()),
            torch.rand(3, 1),
            torch.rand(4, 1),
        ),
        "y",
    ),
    "sine_tasks k": (lambda: xmeta.sine_tasks(4, 0), "k"),
    "sine_net hidden": (lambda: xmeta.sine_net(0), "hidden"),
    "adapt steps": (
        lambda: xmeta.adapt(
            xmeta.sine_net(4), torch.zeros(3, 1), torch.zeros(3, 1), -1, 0.01
        ),
        "steps",
    ),
    "adapt lr": (
        lambda: xmeta.adapt(
            xmeta.sine_net(4), torch.zeros(3, 1), torch.zeros(3, 1), 1, 0
        ),
        "lr",
    ),
    "maml_step tasks": (
        lambda: xmeta.maml_step(xmeta.sine_net(4), None, xmeta.sine_tasks(2, 3)[:2]),
        "tasks",
    ),
    "reptile_step tasks": (
        lambda: xmeta.reptile_step(
            xmeta.sine_net(4), None, [t[0] for t in xmeta.sine_tasks(2, 3)]
        ),
        "tasks",
    ),
    "few_shot_mse tasks": (
        lambda: xmeta.few_shot_mse(None, torch.zeros(2, 3, 1)),
        "tasks",
    ),
    # modalities.audio.signal
    "stft n_fft": (lambda: asig.stft(torch.rand(1000), n_fft=511), "n_fft"),
    "stft hop": (lambda: asig.stft(torch.rand(1000), hop=0), "hop"),
    "stft x": (lambda: asig.stft(torch.rand(100)), "n_fft/2"),
    "istft hop": (
        lambda: asig.istft(torch.zeros(257, 4, dtype=torch.cfloat), hop=999),
        "hop",
    ),
    "mel_filterbank f_max": (
        lambda: asig.mel_filterbank(40, 512, 16_000, f_max=9e3),
        "f_max",
    ),
    "mel_spectrogram n_mels": (
        lambda: asig.mel_spectrogram(torch.rand(2000), 0),
        "n_mels",
    ),
    "mel_to_linear n_fft": (
        lambda: asig.mel_to_linear(torch.rand(40, 3), n_fft=0),
        "n_fft",
    ),
    "griffin_lim momentum": (
        lambda: asig.griffin_lim(torch.rand(257, 4), momentum=1.0),
        "momentum",
    ),
    "log_spectral_distance shapes": (
        lambda: asig.log_spectral_distance(torch.rand(3, 4), torch.rand(4, 3)),
        "shape",
    ),
    # modalities.audio.music
    "MusicTokenizer one string": (lambda: amus.MusicTokenizer().encode("n60"), "string"),
    "MusicTokenizer unknown": (lambda: amus.MusicTokenizer().encode(["x"]), "vocabulary"),
    "part_tokens not a stream": (lambda: amus.part_tokens("n60 d1"), "part"),
    "build_music_corpus name": (lambda: amus.build_music_corpus("jazz", "x.gz"), "corpus"),
    "load_tunes name": (lambda: amus.load_tunes("jazz"), "corpus"),
    "tune_ids not tunes": (lambda: amus.tune_ids(["n60"], amus.MusicTokenizer()), "tunes"),
    "split_tunes test": (lambda: amus.split_tunes([], test=1.5), "test"),
    "TuneSampler fraction": (
        lambda: amus.TuneSampler([], amus.MusicTokenizer(), 0.0, 8),
        "fraction",
    ),
    "perplexity short ids": (
        lambda: amus.perplexity(GPT(), torch.zeros(4, dtype=torch.long), 8),
        "block_size",
    ),
    "ngram_perplexity n": (
        lambda: amus.ngram_perplexity(IDS[0], IDS[0], 5, n=0),
        "n must",
    ),
    "to_stream one string": (lambda: amus.to_stream("n60 d1"), "string"),
    "midi_to_wave rate": (lambda: amus.midi_to_wave("x.mid", rate=0), "rate"),
    "tokens_to_wave rate": (lambda: amus.tokens_to_wave(["n60", "d1"], rate=-1), "rate"),
    "MusicRecipe steps": (lambda: amus.MusicRecipe(steps=0), "steps"),
    "music_grid fractions": (
        lambda: amus.music_grid(None, [], None, fractions=(2.0,)),
        "fractions",
    ),
    "HeldOut ids": (lambda: amus.HeldOut(torch.zeros(2, 3), 8), "test_ids"),
    # modalities.audio.spectrograms
    "spoken_words voices": (lambda: aspec.spoken_words("en-us"), "voices"),
    "spoken_words speeds": (lambda: aspec.spoken_words(["en-us"], speeds=(200, 100)), "speeds"),
    "log_mel n_mels": (lambda: aspec.log_mel(torch.rand(4000), n_mels=0), "n_mels"),
    "spectrogram_image size": (lambda: aspec.spectrogram_image(torch.rand(4000), size=2), "size"),
    "dct_matrix n_mfcc": (lambda: aspec.dct_matrix(14, 13), "n_mfcc"),
    "mfcc_stats n_mfcc": (lambda: aspec.mfcc_stats(torch.rand(4000), n_mfcc=0), "n_mfcc"),
    "VoiceSampler k": (
        lambda: aspec.VoiceSampler(X, Y, Y, pool=[0, 1], k=3),
        "k must",
    ),
    # modalities.audio.speaker
    "random_sentences n": (lambda: aspk.random_sentences(0), "n >= 1"),
    "stretch frames": (lambda: aspk.stretch(torch.rand(4, 10), 0), "frames"),
    "parallel_utterances voices": (lambda: aspk.parallel_utterances(["a"], "en-us"), "voices"),
    "FiLMBlock channels": (lambda: aspk.FiLMBlock(0, 4), "channels"),
    "VoiceConverter x": (
        lambda: aspk.VoiceConverter(2)(torch.rand(1, 39, 8), torch.tensor([0])),
        "x must",
    ),
    "NewVoice z": (lambda: aspk.NewVoice(aspk.VoiceConverter(2), "z"), "z"),
    "SpeakerAdaptation train": (lambda: aspk.SpeakerAdaptation("half"), "train"),
    "FrameCrops k": (lambda: aspk.FrameCrops([torch.rand(4, 8)], [torch.rand(4, 8)], 2), "k"),
    "l1_loss batch": (lambda: aspk.l1_loss(LIN(), torch.rand(3)), "batch"),
    "held_out_l1 empty": (lambda: aspk.held_out_l1(lambda x: x, [], []), "utterances"),
    "RidgeFrames lam": (lambda: aspk.RidgeFrames(lam=0), "lam"),
    "nearest_voice model": (lambda: aspk.nearest_voice(LIN(), [], []), "converter"),
    "VCRecipe steps": (lambda: aspk.VCRecipe(steps=0), "sizes"),
    "source_voices n": (lambda: aspk.source_voices(0), "n"),
}


def _gan_parts():
    g, d = gan.Generator(z_dim=4, width=8), gan.Discriminator(width=8)
    return g, d, torch.optim.Adam(g.parameters()), torch.optim.Adam(d.parameters())


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_clear_error(case):
    call, names = CASES[case]
    with pytest.raises((ValueError, TypeError)) as e:
        call()
    assert names.lower() in str(e.value).lower(), (
        f"{case}: {e.value!r} does not name {names!r}"
    )


# --- every public callable has a case -------------------------------------------------
# Not library code: nbdev's generated symbol index.
SKIP_MODULES = ("aigc_tl._modidx",)

# "module.name" -> why no bad-input case makes sense.
NO_INPUT_TO_CHECK = {
    "modalities.audio.music.Tune": "a NamedTuple record (name, key, tokens)",
    "modalities.audio.music.musicgpt_bach": "only the retrain flag",
    "modalities.audio.speaker.voiceconv_espeak": "only the retrain flag",
    "modalities.audio.signal.hann": "one window length; torch.arange rejects a bad one",
    "modalities.audio.signal.hz_to_mel": "elementwise formula on any tensor",
    "modalities.audio.signal.mel_to_hz": "elementwise formula on any tensor",
    "cross_domain.adaptation.GradReverse": "an autograd.Function, called as GradReverse.apply: see the case 'GradReverse lam'",
    "zoo.entries": "takes no argument",
    "zoo.packaged_dir": "takes no argument",
    "core.is_full": "takes no argument",
    "core.get_mode": "takes no argument",
    "core.pick": "returns one of two arbitrary values; any value is fine",
    "core.Callback": "a base class without arguments",
    "core.History": "a record that fit fills; tested in test_core.py",
    "core.FitState": "a record that fit builds for its callbacks",
    "cli.build_parser": "takes no argument",
    "cli.main": "argparse answers bad argv with SystemExit(2); see test_cli.py",
    "data.MissingResource": "an exception type; its arguments are message text",
    "data.fetch_shakespeare": "takes no argument",
    "data.load_kjv": "one bool flag",
    "data.load_tang_poems": "a missing file raises MissingResource naming the package",
    "transfer.Method": "an abstract base class without arguments",
    "transfer.LinearProbe": "takes no argument",
    "transfer.BitFit": "takes no argument",
    "transfer.Result": "a record that transfer() fills",
    "transfer.Comparison": "a record that compare() returns",
    "generative.autoregressive.chargpt_tokenizer": "takes no argument",
    "modalities.text.pretrained_lstm.textgenrnn_files": "takes no argument",
    "modalities.text.pretrained_lstm.textgenrnn_reddit": "takes no argument",
    "modalities.text.pretrained_lstm.read_keras_weights": (
        "a missing file raises h5py's FileNotFoundError naming the path"
    ),
    "modalities.image.diffusers_peft.load_sd_pipeline": (
        "a named Hub checkpoint; an unknown repo raises MissingResource (tested)"
    ),
    # zoo models: their only argument is the `retrain` flag
    "generative.autoregressive.chargpt_shakespeare": "only the retrain flag",
    "generative.diffusion.ddpm_mnist": "only the retrain flag",
    "generative.gan.dcgan_mnist": "only the retrain flag",
    "generative.vae.vae_mnist": "only the retrain flag",
    "modalities.image.diffusers_peft.unet2d_mnist": "only the retrain flag",
    "modalities.image.personalisation.ddpm_mnist_cond": "only the retrain flag",
    "modalities.image.super_resolution.espcn_photos": "only the retrain flag",
    "modalities.text.distillation.chargpt_kjv": "only the retrain flag",
    "modalities.video.prediction.simvp_shapes": "only the retrain flag",
    "modalities.video.prediction.frame_ae_digits": "only the retrain flag",
    "modalities.video.inflation.FrameFlatten": "takes no argument (its forward only reshapes)",
}

# Not covered yet: they need an input check in nbs/00_core/02_zoo.ipynb, which others
# are editing right now. "module.name" -> the bad input that is not caught today.
WAITING_FOR_A_CHECK = {}


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
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "aigc_tl"
        ):
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
        if not set(names)
        & (covered | set(NO_INPUT_TO_CHECK) | set(WAITING_FOR_A_CHECK))
    ]
    assert not missing, (
        f"{len(missing)} public callables have no bad-input case: {missing}"
    )
    known = {n for names in homes for n in names}
    listed = {**NO_INPUT_TO_CHECK, **WAITING_FOR_A_CHECK}
    stale = [n for n in listed if n not in known or n in covered]
    assert not stale, f"allowlisted names that are unknown or have a case: {stale}"
