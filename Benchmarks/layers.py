#!/usr/bin/env python3
"""Layer by layer: our engine's convolutions next to onnxruntime's, on one model and thread count.

    Benchmarks/layers.py [--model efficientnet-lite0] [--threads 1] [--runs 200]
                         [--binary .build/release/gradcam-server] [--cache-dir ~/.cache/gradcam-server-bench]

Ours: `gradcam-server bench --profile`, whose last table is each convolution shape's best pass.
onnxruntime: its own profiler (SessionOptions.enable_profiling), each node's best and median
kernel time over `--runs` runs after 20 warm-up runs. A shape's layers are summed on both sides.

Shapes are matched on (input channels, output channels, kernel, stride, output plane, depthwise
or not), channel counts rounded up to a multiple of 16 on both sides: onnxruntime runs its
convolutions in a channel-blocked layout (NCHWc) and reports the padded counts (24 -> 32).
onnxruntime adds a residual Add inside the convolution, as our Conv+Add does. Its layout
conversions (ReorderInput, ReorderOutput) and other nodes have no counterpart and are listed
apart. Best passes are the machine without its neighbours: compare them, not single medians
(Benchmarks/README.md, "The machine's phases"). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
unset for the two measurements only, as compare.sh does.
"""

import argparse
import collections
import importlib.util
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("compare", HERE / "compare.py")
compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare)

BLOCK = 16
WARMUP = 20
# "   0.901    0.975 ms  Conv+Clip (pointwise) 192->1152 1x1/1 7x7"
OUR_CONV = re.compile(r"\s+([\d.]+)\s+([\d.]+) ms\s+(\S+ \((\w+)\)) (\d+)->(\d+) (\d+)x\d+/(\d+) (\d+)x\d+$")
OUR_OTHER = re.compile(r"\s+([\d.]+)\s+([\d.]+) ms\s+(\w+) \((\w+)\)$")


def padded(channels: int) -> int:
    return math.ceil(channels / BLOCK) * BLOCK


def measurement_env() -> dict:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def ours(binary: Path, model: Path, threads: int, runs: int):
    """(forward median ms, {key: [best, {labels}]}, {op: best}) from `bench --profile`."""
    command = [str(binary), "bench", "--model", str(model), "--threads", str(threads),
               "--iterations", str(runs), "--seconds", "0.3", "--profile"]
    text = subprocess.run(command, env=measurement_env(), capture_output=True, text=True, timeout=600, check=True).stdout
    forward = next(float(line.split()[1]) for line in text.splitlines() if line.startswith("forward "))
    shapes = text.split("forward by shape", 1)[1]
    convs, others = {}, {}
    for line in shapes.splitlines():
        if m := OUR_CONV.match(line):
            best, _, label, family, c, m_out, k, s, h = m.groups()
            key = (padded(int(c)), padded(int(m_out)), int(k), int(s), int(h), family == "depthwise")
            entry = convs.setdefault(key, [0.0, set()])
            entry[0] += float(best)
            entry[1].add(label)
        elif m := OUR_OTHER.match(line):
            others[m.group(3)] = others.get(m.group(3), 0.0) + float(m.group(1))
    return forward, convs, others


