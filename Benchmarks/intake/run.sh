#!/usr/bin/env bash
# Intake load test: the HTTP stack's ceiling (GET /health/live) against signed webhook intake (POST /webhooks/ghl:
# Ed25519 check, de-duplication, durable group commit, 200), in one run, on loopback, release build.
# Then intake at half its measured maximum, for the latency under a steady load (Poisson arrivals at that rate).
#
# Usage: Benchmarks/intake/run.sh [SECONDS] [CONNECTIONS]    (needs wrk and python3-cryptography)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-64}
THREADS=1
PORT=${PORT:-18181}
WORK=$(mktemp -d /tmp/switchboard-intake.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
swift build -c release --product switchboard >/dev/null
BIN=$(swift build -c release --show-bin-path)/switchboard

# A key the load generator signs with; the service verifies with its public half (as with GHL's key).
PUBLIC_KEY=$(python3 Benchmarks/intake/signed-webhooks.py "$WORK/key" "$WORK/probe.txt" 1)
"$BIN" serve --data-dir "$WORK" --port "$PORT" --api-token bench --log-level error \
    --ghl-base-url http://127.0.0.1:9 --ghl-token unused --ghl-company-id bench \
    --ghl-webhook-public-key "$PUBLIC_KEY" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.1; done
# The demo franchise, through the API.
python3 - "$PORT" <<'PY'
import csv, json, sys, urllib.request
rows = list(csv.DictReader(open("examples/franchise-25.csv")))
def number(text, kind=int):
    return kind(text) if text else None
locations = [{"id": r["id"], "name": r["name"], "postalCode": r["postal_code"], "status": r["status"],
              "dailyCapacity": number(r["daily_capacity"]), "weeklyCapacity": number(r["weekly_capacity"]),
              "radiusMiles": number(r["radius_miles"], float), "priority": number(r["priority"]) or 0,
              "reservedForHot": number(r["reserved_for_hot"]) or 0, "timezone": r["timezone"],
              "territory": r["territory"].split(), "hours": r["hours"]} for r in rows]
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/locations", method="PUT",
    data=json.dumps({"locations": locations}).encode(),
    headers={"Authorization": "Bearer bench", "Content-Type": "application/json"})
urllib.request.urlopen(request).read()
PY

run() { # name, script, extra env...
    local name=$1 script=$2
    shift 2
    env "$@" CONNECTIONS="$CONNECTIONS" THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        --latency -s "Benchmarks/intake/$script" "http://127.0.0.1:$PORT/$( [ "$script" = health.lua ] && echo health/live || echo webhooks/ghl )" \
        | grep '^RESULT' | sed "s/^RESULT/$name/"
}

value() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

# Waits until the routing worker has routed everything stored, and says how long that took after the run.
drain() {
    local start=$(date +%s.%N) pending
    while true; do
        pending=$(curl -s "http://127.0.0.1:$PORT/health/ready" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("routingJobsPending", -1))')
        [ "$pending" = 0 ] && break
        sleep 0.2
    done
    python3 -c "import sys; print(f'  routing backlog drained {float(sys.argv[2]) - float(sys.argv[1]):.1f} s after the run')" "$start" "$(date +%s.%N)"
}

echo "# $(date -u +%FT%TZ), ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections, $THREADS wrk thread, $(nproc) cores"
# Every webhook costs one Ed25519 verification: this machine's rate per core bounds intake.
command -v openssl >/dev/null && openssl speed -seconds 1 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {print "ed25519 verify/s per core (openssl speed): " $NF}' || true
HEALTH=$(run health health.lua)
echo "$HEALTH"
# Enough distinct webhooks for 2.5 x the ceiling's rate: none is sent twice.
CEILING=$(value "$HEALTH" rps)
NEEDED=$(( CEILING * SECONDS_PER_RUN * 5 / 2 + 10000 ))
python3 Benchmarks/intake/signed-webhooks.py "$WORK/key" "$WORK/webhooks.txt" "$NEEDED" >/dev/null
# What verification alone allows: the same signed bodies with the wrong signature, refused (401) after the
# Ed25519 check, nothing stored. No intake can go faster than this on the machine.
python3 Benchmarks/intake/signed-webhooks.py "$WORK/key" "$WORK/refused.txt" "$NEEDED" >/dev/null
VERIFY=$(run verify-only webhooks.lua WEBHOOKS_FILE="$WORK/refused.txt" WRONG_SIGNATURES=1)
echo "$VERIFY (all refused, as intended)"
INTAKE=$(run intake webhooks.lua WEBHOOKS_FILE="$WORK/webhooks.txt")
echo "$INTAKE"
drain
MAXIMUM=$(value "$INTAKE" rps)
HALF=$(( MAXIMUM / 2 ))
python3 Benchmarks/intake/signed-webhooks.py "$WORK/key" "$WORK/webhooks-half.txt" $(( HALF * SECONDS_PER_RUN * 2 + 10000 )) >/dev/null
STEADY=$(run "intake@${HALF}rps" webhooks.lua WEBHOOKS_FILE="$WORK/webhooks-half.txt" RATE="$HALF")
echo "$STEADY"
drain
python3 - "$CEILING" "$MAXIMUM" "$(value "$VERIFY" rps)" "$(value "$STEADY" p99_ms)" <<'PY'
import sys
ceiling, intake, verify, p99 = (float(a) for a in sys.argv[1:5])
print(f"ratio intake/ceiling = {intake / ceiling:.2f} (target >= 0.50); "
      f"verification alone/ceiling = {verify / ceiling:.2f}; intake/verification alone = {intake / verify:.2f}")
print(f"p99 at half the intake maximum = {p99:.2f} ms (target <= 10)")
PY
LEADS=$(curl -s -H 'Authorization: Bearer bench' "http://127.0.0.1:$PORT/health/ready")
echo "after the runs: $LEADS"
