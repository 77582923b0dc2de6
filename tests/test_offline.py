"Quick mode never touches the network: every quick-mode loader runs with sockets disabled."
import shutil
import subprocess
import sys

import pytest
import torch

from aigc_tl import data, metrics, zoo


def test_quick_mode_loaders_run_without_network(no_network):
    data.load_digits8()
    x, _ = data.load_mnist("test")
    data.load_photos()
    data.load_natural_images("train", per_class=2)
    data.blend_with_photos(x[:4], generator=torch.Generator().manual_seed(0))
    data.load_tang_poems()
    if data._shakespeare_dir().exists():
        data.load_shakespeare(["hamlet"])
    for name in zoo.available("quick"):
        zoo.load(name)
    metrics.image_distance(x[:50], x[50:100], generator=torch.Generator().manual_seed(0))


def test_the_guard_itself_blocks(no_network):
    "The fixture would catch a download: a real connection attempt fails."
    import urllib.request
    with pytest.raises(Exception):
        urllib.request.urlopen("https://pypi.org", timeout=2)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare not available")
def test_quick_mode_in_a_network_namespace():
    "Same guarantee at the OS level: a process in a fresh network namespace (no interfaces up)."
    code = ("from aigc_tl import data, zoo; data.load_mnist('train'); data.load_photos(); "
            "[zoo.load(n) for n in zoo.available('quick')]; print('ok')")
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.decode()[:200]}")
    r = subprocess.run(["unshare", "-rn", sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-2000:]
