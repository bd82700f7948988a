"""Code judge benchmark: how many code answers one judge worker judges per second, and how
long a team waits for its verdict at half that rate.

    judge_bench.py run --base-url URL --database-url URL --worker-pid PID --daphne-pids FILE --out DIR [options]
    judge_bench.py report DIR [DIR …]

`run` makes the contest over the HTTP API as a quizmaster (--username; the password comes
from $JUDGE_BENCH_PASSWORD, not the command line): a non-exclusive pool round without a
claim limit holding one code question (Python, a + b, 10 tests, 1000 ms, 64 MB). --teams
teams join and each claims that question. A code question without `max_attempts` takes
any number of attempts, so answers go round-robin over the teams, each a new attempt.
Each team has a socket open on the contest, where its `answer.scored` events arrive.

Phases, each on the judge worker k6/judge_run.sh started (--worker-pid):
- warm-up: --warmup answers, judged before anything is measured (the worker's first
  tasks import the judge and open its database connection);
- throughput: --burst answers POSTed as fast as the server takes them, then every verdict
  awaited. Judged per second is counted over the middle 80% of the verdicts by
  Judging.finished_at (the server's clock), which leaves out the start, when both slots
  begin at once, and the tail, when one slot is idle;
- latency: answers at half that rate (or --rate) for --duration seconds, evenly spaced or
  Poisson (--arrivals, fixed --seed), then every verdict awaited. Per answer: server
  latency, Judging.finished_at - Answer.received_at (split into waiting in the queue and
  judging), and client latency, from the POST's 202 to the `answer.scored` event on the
  team's socket. Sockets rather than polling GET /me/answers/<id>: ten answers in flight
  polled every 100 ms would be 100 requests a second to the daphne that shares the
  machine with the judge, and would slow what is measured.

Every verdict must be AC, or the run fails. CPU by process group is taken from the first
POST of a phase to its last verdict; the judge worker's figure includes its boxes (their
processes are its children, reaped by it, so their CPU reaches its cutime/cstime).
Results in --out: judge.json (summary) and judge.raw.json.gz (every answer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import math
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchtool  # sibling scripts, not a package: CPU snapshots, the loopback check
from ws_bench import busiest_others, percentiles

USER_AGENT = "quizserver-judge-bench/1.0"
SOURCE = "a, b = map(int, input().split())\nprint(a + b)\n"
TESTS = 10
STALL_S = 180  # no new verdict for this long: the worker is stuck (a retry waits 5 s)


def question_definition() -> dict[str, Any]:
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    tests = []
    for index in range(TESTS):
        a, b = rng.randint(-(10**9), 10**9), rng.randint(-(10**9), 10**9)
        tests.append({"input": f"{a} {b}\n", "output": f"{a + b}\n", "sample": index == 0})
    return {
        "type": "code",
        "prompt": "Print the sum of two integers a and b, given on one line.",
        "points": 100,
        "languages": ["python"],
        "tests": tests,
        "time_limit_ms": 1000,
        "memory_mb": 64,
    }


# --- The contest, over the HTTP API --------------------------------------------------------


async def api(client: Any, method: str, path: str, *, auth: str, body: Any = None) -> Any:
    response = await client.request(method, path, json=body, headers={"Authorization": auth} if auth else {})
    if not response.is_success:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


async def contest_setup(client: Any, *, username: str, password: str, teams: int) -> dict[str, Any]:
    """A running contest: one active non-exclusive pool round, its code question, teams
    that each hold a claim on it."""
    token = await api(client, "POST", "/api/v1/auth/token", auth="", body={"username": username, "password": password})
    host = f"Token {token['token']}"
    contest = await api(client, "POST", "/api/v1/contests", auth=host, body={"title": "Judge benchmark"})
    round_body = {"kind": "pool", "title": "Code", "exclusive": False, "claim_limit": None}
    round_ = await api(client, "POST", f"/api/v1/contests/{contest['id']}/rounds", auth=host, body=round_body)
    questions = await api(
        client, "POST", f"/api/v1/rounds/{round_['id']}/questions", auth=host, body=question_definition()
    )
    await api(client, "POST", f"/api/v1/contests/{contest['id']}/open", auth=host)
    joined = []
    for index in range(teams):
        body = {"code": contest["code"], "team_name": f"judge team {index:03d}", "members": ["bench"]}
        team = await api(client, "POST", "/api/v1/join", auth="", body=body)
        joined.append({"id": team["team"]["id"], "token": team["token"]})
    await api(client, "POST", f"/api/v1/contests/{contest['id']}/start", auth=host)
    await api(client, "POST", f"/api/v1/rounds/{round_['id']}/start", auth=host)
    for team in joined:
        claim = await api(
            client, "POST", "/api/v1/me/claims", auth=f"Bearer {team['token']}", body={"round": round_["id"]}
        )
        if claim["claim"]["question"]["id"] != questions[0]["id"]:
            raise SystemExit(f"team {team['id']} was given {claim['claim']['question']}, not the code question")
    return {"code": contest["code"], "question": questions[0]["id"], "teams": joined}


# --- The teams' sockets --------------------------------------------------------------------


class Sockets:
    """One socket per team; records when each answer's `answer.scored` event arrives."""

    def __init__(self, base_url: str, code: str, teams: list[dict[str, Any]]) -> None:
        host = urlsplit(base_url)
        self.url, self.origin = f"ws://{host.netloc}/ws/v1/contests/{code}/", f"{host.scheme}://{host.netloc}"
        self.teams = teams
        self.scored: dict[int, float] = {}  # answer id -> arrival (monotonic)
        self.closed: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.closing = False

    async def open(self) -> None:
        ready = [asyncio.get_running_loop().create_future() for _ in self.teams]
        self.tasks = [asyncio.create_task(self.listen(t, r)) for t, r in zip(self.teams, ready, strict=True)]
        await asyncio.gather(*ready)

    async def listen(self, team: dict[str, Any], ready: asyncio.Future[None]) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed
        from websockets.typing import Origin

        try:
            ws = await connect(
                self.url, origin=Origin(self.origin), proxy=None, ping_interval=None, user_agent_header=USER_AGENT
            )
            await ws.send(json.dumps({"type": "hello", "token": team["token"], "last_seq": None}))
            first = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if first.get("type") != "snapshot":
                raise RuntimeError(f"first frame {first.get('type')!r}: {str(first)[:200]}")
        except Exception as error:  # no socket, no client latency: refuse to start
            ready.set_exception(SystemExit(f"team {team['id']}'s socket: {type(error).__name__}: {error}"))
            return
        ready.set_result(None)
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "answer.scored":
                    self.scored.setdefault(message["data"]["answer"]["id"], time.monotonic())
        except ConnectionClosed as closed:
            if not self.closing:
                self.closed.append(f"team {team['id']}: {closed}"[:200])
        finally:
            await ws.close()

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# --- Answers -------------------------------------------------------------------------------


