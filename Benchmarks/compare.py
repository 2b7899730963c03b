#!/usr/bin/env python3
"""Side-by-side latency of our engine, onnxruntime and PyTorch (+ pytorch-grad-cam).

Same ONNX file, same thread count, batch 1, 3x224x224 input uniform in [-1, 1] for every runtime
(our `bench` draws its own input from the same distribution: dense CNN kernels do the same work
whatever the values). Run through Benchmarks/compare.sh, which unsets OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE for this command only.

Our engine and onnxruntime run in turn, in bursts of a fraction of a second, from two processes
kept alive (`gradcam-server bench --bursts`, `compare.py serve-ort ...`): this machine's speed
changes within seconds, and each pair of bursts meets the same machine. Only one of them runs at
a time, and a pause after each burst lets the other's spinning threads sleep. PyTorch is measured
afterwards in its own process (`compare.py measure-torch ...`, printing one JSON line).
"""

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZE = 224
OPSET = 17
SEED = 0

# key -> how to get the ONNX file, the layer to explain, and the PyTorch module pytorch-grad-cam hooks.
# `layer: None` means "our engine's default" (the last 4-D activation before global pooling);
# `expected_layer` is the name that default should be for the TorchScript exporter's naming.
MODELS = {
    "efficientnet-lite0": {"source": "bundled", "layer": "manifest",
                           "torch_target": "head_activation"},
    "resnet18": {"source": "torchvision", "arch": "resnet18", "layer": None,
                 "expected_layer": "/layer4/layer4.1/relu_1/Relu_output_0", "torch_target": "layer4"},
    "resnet50": {"source": "torchvision", "arch": "resnet50", "layer": None,
                 "expected_layer": "/layer4/layer4.2/relu_2/Relu_output_0", "torch_target": "layer4"},
    "resnet50@layer3": {"source": "torchvision", "arch": "resnet50",
                        "layer": "/layer3/layer3.5/relu_2/Relu_output_0", "torch_target": "layer3"},
    "mobilenet_v2": {"source": "torchvision", "arch": "mobilenet_v2", "layer": None,
                     "expected_layer": "/features/features.18/features.18.2/Clip_output_0",
                     "torch_target": "features.18"},
}
DEFAULT_MODELS = ["efficientnet-lite0", "resnet18", "resnet50", "resnet50@layer3", "mobilenet_v2"]


# ----------------------------------------------------------------------------------------------
# Building the PyTorch models (shared by the export and the torch measurement)

def build_torch_model(key: str):
    """(model in eval mode, the module pytorch-grad-cam hooks)."""
    import torch
    spec = MODELS[key]
    if spec["source"] == "bundled":
        # Scripts/convert-default-model.py rebuilds the bundled network with its pretrained weights.
        path = REPO / "Scripts" / "convert-default-model.py"
        module_spec = importlib.util.spec_from_file_location("convert_default_model", path)
        converter = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(converter)
        model, _ = converter.build_model()
    else:
        import torchvision
        torch.manual_seed(SEED)
        model = getattr(torchvision.models, spec["arch"])(weights=None).eval()
    return model, model.get_submodule(spec["torch_target"])


