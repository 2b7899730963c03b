# gradcam-server in a container.
#
#   docker build -t gradcam-server .
#   docker run --rm -p 8080:8080 gradcam-server
#   curl -F image=@photo.jpg http://127.0.0.1:8080/explain
#
# Every config key is also an environment variable GRADCAM_<KEY> (e.g. GRADCAM_WORKERS=2,
# GRADCAM_MAX_BODY_BYTES=...); see Sources/Service/ServiceConfig.swift and the README's table.

# --- Build ----------------------------------------------------------------------------------
# The project is developed and tested with Swift 6.3.1 (Package.swift asks for tools 6.1 at
# least); the 6.3 image tag follows 6.3 patch releases. Override with --build-arg SWIFT_IMAGE=...
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build

# Versions are not pinned: bookworm is a stable release whose updates are security fixes.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpng-dev zlib1g-dev libturbojpeg0-dev libopenblas-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Dependencies first, so that editing a source file does not refetch them.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation (with its ICU data) are linked in, so the runtime image needs
# no Swift toolchain; the C libraries stay shared and come from Debian below.
# The engine's kernels are compiled for TARGET_CPU (Package.swift: AVX2 + FMA by default); use
# --build-arg TARGET_CPU=x86-64 for hosts older than Intel Haswell or AMD Zen.
ARG TARGET_CPU=haswell
ENV GRADCAM_TARGET_CPU=${TARGET_CPU}
RUN swift build -c release --static-swift-stdlib --product gradcam-server \
    && cp "$(swift build -c release --show-bin-path)/gradcam-server" /usr/local/bin/gradcam-server \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /usr/local/bin/swift-backtrace-static

# --- Runtime --------------------------------------------------------------------------------
FROM debian:bookworm-slim

# Only what the binary links dynamically (ldd): libpng16, libturbojpeg, libopenblas (pthread
# build; it brings libgfortran5), zlib. libc, libstdc++6 and libgcc-s1 are already in the image.
# A numeric, unprivileged user, so that runAsNonRoot-style checks can verify it.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpng16-16 libturbojpeg0 libopenblas0-pthread zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 gradcam \
    && useradd --system --uid 10001 --gid gradcam --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin gradcam

COPY --from=build /usr/local/bin/gradcam-server /usr/local/bin/swift-backtrace-static /usr/local/bin/
# ModelBundle.defaultModelPath() looks for <exe dir>/../share/gradcam-server/Models/efficientnet-lite0.
COPY Models /usr/local/share/gradcam-server/Models
COPY Config /usr/local/share/gradcam-server/Config

# The working directory matters twice: `serve` reads Config/gradcam-server.json relative to it
# when that file exists, and ./Models/efficientnet-lite0 is the first place the model is looked
# for. The second is what finds the model today: started through PATH (as CMD does), argv[0] is
# the bare name "gradcam-server", so the executable-relative candidate resolves against the
# working directory instead of /usr/local/bin.
WORKDIR /usr/local/share/gradcam-server

# Listen on all interfaces inside the container; publish with -p. A crash prints a symbolicated
# backtrace of every thread to stderr (the Swift runtime's backtracer, copied from the build stage).
ENV GRADCAM_HOST=0.0.0.0 \
    GRADCAM_PORT=8080 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static
EXPOSE 8080

USER 10001:10001

# No curl in slim, and the binary has no probe command: bash (present in the image) opens
# /dev/tcp, sends one GET /healthz and checks the status line. No extra package, no extra
# attack surface; it follows GRADCAM_PORT if the port is changed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GRADCAM_PORT:-8080} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# SIGTERM drains queued jobs within shutdownGraceMs (15 s) before exiting 0; keep docker stop's
# timeout above it (docker stop -t 20).
STOPSIGNAL SIGTERM
CMD ["gradcam-server", "serve"]
