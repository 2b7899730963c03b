#!/usr/bin/env python3
"""Full-size parity check of the Swift engine against onnxruntime and pytorch-grad-cam (not run in CI).

For each torchvision model (weights=None, seeded random init, BatchNorm statistics perturbed so that
BN folding is not a no-op, eval mode, 3x224x224): export with both PyTorch ONNX exporters into a
temporary directory, compute ORT logits and pytorch-grad-cam references for the last feature block
and one mid-network layer, find those layers' ONNX value names by content, run
`gradcam-server explain` on each file and compare.

  python3 Scripts/parity-full.py [--models resnet18,vgg16] [--keep-dir DIR] [--binary PATH] [--skip-swift]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixturelib as fx  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 2024
# model -> (last feature block, mid-network layer whose backward crosses several convs)
LAYERS = {
    "resnet18": ("layer4", "layer3"),
    "resnet50": ("layer4", "layer3"),
    "mobilenet_v2": ("features.18", "features.13"),
    "vgg16": ("features.30", "features.22"),
    "squeezenet1_1": ("features.12", "features.7"),
    "densenet121": ("features.norm5", "features.denseblock3"),
}
# Rows outside these bounds are marked CHECK (the engine computes in float32 like ORT).
BOUNDS = {"logit": 1e-3, "raw": 1e-3, "pearson": 0.999}


def densenet_forward_without_inplace_relu(self, x):
    """torchvision's DenseNet.forward with F.relu(inplace=False): the in-place ReLU would overwrite
    the norm5 output that pytorch-grad-cam's hook keeps. Same numbers, same exported graph."""
    out = F.relu(self.features(x))
    out = torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1)
    return self.classifier(out)


def build(name):
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, name)(weights=None)
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.45 + 0.8)
                m.weight.copy_(torch.rand(c, generator=g) * 0.4 + 0.8)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
    if name.startswith("densenet"):
        model.forward = types.MethodType(densenet_forward_without_inplace_relu, model)
    x = torch.randn((1, 3, 224, 224), generator=g)
    return model.eval(), x


def run_cli(binary, model_path, tensor_path, layer, class_index):
    cmd = [binary, "explain", "--model", model_path, "--tensor", tensor_path, "--layer", layer,
           "--class", str(class_index), "--top", "5", "--raw", "--logits"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[:300]}")
    return json.loads(done.stdout), wall


def compare(result, ort_logits, ref, class_index, layer):
    """The table's figures for one CLI run, or raises if the output is not the contract's."""
    if result.get("targetClass") != class_index or result.get("targetLayer") != layer:
        raise RuntimeError(f"answered class {result.get('targetClass')} layer {result.get('targetLayer')}")
    logits = np.asarray(result["logits"], np.float32)
    raw = np.asarray(result["rawHeatmap"]["data"], np.float32)
    up = np.asarray(result["heatmap"]["data"], np.float32)
    if raw.shape != ref["raw"].shape or up.shape != ref["up"].shape:
        raise RuntimeError(f"map shapes raw {raw.shape} up {up.shape}, expected {ref['raw'].shape} {ref['up'].shape}")
    timings = result.get("timings", {})
    return {"logit": fx.relative_diff(logits, ort_logits[0]),
            "raw": float(np.abs(raw - ref["raw"]).max() / max(float(ref["raw"].max()), 1e-12)),
            "pearson": fx.pearson(up, ref["up"]),
            "ms": sum(float(timings.get(k, 0.0)) for k in ("forward", "backward", "cam"))}