def export_torchvision(key: str, path: Path) -> None:
    import torch
    model, _ = build_torch_model(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.onnx")
    torch.onnx.export(model, (torch.zeros(1, 3, SIZE, SIZE),), str(partial), dynamo=False,
                      opset_version=OPSET, export_params=True, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"])
    partial.rename(path)


def sample_input():
    import numpy as np
    return np.random.default_rng(SEED).uniform(-1, 1, (1, 3, SIZE, SIZE)).astype(np.float32)


def summary(samples_ms: list) -> dict:
    s = sorted(samples_ms)
    pick = lambda p: s[min(len(s) - 1, int((len(s) - 1) * p + 0.5))]  # same rule as Bench.swift
    return {"median": pick(0.5), "p10": pick(0.1), "p90": pick(0.9), "n": len(s)}


BUDGET_SECONDS = 40  # per timed loop: on a loaded machine PyTorch's OpenMP threads can take seconds a run


def timed(fn, iterations: int, warmup: int = 3) -> dict:
    """median/p10/p90 ms of `iterations` runs after `warmup`, cut short (keeping at least 5 samples)
    once BUDGET_SECONDS have passed, so a loaded machine cannot stretch the run without bound."""
    for _ in range(warmup):
        fn()
    samples = []
    started = time.perf_counter()
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        if len(samples) >= 5 and time.perf_counter() - started > BUDGET_SECONDS:
            break
    return summary(samples)


# ----------------------------------------------------------------------------------------------
# Measurement subprocesses: onnxruntime answers bursts on stdin; PyTorch prints one JSON line

def serve_ort_bursts(onnx_path: str, threads: int) -> None:
    """onnxruntime's side of the paired bursts, the protocol of `gradcam-server bench --bursts`:
    prints `ready`, then answers each line N with 3 untimed runs and N timed ones, as one JSON
    list of ms per run."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: sample_input()}
    print(json.dumps({"ready": True, "version": ort.__version__, "provider": session.get_providers()[0]}), flush=True)
    for line in sys.stdin:
        count = int(line) if line.strip().isdigit() else 0
        if not 1 <= count <= 10000:
            break
        for _ in range(3):
            session.run(None, feed)
        samples = []
        for _ in range(count):
            t0 = time.perf_counter()
            session.run(None, feed)
            samples.append((time.perf_counter() - t0) * 1000)
        print(json.dumps(samples), flush=True)


def measure_torch(key: str, threads: int, iterations: int) -> dict:
    import torch
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    from pytorch_grad_cam import GradCAM
    model, target = build_torch_model(key)
    x = torch.from_numpy(sample_input())

    def forward():
        with torch.inference_mode():
            model(x)

    forward_ms = timed(forward, iterations)
    # pytorch-grad-cam as documented: targets=None explains the top class. Its backward runs
    # through the whole network and fills every parameter's .grad (the model's parameters require
    # grad); ours stops at the target layer and computes no weight gradients.
    with GradCAM(model=model, target_layers=[target]) as cam:
        gradcam_ms = timed(lambda: cam(input_tensor=x, targets=None), iterations)
    return {"forward": forward_ms, "gradcam": gradcam_ms, "version": torch.__version__,
            "threads": torch.get_num_threads()}


# ----------------------------------------------------------------------------------------------
# Our engine

BENCH_STAGE = re.compile(r"^(forward|backward|cam|gradcam total)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def run_ours(binary: Path, onnx_path: Path, layer, threads: int, iterations: int, workers: int,
             seconds: float, timeout: float) -> dict:
    command = [str(binary), "bench", "--model", str(onnx_path), "--threads", str(threads),
               "--iterations", str(iterations), "--workers", str(workers), "--seconds", str(seconds)]
    if layer:
        command += ["--layer", layer]
    output = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if output.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {output.stderr.strip()[-500:]}")
    parsed = {"stages": {}}
    for line in output.stdout.splitlines():
        if m := BENCH_STAGE.match(line):
            parsed["stages"][m[1]] = {"median": float(m[2]), "p10": float(m[3]), "p90": float(m[4])}
        elif m := re.match(r"^model .*\blayer (\S+)\s+input", line):
            parsed["layer"] = m[1]
        elif m := re.match(r"^openblas core (\S+)", line):
            parsed["core"] = m[1]
        elif m := re.match(r"^throughput\s+([\d.]+) images/s with (\d+) workers", line):
            parsed["images_per_s"] = float(m[1])
        elif m := re.match(r"^peak RSS\s+(\d+) MB", line):
            parsed["peak_rss_mb"] = int(m[1])
    missing = {"layer", "core", "images_per_s"} - parsed.keys()
    if missing or len(parsed["stages"]) != 4:
        raise RuntimeError(f"could not parse bench output (missing {missing}):\n{output.stdout}")
    return parsed


class BurstProcess:
    """A runtime answering burst requests on its stdin (see serve_ort_bursts, Bench+Bursts.swift)."""

    def __init__(self, command: list, parse):
        # stderr goes to a file: a pipe nobody reads could fill and stop the process.
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True, cwd=REPO)
        self.parse = parse
        self.header = []
        while not ((line := self._line()) == "ready" or line.startswith('{"ready"')):
            self.header.append(line)
        self.ready = line

    def _line(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            self.errors.seek(0)
            raise RuntimeError(f"{' '.join(self.process.args)} ended: {self.errors.read()[-800:]}")
        return line.strip()

    def burst(self, count: int) -> dict:
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        return self.parse(self._line())

    def close(self) -> None:
        try:
            self.process.stdin.write("\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
        self.errors.close()


def parse_our_burst(line: str) -> dict:
    fields = dict(part.split("=", 1) for part in line.split()[1:])
    return {stage: [float(x) for x in fields[stage].split(",")] for stage in ("forward", "backward", "gradcam")}


def paired_latency(binary: Path, onnx_path: Path, layer, args) -> dict:
    """Ours and onnxruntime in turn, burst after burst, both processes kept alive: each burst
    lasts about --burst-ms, and each pair's ratio compares the two runtimes on the same machine
    state (this machine's speed changes within seconds, see Benchmarks/README.md)."""
    command = [str(binary), "bench", "--model", str(onnx_path), "--threads", str(args.threads), "--bursts"]
    if layer:
        command += ["--layer", layer]
    ours = BurstProcess(command, parse_our_burst)
    try:
        ort = BurstProcess([sys.executable, __file__, "serve-ort", str(onnx_path), str(args.threads)],
                           lambda line: {"forward": json.loads(line)})
    except Exception:
        ours.close()
        raise
    try:
        # Burst sizes from one short burst each: about --burst-ms of timed runs per burst.
        size = lambda ms: max(3, min(200, round(args.burst_ms / max(0.1, statistics.median(ms)))))
        ours_count = size(ours.burst(3)["gradcam"])
        ort_count = size(ort.burst(3)["forward"])
        pairs = []
        for index in range(args.bursts):
            # Alternate which goes first; a pause lets the other's spinning threads go to sleep.
            # onnxruntime's worker keeps one core busy for 40-64 ms after its last run
            # (schedstat of its threads, sampled every 10 ms, EfficientNet-Lite0 and ResNet-50);
            # ours spins 0.1 ms. 100 ms leaves a margin; 50 ms relied on the 3 untimed runs.
            order = [("ours", ours, ours_count), ("ort", ort, ort_count)]
            pair = {}
            for name, process, count in (order if index % 2 == 0 else order[::-1]):
                pair[name] = process.burst(count)
                time.sleep(0.1)
            pairs.append(pair)
    finally:
        ours.close()
        ort.close()
    header = " ".join(ours.header)
    join = lambda side, stage: [x for p in pairs for x in p[side][stage]]
    return {
        "pairs": pairs,
        "layer": re.search(r"\blayer (\S+)\s+input", header)[1],
        "core": re.search(r"openblas core (\S+)", header)[1],
        "ort_info": json.loads(ort.ready),
        "ours": {stage: summary(join("ours", stage)) for stage in ("forward", "backward", "gradcam")},
        "ort": summary(join("ort", "forward")),
        "counts": (ours_count, ort_count),
    }


def throughput_rounds(binary: Path, onnx_path: Path, layer, args) -> list:
    """1 worker and 2 in turn, --throughput-rounds times, the order alternating; each round's
    2w/1w compares two runs taken seconds apart. One 1-worker run then one 2-worker run per
    model printed 2w/1w from 1.29 to 2.34 in two runs of this script (2026-11-29): this
    machine's speed drifts within a minute, and a single pair measured the drift."""
    rounds = []
    for index in range(args.throughput_rounds):
        order = (1, 2) if index % 2 == 0 else (2, 1)
        rounds.append({workers: run_ours(binary, onnx_path, layer, args.threads, 1, workers, args.seconds, timeout=120)
                       for workers in order})
    return rounds


def pair_ratios(latency: dict, stage: str) -> list:
    """Per pair of bursts: our median for `stage` over onnxruntime's median forward."""
    return [statistics.median(p["ours"][stage]) / statistics.median(p["ort"]["forward"]) for p in latency["pairs"]]


def quartiles(values: list) -> tuple:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return q[0], statistics.median(values), q[2]


def run_json(arguments: list, timeout: float) -> dict:
    output = subprocess.run([sys.executable, __file__] + arguments, capture_output=True, text=True,
                            timeout=timeout)
    if output.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed: {output.stderr.strip()[-800:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
# The side-by-side

def cached_onnx_path(key: str, cache: Path) -> Path:
    """Where a torchvision model's export lives in the cache."""
    return cache / f"{MODELS[key]['arch']}-opset{OPSET}.onnx"


def onnx_file(key: str, cache: Path) -> Path:
    if MODELS[key]["source"] == "bundled":
        return REPO / "Models" / key / "model.onnx"
    path = cached_onnx_path(key, cache)
    if not path.exists():
        t0 = time.time()
        run_json(["export", key, str(path)], timeout=300)
        print(f"  exported {path} in {time.time() - t0:.0f} s", flush=True)
    return path


def missing_packages(args) -> list:
    """The PyPI packages this run needs and cannot import: onnxruntime always; torch and
    torchvision to export a torchvision model not yet in the cache, or for the PyTorch columns;
    grad-cam for those columns."""
    cache = Path(args.cache_dir)
    needs_export = any(MODELS[key]["source"] == "torchvision" and not cached_onnx_path(key, cache).exists()
                       for key in args.models)
    wanted = {"onnxruntime": "onnxruntime", "numpy": "numpy"}
    if needs_export or not args.no_torch:
        wanted.update({"torch": "torch", "torchvision": "torchvision"})
    if needs_export:
        wanted["onnx"] = "onnx"
    if not args.no_torch:
        wanted["pytorch_grad_cam"] = "grad-cam"
    return [package for module, package in wanted.items() if importlib.util.find_spec(module) is None]


def layer_for(key: str):
    layer = MODELS[key]["layer"]
    if layer == "manifest":
        manifest = json.loads((REPO / "Models" / key / "manifest.json").read_text())
        return manifest["defaultTargetLayer"]
    return layer


def fmt(value, width=8, digits=1):
    return f"{value:{width}.{digits}f}" if value is not None else " " * (width - 1) + "-"


def ratio(a, b):
    return a / b if a is not None and b else None


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def side_by_side(args) -> int:
    binary = Path(args.binary)
    cache = Path(args.cache_dir)
    started = time.time()
    print(f"compare: threads {args.threads}, {args.bursts} pairs of bursts of about {args.burst_ms:g} ms "
          f"(each after 3 untimed runs), PyTorch {args.iterations} iterations, batch 1, {SIZE}x{SIZE}, "
          f"throughput: {args.throughput_rounds} rounds of a 1-worker and a 2-worker run of {args.seconds:g} s")
    print(f"environment: OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')} for this command "
          f"(compare.sh runs it under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`)")
    print(f"machine: {os.cpu_count()} cores, load average {loadavg()} at start", flush=True)
    rows = []
    for key in args.models:
        t0 = time.time()
        print(f"- {key}", flush=True)
        row = {"key": key}
        path = onnx_file(key, cache)
        row["latency"] = paired_latency(binary, path, layer_for(key), args)
        layer = row["latency"]["layer"]
        row["throughput"] = throughput_rounds(binary, path, layer, args)
        expected = MODELS[key].get("expected_layer")
        if expected and layer != expected:
            print(f"  WARNING: our default layer {layer} differs from the expected {expected}")
        if not args.no_torch:
            row["torch"] = run_json(["measure-torch", key, str(args.threads), str(args.iterations)], 300)
        print(f"  done in {time.time() - t0:.0f} s, load average {loadavg()}", flush=True)
        rows.append(row)
    print_tables(rows, args)
    print(f"total {time.time() - started:.0f} s, load average {loadavg()} at the end")
    return 0


def print_tables(rows: list, args) -> None:
    print()
    print("Latency, median ms (batch 1, %d threads each)" % args.threads)
    header = (f"{'model':<19}{'ours fwd':>9}{'ours bwd':>9}{'ours GC':>9}{'ORT fwd':>9}"
              f"{'PT fwd':>9}{'PT GC':>9}{'fwd/ORT':>9}{'GC/ORT':>9}{'GC/PT-GC':>9}")
    print(header)
    print("-" * len(header))
    for row in rows:
        ours, ort = row["latency"]["ours"], row["latency"]["ort"]
        torch_fwd = row.get("torch", {}).get("forward", {}).get("median")
        torch_gc = row.get("torch", {}).get("gradcam", {}).get("median")
        gc = ours["gradcam"]["median"]
        print(f"{row['key']:<19}{fmt(ours['forward']['median'], 9)}{fmt(ours['backward']['median'], 9)}"
              f"{fmt(gc, 9)}{fmt(ort['median'], 9)}{fmt(torch_fwd, 9)}{fmt(torch_gc, 9)}"
              f"{fmt(statistics.median(pair_ratios(row['latency'], 'forward')), 9, 2)}"
              f"{fmt(statistics.median(pair_ratios(row['latency'], 'gradcam')), 9, 2)}"
              f"{fmt(ratio(gc, torch_gc), 9, 2)}")
    print("ours GC = forward + backward to the layer + CAM (resized to 224x224); PT GC = pytorch-grad-cam")
    print("GradCAM.__call__ (forward + full backward incl. weight gradients + CAM); ratios < 1: ours faster.")
    print(f"ms columns: medians of every timed run; fwd/ORT and GC/ORT: the median over {args.bursts} pairs of")
    print(f"bursts (about {args.burst_ms:g} ms of ours, then of onnxruntime, or the other way round) of each pair's")
    print("ratio of medians. Pair ratios, lower quartile / median / upper quartile:")
    for row in rows:
        fwd = quartiles(pair_ratios(row["latency"], "forward"))
        gc = quartiles(pair_ratios(row["latency"], "gradcam"))
        counts = row["latency"]["counts"]
        print(f"  {row['key']:<19}fwd/ORT {fwd[0]:.2f} / {fwd[1]:.2f} / {fwd[2]:.2f}; "
              f"GC/ORT {gc[0]:.2f} / {gc[1]:.2f} / {gc[2]:.2f}  (runs per burst: ours {counts[0]}, ORT {counts[1]})")
    print()
    print("Spread, ms (median / p10 / p90)")
    for row in rows:
        ours = row["latency"]["ours"]
        parts = [f"ours fwd {triple(ours['forward'])}", f"ours GC {triple(ours['gradcam'])}",
                 f"ORT fwd {triple(row['latency']['ort'])}"]
        if "torch" in row:
            parts += [f"PT fwd {triple(row['torch']['forward'], args.iterations)}",
                      f"PT GC {triple(row['torch']['gradcam'], args.iterations)}"]
        print(f"  {row['key']:<19}" + "; ".join(parts))
    print()
    print("Layers explained (ONNX value names)")
    for row in rows:
        print(f"  {row['key']:<19}{row['latency']['layer']}  (pytorch-grad-cam: model.{MODELS[row['key']]['torch_target']})")
    print()
    print("Our throughput, images/s (forward+backward+CAM, 1 BLAS thread per worker; target 2w/1w >= 1.8)")
    print(f"  1 and 2 workers in turn, {args.throughput_rounds} rounds of {args.seconds:g} s each; the images/s columns")
    print("  are medians over the rounds, 2w/1w the median of each round's ratio (every round's in brackets)")
    print(f"  {'model':<19}{'1 worker':>10}{'2 workers':>11}{'2w/1w':>8}{'peak RSS':>10}  rounds")
    for row in rows:
        rates = [(r[1]["images_per_s"], r[2]["images_per_s"]) for r in row["throughput"]]
        one, two = statistics.median(a for a, _ in rates), statistics.median(b for _, b in rates)
        ratios = [b / a for a, b in rates]
        rss = max(r[2].get("peak_rss_mb", 0) for r in row["throughput"])
        print(f"  {row['key']:<19}{one:>10.1f}{two:>11.1f}{statistics.median(ratios):>8.2f}{str(rss) + ' MB':>10}"
              f"  ({', '.join(f'{x:.2f}' for x in ratios)})")
    print()
    first = rows[0]
    info = first["latency"]["ort_info"]
    versions = f"onnxruntime {info['version']} ({info['provider']})"
    if "torch" in first:
        versions += f", torch {first['torch']['version']} ({first['torch']['threads']} threads)"
    print(f"OpenBLAS core (our bench): {first['latency']['core']}; {versions}")


def triple(d: dict, iterations: int = 0) -> str:
    """median/p10/p90, with the sample count when the time budget cut the loop short."""
    cut = f" (n={d['n']})" if d.get("n", iterations) < iterations else ""
    return f"{d['median']:.1f}/{d['p10']:.1f}/{d['p90']:.1f}{cut}"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "serve-ort":
        serve_ort_bursts(sys.argv[2], int(sys.argv[3]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "measure-torch":
        print(json.dumps(measure_torch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "export":
        export_torchvision(sys.argv[2], Path(sys.argv[3]))
        print(json.dumps({"exported": sys.argv[3]}))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "gradcam-server"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=30, help="PyTorch's timed runs")
    parser.add_argument("--seconds", type=float, default=3, help="each throughput run")
    parser.add_argument("--throughput-rounds", type=int, default=3,
                        help="rounds of a 1-worker and a 2-worker run (2w/1w: the median of the rounds')")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help="comma-separated subset of: " + ", ".join(MODELS))
    parser.add_argument("--bursts", type=int, default=15,
                        help="pairs of bursts, ours and onnxruntime in turn (ratios: the median of the pairs')")
    parser.add_argument("--burst-ms", type=float, default=300, help="about how long each burst runs")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--cache-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "gradcam-server-bench"))
    args = parser.parse_args()
    if args.bursts < 1 or args.burst_ms <= 0:
        parser.error("--bursts must be at least 1 and --burst-ms above 0")
    if args.throughput_rounds < 1 or args.seconds <= 0:
        parser.error("--throughput-rounds must be at least 1 and --seconds above 0")
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; known: {', '.join(MODELS)}")
    if not Path(args.binary).exists():
        parser.error(f"{args.binary} not found: swift build -c release --product gradcam-server")
    missing = missing_packages(args)
    if missing:
        parser.error(f"python3 cannot import {', '.join(missing)}; install with: "
                     f"python3 -m pip install {' '.join(missing)}")
    return side_by_side(args)


if __name__ == "__main__":
    sys.exit(main())
