#!/usr/bin/env bash
# Exercises a built gradcam-server with clients it was not written with: curl, nginx as a
# reverse proxy (Config/nginx-example.conf, as shipped) and schemathesis driven by openapi.yaml.
#
#   bash Scripts/external-clients.sh [path/to/gradcam-server]   (default .build/release/gradcam-server)
#
# Needs (installs nothing): curl, python3, nginx (Debian nginx-light), openapi-spec-validator and
# schemathesis (pip). Everything binds 127.0.0.1 and lives in a temporary directory that is
# removed on exit (KEEP_TMP=1 keeps it). Prints one line per check, then
# "external clients: N passed, M failed", and exits non-zero if any check failed.
# SCHEMATHESIS_SEED picks the fuzzing seed (fixed by default so that CI runs repeat).
set -euo pipefail

SCRIPT_TIMEOUT_S=${EXTERNAL_CLIENTS_TIMEOUT_S:-900}  # the whole run; every step below has its own, shorter bound
# Re-run under timeout(1): on expiry it sends SIGTERM, and the traps below clean up.
if [[ -z ${EXTERNAL_CLIENTS_UNDER_TIMEOUT:-} ]]; then
    EXTERNAL_CLIENTS_UNDER_TIMEOUT=1 exec timeout -k 30 "$SCRIPT_TIMEOUT_S" bash "${BASH_SOURCE[0]}" "$@"
fi

