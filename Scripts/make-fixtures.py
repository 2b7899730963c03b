#!/usr/bin/env python3
"""Generates Tests/EngineTests/Fixtures: small random-weight CNNs exported with both PyTorch ONNX
exporters, their inputs, onnxruntime logits, pytorch-grad-cam references and manifest.json.

Deterministic (fixed seeds). Run from anywhere: python3 Scripts/make-fixtures.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixturelib as fx  # noqa: E402

# --- narrow versions of real architectures (no in-place ops: grad-cam hooks must see each output) ---

def conv_bn(cin, cout, kernel=3, stride=1, padding=None, groups=1, dilation=1, act=None):
    if padding is None:
        padding = (kernel // 2) * dilation if isinstance(kernel, int) else tuple(k // 2 for k in kernel)
    layers = [nn.Conv2d(cin, cout, kernel, stride, padding, dilation=dilation, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act)
    return nn.Sequential(*layers)


# --- 1. resnet: torchvision ResNet with BasicBlocks --------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = conv_bn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = nn.Sequential(BasicBlock(8, 16, 2), BasicBlock(16, 16))
        self.layer3 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# --- 2. mobilenetv2: torchvision MobileNetV2 ----------------------------------------------------
class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [conv_bn(cin, hidden, 1, act=nn.ReLU6())]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6()),  # depthwise
                   conv_bn(hidden, cout, 1)]                                            # linear bottleneck
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 16, 3, 2, act=nn.ReLU6()),
            InvertedResidual(16, 8, 1, 1),
            InvertedResidual(8, 12, 2, 4),
            InvertedResidual(12, 12, 1, 4),
            InvertedResidual(12, 16, 2, 4),
            InvertedResidual(16, 16, 1, 4),
            conv_bn(16, 64, 1, act=nn.ReLU6()))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, num_classes))

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


# --- 3. densenet: torchvision DenseNet (pre-activation BN-ReLU-Conv, Concat, AvgPool transition) ---
class DenseLayer(nn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.norm1, self.relu1 = nn.BatchNorm2d(cin), nn.ReLU()
        self.conv1 = nn.Conv2d(cin, bn_size * growth, 1, bias=False)
        self.norm2, self.relu2 = nn.BatchNorm2d(bn_size * growth), nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, 1, 1, bias=False)

    def forward(self, features):
        x = torch.cat(features, 1)
        return self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))


class DenseBlock(nn.Module):
    def __init__(self, layers, cin, growth, bn_size=2):
        super().__init__()
        self.layers = nn.ModuleList(DenseLayer(cin + i * growth, growth, bn_size) for i in range(layers))

    def forward(self, x):
        features = [x]
        for layer in self.layers:
            features.append(layer(features))
        return torch.cat(features, 1)


class DenseNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential()
        self.features.add_module("conv0", nn.Conv2d(3, 16, 3, 2, 1, bias=False))
        self.features.add_module("norm0", nn.BatchNorm2d(16))
        self.features.add_module("relu0", nn.ReLU())
        self.features.add_module("pool0", nn.MaxPool2d(3, 2, 1))
        self.features.add_module("denseblock1", DenseBlock(3, 16, 8))
        self.features.add_module("transition1", nn.Sequential(
            nn.BatchNorm2d(40), nn.ReLU(), nn.Conv2d(40, 20, 1, bias=False), nn.AvgPool2d(2, 2)))
        self.features.add_module("denseblock2", DenseBlock(3, 20, 8))
        self.features.add_module("norm5", nn.BatchNorm2d(44))
        self.features.add_module("relu5", nn.ReLU())  # torchvision applies this F.relu in forward()
        self.classifier = nn.Linear(44, num_classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


# --- 4. vgg: torchvision VGG (convs + MaxPool, AdaptiveAvgPool, Flatten, 3 Linear with ReLU/Dropout) ---
class VGG(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        cfg, layers, cin = [8, 8, "M", 16, 16, "M", 32, 32, "M"], [], 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Dropout(),
            nn.Linear(64, 64), nn.ReLU(), nn.Dropout(),
            nn.Linear(64, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


# --- 5. squeezenet: torchvision SqueezeNet 1.1 (fire modules, conv classifier, no Linear) ---------
class Fire(nn.Module):
    def __init__(self, cin, squeeze, expand1x1, expand3x3):
        super().__init__()
        self.squeeze, self.squeeze_activation = nn.Conv2d(cin, squeeze, 1), nn.ReLU()
        self.expand1x1, self.expand1x1_activation = nn.Conv2d(squeeze, expand1x1, 1), nn.ReLU()
        self.expand3x3, self.expand3x3_activation = nn.Conv2d(squeeze, expand3x3, 3, padding=1), nn.ReLU()

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2), nn.ReLU(),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(16, 4, 8, 8), Fire(16, 4, 8, 8),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(16, 8, 16, 16), Fire(32, 8, 16, 16))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Conv2d(32, num_classes, 1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


# --- 6. segate: squeeze-excitation gates, HardSwish/HardSigmoid/LeakyReLU, asymmetric pad and kernel ---
class SqueezeExcite(nn.Module):
    """SENet's gate: GAP -> 1x1 conv -> ReLU -> 1x1 conv -> Sigmoid -> Mul (Hu et al., Eq. 2-4)."""

    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1, self.relu = nn.Conv2d(channels, reduced, 1), nn.ReLU()
        self.fc2, self.gate = nn.Conv2d(reduced, channels, 1), nn.Sigmoid()

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * self.gate(self.fc2(self.relu(self.fc1(s))))


