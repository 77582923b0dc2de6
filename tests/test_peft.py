"Part I PEFT building blocks: one LoRA convention (alpha = 2r unless given)."

import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl.algorithms.peft import LoRAConfig, LoRAConv2d, LoRALinear


@pytest.mark.parametrize("r", [1, 2, 8])
def test_alpha_defaults_to_twice_the_rank_everywhere(r):
    lin, conv = nn.Linear(6, 5), nn.Conv2d(3, 4, 3, padding=1, dilation=1)
    assert LoRAConfig(r=r).alpha == 2 * r and LoRAConfig(r=r).scaling == 2
    for layer in (LoRALinear(lin, r=r), LoRAConv2d(conv, r=r)):
        assert layer.alpha == 2 * r and layer.scaling == 2
        assert (
            torch.count_nonzero(layer.lora_B) == 0
            and not layer.base.weight.requires_grad
        )
    assert tl.LoRA(rank=r).alpha == 2 * r
    assert LoRALinear(nn.Linear(6, 5), r=r, alpha=3).scaling == 3 / r


def test_lora_layers_start_equal_to_their_base_and_reject_bad_numbers():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=2, dilation=2)
    x = torch.randn(2, 3, 9, 9)
    assert torch.equal(LoRAConv2d(conv, r=2)(x), conv(x))
    for bad in ({"r": 0}, {"alpha": -1.0}, {"dropout": 1.0}):
        with pytest.raises(ValueError):
            LoRALinear(nn.Linear(4, 4), **bad)
    with pytest.raises(TypeError, match="nn.Linear"):
        LoRALinear(nn.Conv2d(1, 1, 1))
