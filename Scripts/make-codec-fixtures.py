#!/usr/bin/env python3
"""Makes the committed fixtures for ImageCodecsTests and PreprocessTests.

References come from Pillow (decoding: Image.open(f).convert("RGB")) and torchvision
(Resize(shorter side) -> CenterCrop -> ToTensor -> Normalize on PIL images). torchvision is
required (pip install torchvision): its resize and crop arithmetic is what we must match.

PNG inputs are written by our own small encoder (below) so that every colour type, bit
depth, filter type and Adam7 interlacing can be covered; Pillow cannot write 16-bit RGB(A)
or interlaced PNGs. Run from the repository root:  python3 Scripts/make-codec-fixtures.py
"""
import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CODEC_DIR = ROOT / "Tests/ImageCodecsTests/Fixtures"
PREPROCESS_DIR = ROOT / "Tests/PreprocessTests/Fixtures"
RNG = np.random.default_rng(20240527)

# ---------------------------------------------------------------- a small PNG encoder

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pack_row(samples: np.ndarray, depth: int) -> bytes:
    """samples: 1-D array of channel values of one row."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    padded = np.zeros(-(-len(samples) // per_byte) * per_byte, dtype=np.uint8)
    padded[: len(samples)] = samples
    out = np.zeros(len(padded) // per_byte, dtype=np.uint8)
    for i in range(per_byte):
        out |= padded[i::per_byte] << (8 - depth * (i + 1))
    return out.tobytes()


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows: list[bytes], bpp: int, row_index_offset: int) -> bytes:
    """Applies filter type (row number mod 5) so every filter type is exercised."""
    out = bytearray()
    prior = bytes(len(rows[0])) if rows else b""
    for n, row in enumerate(rows):
        kind = (n + row_index_offset) % 5
        filtered = bytearray(len(row))
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            filtered[i] = (x - predictor) & 0xFF
        out += bytes([kind]) + filtered
        prior = row
    return bytes(out)


def encode_png(pixels: np.ndarray, color_type: int, depth: int, interlaced=False,
               palette=None, trns=None, extra_chunks=()) -> bytes:
    """pixels: (H, W, C) array of raw sample values (palette indices for type 3)."""
    height, width, channels = pixels.shape
    assert channels == CHANNELS[color_type]
    bpp = max(1, channels * depth // 8)
    raw = bytearray()
    if interlaced:
        for n, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = pixels[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            rows = [pack_row(r.reshape(-1), depth) for r in sub]
            raw += filter_rows(rows, bpp, n)
    else:
        rows = [pack_row(r.reshape(-1), depth) for r in pixels]
        raw += filter_rows(rows, bpp, 0)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlaced)))
    for kind, data in extra_chunks:
        png += chunk(kind, data)
    if palette is not None:
        png += chunk(b"PLTE", np.asarray(palette, dtype=np.uint8).tobytes())
    if trns is not None:
        png += chunk(b"tRNS", trns)
    compressed = zlib.compress(bytes(raw), 9)
    # Two IDAT chunks: decoders must concatenate them.
    half = len(compressed) // 2
    png += chunk(b"IDAT", compressed[:half]) + chunk(b"IDAT", compressed[half:])
    png += chunk(b"IEND", b"")
    return png


# ---------------------------------------------------------------- synthetic content

def ramp(h: int, w: int, maximum: int, phase: int) -> np.ndarray:
    """Diagonal gradient plus a stripe pattern, covering the whole sample range."""
    y, x = np.mgrid[0:h, 0:w]
    values = (x * 7 + y * 13 + phase * 31) * maximum // (7 * (w - 1) + 13 * (h - 1) + 31 * 3 + 1)
    values = (values + (x % 3 == 0) * (maximum // 3)) % (maximum + 1)
    return values.astype(np.int64)


def samples(h: int, w: int, channels: int, depth: int) -> np.ndarray:
    maximum = (1 << depth) - 1
    planes = [ramp(h, w, maximum, c) for c in range(channels)]
    out = np.stack(planes, axis=-1)
    if depth == 16:
        # Values straddling byte boundaries tell "high byte" from "rounded /257" apart,
        # and small values show how 16-bit gray is clipped.
        specials = np.array([0x80FF, 0x7F80, 0x00FF, 0x0100, 0xFFFF, 0x0000, 300, 17, 0x1280])
        flat = out.reshape(-1)
        flat[: len(specials) * 3: 3] = specials
        out = flat.reshape(out.shape)
    if channels in (2, 4):
        alpha = out[..., -1]
        alpha[::4, ::3] = 0  # fully transparent pixels keep their colour in Pillow
        alpha[1::4, ::2] = maximum // 2
    return out


def png_variants():
    h, w = 13, 17
    v = {}
    for depth in (1, 2, 4, 8, 16):
        v[f"gray{depth}"] = dict(pixels=samples(h, w, 1, depth), color_type=0, depth=depth)
    v["gray8_trns"] = dict(pixels=samples(h, w, 1, 8), color_type=0, depth=8, trns=struct.pack(">H", 40))
    v["gray16_trns"] = dict(pixels=samples(h, w, 1, 16), color_type=0, depth=16, trns=struct.pack(">H", 300))
    for depth in (8, 16):
        v[f"ga{depth}"] = dict(pixels=samples(h, w, 2, depth), color_type=4, depth=depth)
        v[f"rgb{depth}"] = dict(pixels=samples(h, w, 3, depth), color_type=2, depth=depth)
        v[f"rgba{depth}"] = dict(pixels=samples(h, w, 4, depth), color_type=6, depth=depth)
    rgb8 = samples(h, w, 3, 8)
    v["rgb8_trns"] = dict(pixels=rgb8, color_type=2, depth=8, trns=struct.pack(">HHH", *rgb8[0, 1]))
    rgb16 = samples(h, w, 3, 16)
    v["rgb16_trns"] = dict(pixels=rgb16, color_type=2, depth=16, trns=struct.pack(">HHH", *rgb16[0, 1]))
    for depth in (1, 2, 4, 8):
        entries = min(1 << depth, 200)
        palette = RNG.integers(0, 256, size=(entries, 3))
        indices = samples(h, w, 1, depth) % entries
        v[f"pal{depth}"] = dict(pixels=indices, color_type=3, depth=depth, palette=palette)
    pal8 = v["pal8"]
    v["pal8_trns"] = dict(pal8, trns=bytes(RNG.integers(0, 256, size=120, dtype=np.uint8)))
    v["pal4_trns_short"] = dict(v["pal4"], trns=bytes([0, 128, 255]))
    for name in ("gray1", "gray16", "gray16_trns", "ga8", "ga16", "rgb8", "rgb16", "rgba16", "pal4", "rgba8"):
        v[f"{name}_interlaced"] = dict(v[name], interlaced=True)
    # Colour-space chunks Pillow ignores (it does not colour-manage); libpng would apply gAMA.
    v["rgb8_gama10"] = dict(v["rgb8"], extra_chunks=[(b"gAMA", struct.pack(">I", 100000)),
                                                      (b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))])
    v["rgb16_srgb"] = dict(v["rgb16"], extra_chunks=[(b"sRGB", b"\x00")])
    v["gray16_gama"] = dict(v["gray16"], extra_chunks=[(b"gAMA", struct.pack(">I", 45455))])
    v["ga16_sbit_bkgd"] = dict(v["ga16"], extra_chunks=[(b"sBIT", b"\x0c\x0c"), (b"bKGD", struct.pack(">H", 1000))])
    v["rgb8_1x1"] = dict(pixels=samples(1, 1, 3, 8) + 77, color_type=2, depth=8)
    v["rgb8_3x2_interlaced"] = dict(pixels=samples(2, 3, 3, 8), color_type=2, depth=8, interlaced=True)
    return v


def pillow_rgb(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def photo(h: int, w: int, seed: int) -> np.ndarray:
    """A photo-like RGB image: smooth gradients, hard edges, a disc, fine texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / w * 3.1 + y / h * 1.3)
    g = 60 + 150 * (y / h)
    b = 200 - 120 * (x / w) * (y / h)
    img = np.stack([r, g, b], axis=-1)
    img[(x // 23 + y // 19) % 2 == 0] *= 0.6                     # checkerboard edges
    disc = (x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(h, w) * 0.22) ** 2
    img[disc] = [250, 240, 30]
    img[:, int(w * 0.2):int(w * 0.2) + 2] = [5, 5, 5]             # thin dark line
    img += rng.normal(0, 4, size=img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def with_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrites the frame header (SOF0/SOF2) dimensions, leaving the rest intact."""
    out = bytearray(data)
    i = 2
    while i + 4 <= len(out):
        marker, length = out[i + 1], struct.unpack(">H", out[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            out[i + 5:i + 9] = struct.pack(">HH", height, width)
            return bytes(out)
        i += 2 + length
    raise ValueError("no SOF marker")


def write_codec_fixtures():
    CODEC_DIR.mkdir(parents=True, exist_ok=True)
    for name, spec in png_variants().items():
        data = encode_png(**spec)
        (CODEC_DIR / f"{name}.png").write_bytes(data)
        (CODEC_DIR / f"{name}.rgb").write_bytes(pillow_rgb(data).tobytes())

    picture = Image.fromarray(photo(48, 64, seed=1))
    jpegs = {
        "baseline420": jpeg_bytes(picture, quality=90, subsampling=2),
        "baseline422": jpeg_bytes(picture, quality=85, subsampling=1),
        "baseline444": jpeg_bytes(picture, quality=95, subsampling=0),
        "progressive": jpeg_bytes(picture, quality=90, progressive=True),
        "gray": jpeg_bytes(picture.convert("L"), quality=90),
        "odd420": jpeg_bytes(Image.fromarray(photo(23, 37, seed=2)), quality=80, subsampling=2),
        "cmyk": jpeg_bytes(picture.convert("CMYK"), quality=90),
    }
    for name, data in jpegs.items():
        (CODEC_DIR / f"{name}.jpg").write_bytes(data)
        (CODEC_DIR / f"{name}.rgb").write_bytes(pillow_rgb(data).tobytes())

    # Headers that declare 30000 x 30000 pixels (900 megapixels) over a few bytes of data.
    (CODEC_DIR / "huge.jpg").write_bytes(with_jpeg_size(jpegs["baseline420"], 30000, 30000))
    huge_png = encode_png(samples(2, 2, 3, 8), color_type=2, depth=8)
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    huge_png = huge_png[:8] + chunk(b"IHDR", ihdr) + huge_png[8 + 25:]
    (CODEC_DIR / "huge.png").write_bytes(huge_png)
    (CODEC_DIR / "zero-height.jpg").write_bytes(with_jpeg_size(jpegs["baseline420"], 64, 0))


DRAFTED = ("baseline420", "baseline422", "baseline444", "progressive", "gray", "odd420", "cmyk")


def write_draft_fixtures():
    """Pillow's draft mode on the committed JPEGs: Image.draft("RGB", (w // s, h // s)) picks
    reduction s (1/2, 1/4, 1/8 in the DCT); then convert("RGB"). Written as NAME.draftS.rgb."""
    for name in DRAFTED:
        data = (CODEC_DIR / f"{name}.jpg").read_bytes()
        for s in (2, 4, 8):
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                im.draft("RGB", (w // s, h // s))
                rgb = np.asarray(im.convert("RGB"))
            assert rgb.shape[:2] == (-(-h // s), -(-w // s)), (name, s, rgb.shape)
            (CODEC_DIR / f"{name}.draft{s}.rgb").write_bytes(rgb.tobytes())


# ---------------------------------------------------------------- preprocessing references

IMAGENET = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
HALF = dict(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])

# Each spec is written in the JSON shape PreprocessSpec decodes. shorterSide 73 makes the
# centre-crop offsets land on .5 (torchvision rounds half to even).
SPECS = {
    "short73-crop64-bicubic-half": dict(width=64, height=64, resize={"shorterSide": 73},
                                        interpolation="bicubic", channelOrder="rgb", **HALF),
    "short72-crop64-bilinear-imagenet": dict(width=64, height=64, resize={"shorterSide": 72},
                                             interpolation="bilinear", channelOrder="rgb", **IMAGENET),
    "exact48x40-bicubic-imagenet-bgr": dict(width=48, height=40, resize={"exact": True},
                                            interpolation="bicubic", channelOrder="bgr", **IMAGENET),
    # A shorter side below the crop: torchvision pads with zeros before cropping.
    "short50-crop64x56-bilinear-half": dict(width=64, height=56, resize={"shorterSide": 50},
                                            interpolation="bilinear", channelOrder="rgb", **HALF),
    "short256-crop224-bicubic-imagenet": dict(width=224, height=224, resize={"shorterSide": 256},
                                              interpolation="bicubic", channelOrder="rgb", **IMAGENET),
}


def reference_pipeline(spec: dict):
    """The torchvision pipeline the spec stands for: (resize + crop as PIL image, full transform)."""
    import torch
    from torchvision import transforms as T

    mode = {"bicubic": T.InterpolationMode.BICUBIC, "bilinear": T.InterpolationMode.BILINEAR}[spec["interpolation"]]
    if "shorterSide" in spec["resize"]:
        geometry = [T.Resize(spec["resize"]["shorterSide"], interpolation=mode),
                    T.CenterCrop((spec["height"], spec["width"]))]
    else:
        geometry = [T.Resize((spec["height"], spec["width"]), interpolation=mode)]
    geometry = T.Compose(geometry)
    # mean[c] and std[c] belong to tensor channel c, so BGR flips before normalising.
    flip = [T.Lambda(lambda t: torch.flip(t, dims=[0]))] if spec["channelOrder"] == "bgr" else []
    to_tensor = T.Compose([T.ToTensor(), *flip, T.Normalize(spec["mean"], spec["std"])])

    def run(image: Image.Image):
        cropped = geometry(image)
        return np.asarray(cropped), to_tensor(cropped).numpy().astype("<f4")

    return run


def write_preprocess_fixtures():
    PREPROCESS_DIR.mkdir(parents=True, exist_ok=True)
    inputs = {
        "photo-300x200.png": Image.fromarray(photo(200, 300, seed=3)),
        "photo-199x301.png": Image.fromarray(photo(301, 199, seed=4)),
        "photo-320x240.jpg": Image.fromarray(photo(240, 320, seed=5)),
    }
    for name, image in inputs.items():
        path = PREPROCESS_DIR / name
        if name.endswith(".png"):
            image.save(path, "PNG", optimize=True)
        else:
            image.save(path, "JPEG", quality=90)

    cases = []
    for spec_name, spec in SPECS.items():
        run = reference_pipeline(spec)
        for name in inputs:
            if spec_name.startswith("short256") and name == "photo-199x301.png":
                continue  # the two others cover up- and downscaling at full size
            if spec_name.startswith("short50") and name != "photo-199x301.png":
                continue  # one padded case is enough
            with Image.open(PREPROCESS_DIR / name) as decoded:
                cropped, tensor = run(decoded.convert("RGB"))
            stem = f"{name.rsplit('.', 1)[0]}.{spec_name}"
            case = dict(image=name, spec=spec_name)
            if spec["width"] >= 224:
                # Large cases store the 8-bit resized image (3 x smaller than floats).
                (PREPROCESS_DIR / f"{stem}.rgb").write_bytes(cropped.tobytes())
                case["resized"] = f"{stem}.rgb"
            else:
                (PREPROCESS_DIR / f"{stem}.f32").write_bytes(tensor.tobytes())
                case["tensor"] = f"{stem}.f32"
            cases.append(case)
    import json
    manifest = dict(specs=SPECS, cases=cases)
    (PREPROCESS_DIR / "cases.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    # Pillow warns that palette images with tRNS "should be converted to RGBA": we mean it.
    warnings.filterwarnings("ignore", message="Palette images with Transparency")
    write_codec_fixtures()
    write_draft_fixtures()
    write_preprocess_fixtures()