async def answer_post(client: Any, slots: asyncio.Semaphore, team: dict[str, Any], record: dict[str, Any]) -> None:
    """POST one code answer once a connection is free; `done` is when its 202 arrived."""
    import httpx

    body = {"question": record.pop("question"), "answer": {"language": "python", "source": SOURCE}}
    headers = {"Authorization": f"Bearer {team['token']}", "Idempotency-Key": str(uuid.uuid4())}
    async with slots:
        record["sent"] = time.monotonic()
        try:
            response = await client.post("/api/v1/me/answers", json=body, headers=headers)
        except httpx.HTTPError as error:
            record.update(done=time.monotonic(), status=None, error=f"{type(error).__name__}: {error}"[:200])
            return
    record.update(done=time.monotonic(), status=response.status_code)
    if response.status_code == 202:
        record["answer_id"] = response.json()["answer"]["id"]
    else:
        record["error"] = response.text[:200]


async def answers_send(
    client: Any, bench: dict[str, Any], schedule: list[float], connections: int
) -> list[dict[str, Any]]:
    """One answer at each offset of `schedule` (seconds from now), round-robin over the
    teams; an answer starts on its tick whatever the server's latency."""
    slots = asyncio.Semaphore(connections)
    teams, start = bench["teams"], time.monotonic() + 0.05
    records, tasks = [], []
    for n, offset in enumerate(schedule):
        await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
        team = teams[(bench["sent"] + n) % len(teams)]
        record = {"n": n, "team": team["id"], "question": bench["question"], "scheduled": start + offset}
        records.append(record)
        tasks.append(asyncio.create_task(answer_post(client, slots, team, record)))
    await asyncio.gather(*tasks)
    bench["sent"] += len(schedule)
    failed = [r for r in records if r.get("answer_id") is None]
    if failed:
        raise SystemExit(f"{len(failed)} of {len(records)} answers were not taken (202): {failed[0]}")
    return records