# A binary given on the command line is relative to the caller's directory; the default, to the
# repository's root, where the script runs (the server finds Models/ there).
BINARY=${1:+$(realpath -m -- "$1")}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
BINARY=${BINARY:-$REPO/.build/release/gradcam-server}
PHOTO=Tests/ServiceTests/Fixtures/photos/chelsea.jpg
SPEC=$REPO/openapi.yaml
NGINX_EXAMPLE=Config/nginx-example.conf
MAX_BODY_BYTES=2000000          # small on purpose: the 413 check sends 3 MB
SCHEMATHESIS_SEED=${SCHEMATHESIS_SEED:-20240601}

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $1${2:+: $2}"; }
summary() { echo "external clients: $PASSED passed, $FAILED failed"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gradcam-external.XXXXXX")
SERVER_PID=""
NGINX_PID=""

stop_pid() {  # pid signal seconds: signal, wait up to `seconds`, then SIGKILL
    local pid=$1 signal=$2 seconds=$3
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < seconds * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    stop_pid "$NGINX_PID" QUIT 5
    stop_pid "$SERVER_PID" TERM 10
    if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'fail "the run completes" "interrupted, or over ${SCRIPT_TIMEOUT_S}s"; summary; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
SCHEMATHESIS=$(command -v schemathesis || true)
missing=()
for tool in curl python3; do
    command -v "$tool" >/dev/null || missing+=("$tool (apt-get install $tool)")
done
[[ -n $NGINX ]] || missing+=("nginx (apt-get install nginx-light)")
command -v openapi-spec-validator >/dev/null || missing+=("openapi-spec-validator (pip install openapi-spec-validator)")
[[ -n $SCHEMATHESIS ]] || missing+=("schemathesis (pip install schemathesis)")
[[ -x $BINARY ]] || missing+=("the server binary $BINARY (swift build -c release)")
if ((${#missing[@]} > 0)); then
    for m in "${missing[@]}"; do fail "tool present" "missing $m"; done
    summary
    exit 1
fi

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# fetch NAME CURL-ARGS...: runs curl, leaving $TMP/NAME.body and $TMP/NAME.headers; prints the status.
fetch() {
    local name=$1; shift
    curl -sS --max-time 60 -o "$TMP/$name.body" -D "$TMP/$name.headers" -w '%{http_code}' "$@" 2>"$TMP/$name.curl" || true
}

header() {  # NAME FIELD: the value of a response header field (case-insensitive), or nothing
    [[ -f $TMP/$1.headers ]] || return 0
    tr -d '\r' <"$TMP/$1.headers" | awk -v f="$(echo "$2" | tr 'A-Z' 'a-z')" \
        'BEGIN{FS=": "} tolower($1)==f {sub(/^[^:]*: /, ""); print; exit}'
}

# python3 snippet over the JSON body of NAME (as `d`); prints a reason and fails when wrong.
json_check() {
    local name=$1 code=$2
    python3 - "$TMP/$name.body" <<EOF
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    sys.exit(f"body is not JSON: {e}")
$code
EOF
}

CAT_CHECK="
best = d['top'][0]
if not 281 <= best['index'] <= 285: sys.exit(f\"top-1 class {best['index']} ({best['label']}) is not a cat (281..285)\")"

# expect_error NAME STATUS CODE CURL-ARGS...: the status and {"error":{"code":CODE,"message":...}}.
expect_error() {
    local name=$1 status=$2 code=$3; shift 3
    local got reason
    got=$(fetch "$name" "$@")
    if [[ $got != "$status" ]]; then fail "$name" "status $got, expected $status $(cat "$TMP/$name.curl")"; return; fi
    if reason=$(json_check "$name" "
e = d.get('error')
if not (isinstance(e, dict) and set(e) == {'code', 'message'} and isinstance(e['message'], str)):
    sys.exit(f'not an Error body: {d}')
if e['code'] != '$code': sys.exit(f'code {e[\"code\"]}, expected $code')" 2>&1); then
        pass "$name ($status $code)"
    else
        fail "$name" "$reason"
    fi
}

# png_check NAME: a PNG signature and a 224x224 IHDR (PNG spec 5.2, 11.2.2).
png_check() {
    python3 - "$TMP/$1.body" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
if b[:8] != b"\x89PNG\r\n\x1a\n": sys.exit(f"no PNG signature: {b[:8]!r}")
if b[12:16] != b"IHDR": sys.exit("the first chunk is not IHDR")
w, h = struct.unpack(">II", b[16:24])
if (w, h) != (224, 224): sys.exit(f"{w}x{h}, expected 224x224")
EOF
}

# same_explanation A B: equal JSON apart from timings (top classes, heatmaps: exactly).
same_explanation() {
    python3 - "$TMP/$1.body" "$TMP/$2.body" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b): d.pop("timings", None)
if a != b:
    diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    sys.exit(f"differ in {diff}")
EOF
}

check() {  # NAME COMMAND...: pass when the command succeeds; its output is the failure reason
    local name=$1 reason; shift
    if reason=$("$@" 2>&1); then pass "$name"; else fail "$name" "$reason"; fi
}

# ---------------------------------------------------------------------------------------------
# The server: port 0, and the port it got read back from its "listening" log line.
# ---------------------------------------------------------------------------------------------
check "openapi.yaml is valid OpenAPI" openapi-spec-validator "$SPEC"

"$BINARY" serve --port 0 --max-body-bytes "$MAX_BODY_BYTES" --trusted-proxies 127.0.0.1 \
    --shutdown-grace-ms 2000 >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for ((i = 0; i < 300; i++)); do
    PORT=$(grep -o 'address=127\.0\.0\.1:[0-9]*' "$TMP/server.log" | head -n1 | cut -d: -f2 || true)
    [[ -n $PORT ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $PORT ]] || [[ $(fetch healthz "http://127.0.0.1:$PORT/healthz") != 200 ]]; then
    fail "server starts and answers /healthz" "$(tail -n 20 "$TMP/server.log")"
    summary
    exit 1
fi
pass "server starts and answers /healthz (port $PORT)"
BASE=http://127.0.0.1:$PORT

# ---------------------------------------------------------------------------------------------
# a. curl
# ---------------------------------------------------------------------------------------------
status=$(fetch explain_raw -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$BASE/explain")
if [[ $status != 200 ]]; then fail "explain, raw JPEG body" "status $status"
else check "explain, raw JPEG body: a cat, 224x224 heatmap" json_check explain_raw "$CAT_CHECK
m = d['heatmap']
if (m['width'], m['height'], len(m['data']), len(m['data'][0])) != (224, 224, 224, 224): sys.exit('heatmap is not 224x224')
if d['method'] != 'gradcam' or d['targetClass'] != d['top'][0]['index']: sys.exit('not a Grad-CAM of the top-1 class')"
fi

status=$(fetch explain_form -F "image=@$PHOTO" "$BASE/explain")
if [[ $status != 200 ]]; then fail "explain, multipart form" "status $status"
else
    check "explain, multipart form: a cat" json_check explain_form "$CAT_CHECK"
    check "explain, multipart form: same result as the raw body" same_explanation explain_raw explain_form
fi

for variant in accept query; do
    if [[ $variant == accept ]]; then
        status=$(fetch "png_$variant" -H 'Accept: image/png' -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$BASE/explain")
        label="explain as PNG (Accept: image/png)"
    else
        status=$(fetch "png_$variant" -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$BASE/explain?format=png&overlay=1")
        label="explain as PNG (?format=png&overlay=1)"
    fi
    type=$(header "png_$variant" Content-Type)
    top=$(header "png_$variant" X-Top-Class)
    if [[ $status != 200 || $type != image/png ]]; then fail "$label" "status $status, Content-Type '$type'"
    elif ! [[ $top =~ ^[0-9]+$ ]] || ((top < 281 || top > 285)); then fail "$label" "X-Top-Class '$top' is not a cat"
    else check "$label: PNG 224x224, X-Top-Class $top" png_check "png_$variant"
    fi
done

status=$(fetch predict -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$BASE/predict?top=3")
if [[ $status != 200 ]]; then fail "predict" "status $status"
else check "predict: a cat, 3 classes, no heatmap" json_check predict "$CAT_CHECK
if len(d['top']) != 3 or 'heatmap' in d: sys.exit(f'unexpected shape: {sorted(d)}')"
fi

expect_error text_plain 415 unsupported_media_type -H 'Content-Type: text/plain' --data-binary "@$PHOTO" "$BASE/explain"
expect_error class_out_of_range 422 bad_parameter -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$BASE/explain?class=5000"
expect_error unknown_route 404 not_found "$BASE/no-such-route"
expect_error get_explain 405 method_not_allowed "$BASE/explain"
allow=$(header get_explain Allow)
if [[ $allow == POST ]]; then pass "405 carries Allow: POST"; else fail "405 carries Allow: POST" "Allow '$allow'"; fi
head -c 3000000 /dev/urandom >"$TMP/3mb.bin"
expect_error body_over_limit 413 payload_too_large -H 'Content-Type: image/jpeg' --data-binary "@$TMP/3mb.bin" "$BASE/explain"

# ---------------------------------------------------------------------------------------------
# b. nginx in front, with Config/nginx-example.conf as shipped (addresses rewritten)
# ---------------------------------------------------------------------------------------------
mkdir -p "$TMP/nginx"
NGINX_PORT=$(free_port)
sed -e "s/server 127\.0\.0\.1:8080;/server 127.0.0.1:$PORT;/" -e "s/listen 80;/listen 127.0.0.1:$NGINX_PORT;/" \
    "$NGINX_EXAMPLE" >"$TMP/nginx/gradcam-server.conf"
if ! grep -q "127.0.0.1:$PORT;" "$TMP/nginx/gradcam-server.conf" || ! grep -q "listen 127.0.0.1:$NGINX_PORT;" "$TMP/nginx/gradcam-server.conf"; then
    fail "nginx config from $NGINX_EXAMPLE" "its 'server 127.0.0.1:8080;' or 'listen 80;' line changed; update this script"
else
    # Every path nginx writes lives in the temporary directory; as root, workers stay root so
    # they can use it (nginx would otherwise switch them to nobody).
    {
        [[ $(id -u) == 0 ]] && echo "user root;"
        cat <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 64; }
http {
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    include $TMP/nginx/gradcam-server.conf;
}
EOF
    } >"$TMP/nginx/nginx.conf"
    "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
    NGINX_PID=$!
    PROXY=http://127.0.0.1:$NGINX_PORT
    for ((i = 0; i < 100; i++)); do
        [[ $(fetch proxy_healthz "$PROXY/healthz") == 200 ]] && break
        kill -0 "$NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ $(fetch proxy_healthz "$PROXY/healthz") != 200 ]]; then
        fail "nginx starts and proxies /healthz" "$(tail -n 5 "$TMP/nginx/error.log" "$TMP/nginx/stdout.log" 2>/dev/null)"
    else
        pass "nginx starts and proxies /healthz (port $NGINX_PORT)"
        status=$(fetch proxy_explain -H 'Content-Type: image/jpeg' -H 'X-Request-ID: external-clients-1' --data-binary "@$PHOTO" "$PROXY/explain")
        if [[ $status != 200 ]]; then fail "explain through nginx" "status $status"
        else check "explain through nginx: same top classes and heatmap as direct" same_explanation explain_raw proxy_explain
        fi
        id=$(header proxy_explain X-Request-ID)
        if [[ $id == external-clients-1 ]]; then pass "X-Request-ID passes through nginx"; else fail "X-Request-ID passes through nginx" "got '$id'"; fi
        status=$(fetch proxy_png -H 'Content-Type: image/jpeg' --data-binary "@$PHOTO" "$PROXY/explain?format=png&overlay=1")
        if [[ $status == 200 ]] && cmp -s "$TMP/png_query.body" "$TMP/proxy_png.body"; then
            pass "PNG through nginx: the same bytes as direct"
        else
            fail "PNG through nginx: the same bytes as direct" "status $status"
        fi
        # Under nginx's client_max_body_size, over the service's limit: the service's JSON 413
        # must reach the client intact (the service reads on while answering, RFC 9112 9.6).
        expect_error proxy_body_over_limit 413 payload_too_large -H 'Content-Type: image/jpeg' --data-binary "@$TMP/3mb.bin" "$PROXY/explain"
    fi
fi

# ---------------------------------------------------------------------------------------------
# c. schemathesis against the live server, from openapi.yaml
# ---------------------------------------------------------------------------------------------
# positive_data_acceptance is left out: a schema cannot say "bytes that decode as PNG or JPEG" or
# "a layer this model has", so schema-valid requests are rightly refused with 415 and 422.
# Every other check runs.
ST_VERSION=$("$SCHEMATHESIS" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n1 || true)
if [[ ${ST_VERSION%%.*} -ge 4 ]]; then
    st_args=(run "$SPEC" --url "$BASE" --max-examples 20 --seed "$SCHEMATHESIS_SEED" --workers 2
             --checks all --exclude-checks positive_data_acceptance --request-timeout 60
             --generation-database none --no-color)
else  # 3.x spelling, and the checks every 3.x release has
    st_args=(run "$SPEC" --base-url "$BASE" --hypothesis-max-examples 20 --hypothesis-seed "$SCHEMATHESIS_SEED"
             --workers 2 --request-timeout 60000 --hypothesis-database none --no-color
             --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance)
fi
mkdir -p "$TMP/schemathesis"
st_status=0
(cd "$TMP/schemathesis" && timeout 420 "$SCHEMATHESIS" "${st_args[@]}") >"$TMP/schemathesis.log" 2>&1 || st_status=$?
st_cases=$(grep -E '^ *[0-9]+ generated' "$TMP/schemathesis.log" | tail -n 1 | sed -E 's/^ +//' || true)
st_final=$(grep -E '^=+ .* =+$' "$TMP/schemathesis.log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)
st_summary="${st_cases:-no test cases reported}; ${st_final:-$(tail -n 1 "$TMP/schemathesis.log")}"
if [[ $st_status == 0 ]]; then
    pass "schemathesis $ST_VERSION (seed $SCHEMATHESIS_SEED): $st_summary"
else
    sed -n '/FAILURES\|ERRORS/,$p' "$TMP/schemathesis.log" | head -n 80
    fail "schemathesis $ST_VERSION (seed $SCHEMATHESIS_SEED)" "exit $st_status: $st_summary"
fi

# ---------------------------------------------------------------------------------------------
# The server stops cleanly on SIGTERM (exit 0 after draining).
# ---------------------------------------------------------------------------------------------
stop_pid "$NGINX_PID" QUIT 5
NGINX_PID=""
kill -TERM "$SERVER_PID"
server_status=0
timeout 15 tail --pid="$SERVER_PID" -f /dev/null || kill -KILL "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" || server_status=$?
SERVER_PID=""
if [[ $server_status == 0 ]]; then pass "server exits 0 on SIGTERM"; else fail "server exits 0 on SIGTERM" "exit $server_status"; fi

if ((FAILED > 0)); then
    echo "--- server log (last 15 lines)"
    tail -n 15 "$TMP/server.log"
fi
summary
((FAILED == 0))
