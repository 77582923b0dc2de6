"Code paths of full-mode cells, run offline on small random models of the same architecture."
import torch
import torch.nn.functional as F
import torchvision

from aigc_tl.algorithms.semi_supervised import fixmatch_loss, strong_augment, weak_augment


def test_fixmatch_full_mode_path_resnet18_on_rgb_32px():
    "The semi-supervised chapter's full-mode cell: ResNet-18 + FixMatch on CIFAR-shaped images."
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    net = torchvision.models.resnet18(num_classes=10)
    x, y = torch.rand(4, 3, 32, 32), torch.randint(10, (4,))
    u = torch.rand(8, 3, 32, 32)
    xw = weak_augment(u, max_shift=4, generator=gen)
    xs = strong_augment(u, max_shift=8, cutout=16, generator=gen)
    assert xw.shape == xs.shape == u.shape
    loss = F.cross_entropy(net(weak_augment(x, max_shift=4, generator=gen)), y) + \
        fixmatch_loss(net, xw, xs, threshold=0.0)  # threshold 0: every pseudo-label counts
    loss.backward()
    assert torch.isfinite(loss) and net.conv1.weight.grad is not None
