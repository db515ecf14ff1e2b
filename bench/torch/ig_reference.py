"""Integrated Gradients on MobileNetV2 in plain PyTorch, timed on this machine: the same-machine reference for the
`attribution` benchmark when Captum's own timings (../shared/fixtures/README.md) came from another machine.

Usage: python3 bench/torch/ig_reference.py [threads=2] [repeats=3]
(Debian: apt-get install python3-torch python3-torchvision; LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
as the fixtures' Captum timings had it.)

What it runs is what Captum's IntegratedGradients does by default (50 Gauss-Legendre steps, zero baseline, one batch
of 50 scaled inputs, one backward pass): torchvision's MobileNetV2 with each BatchNorm folded into its convolution (the
shipped ONNX graph has none), random weights (the time does not depend on them), a 1x3x224x224 input, target class 967.
Prints one JSON line: median seconds of `repeats` runs after one warm-up, and the same for one Saliency gradient.
"""
import json, statistics, sys, time

import numpy as np
import torch
import torchvision
from torch.nn.utils.fusion import fuse_conv_bn_eval

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(threads)
torch.set_flush_denormal(True)
torch.manual_seed(0)


def fold(module):
    """Replaces each (Conv2d, BatchNorm2d) pair inside a Sequential by the folded Conv2d and an Identity."""
    for child in module.children():
        fold(child)
    if isinstance(module, torch.nn.Sequential):
        items = list(module)
        for i in range(len(items) - 1):
            if isinstance(items[i], torch.nn.Conv2d) and isinstance(items[i + 1], torch.nn.BatchNorm2d):
                module[i] = fuse_conv_bn_eval(items[i], items[i + 1])
                module[i + 1] = torch.nn.Identity()


model = torchvision.models.mobilenet_v2(weights=None).eval()
fold(model)
x = torch.rand(1, 3, 224, 224)
baseline = torch.zeros_like(x)
steps = 50
points, weights = np.polynomial.legendre.leggauss(steps)
alphas = torch.tensor((points + 1) / 2, dtype=torch.float32)
step_weights = torch.tensor(weights / 2, dtype=torch.float32)


def integrated_gradients():
    scaled = (baseline + alphas.view(-1, 1, 1, 1) * (x - baseline)).requires_grad_()
    out = model(scaled)[:, 967].sum()
    (grads,) = torch.autograd.grad(out, scaled)
    return (x - baseline) * (grads * step_weights.view(-1, 1, 1, 1)).sum(0, keepdim=True)


def saliency():
    xs = x.clone().requires_grad_()
    (grads,) = torch.autograd.grad(model(xs)[0, 967], xs)
    return grads.abs()


def median_seconds(f):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


print(json.dumps({"engine": "pytorch", "version": torch.__version__, "threads": threads,
                  "integrated_gradients_50_s": round(median_seconds(integrated_gradients), 3),
                  "saliency_s": round(median_seconds(saliency), 4)}))
