#!/usr/bin/env bash
# Side-by-side latency: our engine (gradcam-server bench) vs onnxruntime vs PyTorch/pytorch-grad-cam,
# same ONNX files, threads and input size (batch 1, 224x224). See Benchmarks/README.md.
#
#   Benchmarks/compare.sh [--threads 2] [--bursts 15] [--burst-ms 300] [--iterations 30] [--models resnet18,resnet50]
#                         [--no-torch] [--seconds 3] [--throughput-rounds 3] [--binary PATH] [--cache-dir DIR]
#
# Needs the release binary (swift build -c release --product gradcam-server) and python3 with
# onnxruntime, onnx, torch, torchvision, grad-cam (a run that lacks one names it and the pip command).
# torchvision models are exported once to the cache dir (default ~/.cache/gradcam-server-bench).
# Bounded by `timeout 900`; the default run took about 5 minutes on 2 cores. Ours and onnxruntime
# alternate in bursts (see Benchmarks/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# Project rule: the side-by-side runs with OpenBLAS's own CPU detection, so OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are unset for this one command only (never exported or changed globally).
echo "running under: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE (caller's values:" \
     "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-(unset)})"
exec timeout 900 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    python3 -W ignore::DeprecationWarning Benchmarks/compare.py "$@"