def arrivals(*, rate: float, duration: float, kind: str, seed: int) -> list[float]:
    """Offsets in seconds: evenly spaced, or a Poisson process (exponential gaps)."""
    if kind == "even":
        return [n / rate for n in range(int(rate * duration))]
    rng, t, offsets = random.Random(seed), 0.0, []  # noqa: S311 (a reproducible schedule)
    while (t := t + rng.expovariate(rate)) < duration:
        offsets.append(t)
    return offsets


# --- The database's view: verdicts and their timestamps ------------------------------------

ROWS_SQL = """
SELECT a.id, a.status, extract(epoch FROM a.received_at)::float8, extract(epoch FROM j.started_at)::float8,
       extract(epoch FROM j.finished_at)::float8, j.verdict, j.attempts, j.tests
FROM scoring_answer a JOIN scoring_judging j ON j.answer_id = a.id
WHERE a.id = ANY(%s)
"""


async def judged_rows(db: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await (await db.execute(ROWS_SQL, (ids,))).fetchall()
    keys = ("id", "status", "received", "started", "finished", "verdict", "attempts", "tests")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


async def scored_count(db: Any, ids: list[int]) -> int:
    cursor = await db.execute("SELECT count(*) FROM scoring_answer WHERE id = ANY(%s) AND status = 'scored'", (ids,))
    row = await cursor.fetchone()
    return int(row[0])


async def verdicts_wait(options: argparse.Namespace, db: Any, ids: list[int], sockets: Sockets) -> float:
    """Wait until every answer is scored (the database says so), then briefly for their
    events on the sockets; returns when the last verdict was seen. Fails if the worker
    dies or no verdict comes for STALL_S."""
    done, progress_at = 0, time.monotonic()
    while done < len(ids):
        await asyncio.sleep(0.25)
        try:
            os.kill(options.worker_pid, 0)
        except ProcessLookupError:
            raise SystemExit(f"the judge worker (pid {options.worker_pid}) has exited") from None
        count = await scored_count(db, ids)
        if count > done:
            done, progress_at = count, time.monotonic()
        elif time.monotonic() - progress_at > STALL_S:
            raise SystemExit(
                f"{len(ids) - done} of {len(ids)} answers still unjudged after {STALL_S} s without a verdict"
            )
    seen = time.monotonic()
    deadline = seen + 5
    while time.monotonic() < deadline and any(i not in sockets.scored for i in ids):
        await asyncio.sleep(0.05)
    return seen


# --- CPU -----------------------------------------------------------------------------------


def children_ticks() -> dict[str, tuple[str, int, str]]:
    """Per process: its parent's pid, the CPU ticks of the children it reaped (cutime +
    cstime) and its start time. A box is a reaped child of a worker's pool process, so its
    CPU shows here."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        found[entry] = (rest[1], int(rest[13]) + int(rest[14]), rest[19])
    return found


def cpu_snapshot() -> dict[str, Any]:
    return {**benchtool._cpu_snapshot(), "children": children_ticks()}


def _ticks(snapshot: dict[str, Any], pid: str) -> tuple[int, str] | None:
    own, children = snapshot["processes"].get(pid), snapshot["children"].get(pid)
    if own is None or children is None or own[2] != children[2]:
        return None
    return own[1] + children[1], own[2]


def _used(before: dict[str, Any], after: dict[str, Any], pid: str) -> int:
    """CPU ticks of one process between the snapshots, the children it reaped included."""
    new, old = _ticks(after, pid), _ticks(before, pid)
    if new is None:
        return 0
    return new[0] - (old[0] if old and old[1] == new[1] else 0)


def cpu_between(options: argparse.Namespace, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Cores used by each process group between two snapshots (1.0 = one core all along),
    and the busiest processes outside the benchmark, by name. The machine's busy figure
    counts everything; `other` is what no group accounts for, such as short-lived
    processes of another program (a test suite's sandboxes) that no snapshot sees."""
    cores = 1 / after["ticks_per_s"] / (after["time"] - before["time"])
    daphne = set(options.daphne_pids.read_text().split())
    root = str(options.worker_pid)
    worker = {root} | {pid for pid, (parent, *_) in after["children"].items() if parent == root}
    me = str(os.getpid())
    cpu = benchtool._cpu_diff(before, after, daphne)
    cpu.pop("k6", None)
    cpu["worker"] = round(sum(_used(before, after, pid) for pid in worker) * cores, 2)
    cpu["client"] = round(_used(before, after, me) * cores, 2)
    cpu["other"] = round(max(0.0, cpu["other"] - cpu["worker"] - cpu["client"]), 2)
    cpu["cores"] = after["cores"]
    # Their own CPU only: a reaped child's would bring its whole life into the window.
    cpu["other_top"] = busiest_others(before, after, daphne | worker | {me})
    return cpu


# --- Phases --------------------------------------------------------------------------------


async def phase(
    options: argparse.Namespace, client: Any, bench: dict[str, Any], sockets: Sockets, schedule: list[float]
) -> dict[str, Any]:
    """Send the answers, wait for every verdict; the raw material of a phase's summary."""
    before = cpu_snapshot()
    started = time.monotonic()
    records = await answers_send(client, bench, schedule, options.http_connections)
    sent = time.monotonic()
    ids = [r["answer_id"] for r in records]
    seen = await verdicts_wait(options, bench["db"], ids, sockets)
    after = cpu_snapshot()
    rows = await judged_rows(bench["db"], ids)
    for record in records:
        record["scored_on_socket"] = sockets.scored.get(record["answer_id"])
        record.update({k: v for k, v in rows[record["answer_id"]].items() if k != "id"})
    return {
        "records": records,
        "sending_s": sent - started,
        "waiting_s": seen - sent,
        "cpu": cpu_between(options, before, after),
    }


def verdicts_check(name: str, records: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["verdict"] or "-"] = counts.get(record["verdict"] or "-", 0) + 1
    if set(counts) != {"AC"}:
        raise SystemExit(f"{name}: every verdict must be AC, got {counts}")
    return counts


def judged_rate(finished: list[float], share: float = 0.8) -> float | None:
    """Verdicts per second between the verdicts that bound the middle `share` of them."""
    ordered = sorted(finished)
    if len(ordered) < 2:
        return None
    lo = math.floor((1 - share) / 2 * (len(ordered) - 1))
    hi = math.ceil((1 + share) / 2 * (len(ordered) - 1))
    span = ordered[hi] - ordered[lo]
    return round((hi - lo) / span, 2) if span > 0 else None


def timing_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per answer, on the server's clock: submit to verdict, its wait in the queue, its
    judging (claim to settle); the program's own CPU per test; the client's view."""
    client = [r["scored_on_socket"] - r["done"] for r in records if r["scored_on_socket"] is not None]
    return {
        "verdict_ms": percentiles([r["finished"] - r["received"] for r in records]),
        "queue_ms": percentiles([r["started"] - r["received"] for r in records]),
        "judging_ms": percentiles([r["finished"] - r["started"] for r in records]),
        "test_cpu_ms": percentiles([t["time_ms"] / 1000 for r in records for t in r["tests"]]),
        "client_ms": percentiles(client),
        "missing_on_socket": len(records) - len(client),
        "post_ms": percentiles([r["done"] - r["sent"] for r in records]),
        "retried": sum(1 for r in records if r["attempts"] > 1),
    }


def throughput_summary(result: dict[str, Any]) -> dict[str, Any]:
    records = result["records"]
    finished = sorted(r["finished"] for r in records)
    first_received = min(r["received"] for r in records)
    return {
        "answers": len(records),
        "verdicts": verdicts_check("throughput", records),
        "judged_per_s": judged_rate(finished),
        "judged_per_s_first_to_last": judged_rate(finished, share=1.0),
        "total_s": round(finished[-1] - first_received, 2),
        "first_verdict_s": round(finished[0] - first_received, 2),
        "sending_s": round(result["sending_s"], 2),
        **timing_summary(records),
        "cpu": result["cpu"],
    }


def latency_summary(result: dict[str, Any], *, rate: float, options: argparse.Namespace) -> dict[str, Any]:
    records = result["records"]
    received = sorted(r["received"] for r in records)
    return {
        "answers": len(records),
        "verdicts": verdicts_check("latency", records),
        "rate_offered": round(rate, 2),
        "arrivals": options.arrivals,
        "rate_received": round((len(received) - 1) / (received[-1] - received[0]), 2) if len(received) > 1 else None,
        "late_over_100ms": sum(1 for r in records if r["sent"] - r["scheduled"] > 0.1),
        "judged_per_s": judged_rate([r["finished"] for r in records]),
        "drain_s": round(result["waiting_s"], 2),
        **timing_summary(records),
        "cpu": result["cpu"],
    }


async def run(options: argparse.Namespace) -> dict[str, Any]:
    import httpx
    import psycopg

    password = os.environ.get("JUDGE_BENCH_PASSWORD", "")
    limits = httpx.Limits(max_connections=options.http_connections, max_keepalive_connections=options.http_connections)
    async with (
        httpx.AsyncClient(base_url=options.base_url, timeout=60, limits=limits) as client,
        await psycopg.AsyncConnection.connect(options.database_url, autocommit=True) as db,
    ):
        bench = await contest_setup(client, username=options.username, password=password, teams=options.teams)
        bench.update(sent=0, db=db)
        sockets = Sockets(options.base_url, bench["code"], bench["teams"])
        await sockets.open()
        print(f"   contest {bench['code']}: {options.teams} teams, sockets open; warm-up: {options.warmup} answers")
        warmup = await phase(options, client, bench, sockets, [0.0] * options.warmup)
        verdicts_check("warm-up", warmup["records"])
        print(f"   throughput: {options.burst} answers at once", flush=True)
        burst = await phase(options, client, bench, sockets, [0.0] * options.burst)
        throughput = throughput_summary(burst)
        rate = options.rate or (throughput["judged_per_s"] or 1.0) / 2
        print(f"   {throughput['judged_per_s']} judged/s; latency: {rate:.2f} answers/s for {options.duration:g} s")
        schedule = arrivals(rate=rate, duration=options.duration, kind=options.arrivals, seed=options.seed)
        if len(schedule) < 2:
            raise SystemExit(f"{rate:.2f} answers/s for {options.duration:g} s is fewer than 2 answers")
        steady = await phase(options, client, bench, sockets, schedule)
        await sockets.close()
    summary = {
        "config": {k: v for k, v in vars(options).items() if k not in ("func", "username")},
        "throughput": throughput,
        "latency": latency_summary(steady, rate=rate, options=options),
        "sockets_closed": sockets.closed,
    }
    raw = {"warmup": warmup["records"], "throughput": burst["records"], "latency": steady["records"]}
    return {"summary": summary, "raw": raw}


# --- Report --------------------------------------------------------------------------------


def _ms(summary: dict[str, Any], keys: tuple[str, ...] = ("p50", "p95", "p99", "max")) -> str:
    return " / ".join("-" if summary[k] is None else f"{summary[k]:.0f}" for k in keys)


def report(summaries: list[tuple[str, dict[str, Any]]]) -> str:
    """Markdown: throughput, latency, then CPU by phase."""
    lines = [
        "| run | answers | judged/s (middle 80%) | first to last | total s | judging ms p50 / p95 "
        "| submit to verdict ms p50 / p95 / p99 / max |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in summaries:
        t = s["throughput"]
        lines.append(
            f"| {name} | {t['answers']} | {t['judged_per_s']} | {t['judged_per_s_first_to_last']} | {t['total_s']} "
            f"| {_ms(t['judging_ms'], ('p50', 'p95'))} | {_ms(t['verdict_ms'])} |"
        )
    lines += [
        "",
        "| run | answers/s offered (arrivals) | answers | server: submit to verdict ms p50 / p95 / p99 / max "
        "| of which in the queue ms p50 / p95 | judging ms p50 / p95 | client: 202 to answer.scored ms "
        "p50 / p95 / p99 / max | missing on socket | POST ms p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summaries:
        lat = s["latency"]
        lines.append(
            f"| {name} | {lat['rate_offered']} ({lat['arrivals']}) | {lat['answers']} | {_ms(lat['verdict_ms'])} "
            f"| {_ms(lat['queue_ms'], ('p50', 'p95'))} | {_ms(lat['judging_ms'], ('p50', 'p95'))} "
            f"| {_ms(lat['client_ms'])} | {lat['missing_on_socket']} | {_ms(lat['post_ms'], ('p50', 'p95'))} |"
        )
    lines += [
        "",
        "| run | phase | CPU cores: judge worker (with its boxes) / daphne / postgres / redis / client / other "
        "| busy (of cores) | busiest other processes |",
        "|---|---|---|---|---|",
    ]
    for name, s in summaries:
        for phase_name in ("throughput", "latency"):
            c = s[phase_name]["cpu"]
            groups = " / ".join(str(c[k]) for k in ("worker", "daphne", "postgres", "redis", "client", "other"))
            top = ", ".join(f"{k} {v}" for k, v in c["other_top"].items()) or "-"
            lines.append(f"| {name} | {phase_name} | {groups} | {c['machine_busy']} of {c['cores']} | {top} |")
    return "\n".join(lines)


def cmd_run(options: argparse.Namespace) -> int:
    if not benchtool._loopback(urlsplit(options.base_url).hostname):
        print(f"--base-url must be a loopback address, not {options.base_url!r}", file=sys.stderr)
        return 2
    if options.burst < 2 or options.teams < 1 or options.warmup < 1:
        print("--burst must be at least 2, --teams and --warmup at least 1", file=sys.stderr)
        return 2
    result = asyncio.run(run(options))
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / "judge.json").write_text(json.dumps(result["summary"], indent=2, default=str))
    with gzip.open(options.out / "judge.raw.json.gz", "wt") as f:
        json.dump(result["raw"], f)
    print(report([(options.out.name, result["summary"])]))
    return 0


def cmd_report(options: argparse.Namespace) -> int:
    found = []
    for directory in options.dirs:
        path = Path(directory) / "judge.json"
        with contextlib.suppress(FileNotFoundError):
            found.append((Path(directory).name, json.loads(path.read_text())))
    print(report(found))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--base-url", default="http://127.0.0.1:8003")
    p.add_argument("--database-url", required=True, help="the bench database, read for the verdicts' timestamps")
    p.add_argument("--username", required=True, help="a quizmaster; password in $JUDGE_BENCH_PASSWORD")
    p.add_argument("--worker-pid", type=int, required=True, help="the judge worker's main (celery) process")
    p.add_argument("--daphne-pids", type=Path, required=True, help="daphne.pids written by benchtool.py serve")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--teams", type=int, default=20)
    p.add_argument("--warmup", type=int, default=4, help="answers judged before the measurement")
    p.add_argument("--burst", type=int, default=100, help="answers of the throughput phase")
    p.add_argument("--duration", type=float, default=60, help="seconds of the latency phase")
    p.add_argument("--rate", type=float, default=0, help="answers/s of the latency phase (0: half the throughput)")
    p.add_argument("--arrivals", choices=["even", "poisson"], default="even")
    p.add_argument("--seed", type=int, default=1, help="of the Poisson arrivals")
    p.add_argument("--http-connections", type=int, default=16)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report")
    p.add_argument("dirs", nargs="+")
    p.set_defaults(func=cmd_report)
    options = parser.parse_args()
    result: int = options.func(options)
    return result


if __name__ == "__main__":
    sys.exit(main())
