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


def test_principles_full_mode_paths_with_random_torchvision_models():
    "Full-mode cells of the principles chapter, on torchvision architectures with random weights."
    from collections import OrderedDict

    from torch import nn
    from torchvision.models import resnet18, vgg11

    from aigc_tl.core import fit, predict
    from aigc_tl.principles.fine_tuning import replace_head
    from aigc_tl.principles.layers import layer_transfer_model
    from aigc_tl.principles.strategies import fully_convolutional
    from aigc_tl.principles.transferability import leep, logme

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(12, 3, 32, 32, generator=g), torch.arange(12) % 3

    # what_is_transfer / fine_tuning: ResNet-18 with a replaced head, trained by fit
    model = resnet18(weights=None)
    replace_head(model, "fc", 3, generator=g)
    fit(model, lambda m, b: F.cross_entropy(m(b[0]), b[1]), (x, y), steps=2, batch_size=6, progress=False)
    assert predict(model, x).shape == (12, 3)

    # layer transferability: ResNet-18 as a sequence of cuttable layers
    def resnet_seq() -> nn.Sequential:
        r = resnet18(weights=None, num_classes=3)
        return nn.Sequential(OrderedDict(stem=nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool), layer1=r.layer1,
                                         layer2=r.layer2, layer3=r.layer3, layer4=r.layer4,
                                         head=nn.Sequential(r.avgpool, nn.Flatten(), r.fc)))
    base = resnet_seq()
    moved = layer_transfer_model(base, resnet_seq(), 2, fine_tune=False)
    assert torch.equal(moved.layer1[0].conv1.weight, base.layer1[0].conv1.weight)
    assert not moved.layer1[0].conv1.weight.requires_grad and moved.layer3[0].conv1.weight.requires_grad

    # transferability: LogME on a torchvision body, LEEP on its head
    net = resnet18(weights=None, num_classes=5).eval()
    body = nn.Sequential(*list(net.children())[:-1], nn.Flatten())
    assert isinstance(logme(predict(body, x), y), float)
    assert isinstance(leep(predict(net, x).softmax(1), y), float)

    # model_vs_data: a VGG classifier made fully convolutional runs on larger images
    vgg = vgg11(weights=None).eval()
    classifier = nn.Sequential(vgg.features, nn.Flatten(), *vgg.classifier)
    fcn = fully_convolutional(classifier, (3, 224, 224))
    img = torch.rand(1, 3, 224, 224, generator=g)
    with torch.no_grad():
        assert torch.allclose(fcn(img).flatten(1), classifier(img), atol=1e-4)
        assert fcn(torch.rand(1, 3, 256, 256, generator=g)).shape == (1, 1000, 2, 2)
