#!/usr/bin/env bash
# Code judge benchmark of quizserver: k6/judge_run.sh (`make bench-judge`).
#
# One daphne and ONE judge worker (celery, queue `judge`, --concurrency 2, JUDGE_SLOTS=2:
# two boxes at a time, one per core) on a fresh database `quizserver_judgebench`. The
# client (k6/judge_bench.py) makes the contest over the HTTP API as a quizmaster: one
# non-exclusive pool round holding one code question (Python, a + b, 10 tests, 1000 ms,
# 64 MB), JUDGE_TEAMS teams that each claim it and answer it again and again. Then:
#   throughput: JUDGE_BURST answers at once; judged per second from Judging.finished_at;
#   latency:    answers at half that rate for JUDGE_DURATION s; submit to verdict on the
#               server's clock, and 202 to `answer.scored` on the team's socket.
# Every verdict must be AC. CPU by process group for each phase (the worker's includes its
# boxes). The worker runs as root, as the sandbox needs (each box gets a uid of its own
# from JUDGE_UID_BASE), in a fresh JUDGE_WORK_DIR under /tmp.
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; only its
# server is used), REDIS_URL (default redis://127.0.0.1:6379/10: its `judge` queue is
# purged first), JUDGE_BURST (100), JUDGE_DURATION (60), JUDGE_TEAMS (20), JUDGE_RATE
# (answers/s of the latency phase; default half the throughput), JUDGE_ARRIVALS (even or
# poisson), JUDGE_PORT (8003), JUDGE_UID_BASE (63000). Loopback addresses only.
# Results: k6/results/judge-<UTC time>/ (gitignored): judge.json, judge.raw.json.gz, logs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-.venv/bin/python}
CELERY=$(dirname "$PY")/celery
TOOL=k6/benchtool.py

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/10}
export BENCH_DB=quizserver_judgebench  # benchtool's CPU accounting tells its backends apart by name
PORT=${JUDGE_PORT:-8003}
BURST=${JUDGE_BURST:-100} DURATION=${JUDGE_DURATION:-60} TEAMS=${JUDGE_TEAMS:-20}
RATE=${JUDGE_RATE:-0} ARRIVALS=${JUDGE_ARRIVALS:-even}
UID_BASE=${JUDGE_UID_BASE:-63000}
SLOTS=2  # one worker, two pool processes, two boxes: the machine's two cores

if [[ $(id -u) != 0 ]]; then
  echo "the judge worker must run as root (each box runs as a uid of its own); run this as root" >&2
  exit 2
fi
[[ -x /usr/bin/bwrap ]] || { echo "bubblewrap is missing: make system-deps" >&2; exit 2; }
# Another server on the port would answer /healthz and be measured instead.
if "$PY" -c "import socket, sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "127.0.0.1:$PORT is in use by another process; set JUDGE_PORT" >&2
  exit 1
fi

{ read -r BENCH_URL; read -r ADMIN_URL; } < <("$PY" "$TOOL" urls "$DATABASE_URL" "$REDIS_URL" "$BENCH_DB")
OUT=k6/results/judge-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/logs"
# The code measured: the working tree is what daphne and the worker load.
{ git rev-parse HEAD && git status --short; } > "$OUT/git.txt" 2>/dev/null || true
# The boxes' bwrap runs as their uid and must pass through every parent of the slots.
WORK_DIR=$("$PY" -c 'import os, tempfile; d = tempfile.mkdtemp(prefix="qs-judgebench-"); os.chmod(d, 0o711); print(d)')

SERVER_PID="" WORKER_PID=""
stop() {  # pid: TERM, then wait (the worker's warm shutdown finishes the task in hand)
  if [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$WORKER_PID"
  stop "$SERVER_PID"
  rm -rf --one-file-system "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_env() {
  env DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" CELERY_TASK_ALWAYS_EAGER=0 DEBUG=0 LOG_LEVEL=WARNING "$@"
}

echo "== quizserver judge benchmark: $BURST answers at once, then half that rate for $DURATION s; results in $OUT"
echo "   $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "== fresh database $BENCH_DB, migrate, a quizmaster; purge the judge queue of $REDIS_URL"
"$PY" "$TOOL" db-reset "$ADMIN_URL" "$BENCH_DB"
bench_env "$PY" manage.py migrate --noinput -v 0
PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
bench_env DJANGO_SUPERUSER_USERNAME=judgebench DJANGO_SUPERUSER_EMAIL=judgebench@localhost \
  DJANGO_SUPERUSER_PASSWORD="$PASSWORD" "$PY" manage.py createsuperuser --noinput > /dev/null
# Tasks left by an interrupted run would name answers of the old database.
bench_env "$CELERY" -A quizserver purge -f -Q judge > /dev/null

echo "== daphne on 127.0.0.1:$PORT; judge worker: concurrency $SLOTS, JUDGE_SLOTS=$SLOTS, boxes in $WORK_DIR"
# Simple commands, not functions, so that $! is the process's own pid.
DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" CELERY_TASK_ALWAYS_EAGER=0 DEBUG=0 LOG_LEVEL=WARNING \
  "$PY" "$TOOL" serve --processes 1 --port "$PORT" --log-dir "$OUT/logs" &
SERVER_PID=$!
DATABASE_URL="$BENCH_URL" REDIS_URL="$REDIS_URL" CELERY_TASK_ALWAYS_EAGER=0 DEBUG=0 LOG_LEVEL=WARNING \
  JUDGE_BACKEND=sandbox JUDGE_SLOTS=$SLOTS JUDGE_WORK_DIR="$WORK_DIR" JUDGE_UID_BASE="$UID_BASE" \
  "$CELERY" -A quizserver worker -Q judge --concurrency "$SLOTS" --prefetch-multiplier 1 --pool prefork \
  -n "judgebench@%h" --without-gossip --without-mingle --without-heartbeat -l WARNING \
  > "$OUT/logs/worker.log" 2>&1 &
WORKER_PID=$!
"$PY" "$TOOL" wait "http://127.0.0.1:$PORT/healthz" --timeout 60

status=0
JUDGE_BENCH_PASSWORD="$PASSWORD" "$PY" k6/judge_bench.py run --base-url "http://127.0.0.1:$PORT" \
  --database-url "$BENCH_URL" --username judgebench --worker-pid "$WORKER_PID" \
  --daphne-pids "$OUT/logs/daphne.pids" --out "$OUT" --teams "$TEAMS" --burst "$BURST" \
  --duration "$DURATION" --rate "$RATE" --arrivals "$ARRIVALS" 2>&1 | tee "$OUT/judge.txt" || status=$?
if ((status != 0)); then
  echo "   the benchmark failed (exit $status); worker log: $OUT/logs/worker.log" >&2
fi
echo
echo "== Results in $OUT: judge.json (summary), judge.raw.json.gz (every answer), logs/."
echo "   Tables again: $PY k6/judge_bench.py report $OUT [more runs …]"
exit "$status"
