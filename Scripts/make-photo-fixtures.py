#!/usr/bin/env python3
"""Photo fixtures and PyTorch references for the default model (EfficientNet-Lite0).

Run after Scripts/convert-default-model.py, in the same environment plus scikit-image, Pillow and
grad-cam (pip install scikit-image pillow grad-cam==1.5.7):

    python3 Scripts/make-photo-fixtures.py

Writes Tests/ServiceTests/Fixtures/photos/:
- <photo>.jpg (quality 90, baseline, Pillow's default 4:2:0 subsampling) and <photo>.png for
  scikit-image's bundled photos chelsea, coffee, camera (grayscale, saved as 8-bit gray) and
  astronaut (all CC0 or public domain, see README.md there). A photo whose JPEG or PNG would exceed
  300 KB is first downscaled to a shorter side of 300 px with Pillow's LANCZOS filter.
- references.json, computed FROM THE SAVED FILE BYTES: Image.open(path).convert("RGB"),
  torchvision Resize(256, BICUBIC) (long side = int(256 * long / short), truncated),
  CenterCrop(224), ToTensor, Normalize(0.5, 0.5); then the model in PyTorch: top-5 and Grad-CAM
  (pytorch-grad-cam GradCAM) for the top-1 class at the manifest's defaultTargetLayer.
- <file>.alpha.bin: the 1280 Grad-CAM channel weights (Selvaraju et al. 2017, eq. 1: the spatial
  mean of d logit / d A), little-endian float32.
- <file>.cam224.bin, for the PNG files only: the 224x224 map that GradCAM(...) returns, row-major
  little-endian float32. Only the PNGs get one, to keep the folder near 2 MB (each map is 196 KB);
  PNG decoding is exact, so these make the tightest end-to-end references.
"""

import importlib.util
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import onnxruntime
import torch
import torchvision
from PIL import Image
from skimage import data
from torchvision import transforms

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Tests" / "ServiceTests" / "Fixtures" / "photos"
MANIFEST = REPO / "Models" / "efficientnet-lite0" / "manifest.json"
PHOTOS = {"chelsea": data.chelsea, "coffee": data.coffee, "camera": data.camera, "astronaut": data.astronaut}
MAX_FILE_BYTES = 300_000
DOWNSCALED_SHORTER_SIDE = 300
# Top-1 measured earlier from skimage.data arrays (not from saved files), to compare against.
EXPECTED_TOP1 = {"chelsea": ("tiger cat", 0.39), "coffee": ("espresso", 0.95), "camera": ("tripod", 0.94)}


def load_converter():
    """Scripts/convert-default-model.py has a hyphen in its name, so import it by path."""
    spec = importlib.util.spec_from_file_location("convert_default_model",
                                                  REPO / "Scripts" / "convert-default-model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def encode(image: Image.Image, path: Path) -> None:
    if path.suffix == ".jpg":
        image.save(path, "JPEG", quality=90, progressive=False, optimize=False)
    else:
        image.save(path, "PNG", optimize=True)


def save_photo(name: str) -> list:
    """Saves <name>.jpg and <name>.png; returns [(path, note)]."""
    image = Image.fromarray(PHOTOS[name]())
    note = f"scikit-image data.{name}() {image.width}x{image.height} {image.mode}"
    paths = [OUT / f"{name}.jpg", OUT / f"{name}.png"]
    for path in paths:
        encode(image, path)
    if any(path.stat().st_size > MAX_FILE_BYTES for path in paths):
        scale = DOWNSCALED_SHORTER_SIDE / min(image.size)
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.LANCZOS)
        note += f", downscaled to {size[0]}x{size[1]} (LANCZOS) to stay under 300 KB"
        for path in paths:
            encode(image, path)
    jpeg = paths[0].read_bytes()
    assert b"\xff\xc0" in jpeg and b"\xff\xc2" not in jpeg, "JPEG must be baseline (SOF0)"
    return [(path, note) for path in paths]


def preprocess(path: Path) -> tuple:
    image = Image.open(path).convert("RGB")
    resized = transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC)(image)
    cropped = transforms.CenterCrop(224)(resized)
    tensor = transforms.Normalize([0.5] * 3, [0.5] * 3)(transforms.ToTensor()(cropped))
    geometry = {"decoded": [image.width, image.height], "resized": [resized.width, resized.height],
                "cropOrigin": [int(round((resized.width - 224) / 2.0)), int(round((resized.height - 224) / 2.0))]}
    return tensor.unsqueeze(0), geometry


