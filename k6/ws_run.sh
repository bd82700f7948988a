#!/usr/bin/env bash
# WebSocket fan-out benchmark of quizserver: k6/ws_run.sh (`make bench` runs it after run.sh).
#
# Holds WS_SOCKETS-worth of sockets on one contest (WS_TEAMS teams x WS_DEVICES devices,
# plus WS_AUDIENCE audience screens) while answers arrive at WS_RATE per second for
# WS_DURATION seconds, and reports p50/p95/p99 of the time from an answer's 2xx to the
# leaderboard push covering it on every socket, memory per socket and CPU (k6/ws_bench.py).
#
# For each configuration (WS_CONFIGS, default "core:1 pubsub:1 core:2 pubsub:2": the channel
# layer, CHANNEL_LAYER=core|pubsub, and the number of daphne processes sharing one port) it
# makes a fresh database `quizserver_wsbench` on DATABASE_URL's server, migrates, creates the
# contest with its teams and their claims (manage.py bench_ws_contest), starts the server on
# 127.0.0.1:WS_PORT, runs the client and stops the server. Every configuration starts
# from the same state, so the figures are comparable.
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; only its
# server is used), REDIS_URL (default redis://127.0.0.1:6379/13), WS_CONFIGS, WS_TEAMS (400),
# WS_DEVICES (4), WS_AUDIENCE (400), WS_RATE (50), WS_DURATION (60), WS_WORKERS (3 client
# processes), WS_CONNECT_RATE (200 sockets/s), WS_CONNECT_CONCURRENCY (60 handshakes at once),
# WS_PORT (8002). Loopback addresses only.
# Results: k6/results/ws-<UTC time>/ (gitignored): <config>.json summaries, raw data, logs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-.venv/bin/python}
TOOL=k6/benchtool.py

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/13}
export BENCH_DB=quizserver_wsbench  # benchtool's CPU accounting tells its backends apart by name
CONFIGS=${WS_CONFIGS:-core:1 pubsub:1 core:2 pubsub:2}
PORT=${WS_PORT:-8002}
TEAMS=${WS_TEAMS:-400} DEVICES=${WS_DEVICES:-4} AUDIENCE=${WS_AUDIENCE:-400}
RATE=${WS_RATE:-50} DURATION=${WS_DURATION:-60}
WORKERS=${WS_WORKERS:-3} CONNECT_RATE=${WS_CONNECT_RATE:-200} CONNECT_CONCURRENCY=${WS_CONNECT_CONCURRENCY:-60}
# Each team answers RATE*DURATION/TEAMS questions, all claimed before the sockets connect.
CLAIMS=$("$PY" -c "import math; print(math.ceil($RATE * $DURATION / $TEAMS) + 1)")

{ read -r BENCH_URL; read -r ADMIN_URL; } < <("$PY" "$TOOL" urls "$DATABASE_URL" "$REDIS_URL" "$BENCH_DB")
OUT=k6/results/ws-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
# The code measured: the working tree is what daphne loads.
{ git rev-parse HEAD && git status --short; } > "$OUT/git.txt" 2>/dev/null || true

SERVER_PID=""
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

sockets=$((TEAMS * DEVICES + AUDIENCE))
echo "== quizserver WebSocket benchmark: [$CONFIGS], $sockets sockets, $RATE answers/s for $DURATION s, results in $OUT"
echo "   $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
failures=0
for config in $CONFIGS; do
  layer=${config%%:*}
  processes=${config#*:}
  label="$layer-${processes}proc"
  logs=$OUT/logs-$label
  echo
  echo "== [$label] fresh database $BENCH_DB, migrate, contest with $TEAMS teams holding $CLAIMS claims each"
  "$PY" "$TOOL" db-reset "$ADMIN_URL" "$BENCH_DB"
  env DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" "$PY" manage.py migrate --noinput -v 0
  env DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" LOG_LEVEL=WARNING \
    "$PY" manage.py bench_ws_contest --teams "$TEAMS" --claims "$CLAIMS" > "$OUT/$label.contest.json"
  "$PY" "$TOOL" db-analyze "$BENCH_URL"

  echo "== [$label] starting $processes daphne process(es), CHANNEL_LAYER=$layer, on 127.0.0.1:$PORT"
  # Another server on the port would answer /healthz and be measured instead.
  if "$PY" -c "import socket, sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', $PORT)) != 0)"; then
    echo "   127.0.0.1:$PORT is in use by another process; set WS_PORT" >&2
    exit 1
  fi
  # A simple command, not a function, so that $! is the server's own pid.
  DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" CHANNEL_LAYER="$layer" DEBUG=0 LOG_LEVEL=WARNING \
    "$PY" "$TOOL" serve --processes "$processes" --port "$PORT" --log-dir "$logs" &
  SERVER_PID=$!
  "$PY" "$TOOL" wait "http://127.0.0.1:$PORT/healthz" --timeout 60

  echo "== [$label] $sockets sockets, then $RATE answers/s for $DURATION s"
  if ! REDIS_URL="$REDIS_URL" "$PY" k6/ws_bench.py run --contest "$OUT/$label.contest.json" \
    --base-url "http://127.0.0.1:$PORT" --pids "$logs/daphne.pids" --out "$OUT" --label "$label" \
    --devices "$DEVICES" --audience "$AUDIENCE" --rate "$RATE" --duration "$DURATION" \
    --workers "$WORKERS" --connect-rate "$CONNECT_RATE" --connect-concurrency "$CONNECT_CONCURRENCY" 2>&1 | tee "$OUT/$label.txt"; then
    echo "   the client failed on [$label]" >&2
    failures=$((failures + 1))
  fi
  stop_server
  rm -f "$OUT/$label.contest.json"  # team tokens; the database they open is gone next round
done

echo
echo "== Results in $OUT: <config>.json summaries, <config>.raw.json.gz (every answer and push),"
echo "   client output (*.txt) and server logs (logs-*/). Table again: $PY k6/ws_bench.py report $OUT"
echo
"$PY" k6/ws_bench.py report "$OUT"
exit $((failures > 0))