def check_model(name, workdir, binary, skip_swift):
    model, x = build(name)
    tensor_path = os.path.join(workdir, f"{name}-input.bin")
    fx.write_f32(tensor_path, x)
    with torch.no_grad():
        torch_logits = model(x).numpy()
    class_index = int(torch_logits[0].argmax())
    refs = {role: fx.grad_cam(model, model.get_submodule(path), x, class_index)
            for role, path in zip(("last", "mid"), LAYERS[name])}
    rows = []
    for exporter in fx.EXPORTERS:
        # One folder per file: the CLI reads a manifest.json beside the model, and external data
        # files keep their own names.
        folder = os.path.join(workdir, f"{name}-{exporter}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{name}.onnx")
        start = time.perf_counter()
        fx.export(model, x, path, exporter)
        export_s = time.perf_counter() - start
        ort_logits = fx.ort_forward(path, x.numpy())
        values = fx.all_float_values(path, x.numpy())
        ort_vs_torch = fx.relative_diff(ort_logits, torch_logits)
        for role, module_path in zip(("last", "mid"), LAYERS[name]):
            ref = refs[role]
            layer, candidates, in_scope = fx.value_name_for(values, ref["activation"], module_path)
            row = {"model": name, "exporter": exporter, "role": role, "module": module_path, "layer": layer,
                   "candidates": candidates, "inScope": in_scope, "shape": list(ref["activation"].shape[1:]),
                   "ortVsTorch": ort_vs_torch, "exportS": export_s, "class": class_index}
            if not skip_swift:
                try:
                    result, wall = run_cli(binary, path, tensor_path, layer, class_index)
                    row.update(compare(result, ort_logits, ref, class_index, layer), wall=wall)
                except Exception as error:  # one failing run must not hide the others
                    row["error"] = str(error)
            rows.append(row)
            print_row(row, flush=True)
        del values
    return rows


HEADER = (f"{'model':14} {'exporter':11} {'role':4} {'ORT-torch':>9} {'logit':>9} {'raw':>9} {'r(up)':>9} "
          f"{'ours ms':>8} {'wall s':>6}  layer (value name)")


def print_row(row, flush=False):
    if "error" in row:
        figures = f"{'':>9} {'':>9} {'':>9} {'':>8} {'':>6}  ERROR {row['error']}"
    elif "logit" in row:
        bad = row["logit"] > BOUNDS["logit"] or row["raw"] > BOUNDS["raw"] or not row["pearson"] >= BOUNDS["pearson"]
        figures = (f"{row['logit']:9.2e} {row['raw']:9.2e} {row['pearson']:9.6f} {row['ms']:8.1f} {row['wall']:6.2f}"
                   f"{'  CHECK' if bad else ''}")
    else:
        figures = f"{'-':>9} {'-':>9} {'-':>9} {'-':>8} {'-':>6}"
    others = [c for c in row["candidates"] if c != row["layer"]]
    note = (f" (also equal: {', '.join(others)})" if others else "") + ("" if row["inScope"] else " (outside the module)")
    print(f"{row['model']:14} {row['exporter']:11} {row['role']:4} {row['ortVsTorch']:9.2e} {figures}  "
          f"{row['module']} -> {row['layer']} {row['shape']}{note}", flush=flush)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(LAYERS), help="comma-separated subset of " + ",".join(LAYERS))
    parser.add_argument("--keep-dir", help="write the exports and inputs here and keep them")
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "gradcam-server"))
    parser.add_argument("--skip-swift", action="store_true", help="only the PyTorch/ORT side")
    args = parser.parse_args()
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in LAYERS]
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {list(LAYERS)}")
    skip_swift = args.skip_swift or not os.access(args.binary, os.X_OK)
    if skip_swift and not args.skip_swift:
        print(f"note: {args.binary} not found or not executable: PyTorch/ORT side only")
    workdir = args.keep_dir or tempfile.mkdtemp(prefix="gradcam-parity-")
    os.makedirs(workdir, exist_ok=True)
    print(f"bounds: logit <= {BOUNDS['logit']}, raw <= {BOUNDS['raw']}, r(up) >= {BOUNDS['pearson']}; "
          f"logit = max|ours - ORT| / max(1, max|ORT|), raw = max|ours - ref| / max(ref)")
    print(HEADER)
    rows = []
    try:
        for name in names:
            rows += check_model(name, workdir, args.binary, skip_swift)
    finally:
        if not args.keep_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n" + HEADER)
    for row in rows:
        print_row(row)
    failed = [r for r in rows if "error" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