def onnxruntime_nodes(model: Path, threads: int, runs: int):
    """(run median ms, {key: [best, median, layers]}, {op: [best, median]}) from onnxruntime's profiler."""
    import numpy as np
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_profiling = True
    with tempfile.TemporaryDirectory() as directory:
        options.profile_file_prefix = os.path.join(directory, "layers")
        session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: compare.sample_input()}
        times = []
        for i in range(WARMUP + runs):
            start = time.perf_counter()
            session.run(None, feed)
            if i >= WARMUP:
                times.append((time.perf_counter() - start) * 1000)
        events = json.load(open(session.end_profiling()))
    samples, info = collections.defaultdict(list), {}
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        samples[event["name"]].append(event["dur"] / 1000)
        info[event["name"]] = event["args"]
    convs, others = {}, collections.defaultdict(lambda: [0.0, 0.0])
    for name, values in samples.items():
        values = values[WARMUP:] or values
        best, median = min(values), statistics.median(values)
        args = info[name]
        shapes = [list(s.values())[0] for s in args.get("input_type_shape", [])]
        outputs = [list(s.values())[0] for s in args.get("output_type_shape", [])]
        if args.get("op_name") in ("Conv", "FusedConv") and len(shapes) >= 2 and len(shapes[1]) == 4 and outputs:
            (_, c, ih, _), (m_out, per_group, k, _), out = shapes[0], shapes[1], outputs[0]
            stride = max(1, round(ih / out[2]))
            key = (padded(c), padded(m_out), k, stride, out[2], per_group == 1 and m_out == c and c > 1)
            entry = convs.setdefault(key, [0.0, 0.0, 0])
            entry[0] += best
            entry[1] += median
            entry[2] += 1
        else:
            others[args.get("op_name", "?")][0] += best
            others[args.get("op_name", "?")][1] += median
    return statistics.median(times), convs, dict(others)


def describe(key) -> str:
    c, m, k, s, h, depthwise = key
    return f"{c}->{m} {k}x{k}/{s} {h}x{h}{' depthwise' if depthwise else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="efficientnet-lite0", choices=sorted(compare.MODELS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--binary", type=Path, default=compare.REPO / ".build/release/gradcam-server")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache/gradcam-server-bench")
    args = parser.parse_args()
    if not args.binary.exists():
        print(f"{args.binary} not found: swift build -c release --product gradcam-server", file=sys.stderr)
        return 1
    missing = [name for name in ("numpy", "onnxruntime") if importlib.util.find_spec(name) is None]
    if missing:
        print(f"missing Python packages: {' '.join(missing)} (python3 -m pip install {' '.join(missing)})", file=sys.stderr)
        return 1
    model = compare.onnx_file(args.model, args.cache_dir)
    our_forward, our_convs, our_others = ours(args.binary, model, args.threads, args.runs)
    ort_run, ort_convs, ort_others = onnxruntime_nodes(model, args.threads, args.runs)

    print(f"{args.model}, {args.threads} thread(s), {args.runs} runs each; load average {compare.loadavg()}")
    print(f"forward median: ours {our_forward:.3f} ms, onnxruntime {ort_run:.3f} ms (run)")
    print("shape (channels rounded up to 16)          ours best  ORT best  ORT median  ours/ORT  layers  ours as")
    rows = []
    for key in sorted(set(our_convs) | set(ort_convs)):
        mine, theirs = our_convs.get(key), ort_convs.get(key)
        rows.append((key, mine[0] if mine else None, theirs[0] if theirs else None, theirs[1] if theirs else None,
                     theirs[2] if theirs else 0, ", ".join(sorted(mine[1])) if mine else "-"))
    rows.sort(key=lambda r: -((r[1] or 0) - (r[2] or 0)))
    for key, mine, best, median, layers, labels in rows:
        cell = lambda v: f"{v:9.3f}" if v is not None else "        -"
        share = f"{mine / best:8.2f}" if mine and best else "       -"
        print(f"  {describe(key):<40} {cell(mine)} {cell(best)} {cell(median)}  {share}  {layers:6d}  {labels}")
    matched = [(r[1], r[2]) for r in rows if r[1] is not None and r[2] is not None]
    print(f"matched convolutions, sum of best passes: ours {sum(m for m, _ in matched):.3f} ms, "
          f"onnxruntime {sum(t for _, t in matched):.3f} ms")
    print("other nodes, best ms: ours " + ", ".join(f"{op} {v:.3f}" for op, v in sorted(our_others.items()))
          + "; onnxruntime " + ", ".join(f"{op} {v[0]:.3f}" for op, v in sorted(ort_others.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
