"""Shared helpers for make-fixtures.py and parity-full.py.

Exports a PyTorch model with both PyTorch ONNX exporters, runs onnxruntime, finds the ONNX value
that holds a PyTorch module's output, and computes Grad-CAM references with pytorch-grad-cam itself.
Python is only used to generate references; nothing here runs at `swift test` time.
"""
import ast
import contextlib
import io
import os
import warnings

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch.export import Dim
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

EXPORTERS = ("dynamo", "torchscript")
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
OPSET = {"dynamo": 18, "torchscript": 17}

# What pytorch-grad-cam 1.5.7 does between the raw map and the map it returns, read from
# pytorch_grad_cam/base_cam.py (compute_cam_per_layer, aggregate_multi_layers) and
# pytorch_grad_cam/utils/image.py (scale_cam_image). `reproduce_upsampled` below re-does it and
# make-fixtures.py asserts that it matches the library's output.
GRAD_CAM_PROCEDURE = {
    "alpha": "GradCAM.get_cam_weights: alpha_k = np.mean(dy_c/dA_k, axis=(2,3)) over the layer's "
             "u x v positions, float32 (Grad-CAM paper, Eq. 1); y_c is the model output at the class "
             "index (ClassifierOutputTarget), i.e. the pre-softmax logit",
    "raw": "BaseCAM.get_cam_image + compute_cam_per_layer: raw = np.maximum(sum_k alpha_k * A_k, 0) "
           "at the layer resolution u x v, float32, not normalised (Grad-CAM paper, Eq. 2)",
    "up": "scale_cam_image(raw, (W, H)): m = raw - min(raw); m = m / (1e-7 + max(m)); "
          "m = cv2.resize(float32(m), (W, H)) with cv2's default INTER_LINEAR (half-pixel centres, "
          "src = (dst + 0.5) * in/out - 0.5, edge samples clamped, no antialiasing); then "
          "aggregate_multi_layers over the single target layer: m = np.maximum(m, 0); "
          "m = mean over layers (identity for one layer); scale_cam_image(m) again without resize: "
          "m = m - min(m); m = m / (1e-7 + max(m)). Result H x W float32 in [0, 1]",
}


def versions():
    import pytorch_grad_cam
    import torchvision
    from importlib.metadata import version
    return {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "onnx": onnx.__version__, "onnxruntime": ort.__version__,
            "grad-cam": version("grad-cam"), "numpy": np.__version__, "opencv": cv2.__version__,
            "pytorch_grad_cam_path": os.path.dirname(pytorch_grad_cam.__file__)}


def export(model, example, path, exporter, external_data=False, strip_stack_traces=False):
    """Writes `model` to `path` with a dynamic batch dimension. Quiet: the exporters are chatty.
    `strip_stack_traces` drops the dynamo exporter's per-node "pkg.torch.onnx.stack_trace" metadata,
    which holds absolute source paths: without it the committed files do not depend on the checkout."""
    model.eval()
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        if exporter == "dynamo":
            torch.onnx.export(model, (example,), path, dynamo=True, opset_version=OPSET[exporter],
                              input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                              dynamic_shapes=({0: Dim("batch")},), external_data=external_data,
                              verbose=False)
        elif exporter == "torchscript":
            torch.onnx.export(model, (example,), path, dynamo=False, opset_version=OPSET[exporter],
                              input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                              dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                              do_constant_folding=True)
        else:
            raise ValueError(f"unknown exporter {exporter}")
    if strip_stack_traces and exporter == "dynamo":
        m = onnx.load(path)
        for node in m.graph.node:
            kept = [p for p in node.metadata_props if p.key != "pkg.torch.onnx.stack_trace"]
            del node.metadata_props[:]
            node.metadata_props.extend(kept)
        onnx.save(m, path)


def describe(path):
    """IR version, opset, sorted op types and byte size of an ONNX file."""
    m = onnx.load(path, load_external_data=False)
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    return {"irVersion": m.ir_version, "opset": opset,
            "opTypes": sorted({n.op_type for n in m.graph.node}),
            "bytes": os.path.getsize(path)}


def session(model_or_path):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(model_or_path, options, providers=["CPUExecutionProvider"])


def ort_forward(path, x):
    return session(path).run([OUTPUT_NAME], {INPUT_NAME: np.ascontiguousarray(x, np.float32)})[0]


def all_float_values(path, x):
    """Runs `path` on `x` with every float node output exposed as a graph output.
    Returns [(value name, array, op type, module scopes of the producing node)] in node order."""
    m = onnx.load(path)
    inferred = onnx.shape_inference.infer_shapes(m)
    elem = {vi.name: vi.type.tensor_type.elem_type
            for vi in list(inferred.graph.value_info) + list(inferred.graph.output)}
    order = [(name, node.op_type, module_scopes(node)) for node in m.graph.node if node.op_type != "Constant"
             for name in node.output if name and elem.get(name) == onnx.TensorProto.FLOAT]
    values = _run_exposed(m, x, [n for n, _, _ in order])
    return [(n, v, op, scopes) for (n, op, scopes), v in zip(order, values)]


