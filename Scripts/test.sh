#!/usr/bin/env bash
# The one test command (README; CI runs exactly this): installs what the tests need, runs the
# Swift test suite, then checks the live service with real clients (curl, nginx, schemathesis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh --test
swift test
swift build -c release --product gradcam-server
bash Scripts/external-clients.sh .build/release/gradcam-server