def grad_cam(model, target_layer, x: torch.Tensor, category: int) -> tuple:
    """Returns (alpha (1280,), raw map (7, 7) = ReLU(sum_k alpha_k A^k) unnormalised (eq. 2),
    the 224x224 map GradCAM returns, logits (1000,))."""
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.image import scale_cam_image
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with GradCAM(model=model, target_layers=[target_layer]) as cam:
        upsampled = cam(input_tensor=x, targets=[ClassifierOutputTarget(category)])[0]
        assert len(cam.activations_and_grads.activations) == 1, "target layer must run once"
        activations = cam.activations_and_grads.activations[0].numpy()[0]
        gradients = cam.activations_and_grads.gradients[0].numpy()[0]
        logits = cam.outputs.detach().numpy()[0]
    alpha = gradients.mean(axis=(1, 2))
    raw = np.maximum((alpha[:, None, None] * activations).sum(axis=0), 0)
    # The returned map is min-max(resize(min-max(raw))), cv2 bilinear; check we reproduce it.
    again = scale_cam_image(scale_cam_image(raw[None], (224, 224)))[0]
    assert np.abs(again - upsampled).max() < 1e-6, "raw map does not reproduce GradCAM's output"
    return alpha.astype(np.float32), raw.astype(np.float32), upsampled.astype(np.float32), logits


def reference(model, session, target_layer, labels: list, path: Path, note: str) -> dict:
    x, geometry = preprocess(path)
    with torch.no_grad():
        logits = model(x)[0]
    # Sanity check of the shipped model.onnx: onnxruntime agrees with PyTorch on this photo.
    ort_logits = session.run(["logits"], {"input": x.numpy()})[0][0]
    assert int(ort_logits.argmax()) == int(logits.argmax()), f"{path.name}: ORT top-1 differs"
    print(f"{path.name}: max |ORT - PyTorch| logits {np.abs(ort_logits - logits.numpy()).max():.2e}")
    probabilities = torch.softmax(logits, dim=0)
    top = torch.topk(probabilities, 5)
    top5 = [{"index": int(i), "label": labels[int(i)], "probability": float(p), "logit": float(logits[i])}
            for p, i in zip(top.values, top.indices)]
    alpha, raw, upsampled, cam_logits = grad_cam(model, target_layer, x, top5[0]["index"])
    assert np.abs(cam_logits - logits.numpy()).max() < 1e-4
    alpha.astype("<f4").tofile(OUT / f"{path.name}.alpha.bin")
    entry = {"file": path.name, "bytes": path.stat().st_size, "source": note, **geometry, "top5": top5,
             "gradCAM": {"classIndex": top5[0]["index"], "rawMap": raw.tolist(),
                         "alpha": f"{path.name}.alpha.bin", "cam224": None}}
    if path.suffix == ".png":
        upsampled.astype("<f4").tofile(OUT / f"{path.name}.cam224.bin")
        entry["gradCAM"]["cam224"] = f"{path.name}.cam224.bin"
    return entry


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    converter = load_converter()
    model, _ = converter.build_model()
    target_layer = converter.default_target_module(model)
    manifest = json.loads(MANIFEST.read_text())
    labels = (MANIFEST.parent / manifest["labels"]).read_text().splitlines()

    session = onnxruntime.InferenceSession(str(MANIFEST.parent / manifest["model"]),
                                           providers=["CPUExecutionProvider"])
    files = [entry for name in PHOTOS for entry in save_photo(name)]
    references = [reference(model, session, target_layer, labels, path, note) for path, note in files]
    document = {
        "model": "Models/efficientnet-lite0/manifest.json",
        "targetLayer": manifest["defaultTargetLayer"],
        "preprocessing": "PIL Image.open(file).convert('RGB'); torchvision Resize(256, BICUBIC) "
                         "(shorter side 256, long side int(256*long/short)); CenterCrop(224) "
                         "(origin round((size-224)/2)); ToTensor; Normalize(mean 0.5, std 0.5)",
        "gradCAM": "pytorch-grad-cam GradCAM, target = logit of the top-1 class (pre-softmax). "
                   "alpha = spatial mean of d logit / d A (.bin, 1280 little-endian float32); "
                   "rawMap = ReLU(sum_k alpha_k A^k), 7x7 rows, unnormalised; cam224 (.bin, 224x224 "
                   "row-major little-endian float32, PNG files only) = min-max(cv2 bilinear resize to "
                   "224x224 of min-max(rawMap)), min-max = (m - min) / (1e-7 + max(m - min))",
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                     "Pillow": Image.__version__, "grad-cam": metadata.version("grad-cam")},
        "files": references,
    }
    (OUT / "references.json").write_text(json.dumps(document, indent=1) + "\n")

    print(f"{'file':15} {'top-1':22} {'p':>6}   measured earlier")
    for entry in references:
        best = entry["top5"][0]
        expected = EXPECTED_TOP1.get(entry["file"].split(".")[0])
        remark = "-" if expected is None else f"{expected[0]} {expected[1]:.2f}" + (
            "" if expected[0] == best["label"] else "  <-- DIFFERS")
        print(f"{entry['file']:15} {best['label']:22} {best['probability']:6.3f}   {remark}")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{OUT.relative_to(REPO)}: {total:,} bytes in {len(list(OUT.iterdir()))} files")
    sys.exit(0 if total < 2_200_000 else 1)


if __name__ == "__main__":
    main()
