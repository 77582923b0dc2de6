"""Time of `aigc_tl.core.fit` relative to a bare PyTorch loop doing the same work.

Both train the same small MLP (64 -> 64 -> 10, Adam) on the same batches of 8×8 digits
(`aigc_tl.data.load_digits8`, batches from `iterate_batches`' permutation) for the same
number of steps, and log the mean loss every 10 steps (the bare loop synchronises only
there too). One thread, timed in CPU seconds of this process (`time.process_time`, so
other jobs on a shared machine count less); each is timed `--repeats` times in
alternation, in both orders. Printed: the ratio of the best times, and the median of the
per-repeat ratios (the steadier number on a busy machine). Goal: <= 1.10 on the CPU.

    python benchmarks/fit_overhead.py [--steps 400] [--repeats 5] [--batch 64]
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from aigc_tl.core import fit
from aigc_tl.data import load_digits8


def make_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def ce(model: nn.Module, batch) -> torch.Tensor:
    return nn.functional.cross_entropy(model(batch[0]), batch[1])


def run_fit(x, y, steps: int, bs: int) -> float:
    model = make_model()
    t0 = time.process_time()
    fit(model, ce, (x, y), steps=steps, batch_size=bs, device="cpu", progress=False)
    return time.process_time() - t0


def run_bare(x, y, steps: int, bs: int, seed: int = 0, log_every: int = 10) -> float:
    model = make_model()
    t0 = time.process_time()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    torch.manual_seed(seed)
    per_epoch, losses, logged = len(x) // bs, [], []
    for step in range(steps):
        epoch, i = divmod(step, per_epoch)
        if i == 0:  # the permutation iterate_batches draws for this epoch
            g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
            perm = torch.randperm(len(x), generator=g)
        idx = perm[i * bs : (i + 1) * bs]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = ce(model, (xb, yb))
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        if (step + 1) % log_every == 0 or step + 1 == steps:
            logged.append(sum(torch.stack(losses).double().tolist()) / len(losses))
            losses = []
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, y = load_digits8()
    x = x.float().flatten(1)
    run_fit(x, y, 20, args.batch), run_bare(x, y, 20, args.batch)  # warm up
    fits, bares = [], []
    for r in range(args.repeats):
        order = (run_fit, run_bare) if r % 2 == 0 else (run_bare, run_fit)
        for f in order:
            (fits if f is run_fit else bares).append(f(x, y, args.steps, args.batch))
    paired = sorted(
        f / b for f, b in zip(fits, bares)
    )  # same repeat: same machine load
    print(
        f"fit {min(fits) * 1e3:.1f} ms, bare loop {min(bares) * 1e3:.1f} ms for"
        f" {args.steps} steps (best of {args.repeats}): ratio"
        f" {min(fits) / min(bares):.3f} (median of paired ratios"
        f" {paired[len(paired) // 2]:.3f})"
    )


if __name__ == "__main__":
    main()
