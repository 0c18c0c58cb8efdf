#!/usr/bin/env bash
# Intake on PostgreSQL against SQLite, in one run, on loopback, release build: POST /v1/leads (routing on, every
# lead committed durably before its 202 — SQLite synchronous=FULL, PostgreSQL fsync and synchronous_commit on),
# wrk with the same settings against each. Then two instances on one PostgreSQL, loaded together: their total.
#
# Usage: Benchmarks/intake/postgres.sh [SECONDS] [CONNECTIONS]   (needs wrk and Debian's postgresql; as root the
# throwaway cluster runs as the postgres user)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-64}
WORK=$(mktemp -d /tmp/switchboard-pgbench.XXXXXX)
# The cluster's own directory, outside WORK (as root the server runs as postgres, which cannot enter WORK).
PGDIR=$(mktemp -u /tmp/switchboard-pgbench-cluster.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bash Tools/postgres-cluster.sh stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
swift build -c release --product switchboard >/dev/null
BIN=$(swift build -c release --show-bin-path)/switchboard
URL=$(bash Tools/postgres-cluster.sh start "$PGDIR" 55499)

start() { # name port [serve flags...]
    local name=$1 port=$2
    shift 2
    mkdir -p "$WORK/$name"
    "$BIN" serve --data-dir "$WORK/$name" --port "$port" --api-token bench --log-level error \
        --ghl-base-url http://127.0.0.1:9 --ghl-token unused --ghl-company-id bench "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.1; done
    echo "$name did not become ready:"; cat "$WORK/$name.log"; exit 1
}

locations() { # port: the demo franchise through the API
    python3 - "$1" <<'PY'
import csv, json, sys, urllib.request
rows = list(csv.DictReader(open("examples/franchise-25.csv")))
def number(text, kind=int):
    return kind(text) if text else None
locations = [{"id": r["id"], "name": r["name"], "postalCode": r["postal_code"], "status": r["status"],
              "dailyCapacity": 100000, "weeklyCapacity": 500000,
              "radiusMiles": number(r["radius_miles"], float), "priority": number(r["priority"]) or 0,
              "reservedForHot": number(r["reserved_for_hot"]) or 0, "timezone": r["timezone"],
              "territory": r["territory"].split(), "hours": r["hours"]} for r in rows]
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/locations", method="PUT",
    data=json.dumps({"locations": locations}).encode(),
    headers={"Authorization": "Bearer bench", "Content-Type": "application/json"})
urllib.request.urlopen(request).read()
PY
}

load() { # name port
    wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s Benchmarks/intake/leads.lua \
        "http://127.0.0.1:$2/v1/leads" | grep '^RESULT' | sed "s/^RESULT/$1/"
}

drain() { # port: waits until routing has caught up
    for _ in $(seq 600); do
        pending=$(curl -s "http://127.0.0.1:$1/health/ready" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("routingJobsPending", -1))')
        [ "$pending" = 0 ] && return
        sleep 0.2
    done
}

value() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

echo "# $(date -u +%FT%TZ), ${SECONDS_PER_RUN}s per run, $CONNECTIONS connections, 1 wrk thread, $(nproc) cores"
start sqlite 18301
locations 18301
SQLITE=$(load sqlite 18301); echo "$SQLITE"; drain 18301
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

start postgres-1 18302 --database-url "$URL"
locations 18302
POSTGRES=$(load postgres-1 18302); echo "$POSTGRES"; drain 18302

start postgres-2 18303 --database-url "$URL"
# Both instances at once, each with its own wrk: the total is what the pair takes.
A=$(mktemp); B=$(mktemp)
load postgres-pair-a 18302 >"$A" & WA=$!
load postgres-pair-b 18303 >"$B" & WB=$!
wait $WA $WB
cat "$A" "$B"
drain 18302
TOTAL=$(( $(value "$(cat "$A")" rps) + $(value "$(cat "$B")" rps) ))
python3 - "$(value "$SQLITE" rps)" "$(value "$POSTGRES" rps)" "$TOTAL" <<'PY'
import sys
sqlite, postgres, pair = (float(a) for a in sys.argv[1:4])
print(f"ratio PostgreSQL/SQLite, one instance = {postgres / sqlite:.2f} (target >= 0.50)")
print(f"two instances on one PostgreSQL: {pair:.0f} leads/s in total = {pair / postgres:.2f} x one instance")
PY
psql "${URL%%\?*}" -Atc "SELECT count(*) || ' leads stored, ' || count(*) FILTER (WHERE status <> 'received') || ' routed' FROM leads"