class LinearExcite(nn.Module):
    """MobileNetV3's variant: GAP -> Flatten -> Linear -> ReLU -> Linear -> HardSigmoid -> Mul."""

    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1, self.relu = nn.Linear(channels, reduced), nn.ReLU()
        self.fc2, self.gate = nn.Linear(reduced, channels), nn.Hardsigmoid()

    def forward(self, x):
        s = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        g = self.gate(self.fc2(self.relu(self.fc1(s))))
        return x * g[:, :, None, None]


class PadConv(nn.Module):
    """TensorFlow-style 'SAME' stride-2 conv: an explicit asymmetric constant pad (right/bottom only)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv_bn(cin, cout, 3, 2, padding=0, act=nn.Hardswish())

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1), mode="constant", value=0.0))


class SEGate(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = PadConv(3, 16)
        self.row = conv_bn(16, 16, (1, 3), act=nn.LeakyReLU(0.1))
        self.dilated = conv_bn(16, 24, 3, dilation=2, act=nn.Hardswish())
        self.se1 = SqueezeExcite(24, 6)
        self.down = PadConv(24, 32)
        self.se2 = LinearExcite(32, 8)
        self.head = conv_bn(32, 48, 1, act=nn.Hardswish())
        self.fc = nn.Linear(48, num_classes)

    def forward(self, x):
        x = self.se1(self.dilated(self.row(self.stem(x))))
        x = self.head(self.se2(self.down(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --- 7. operator coverage --------------------------------------------------------------------
class Pooling(nn.Module):
    """AveragePool with padding (count_include_pad on and off), MaxPool with padding, dilation, ceil_mode."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.block1 = conv_bn(3, 8, act=nn.ReLU())
        self.pool1 = nn.AvgPool2d(3, 2, 1, count_include_pad=True)
        self.block2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.pool2 = nn.AvgPool2d(3, 2, 1, count_include_pad=False)
        self.block3 = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        self.pool3 = nn.MaxPool2d(3, 2, padding=1, dilation=2, ceil_mode=True)
        self.block4 = nn.Sequential(nn.Conv2d(16, 24, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(24, num_classes)

    def forward(self, x):
        x = self.pool2(self.block2(self.pool1(self.block1(x))))
        x = self.block4(self.pool3(self.block3(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SoftmaxHead(nn.Module):
    """Input normalisation by broadcast Sub/Div, channel mixing by Reshape/Transpose/MatMul,
    and a graph that ends in Softmax: the engine must take the Softmax input as the logit."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.stem = conv_bn(3, 16, 3, 2, act=nn.ReLU())
        self.block = conv_bn(16, 16, 3, 2, act=nn.ReLU())
        self.mix = nn.Parameter(torch.empty(16, 16))
        self.mixed = nn.ReLU()
        self.fc = nn.Linear(16, num_classes)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.block(self.stem((x - self.mean) / self.std))
        n, c, h, w = x.shape
        tokens = x.reshape(n, c, h * w).transpose(1, 2)           # (N, HW, C)
        mixed = torch.matmul(tokens, self.mix) / (c ** 0.5)        # (N, HW, C)
        x = self.mixed(x + mixed.transpose(1, 2).reshape(n, c, h, w))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def forward(self, x):
        return self.softmax(self.logits(x))


class LogitsOf(nn.Module):
    """The same weights without the final Softmax: Grad-CAM differentiates the logit."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.logits(x)


def randomise(model, seed):
    """Deterministic weights with non-trivial BatchNorm statistics, so that BN folding is really tested."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.3)
                m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.2)
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / m.in_features) ** 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        if isinstance(model, SoftmaxHead):
            model.mix.copy_(torch.randn(model.mix.shape, generator=g))
    return model.eval()


# --- the fixtures -------------------------------------------------------------------------------
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Tests", "EngineTests", "Fixtures")
NUM_CLASSES = 10
TOLERANCES = {
    "ortVsTorchLogits": 1e-4,       # max|ORT - PyTorch| / max(1, max|PyTorch|), each exporter
    "exportersAgree": 1e-5,         # max|dynamo - torchscript| / max(1, max|logit|), ORT both
    "valueMatch": {"rtol": 1e-3, "atolTimesMaxAbs": 1e-4},  # ONNX value vs hooked PyTorch output
    "alphaVsAutograd": 1e-5,        # pytorch-grad-cam alpha vs plain autograd, relative to max|alpha|
    "camWeightsIdentity": 1e-4,     # w_c = Z * alpha_c (GAP+linear), relative to max|w_c|
    "upVsDocumentedProcedure": 1e-6,
}


class Spec:
    def __init__(self, name, make, size, seed, targets, linear, description, other_class=None):
        self.name, self.make, self.size, self.seed = name, make, size, seed
        self.targets, self.description = targets, description
        self.linear = linear            # module path of the Linear after GAP (a GAP+linear net), or None
        self.gap_linear = linear is not None
        self.other_class = other_class  # role whose target is also explained for the runner-up class


SPECS = [
    Spec("resnet", ResNet, (48, 48), 101, [("last", "layer3"), ("mid", "layer2")], "fc",
         "ResNet: BasicBlocks with residual Add, folded BN, stride-2 1x1 downsample, MaxPool stem, GAP + Linear",
         other_class="last"),
    Spec("mobilenetv2", MobileNetV2, (48, 48), 102, [("last", "features.6"), ("mid", "features.3")], "classifier.1",
         "MobileNetV2: depthwise convs (group = channels), ReLU6 (Clip), inverted residuals, GAP + Dropout + Linear"),
    Spec("densenet", DenseNet, (48, 48), 103, [("last", "features.relu5"), ("mid", "features.denseblock1")], "classifier",
         "DenseNet: Concat of feature maps, standalone BN-ReLU-Conv (BN not foldable), AvgPool transition, GAP + Linear"),
    Spec("vgg", VGG, (32, 32), 104, [("last", "features.14"), ("mid", "features.8")], None,
         "VGG: conv + ReLU + MaxPool, AdaptiveAvgPool (2,2), Flatten, 3 Linear (Gemm) with ReLU and Dropout"),
    Spec("squeezenet", SqueezeNet, (48, 48), 105, [("last", "features.7"), ("mid", "features.4")], None,
         "SqueezeNet 1.1: fire modules (1x1 squeeze, 1x1 + 3x3 expand, Concat), ceil_mode MaxPool, conv classifier + ReLU + GAP, no Linear"),
    Spec("segate", SEGate, (40, 56), 106, [("last", "head"), ("mid", "se1")], "fc",
         "Squeeze-excitation gates (conv and Linear variants, Sigmoid and HardSigmoid, Mul), HardSwish, LeakyReLU, "
         "asymmetric constant Pad before stride-2 convs, dilated conv, 1x3 kernel; non-square input"),
    Spec("pooling", Pooling, (32, 40), 107, [("last", "block4"), ("mid", "block2")], "fc",
         "AveragePool k3 s2 p1 with count_include_pad on and off, MaxPool k3 s2 p1 dilation 2 ceil_mode; non-square input"),
    Spec("softmaxhead", SoftmaxHead, (32, 32), 108, [("last", "mixed"), ("mid", "block")], "fc",
         "Broadcast Sub/Div input normalisation, Reshape/Transpose/MatMul channel mixing, graph ends in Softmax "
         "(logits.bin and Grad-CAM use the Softmax input)"),
]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def build(spec):
    torch.manual_seed(spec.seed)
    model = randomise(spec.make(NUM_CLASSES), spec.seed)
    g = torch.Generator().manual_seed(spec.seed + 1000)
    x2 = torch.randn((2, 3) + spec.size, generator=g)
    return model, x2[:1].clone(), x2


def logits_of(model):
    return LogitsOf(model) if isinstance(model, SoftmaxHead) else model


def ort_logits(path, x):
    """What the engine calls the logit: the graph output, or the Softmax input if the graph ends in one."""
    name = fx.softmax_input_name(path) or fx.OUTPUT_NAME
    return fx.run_values(path, x.numpy(), [name])[0], name


class Folder:
    """One model's fixture folder; manifest paths are relative to the Fixtures directory."""

    def __init__(self, name):
        self.name, self.path = name, os.path.join(OUT, name)
        os.makedirs(self.path, exist_ok=True)

    def write(self, file, array):
        fx.write_f32(os.path.join(self.path, file), array)
        return f"{self.name}/{file}"

    def onnx(self, exporter):
        return os.path.join(self.path, f"{self.name}-{exporter}.onnx")


def make(spec):
    folder = Folder(spec.name)
    model, x, x2 = build(spec)
    cam_model = logits_of(model)
    entry = {"name": spec.name, "description": spec.description,
             "inputShape": [1, 3, *spec.size], "input2Shape": [2, 3, *spec.size],
             "numClasses": NUM_CLASSES, "gapLinear": spec.gap_linear,
             "endsInSoftmax": isinstance(model, SoftmaxHead),
             "input": folder.write("input.bin", x), "input2": folder.write("input2.bin", x2)}
    logits = export_and_compare(spec, model, cam_model, x, x2, folder, entry)

    ranked = np.argsort(-logits[0][0])
    top1, runner_up = int(ranked[0]), int(ranked[1])
    margin = float(logits[0][0, top1] - logits[0][0, runner_up])
    check(margin > 1e-2, f"{spec.name}: top-1 margin {margin} too small for a stable argmax")
    entry["top1"], entry["top1Margin"] = top1, margin
    if spec.gap_linear:
        weights = model.get_submodule(spec.linear).weight.detach().numpy()
        entry["camWeights"], entry["camWeightsShape"] = folder.write("cam-weights.bin", weights), list(weights.shape)

    values = {e: fx.all_float_values(folder.onnx(e), x.numpy()) for e in fx.EXPORTERS}
    entry["targets"] = []
    for role, module_path in spec.targets:
        for c in [top1] + ([runner_up] if spec.other_class == role else []):
            entry["targets"].append(make_target(spec, model, cam_model, module_path, role, c, x, values, folder))
    return entry


def export_and_compare(spec, model, cam_model, x, x2, folder, entry):
    """Exports with both exporters, asserts ORT agrees with PyTorch and the two files agree with each
    other, writes logits.bin / logits2.bin and returns the logits for batch 1 and batch 2."""
    with torch.no_grad():
        torch_out = [model(x).numpy(), model(x2).numpy()]
        torch_logits = [cam_model(x).numpy(), cam_model(x2).numpy()]
    entry.update(files={}, onnx={}, measured={"ortVsTorchLogits": {}})
    logits = {}
    for exporter in fx.EXPORTERS:
        path = folder.onnx(exporter)
        fx.export(model, x, path, exporter, strip_stack_traces=True)
        out = [fx.ort_forward(path, t) for t in (x, x2)]
        logit_name = fx.softmax_input_name(path) or fx.OUTPUT_NAME
        logits[exporter] = [fx.run_values(path, t.numpy(), [logit_name])[0] for t in (x, x2)]
        d = max(fx.relative_diff(a, b) for a, b in zip(out + logits[exporter], torch_out + torch_logits))
        check(d <= TOLERANCES["ortVsTorchLogits"], f"{spec.name}/{exporter}: ORT vs PyTorch {d}")
        entry["files"][exporter] = f"{spec.name}/{os.path.basename(path)}"
        entry["onnx"][exporter] = {**fx.describe(path), "inputName": fx.INPUT_NAME,
                                   "outputName": fx.OUTPUT_NAME, "logitValueName": logit_name}
        entry["measured"]["ortVsTorchLogits"][exporter] = d
    agree = max(fx.relative_diff(a, b) for a, b in zip(logits["dynamo"], logits["torchscript"]))
    check(agree <= TOLERANCES["exportersAgree"], f"{spec.name}: exporters disagree by {agree}")
    entry["measured"]["exportersAgree"] = agree
    entry["logits"] = folder.write("logits.bin", logits["dynamo"][0])
    entry["logits2"] = folder.write("logits2.bin", logits["dynamo"][1])
    return logits["dynamo"]


def make_target(spec, model, cam_model, module_path, role, c, x, values, folder):
    layer = model.get_submodule(module_path)
    ref = fx.grad_cam(cam_model, layer, x, c)
    a = ref["activation"]
    tag = f"{role}-c{c}"
    names = {}
    for exporter in fx.EXPORTERS:
        names[exporter], candidates, in_scope = fx.value_name_for(values[exporter], a, module_path)
        check(in_scope, f"{spec.name}/{exporter}/{tag}: no matching value {candidates} is inside {module_path}")
        if len(candidates) > 1:
            print(f"  note {spec.name}/{exporter}/{tag}: values {candidates} all match; chose {names[exporter]}")
    check_reference(spec, model, cam_model, layer, x, c, ref, role)
    h, w = spec.size
    return {"tag": tag, "role": role, "torchModule": module_path, "layerNameByExporter": names,
            "classIndex": c, "layerShape": list(a.shape[1:]), "upShape": [h, w],
            "files": {kind: folder.write(f"gradcam-{tag}-{kind}.bin", ref[kind]) for kind in ("raw", "alpha", "up")},
            "rawMax": float(ref["raw"].max())}


def check_reference(spec, model, cam_model, layer, x, c, ref, role):
    """Cross-checks pytorch-grad-cam's numbers: alpha against plain autograd, the returned map against the
    documented procedure, and, for GAP+linear nets, w_c = Z * alpha_c (Grad-CAM paper, Section 3.1)."""
    where = f"{spec.name}/{role}-c{c}"
    alpha = fx.autograd_alpha(cam_model, layer, x, c)
    d = float(np.abs(ref["alpha"] - alpha).max() / np.abs(alpha).max())
    check(d <= TOLERANCES["alphaVsAutograd"], f"{where}: alpha vs autograd {d}")
    h, w = spec.size
    up = fx.reproduce_upsampled(ref["raw"], w, h)
    check(np.abs(up - ref["up"]).max() <= TOLERANCES["upVsDocumentedProcedure"], f"{where}: up procedure")
    check(ref["raw"].max() > 0 and (ref["raw"] > 0).mean() > 0.05, f"{where}: raw map nearly all zero")
    if spec.gap_linear and role == "last":
        z = ref["activation"].shape[2] * ref["activation"].shape[3]
        w_c = model.get_submodule(spec.linear).weight.detach().numpy()[c]
        d = float(np.abs(z * ref["alpha"] - w_c).max() / np.abs(w_c).max())
        check(d <= TOLERANCES["camWeightsIdentity"], f"{where}: w_c != Z alpha_c ({d})")


def main():
    os.makedirs(OUT, exist_ok=True)
    models = []
    for spec in SPECS:
        print(f"{spec.name} ...", flush=True)
        models.append(make(spec))
    manifest = {
        "schemaVersion": 1,
        "generator": "Scripts/make-fixtures.py",
        "binaryFormat": "raw float32 little-endian, C order (NCHW for inputs, [N, classes] for logits, "
                        "[u, v] for raw maps, [K] for alpha, [H, W] for up, [classes, K] for camWeights), no header",
        "paths": "relative to Tests/EngineTests/Fixtures",
        "logitsSource": "onnxruntime on the dynamo file (the torchscript file agrees within tolerances.exportersAgree); "
                        "for endsInSoftmax models the Softmax input (onnx.<exporter>.logitValueName)",
        "exporterPostprocessing": "dynamo files: the per-node metadata_props 'pkg.torch.onnx.stack_trace' "
                                  "(absolute source paths) are removed; every other field is as exported",
        "layerNameRule": fx.LAYER_NAME_RULE,
        "gradCam": fx.GRAD_CAM_PROCEDURE,
        "camWeightsIdentity": "for gapLinear models and the 'last' target: camWeights[c] = (u*v) * alpha_c "
                              "(Grad-CAM paper, Section 3.1)",
        "tolerances": TOLERANCES,
        "versions": {k: v for k, v in fx.versions().items() if k != "pytorch_grad_cam_path"},
        "models": models,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print_summary(models)


def print_summary(models):
    print(f"\n{'model':12} {'ORT-torch dyn':>13} {'ORT-torch ts':>13} {'dyn-ts':>9} {'KB dyn':>7} {'KB ts':>7}  targets (dynamo | torchscript)")
    for m in models:
        d = m["measured"]
        print(f"{m['name']:12} {d['ortVsTorchLogits']['dynamo']:13.2e} {d['ortVsTorchLogits']['torchscript']:13.2e} "
              f"{d['exportersAgree']:9.2e} {m['onnx']['dynamo']['bytes'] / 1024:7.1f} {m['onnx']['torchscript']['bytes'] / 1024:7.1f}")
        for t in m["targets"]:
            print(f"    {t['tag']:10} {t['torchModule']:22} {str(t['layerShape']):13} "
                  f"{t['layerNameByExporter']['dynamo']} | {t['layerNameByExporter']['torchscript']}")
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"\ntotal fixture size: {total / 1024:.1f} KB")


if __name__ == "__main__":
    main()
