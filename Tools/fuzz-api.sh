#!/usr/bin/env bash
# Fuzzes Switchboard's HTTP API with schemathesis (https://schemathesis.io) against a live `switchboard serve` on
# the embedded default, reading the API description the server itself serves (/openapi.json).
#
# Every check schemathesis has (no 5xx, responses and headers on the schema, problem+json errors, bad input
# refused, good input accepted, 405 with Allow, auth enforced, ...), every phase (examples, coverage, fuzzing, and
# stateful sequences along the document's links), with the API token. Fails if any check fails, if fewer than
# FUZZ_MIN_CASES cases ran, or if the server is not healthy afterwards or does not stop cleanly on SIGTERM.
#
# Usage: Tools/fuzz-api.sh            (after `swift build`; CI runs it)
# Settings: Tools/schemathesis.toml (why one check also takes 422).
# Environment: SWITCHBOARD_BINARY (default .build/debug/switchboard), FUZZ_MAX_EXAMPLES (per operation, 150),
#              FUZZ_MIN_CASES (2000), FUZZ_MAX_TIME (seconds, 900), FUZZ_SEED (fixed for repeatable runs).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${SWITCHBOARD_BINARY:-.build/debug/switchboard}
max_examples=${FUZZ_MAX_EXAMPLES:-150}
min_cases=${FUZZ_MIN_CASES:-2000}
max_time=${FUZZ_MAX_TIME:-900}
seed=${FUZZ_SEED:-20261207}

if ! python3 -c "import schemathesis" 2>/dev/null; then
  echo "schemathesis is not installed: python3 -m pip install 'schemathesis==4.32.5'" >&2
  exit 1
fi
# The console script may not be on PATH (pip's script directory); its entry point always is importable.
schemathesis() { python3 -c 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; schemathesis()' "$@"; }
[ -x "$binary" ] || { echo "$binary is not built: run swift build" >&2; exit 1; }

work=$(mktemp -d)
# 2xx from a URL (python rather than curl: one tool less on a fresh machine).
http_ok() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" >/dev/null 2>&1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
sandbox_port=$(free_port)
token="sb_fuzz_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
base="http://127.0.0.1:$port"

"$binary" serve --data-dir "$work/data" --port "$port" --sandbox-port "$sandbox_port" --api-token "$token" \
  --log-level warning >"$work/serve.log" 2>&1 &
pid=$!
stop() { kill -KILL "$pid" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 600); do
  if http_ok "$base/health/ready"; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log"; echo "serve exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
http_ok "$base/health/ready" || { echo "serve did not become ready in 60 s" >&2; exit 1; }

echo "fuzzing $base/openapi.json: up to $max_examples cases per operation, all checks, all phases (seed $seed)"
status=0
# One worker: several threads generating at once trip a CPython 3.11 bug in ast.parse (used by hypothesis).
# Run from the scratch directory: schemathesis keeps its caches (.schemathesis, .hypothesis) in the working directory.
config="$PWD/Tools/schemathesis.toml"
(cd "$work" && schemathesis --no-color --config-file "$config" run "$base/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $token" \
  --max-examples "$max_examples" \
  --max-time "$max_time" \
  --seed "$seed" \
  --request-timeout 10 \
  --workers 1 \
  --suppress-health-check all) \
  >"$work/schemathesis.log" 2>&1 || status=$?
cat "$work/schemathesis.log"

# The summary's "Test cases:" line is followed by "N generated, ...".
cases=$(grep -A1 "^Test cases:" "$work/schemathesis.log" | grep -oE "[0-9]+ generated" | grep -oE "[0-9]+" || echo 0)
echo "schemathesis: exit status $status, $cases test cases generated"
if [ "$cases" -lt "$min_cases" ]; then
  echo "only $cases test cases ran (at least $min_cases are required)" >&2
  status=1
fi

if ! http_ok "$base/health/live"; then
  echo "the server is not healthy after fuzzing" >&2
  tail -50 "$work/serve.log" >&2
  exit 1
fi
kill -TERM "$pid"
stopped=0
for _ in $(seq 1 150); do
  if ! kill -0 "$pid" 2>/dev/null; then stopped=1; break; fi
  sleep 0.1
done
[ "$stopped" = 1 ] || { echo "serve did not stop within 15 s of SIGTERM" >&2; exit 1; }
serve_status=0
wait "$pid" || serve_status=$?
trap - EXIT
[ "$serve_status" = 0 ] || { echo "serve exited with status $serve_status on SIGTERM" >&2; exit 1; }
echo "the server stayed healthy and stopped cleanly"
exit "$status"
