#!/usr/bin/env bash
# HTTP load on the release server with wrk: GET /healthz, POST /predict, POST /explain (a real
# JPEG as the raw body; also from one connection alone), then the ratio of /explain requests/s
# to the engine-only throughput.
# See Benchmarks/README.md.
#
#   Benchmarks/load.sh [--seconds 10] [--workers 2] [--cnn-connections 4] [--image FILE]
#                      [--log-level info] [--binary PATH] [--rounds 3]
#   Benchmarks/load.sh --soak MINUTES      /explain only, RSS sampled every 10 s
#   Benchmarks/load.sh --hummingbird       GET /healthz in turn with GET / on
#                                          Benchmarks/hummingbird-hello, --rounds times
#
# Bounded: each wrk run has --duration and a `timeout`; the server is stopped on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

seconds=10 workers=2 cnn_connections=4 soak_minutes="" hummingbird=0 log_level=info rounds=3
binary=$REPO/.build/release/gradcam-server
image=$REPO/Tests/ServiceTests/Fixtures/photos/chelsea.jpg
while [[ $# -gt 0 ]]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --cnn-connections) cnn_connections=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        --log-level) log_level=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --soak) soak_minutes=$2; shift 2 ;;
        --hummingbird) hummingbird=1; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a whole number >= 1" >&2; exit 2; }
[[ -z $soak_minutes || $hummingbird == 0 ]] || { echo "--soak and --hummingbird are separate runs" >&2; exit 2; }
[[ -x $binary ]] || { echo "$binary not found: swift build -c release --product gradcam-server" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/gradcam-load.XXXXXX)
server_pid="" hello_pid=""
cleanup() {
    # Stop only the processes this script started, by their pid.
    for pid in $server_pid $hello_pid; do stop_process "$pid"; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# SIGTERM (graceful drain), then SIGKILL if still running after 20 s: never wait without bound.
stop_process() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    echo "pid $pid still running 20 s after SIGTERM: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

rss_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

# Prints the address a started server listens on: from its "listening ... 127.0.0.1:PORT" log
# line, or (when the log level hides that line) from the socket table for its pid.
wait_for_address() {
    local log=$1 pid=$2
    for _ in $(seq 300); do
        if address=$(grep -m1 listening "$log" | grep -oE '127\.0\.0\.1:[0-9]+'); then echo "$address"; return 0; fi
        if address=$(ss -Hltnp 2>/dev/null | grep "pid=$pid," | grep -m1 -oE '127\.0\.0\.1:[0-9]+'); then echo "$address"; return 0; fi
        kill -0 "$pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; return 1; }
        sleep 0.1
    done
    echo "no 'listening' line after 30 s:" >&2; cat "$log" >&2; return 1
}

# run_wrk NAME THREADS CONNECTIONS DURATION URL [lua script]: wrk --latency, raw output kept in $work.
run_wrk() {
    local name=$1 threads=$2 connections=$3 duration=$4 url=$5 script=${6:-}
    local args=(-t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency)
    [[ -n $script ]] && args+=(-s "$script")
    WRK_BODY_FILE=$image WRK_CONTENT_TYPE=image/jpeg \
        timeout $((duration + 30)) wrk "${args[@]}" "$url" >"$work/$name.wrk" 2>&1 || true
}

# One table row from a wrk output: requests/s, p50, p99, errors.
summarise() {
    local name=$1 connections=$2 file=$work/$1.wrk
    awk -v name="$name" -v c="$connections" '
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { sub(/.*Socket errors: */, ""); errors = $0 }
        END {
            if (rps == "") { printf "  %-16s wrk produced no result (see below)\n", name; exit 1 }
            printf "  %-16s %4s %10s %12s %10s %10s   %s%s\n", name, c, total, rps, p50, p99,
                   (non2xx == "" ? "all 2xx" : non2xx " non-2xx"), (errors == "" ? "" : "; socket errors " errors)
        }' "$file" || cat "$file"
}
requests_per_second() { awk '/Requests\/sec:/ { print $2 }' "$work/$1.wrk"; }
# ratio A B: A / B to two places, or "?" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }'; }
# median VALUE...: the middle value (the lower of the two middle ones for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)] }'; }

echo "load: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
echo "environment: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-(unset)} (inherited as is)"
[[ -f $image ]] || { echo "$image not found" >&2; exit 1; }

# Hummingbird's hello-world is built and started first, so that its build (minutes of CPU) is
# over before anything is measured. It idles while our server is measured, and ours while it is.
if [[ $hummingbird == 1 ]]; then
    hello=$REPO/Benchmarks/hummingbird-hello
    echo "hummingbird-hello: swift build -c release (own package, own .build) ..."
    build_start=$(date +%s)
    if ! (cd "$hello" && timeout 900 swift build -c release >"$work/hello-build.log" 2>&1); then
        echo "hummingbird-hello build failed or timed out:"; tail -20 "$work/hello-build.log"; exit 1
    fi
    echo "built in $(( $(date +%s) - build_start )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$hello/.build/release/hummingbird-hello" --port 0 2>"$work/hello.log" >&2 &
    hello_pid=$!
    hello_address=$(wait_for_address "$work/hello.log" "$hello_pid")
fi

"$binary" serve --port 0 --workers "$workers" --log-level "$log_level" 2>"$work/server.log" &
server_pid=$!
address=$(wait_for_address "$work/server.log" "$server_pid")
echo "server: pid $server_pid at $address, $(grep -m1 listening "$work/server.log" | grep -oE '(model|openblas|workers|queue_depth)=[^ ]+' | tr '\n' ' ')log level $log_level (access log to a file)"
echo "after start: RSS $(mb "$(rss_kb "$server_pid" VmRSS)")"

# A request that fails would make wrk measure error responses: check each route once first.
for route in predict explain; do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H 'Content-Type: image/jpeg' \
             --data-binary "@$image" "http://$address/$route")
    [[ $status == 200 ]] || { echo "POST /$route answered $status, not 200" >&2; exit 1; }
done

if [[ -n $soak_minutes ]]; then
    duration=$(awk -v m="$soak_minutes" 'BEGIN { printf "%d", m * 60 }')
    echo "soak: POST /explain for $duration s with -t2 -c$cnn_connections; RSS every 10 s (MB):"
    run_wrk soak 2 "$cnn_connections" "$duration" "http://$address/explain" "$REPO/Benchmarks/post-image.lua" &
    wrk_pid=$!
    series=()
    elapsed=0
    while kill -0 "$wrk_pid" 2>/dev/null; do
        sleep 10; elapsed=$((elapsed + 10))
        kb=$(rss_kb "$server_pid" VmRSS)
        series+=("$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')")
        printf '  %4d s  %s MB\n' "$elapsed" "${series[-1]}"
    done
    wait "$wrk_pid" || true
    echo "RSS series (MB): ${series[*]}"
    awk -v s="${series[*]}" 'BEGIN { n = split(s, v, " "); if (n < 2) exit
        half = int(n / 2); for (i = 1; i <= n; i++) { if (i <= half) a += v[i]; else b += v[i] }
        printf "RSS first %.1f, last %.1f, mean of first half %.1f, of second half %.1f MB\n", v[1], v[n], a / half, b / (n - half) }'
    echo "route            conn   requests   requests/s        p50        p99   status"
    summarise soak "$cnn_connections"
    echo "server peak RSS (VmHWM) $(mb "$(rss_kb "$server_pid" VmHWM)"), RSS at the end $(mb "$(rss_kb "$server_pid" VmRSS)")"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    exit 0
