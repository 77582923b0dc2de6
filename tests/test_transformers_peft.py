"""GPT-2 with the book's LoRA (`LoRAConv1D`) and with peft: aigc_tl.modalities.text.
transformers_peft, on tiny random GPT-2 configs (no download)."""

import copy
import math
import time
from collections import OrderedDict

import pytest
import torch
from torch import nn

pytest.importorskip("peft")
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402
from transformers.pytorch_utils import Conv1D  # noqa: E402

from aigc_tl import transfer as tl  # noqa: E402
from aigc_tl.algorithms.peft import LoRAConfig, LoRAConv1D, inject_lora, load_lora_state_dict, lora_state_dict, merge_lora, unmerge_lora
from aigc_tl.core import count_parameters
from aigc_tl.generative.autoregressive import evaluate_bpc, lm_loss, lm_windows  # noqa: E402
from aigc_tl.modalities.text.transformers_peft import (  # noqa: E402
    GPT2_TARGETS,
    PeftLoRA,
    adapt_causal_lm,
    held_out_perplexity,
    load_causal_lm,
    peft_lora_config,
    peft_to_book_state_dict,
)


def tiny_gpt2(seed: int = 0, vocab: int = 20) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    cfg = GPT2Config(
        vocab_size=vocab,
        n_positions=16,
        n_embd=16,
        n_layer=2,
        n_head=2,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
    )
    return GPT2LMHeadModel(cfg).eval()


IDS = torch.randint(0, 20, (2, 16), generator=torch.Generator().manual_seed(0))


def test_lora_conv1d_starts_equal_merges_and_checks_its_base():
    torch.manual_seed(0)
    base, x = Conv1D(12, 8), torch.randn(3, 8)
    layer = LoRAConv1D(base, r=2)
    assert torch.equal(layer(x), base(x))
    nn.init.normal_(layer.lora_B)
    y = layer(x)
    assert layer.delta_weight().shape == base.weight.shape == (8, 12)
    layer.merge()
    assert torch.allclose(layer(x), y, atol=1e-5)
    layer.unmerge()
    assert torch.allclose(layer(x), y, atol=1e-5)
    with pytest.raises(TypeError, match="Conv1D"):
        LoRAConv1D(nn.Linear(8, 12))


