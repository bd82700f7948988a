#!/usr/bin/env bash
# k6 load benchmark of quizserver on PostgreSQL and Redis: `make bench`, or k6/run.sh.
#
# For each configuration (BENCH_CONFIGS, default "1 2": daphne processes) it makes a fresh
# database `quizserver_bench` on DATABASE_URL's server (dropped first if it exists),
# migrates, loads the benchmark contest (manage.py bench_contest), starts the server on
# 127.0.0.1:8001, waits for /healthz, runs k6/register_and_claim.js and stops the server.
# Every configuration starts from the same state, so the figures are comparable.
#
# Configurations: N (N daphne processes on one listening socket, daphne --fd; 1 is a plain
# `daphne -p 8001`), or Np (N processes, one port each from 8001 up, k6 spreads its VUs).
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; only its
# server is used), REDIS_URL (default redis://127.0.0.1:6379/15), BENCH_CONFIGS, BENCH_VUS
# (100), BENCH_DURATION (30s), BENCH_CLAIMS (3), BENCH_QUESTIONS (20000), BENCH_PORT (8001).
# Loopback addresses only. Results: k6/results/<UTC time>/ (gitignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-.venv/bin/python}
K6=${K6:-.venv/bin/k6}
[[ -x $K6 ]] || K6=$(command -v k6) || { echo "k6 not found: make install (k6 is a dev dependency)" >&2; exit 1; }
TOOL=k6/benchtool.py

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
BENCH_DB=quizserver_bench
CONFIGS=${BENCH_CONFIGS:-1 2}
PORT=${BENCH_PORT:-8001}
export VUS=${BENCH_VUS:-100} DURATION=${BENCH_DURATION:-30s} CLAIMS=${BENCH_CLAIMS:-3}
QUESTIONS=${BENCH_QUESTIONS:-20000}

{ read -r BENCH_URL; read -r ADMIN_URL; } < <("$PY" "$TOOL" urls "$DATABASE_URL" "$REDIS_URL" "$BENCH_DB")
OUT=k6/results/$(date -u +%Y%m%dT%H%M%SZ)
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

server_env() {
  env DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" DEBUG=0 LOG_LEVEL=WARNING "$@"
}

echo "== quizserver k6 benchmark: configurations [$CONFIGS], $VUS VUs, $DURATION, results in $OUT"
echo "   $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
failures=0
for config in $CONFIGS; do
  processes=${config%p}
  if [[ $config == *p ]]; then mode=ports; label="${processes}proc-ports"; else mode=shared; label="${processes}proc"; fi
  logs=$OUT/logs-$label
  echo
  echo "== [$label] fresh database $BENCH_DB, migrate, benchmark contest ($QUESTIONS questions)"
  "$PY" "$TOOL" db-reset "$ADMIN_URL" "$BENCH_DB"
  server_env "$PY" manage.py migrate --noinput -v 0
  contest=$(server_env "$PY" manage.py bench_contest --questions "$QUESTIONS")
  "$PY" "$TOOL" db-analyze "$BENCH_URL"
  echo "   contest: $contest"

  echo "== [$label] starting $processes daphne process(es) ($mode) on 127.0.0.1:$PORT"
  # A simple command, not a function, so that $! is the server's own pid.
  DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" DEBUG=0 LOG_LEVEL=WARNING \
    "$PY" "$TOOL" serve --processes "$processes" --mode "$mode" --port "$PORT" --log-dir "$logs" &
  SERVER_PID=$!
  urls=()
  ports=1
  [[ $mode == ports ]] && ports=$processes
  for ((i = 0; i < ports; i++)); do
    urls+=("http://127.0.0.1:$((PORT + i))")
    "$PY" "$TOOL" wait "${urls[-1]}/healthz" --timeout 60
  done
  base_urls=$(IFS=,; echo "${urls[*]}")

  echo "== [$label] k6: $VUS VUs for $DURATION"
  # CPU use by process group over the middle of the run (k6 shares the 2 cores with the server).
  "$PY" "$TOOL" cpu-sample --duration "$DURATION" --pids "$logs/daphne.pids" > "$OUT/$label.cpu.json" &
  sampler=$!
  status=0
  BENCH_CONTEST="$contest" BASE_URLS="$base_urls" LABEL="$label" RESULTS_DIR="$OUT" \
    "$K6" run --quiet k6/register_and_claim.js 2>&1 | tee "$OUT/$label.txt" || status=$?
  wait "$sampler" || true
  echo "   CPU in cores during the run (2 = the whole machine): $(cat "$OUT/$label.cpu.json")"
  echo "   requests per daphne process: $(for f in "$logs"/access-*.log; do printf '%s ' "$(wc -l < "$f")"; done)"
  if ((status != 0)); then
    echo "   k6 exited with $status (a threshold failed, or k6 could not run)" >&2
    failures=$((failures + 1))
  fi
  stop_server
done

echo
echo "== Results in $OUT: one JSON summary per configuration (k6 handleSummary), k6 output (*.txt),"
echo "   CPU use (*.cpu.json) and server logs (logs-*/). Median table over runs:"
echo "   $PY $TOOL report k6/results/<run> [k6/results/<run> ...]"
echo
"$PY" "$TOOL" report "$OUT"
exit $((failures > 0))
