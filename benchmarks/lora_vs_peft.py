"""Forward + backward time of the book's LoRA (`aigc_tl.algorithms.peft`) relative to Hugging Face `peft`.

Both wrap the same MLP (same frozen weights, same A and B, rank r on every Linear layer) and run
the same batch; the two versions are timed in alternation and the medians compared, so machine
load affects both alike. Goal: ratio <= 1.05.

    python benchmarks/lora_vs_peft.py [--width 1024] [--depth 4] [--batch 256] [--rank 8] [--repeats 30] [--threads N]
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from torch import nn

from aigc_tl.algorithms.peft import LoRAConfig, inject_lora


def build(width: int, depth: int) -> nn.Sequential:
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.GELU()]
    return nn.Sequential(*layers, nn.Linear(width, 10))


def step_time(model: nn.Module, x: torch.Tensor, y: torch.Tensor, inner: int) -> float:
    "Seconds per forward + backward (mean over `inner` calls)."
    t0 = time.perf_counter()
    for _ in range(inner):
        model.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
    return (time.perf_counter() - t0) / inner


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--inner", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0 = PyTorch's default)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)

    torch.manual_seed(0)
    base = build(a.width, a.depth)
    targets = [n for n, m in base.named_modules() if isinstance(m, nn.Linear)]
    ours = inject_lora(copy.deepcopy(base), LoRAConfig(r=a.rank, alpha=2 * a.rank, target_modules=targets))
    theirs = get_peft_model(copy.deepcopy(base), LoraConfig(r=a.rank, lora_alpha=2 * a.rank, target_modules=targets))
    with torch.no_grad():  # identical, non-zero adapters
        for n in targets:
            mine, other = ours.get_submodule(n), theirs.base_model.model.get_submodule(n)
            nn.init.normal_(mine.lora_B, std=0.01)
            other.lora_A["default"].weight.copy_(mine.lora_A)
            other.lora_B["default"].weight.copy_(mine.lora_B)
    ours.to(a.device); theirs.to(a.device)
    x = torch.randn(a.batch, a.width, device=a.device)
    y = torch.randint(0, 10, (a.batch,), device=a.device)
    with torch.no_grad():
        diff = (ours(x) - theirs(x)).abs().max().item()
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)

    def timed(m):
        sync(); t = step_time(m, x, y, a.inner); sync()
        return t

    for m in (ours, theirs):  # warm-up
        timed(m)
    t_ours, t_peft = [], []
    for i in range(a.repeats):  # alternate the order so drifts in machine load hit both
        pair = (ours, theirs) if i % 2 == 0 else (theirs, ours)
        for m in pair:
            (t_ours if m is ours else t_peft).append(timed(m))
    mo, mp = statistics.median(t_ours), statistics.median(t_peft)
    print(f"device={a.device} width={a.width} depth={a.depth} batch={a.batch} rank={a.rank} "
          f"threads={torch.get_num_threads()} max|ours-peft|={diff:.1e}")
    print(f"ours  {1e3 * mo:8.3f} ms / forward+backward (median of {a.repeats})")
    print(f"peft  {1e3 * mp:8.3f} ms / forward+backward")
    print(f"ratio ours/peft = {mo / mp:.3f}  (goal <= 1.05)")


if __name__ == "__main__":
    main()
