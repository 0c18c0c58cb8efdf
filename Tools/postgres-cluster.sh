#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (Debian's postgresql package; works as root).
#   Tools/postgres-cluster.sh start [DIR] [PORT]   prints the URL of a fresh database `switchboard_test`
#   Tools/postgres-cluster.sh stop  [DIR]
# DIR defaults to /tmp/switchboard-pg, PORT to 55432. The cluster trusts local connections: tests only.
set -euo pipefail
command_name=${1:-}
dir=${2:-/tmp/switchboard-pg}
port=${3:-55432}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$command_name" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
    as_owner "$pgbin/initdb" -D "$dir/data" -U switchboard --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # fsync stays on: the tests kill instances with -9 and count what survived.
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    "$pgbin/pg_isready" -h 127.0.0.1 -p "$port" -q
    "$pgbin/psql" -h 127.0.0.1 -p "$port" -U switchboard -d postgres -qc "CREATE DATABASE switchboard_test" >/dev/null
    echo "postgres://switchboard@127.0.0.1:$port/switchboard_test?sslmode=disable"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