def module_scopes(node):
    """Dotted paths of the PyTorch modules a node was exported from, outermost first.
    dynamo: the node's metadata "pkg.torch.onnx.name_scopes" (['', 'features', 'features.6', op]).
    torchscript: the node name "/features/features.6/features.6.2/Clip", whose parts are full
    dotted paths for Sequential children and bare attribute names otherwise ("/features/norm5/...")."""
    props = {p.key: p.value for p in node.metadata_props}
    if "pkg.torch.onnx.name_scopes" in props:
        return [s for s in ast.literal_eval(props["pkg.torch.onnx.name_scopes"])[:-1] if s]
    scopes, parent = [], ""
    for part in node.name.split("/")[1:-1]:
        parent = part if not parent or part.startswith(parent + ".") else f"{parent}.{part}"
        scopes.append(parent)
    return scopes


def run_values(path, x, names):
    """Runs `path` on `x` and returns the float values `names`, intermediate or not."""
    return _run_exposed(onnx.load(path), x, names)


def _run_exposed(m, x, names):
    exposed = {o.name for o in m.graph.output}
    for name in names:
        if name not in exposed:
            m.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
            exposed.add(name)
    return session(m.SerializeToString()).run(names, {INPUT_NAME: np.ascontiguousarray(x, np.float32)})


def matching_values(values, activation, rtol=1e-3, atol_scale=1e-4):
    """The ONNX values whose content equals `activation` (same shape, allclose), in node order."""
    atol = atol_scale * max(1.0, float(np.abs(activation).max()))
    return [(name, scopes) for name, v, _, scopes in values
            if v.shape == activation.shape and np.allclose(v, activation, rtol=rtol, atol=atol)]


def value_name_for(values, activation, module_path):
    """Picks the value by LAYER_NAME_RULE (below). Returns the chosen name, every matching name, and
    whether the choice was exported from inside the module.
    Scope matters when an identity-like op copies the module's output downstream (VGG16's
    AdaptiveAvgPool (7,7) on a 7x7 map exports as a 1x1 AveragePool): the copy is not the module's output."""
    matches = matching_values(values, activation)
    if not matches:
        raise RuntimeError(f"no ONNX value matches {module_path}'s output of shape {activation.shape}")
    in_scope = [name for name, scopes in matches if module_path in scopes]
    return (in_scope or [name for name, _ in matches])[-1], [name for name, _ in matches], bool(in_scope)


LAYER_NAME_RULE = ("among the ONNX node outputs whose content equals the hooked PyTorch module output on input.bin "
                   "(same shape, allclose per tolerances.valueMatch), the last in node order that was exported "
                   "from inside that module (dynamo: node metadata pkg.torch.onnx.name_scopes; torchscript: the "
                   "node name's scope path), else the last match of all")


def softmax_input_name(path):
    """The value that feeds a final Softmax (the engine's logit), or None if the graph does not end in one."""
    m = onnx.load(path, load_external_data=False)
    last = next((n for n in m.graph.node if OUTPUT_NAME in n.output), None)
    return last.input[0] if last is not None and last.op_type == "Softmax" else None


def grad_cam(model, layer, x, class_index):
    """pytorch-grad-cam's own numbers for one layer and class: activation A (1,K,u,v), gradient,
    alpha (K), raw ReLU(sum alpha A) (u,v) and the upsampled normalised map it returns (H,W)."""
    targets = [ClassifierOutputTarget(class_index)]
    with GradCAM(model=model, target_layers=[layer]) as cam:
        up = cam(input_tensor=x, targets=targets)[0]
        activation = cam.activations_and_grads.activations[0].numpy()
        gradient = cam.activations_and_grads.gradients[0].numpy()
        alpha = cam.get_cam_weights(x, [layer], targets, activation, gradient)
        raw = np.maximum(cam.get_cam_image(x, layer, targets, activation, gradient), 0)
    return {"activation": activation, "gradient": gradient, "alpha": alpha[0].astype(np.float32),
            "raw": raw[0].astype(np.float32), "up": up.astype(np.float32)}


def reproduce_upsampled(raw, width, height):
    """GRAD_CAM_PROCEDURE["up"], step by step."""
    m = raw - raw.min()
    m = m / (1e-7 + m.max())
    m = cv2.resize(np.float32(m), (width, height))
    m = np.maximum(m, 0)
    m = m - m.min()
    return np.float32(m / (1e-7 + m.max()))


def autograd_alpha(model, layer, x, class_index):
    """An independent Grad-CAM alpha via plain autograd, to cross-check pytorch-grad-cam's hooks."""
    captured = {}
    handle = layer.register_forward_hook(lambda _m, _i, out: captured.__setitem__("a", out))
    try:
        y = model(x)[0, class_index]
        (grad,) = torch.autograd.grad(y, captured["a"])
    finally:
        handle.remove()
    return grad.mean(dim=(2, 3))[0].detach().numpy()


def relative_diff(a, b):
    """max |a - b| / max(1, max |b|): an absolute bound for O(1) values, relative for large ones."""
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(1.0, float(np.abs(b).max())))


def pearson(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    a = a - a.mean()
    b = b - b.mean()
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denom) if denom > 0 else float("nan")


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)