fi

if [[ $hummingbird == 1 ]]; then
    # Our GET /healthz and Hummingbird's GET / in turn, the order alternating by round: the
    # machine's speed drifts within minutes, so only runs taken side by side compare.
    hello_ratios=()
    for round in $(seq "$rounds"); do
        sides=(healthz hello); (( round % 2 )) || sides=(hello healthz)
        for side in "${sides[@]}"; do
            if [[ $side == healthz ]]; then run_wrk "healthz$round" 2 64 "$seconds" "http://$address/healthz"
            else run_wrk "hello$round" 2 64 "$seconds" "http://$hello_address/"; fi
        done
        hello_ratios+=("$(ratio "$(requests_per_second "healthz$round")" "$(requests_per_second "hello$round")")")
    done
else
    run_wrk healthz 2 64 "$seconds" "http://$address/healthz"
fi
run_wrk predict 2 "$cnn_connections" "$seconds" "http://$address/predict" "$REPO/Benchmarks/post-image.lua"
# One client at a time: the latency of a lone request, which may use every core (SharedCores).
run_wrk explain-lone 1 1 "$seconds" "http://$address/explain" "$REPO/Benchmarks/post-image.lua"
# /explain against the engine alone (same binary, same default model, same workers, no HTTP),
# back to back, `rounds` times: this machine's speed drifts by a fifth within minutes, so a
# ratio of two runs far apart measures the drift. The server idles during the engine run.
ratios=()
for round in $(seq "$rounds"); do
    run_wrk "explain$round" 2 "$cnn_connections" "$seconds" "http://$address/explain" "$REPO/Benchmarks/post-image.lua"
    bench_output=$(timeout 120 "$binary" bench --workers "$workers" --iterations 3 --seconds "$seconds" 2>&1)
    engine_rates[round]=$(awk '/^throughput/ { print $2 }' <<<"$bench_output")
    ratios+=("$(ratio "$(requests_per_second "explain$round")" "${engine_rates[round]}")")
done
peak_kb=$(rss_kb "$server_pid" VmHWM)
end_kb=$(rss_kb "$server_pid" VmRSS)
stop_process "$server_pid"; server_pid=""

echo
echo "wrk -t2 --latency, ${seconds} s per route (JPEG body: ${image#"$REPO"/}, $(stat -c %s "$image") bytes)"
echo "route            conn   requests   requests/s        p50        p99   status"
if [[ $hummingbird == 1 ]]; then
    for round in $(seq "$rounds"); do summarise "healthz$round" 64; summarise "hello$round" 64; done
else
    summarise healthz 64
fi
summarise predict "$cnn_connections"
summarise explain-lone 1
for round in $(seq "$rounds"); do summarise "explain$round" "$cnn_connections"; done
echo "server peak RSS (VmHWM) $(mb "$peak_kb"), RSS at the end $(mb "$end_kb")"
echo "engine only (gradcam-server bench --workers $workers), after each /explain run: ${engine_rates[*]} images/s"
echo "POST /explain requests/s / engine images/s, by round: ${ratios[*]}"
echo "median $(median "${ratios[@]}") (JPEG decode, preprocessing, response encoding and HTTP on top of the engine)"

if [[ $hummingbird == 1 ]]; then
    echo "(helloN: Hummingbird 2 hello-world GET /, run in turn with healthzN)"
    echo "hummingbird peak RSS $(mb "$(rss_kb "$hello_pid" VmHWM)")"
    echo "GET /healthz requests/s / Hummingbird GET / requests/s, by round: ${hello_ratios[*]}"
    echo "median $(median "${hello_ratios[@]}")"
fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
exit 0
