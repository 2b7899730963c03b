#!/usr/bin/env bash
# Installs what gradcam-server needs on Debian/Ubuntu: the C libraries it links (libpng, zlib,
# libjpeg-turbo, OpenBLAS) and, with --test, the external clients its test run drives
# (curl, nginx, wrk; openapi-spec-validator and schemathesis from PyPI).
# Swift 6.1 or newer must already be on PATH (https://www.swift.org/install/).
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(libpng-dev zlib1g-dev libturbojpeg0-dev libopenblas-dev pkg-config)
if [ "${1:-}" = "--test" ]; then
  packages+=(curl nginx-light wrk python3-pip)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  python3 -m pip --version >/dev/null 2>&1 || { echo "setup: python3 with pip is needed for the API checks" >&2; exit 1; }
  python3 -c "import openapi_spec_validator, schemathesis" 2>/dev/null || {
    echo "setup: installing openapi-spec-validator and schemathesis from PyPI"
    python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis 2>/dev/null \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages openapi-spec-validator schemathesis
  }
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH; install Swift 6.1+ first" >&2; exit 1; }
echo "setup: ready"
