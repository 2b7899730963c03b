#!/usr/bin/env bash
# One command from a fresh checkout to a running service with the bundled model:
# installs the C libraries, builds in release mode and starts `gradcam-server serve`.
# Extra arguments are config flags, e.g. Scripts/serve.sh --port 9000 --workers 2
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product gradcam-server
exec .build/release/gradcam-server serve "$@"