def test_inject_lora_wraps_gpt2_and_equals_peft_with_the_same_weights():
    gpt = tiny_gpt2()
    ref = gpt(IDS).logits
    ours = inject_lora(
        copy.deepcopy(gpt), LoRAConfig(r=2, alpha=4.0, target_modules=GPT2_TARGETS)
    )
    wrapped = [m for m in ours.modules() if isinstance(m, LoRAConv1D)]
    assert len(wrapped) == 8 and torch.equal(ours(IDS).logits, ref)
    theirs = PeftLoRA(rank=2).attach(gpt, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for n, p in theirs.named_parameters():
            if "lora_B" in n:
                nn.init.normal_(p, std=0.1)
    load_lora_state_dict(ours, peft_to_book_state_dict(theirs))
    with torch.no_grad():
        assert torch.allclose(ours(IDS).logits, theirs(IDS).logits, atol=1e-6)
        merge_lora(ours)
        theirs.merge_adapter()
        assert torch.allclose(ours(IDS).logits, theirs(IDS).logits, atol=1e-5)
        unmerge_lora(ours)
    assert set(lora_state_dict(ours)) == set(peft_to_book_state_dict(theirs))
    assert count_parameters(ours)[0] == theirs.get_nb_trainable_parameters()[0]


def test_peft_lora_config_sets_fan_in_fan_out_from_the_layers():
    assert peft_lora_config(tiny_gpt2(), rank=2).fan_in_fan_out is True
    mlp = nn.Sequential(OrderedDict(c_fc=nn.Linear(4, 8), act=nn.ReLU()))
    cfg = peft_lora_config(mlp, rank=2, targets=("c_fc",))
    assert cfg.fan_in_fan_out is False and cfg.lora_alpha == 4.0
    with pytest.raises(ValueError, match="mix"):
        peft_lora_config(tiny_gpt2(), targets=("c_fc", "lm_head"))
    with pytest.raises(ValueError, match="must name"):
        peft_lora_config(tiny_gpt2(), targets=("wte",))
    with pytest.raises(TypeError, match="targets"):
        peft_lora_config(tiny_gpt2(), targets="c_fc")
    with pytest.raises(TypeError, match="peft model"):
        peft_to_book_state_dict(tiny_gpt2())


def test_peft_and_book_lora_train_to_the_same_numbers():
    "The headline of the section: same start -> same run, seed for seed."
    gpt = tiny_gpt2()
    ids = torch.randint(0, 20, (600,), generator=torch.Generator().manual_seed(1))
    data, test = lm_windows(ids[:400], 8, stride=4), ids[400:]
    res = {
        m.name: tl.transfer(
            tl.Source(gpt),
            m,
            data,
            recipe=tl.Recipe(steps=6, batch_size=8, lr=1e-2),
            loss=lm_loss,
            evaluate=lambda mod: evaluate_bpc(mod, test, 8),
            seeds=(0, 1),
        )
        for m in (tl.LoRA(rank=2, targets=GPT2_TARGETS), PeftLoRA(rank=2))
    }
    a, b = res.values()
    assert max(abs(u - v) for u, v in zip(a.values, b.values)) < 1e-4
    assert a.trainable == b.trainable > 0


def test_held_out_perplexity_is_two_to_the_bpc_and_checks_ids():
    gpt = tiny_gpt2()
    ids = torch.randint(0, 20, (200,), generator=torch.Generator().manual_seed(2))
    ppl = held_out_perplexity(gpt, ids, 16)
    assert abs(math.log2(ppl) - evaluate_bpc(gpt, ids, 16)) < 1e-6
    with pytest.raises(TypeError, match="ids"):
        held_out_perplexity(gpt, ids.float(), 16)
    with pytest.raises(ValueError, match="more than 16"):
        held_out_perplexity(gpt, ids[:10], 16)


def test_adapt_causal_lm_path_on_a_tiny_random_gpt2():
    "The full-mode code path (distilgpt2 in the notebook), on a random tiny GPT-2."
    gpt = tiny_gpt2()
    ids = torch.arange(600) % 7  # a periodic text LoRA can learn quickly
    out = adapt_causal_lm(
        gpt,
        ids[:400],
        ids[400:],
        block_size=16,
        steps=30,
        rank=2,
        lr=1e-2,
        device="cpu",
    )
    assert set(out) == {"zero_shot_ppl", "lora_ppl", "params", "loss", "model"}
    assert out["lora_ppl"] < 0.8 * out["zero_shot_ppl"]
    # rank 2 on c_attn 16->48, attn c_proj 16->16, c_fc 16->64, mlp c_proj; 2 layers
    assert out["params"][0] == 2 * 2 * ((16 + 48) + (16 + 16) + 2 * (16 + 64))
    assert hasattr(out["model"], "peft_config")
    # the full-mode cell samples from the adapted model with `generate`
    gen = out["model"].generate(
        input_ids=ids[None, :3], do_sample=True, max_new_tokens=4, pad_token_id=0
    )
    assert gen.shape == (1, 7)
    with pytest.raises(ValueError, match="train_ids"):
        adapt_causal_lm(tiny_gpt2(), ids[:10], ids, block_size=16)


def test_load_causal_lm_fails_fast_without_the_checkpoint():
    t0 = time.time()
    with pytest.raises(RuntimeError, match="no-such-checkpoint"):
        load_causal_lm("aigc-tl/no-such-checkpoint")
    assert time.time() - t0 < 15
    with pytest.raises(TypeError, match="name"):
        load_causal_lm(None)
