"""PyTorch CPU peer for tools/bench_cpu.sh: standard training steps (SGD momentum 0.9, weight
decay 5e-4, cross-entropy) of the same model and batch the engine trains, on the same machine
and thread count, timed after warm-up. Prints one JSON line.

  python3 tools/peer_cpu_train.py --model resnet8 --batch 128 --threads 2 --steps 20
  python3 tools/peer_cpu_train.py --model resnet18 --batch 128 --threads 2 --steps 5

resnet8 is the engine's CIFAR ResNet (models/resnet.c); resnet18 is torchvision's with the CIFAR
stem (3x3 stride-1 conv, no max pool). Input: Fashion-MNIST-shaped (1, 28, 28) tensors.
"""
import argparse, json, time
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class CifarResNet(nn.Module):
    def __init__(self, blocks, in_ch, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for stage, width in enumerate((16, 32, 64)):
            seq = []
            for i in range(blocks):
                seq.append(BasicBlock(cin, width, 2 if stage > 0 and i == 0 else 1))
                cin = width
            layers.append(nn.Sequential(*seq))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make_model(name, in_ch, classes):
    if name == "resnet8":
        return CifarResNet(1, in_ch, classes)
    m = getattr(torchvision.models, name)(num_classes=classes)
    m.conv1 = nn.Conv2d(in_ch, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet8")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = make_model(a.model, 1, 10).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 1, 28, 28)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = time.perf_counter() - t0
    print(json.dumps(dict(peer="pytorch-cpu", torch=torch.__version__, model=a.model, batch=a.batch,
                          threads=a.threads, steps=a.steps, img_per_s=round(a.batch * a.steps / dt, 1))))


if __name__ == "__main__":
    main()
