"""WebSocket fan-out benchmark: many sockets on one contest while answers arrive steadily.

    ws_bench.py run --contest FILE --base-url URL --pids FILE --out DIR --label NAME [options]
    ws_bench.py report DIR [DIR …]

`run` holds `teams x devices` team sockets plus `audience` audience sockets on the contest
made by `manage.py bench_ws_contest` (FILE holds its JSON: code, teams with tokens and
claimed questions), POSTs answers at `--rate` per second for `--duration` seconds, and
measures, for every answer and every socket, the time from the answer's 2xx to the first
`leaderboard` push whose `seq` covers the answer (a leaderboard with seq S reflects every
event up to S). The answer's seq comes from the `answer.recorded` event its team's
sockets receive. Also: daphne's RSS and Redis's used_memory per socket, CPU by process
group, connect failures, dropped sockets and pushes that never came.

The sockets live in `--workers` processes: decoding ~8,000 frames a second is more than
one Python process keeps up with, and a client that falls behind would show up as server
latency. Every timestamp is time.monotonic(), which is one clock for all processes on a
Linux machine. Frames are told apart by their first bytes (`{"type":"leaderboard",
"seq":N`), so the leaderboards and standings that make up nearly all the traffic are
never parsed as JSON.

Loopback only; run through k6/ws_run.sh, which makes a fresh database and server for each
configuration. Results: <label>.json (summary) and <label>.raw.json.gz (every answer and
arrival) in --out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import math
import multiprocessing
import os
import re
import sys
import time
import uuid
from array import array
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchtool  # a sibling script, not a package: CPU snapshots and the loopback check

USER_AGENT = "quizserver-ws-bench/1.0"
# The head of a server frame when the server writes `type` and `seq` first, as it does.
# Anything else falls back to json.loads, so a different field order costs CPU, not data.
FRAME_HEAD = re.compile(rb'\{\s*"type"\s*:\s*"([a-z_.]+)"\s*,\s*"seq"\s*:\s*(\d+)')
FAST_TYPES = {b"leaderboard", b"standing"}


# --- The socket side: one asyncio loop per worker process ---------------------------------


def socket_log(spec: dict[str, Any]) -> dict[str, Any]:
    """What one socket records. Arrays keep 2,000 sockets by minutes of pushes small."""
    return {
        **{k: spec[k] for k in ("index", "team", "device")},
        "role": None,
        "error": None,
        "connect_started": None,
        "connected_at": None,
        "closed_at": None,
        "close_reason": None,
        "pong_at": None,
        "lb_seq": array("q"),
        "lb_time": array("d"),
        "recorded": {},  # answer id -> seq of its answer.recorded event
        "counts": {},
        "bytes": 0,
    }


def frame_record(log: dict[str, Any], raw: bytes, now: float) -> None:
    """File one server frame under its socket; only rare frames are parsed in full."""
    log["bytes"] += len(raw)
    head = FRAME_HEAD.match(raw)
    if head and head[1] in FAST_TYPES:
        kind, seq = head[1].decode(), int(head[2])
    else:
        message = json.loads(raw)
        kind, seq = message.get("type", "?"), message.get("seq")
        if kind == "answer.recorded":
            log["recorded"][message["data"]["answer"]["id"]] = seq
        elif kind == "pong" and log["pong_at"] is None:
            log["pong_at"] = now
    if kind == "leaderboard":
        log["lb_seq"].append(seq)
        log["lb_time"].append(now)
    log["counts"][kind] = log["counts"].get(kind, 0) + 1


class SocketWorker:
    """Connects its share of the sockets, records every frame, then pings and closes them."""

    def __init__(self, conn: Connection, specs: list[dict[str, Any]], options: dict[str, Any]) -> None:
        self.conn, self.options = conn, options
        self.logs = [socket_log(spec) for spec in specs]
        self.tokens = {spec["index"]: spec["token"] for spec in specs}
        self.sockets: dict[int, Any] = {}
        self.closing = False

    async def command(self) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def run(self) -> None:
        assert await self.command() == "connect"
        tasks = await self.connect_all()
        self.conn.send(("connected", {"ok": len(self.sockets), "failed": len(self.logs) - len(self.sockets)}))
        assert await self.command() == "finish"
        await self.ping_all()
        self.closing = True
        await asyncio.gather(*(ws.close() for ws in self.sockets.values()), return_exceptions=True)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.conn.send(("result", self.logs))

    async def connect_all(self) -> list[asyncio.Task[None]]:
        """Open the sockets at a steady pace, with a cap on handshakes in progress so that a
        slow server is not buried (its hello timeout would close the sockets waiting);
        return once each has its snapshot or failed."""
        interval = 1 / self.options["connect_rate"]
        slots = asyncio.Semaphore(self.options["connect_concurrency"])
        start = time.monotonic()
        done: list[asyncio.Future[None]] = []
        tasks = []
        for n, log in enumerate(self.logs):
            await asyncio.sleep(max(0.0, start + n * interval - time.monotonic()))
            await slots.acquire()
            ready = asyncio.get_running_loop().create_future()
            ready.add_done_callback(lambda _: slots.release())
            done.append(ready)
            tasks.append(asyncio.create_task(self.socket_run(log, ready)))
        await asyncio.wait(done, timeout=self.options["connect_timeout"] + 5)
        return tasks

    async def socket_run(self, log: dict[str, Any], ready: asyncio.Future[None]) -> None:
        """One socket's life: handshake, hello, snapshot, then every frame until closed."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        log["connect_started"] = time.monotonic()
        try:
            ws = await connect(
                self.options["ws_url"],
                origin=self.options["origin"],
                compression=None,  # daphne does not negotiate it; the offer would only cost CPU
                proxy=None,
                ping_interval=None,  # no keepalive traffic during the measurement
                open_timeout=self.options["connect_timeout"],
                max_size=None,
                max_queue=256,
                user_agent_header=USER_AGENT,
            )
            await ws.send(json.dumps({"type": "hello", "token": self.tokens[log["index"]], "last_seq": None}))
            first = json.loads(await asyncio.wait_for(ws.recv(), self.options["connect_timeout"]))
            if first.get("type") != "snapshot":
                await ws.close()
                raise RuntimeError(f"first frame {first.get('type')!r}: {str(first)[:200]}")
        except Exception as error:  # every failure is data: counted and reported
            log["error"] = f"{type(error).__name__}: {error}"[:300]
            ready.set_result(None)
            return
        log["connected_at"], log["role"] = time.monotonic(), first.get("role")
        self.sockets[log["index"]] = ws
        ready.set_result(None)
        try:
            while True:
                raw = await ws.recv(decode=False)
                frame_record(log, raw if isinstance(raw, bytes) else raw.encode(), time.monotonic())
        except ConnectionClosed as closed:
            if not self.closing:
                log["closed_at"], log["close_reason"] = time.monotonic(), str(closed)[:200]

    async def ping_all(self) -> None:
        """One ping per open socket after the run: a pong shows the socket still works."""
        for index, ws in self.sockets.items():
            with contextlib.suppress(Exception):  # a closed socket simply gets no pong
                await ws.send(json.dumps({"type": "ping", "id": f"end-{index}"}))
        deadline = time.monotonic() + self.options["pong_timeout"]
        waiting = [log for log in self.logs if log["index"] in self.sockets]
        while time.monotonic() < deadline and any(log["pong_at"] is None for log in waiting):
            await asyncio.sleep(0.1)


def worker_main(conn: Connection, specs: list[dict[str, Any]], options: dict[str, Any]) -> None:
    asyncio.run(SocketWorker(conn, specs, options).run())


# --- The answering side and the orchestration, in the main process ---------------------


def socket_plan(contest: dict[str, Any], devices: int, audience: int) -> list[dict[str, Any]]:
    """Team sockets (`devices` per team) and audience sockets, interleaved so that every
    worker process gets the same mix."""
    specs = [
        {"team": team["id"], "device": device, "token": team["token"]}
        for device in range(devices)
        for team in contest["teams"]
    ]
    specs += [{"team": None, "device": n, "token": None} for n in range(audience)]
    return [{**spec, "index": index} for index, spec in enumerate(specs)]


async def answer_post(client: Any, slots: asyncio.Semaphore, token: str, record: dict[str, Any]) -> dict[str, Any]:
    """POST one answer once a connection is free; t0 of the latency is when its 2xx arrived.

    The semaphore, not httpx's pool, holds answers waiting for a connection: the pool's
    queue costs CPU that grows with its length, and this process shares the machine.
    """
    import httpx

    body = {"question": record["question"], "answer": record.pop("answer")}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    async with slots:
        record["sent"] = time.monotonic()
        try:
            response = await client.post("/api/v1/me/answers", json=body, headers=headers)
        except httpx.HTTPError as error:
            record.update(done=time.monotonic(), status=None, error=f"{type(error).__name__}: {error}"[:200])
            return record
    record.update(done=time.monotonic(), status=response.status_code)
    if response.is_success:
        record["answer_id"] = response.json()["answer"]["id"]
    else:
        record["error"] = response.text[:200]
    return record


async def answers_send(options: argparse.Namespace, contest: dict[str, Any]) -> list[dict[str, Any]]:
    """Answers at a steady rate, whatever the server's latency: each starts on its tick.

    Answer n comes from team n mod T with that team's next held question, so each team
    answers once every T/rate seconds, never two at a time in normal operation.
    """
    import httpx

    teams = contest["teams"]
    count = int(options.rate * options.duration)
    if math.ceil(count / len(teams)) > min(len(t["questions"]) for t in teams):
        raise SystemExit(f"{count} answers need {math.ceil(count / len(teams))} claims per team: raise --claims")
    limits = httpx.Limits(max_connections=options.http_connections, max_keepalive_connections=options.http_connections)
    slots = asyncio.Semaphore(options.http_connections)
    async with httpx.AsyncClient(base_url=options.base_url, timeout=30, limits=limits) as client:
        start = time.monotonic() + 0.05
        tasks = []
        for n in range(count):
            scheduled = start + n / options.rate
            await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
            team = teams[n % len(teams)]
            record = {"n": n, "team": team["id"], "question": team["questions"][n // len(teams)]}
            record.update(scheduled=scheduled, answer=contest["answer"])
            tasks.append(asyncio.create_task(answer_post(client, slots, team["token"], record)))
        return list(await asyncio.gather(*tasks))


def daphne_rss(pids_file: Path) -> int:
    """Resident memory of the daphne processes, in bytes."""
    total = 0
    for pid in pids_file.read_text().split():
        with open(f"/proc/{pid}/status") as f:
            total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    return total


def memory_sample(options: argparse.Namespace) -> dict[str, int]:
    import redis

    used = redis.Redis.from_url(options.redis_url).info("memory")["used_memory"]
    return {"daphne_rss": daphne_rss(options.pids), "redis_used": int(used)}


def group_cores(before: dict[str, Any], after: dict[str, Any], pids: set[str]) -> float:
    """CPU of the given processes between two benchtool snapshots, in cores."""
    ticks = 0
    for pid in pids:
        new, old = after["processes"].get(pid), before["processes"].get(pid)
        if new:
            ticks += new[1] - (old[1] if old and old[2] == new[2] else 0)
    return round(ticks / after["ticks_per_s"] / (after["time"] - before["time"]), 2)


def busiest_others(before: dict[str, Any], after: dict[str, Any], known: set[str]) -> dict[str, float]:
    """The busiest processes outside the benchmark, by name: a test suite running beside it
    shows up here rather than as server CPU."""
    cores: dict[str, float] = {}
    seconds = after["time"] - before["time"]
    for pid, (comm, ticks, start) in after["processes"].items():
        old = before["processes"].get(pid)
        used = (ticks - (old[1] if old and old[2] == start else 0)) / after["ticks_per_s"] / seconds
        if pid not in known and comm not in ("postgres",) and not comm.startswith("redis") and used >= 0.02:
            cores[comm] = round(cores.get(comm, 0.0) + used, 2)
    return dict(sorted(cores.items(), key=lambda item: -item[1])[:5])


class Workers:
    """The socket processes and their pipes; every command goes to all of them."""

    def __init__(self, specs: list[dict[str, Any]], count: int, socket_options: dict[str, Any]) -> None:
        context = multiprocessing.get_context("fork")  # before any event loop or client exists
        self.pipes, self.processes = [], []
        share = dict(
            socket_options,
            connect_rate=socket_options["connect_rate"] / count,
            connect_concurrency=max(1, socket_options["connect_concurrency"] // count),
        )
        for n in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child, specs[n::count], share), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    @property
    def pids(self) -> set[str]:
        return {str(p.pid) for p in self.processes}

    async def ask(self, command: str) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        loop = asyncio.get_running_loop()
        replies = await asyncio.gather(*(loop.run_in_executor(None, pipe.recv) for pipe in self.pipes))
        return [payload for _, payload in replies]

    def join(self) -> None:
        for process in self.processes:
            process.join(10)


def workers_start(options: argparse.Namespace, contest: dict[str, Any]) -> Workers:
    """Fork the socket processes; called before any event loop exists in this process."""
    host = urlsplit(options.base_url)
    socket_options = {
        "ws_url": f"ws://{host.netloc}/ws/v1/contests/{contest['code']}/",
        "origin": f"{host.scheme}://{host.netloc}",
        "connect_rate": options.connect_rate,
        "connect_concurrency": options.connect_concurrency,
        "connect_timeout": options.connect_timeout,
        "pong_timeout": options.pong_timeout,
    }
    specs = socket_plan(contest, options.devices, options.audience)
    return Workers(specs, options.workers, socket_options)


async def run(options: argparse.Namespace, contest: dict[str, Any], workers: Workers) -> dict[str, Any]:
    """Connect, settle, answer, drain, collect; the phases are timed for the report."""
    memory = {"before": memory_sample(options)}
    phases = {"connect_start": time.monotonic()}
    connected = await workers.ask("connect")
    phases["connected"] = time.monotonic()
    opened, failed = sum(c["ok"] for c in connected), sum(c["failed"] for c in connected)
    took = phases["connected"] - phases["connect_start"]
    print(
        f"   {opened} sockets open, {failed} failed, in {took:.1f} s; answering for {options.duration:g} s", flush=True
    )
    await asyncio.sleep(options.settle)
    memory["connected"] = memory_sample(options)
    cpu_before = benchtool._cpu_snapshot()
    phases["answers_start"] = time.monotonic()
    answers = await answers_send(options, contest)
    phases["answers_end"] = time.monotonic()
    cpu_after = benchtool._cpu_snapshot()
    memory["after_answers"] = memory_sample(options)
    await asyncio.sleep(options.drain)
    phases["drained"] = time.monotonic()
    logs = [log for share in await workers.ask("finish") for log in share]
    workers.join()
    daphne_pids = set(options.pids.read_text().split())
    cpu = benchtool._cpu_diff(cpu_before, cpu_after, daphne_pids)
    cpu["client_sockets"] = group_cores(cpu_before, cpu_after, workers.pids)
    cpu["client_answers"] = group_cores(cpu_before, cpu_after, {str(os.getpid())})
    cpu["client"] = round(cpu["client_sockets"] + cpu["client_answers"], 2)
    cpu["other"] = round(max(0.0, cpu["other"] - cpu["client"]), 2)
    cpu["other_top"] = busiest_others(cpu_before, cpu_after, daphne_pids | workers.pids | {str(os.getpid())})
    return {"answers": answers, "sockets": logs, "memory": memory, "cpu": cpu, "phases": phases}


# --- Post-processing -----------------------------------------------------------------------


def percentiles(values: list[float] | array[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds (nearest rank), or None without data."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None, "max": None, "count": 0}

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)] * 1000, 1)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": rank(100), "count": len(ordered)}


def push_latencies(answers: list[tuple[int, float]], log: dict[str, Any]) -> tuple[array[float], list[int]]:
    """For one socket: for each answer (sorted by seq), the time from its 2xx to the first
    leaderboard that covers it. Returns the latencies and the indexes of answers never covered.

    A running maximum of the pushes' seqs turns "first arrival with seq >= s" into a walk
    over two sorted lists, even if a push ever arrived out of order.
    """
    covered: list[int] = []
    high = -1
    for seq in log["lb_seq"]:
        high = max(high, seq)
        covered.append(high)
    times = log["lb_time"]
    latencies: array[float] = array("d")
    missing: list[int] = []
    j = 0
    for k, (seq, t0) in enumerate(answers):
        while j < len(covered) and covered[j] < seq:
            j += 1
        if j == len(covered):
            missing.extend(range(k, len(answers)))
            break
        latencies.append(times[j] - t0)
    return latencies, missing


def analyse(result: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    """The summary of one configuration: delivery, latency, memory and CPU."""
    logs, phases = result["sockets"], result["phases"]
    live = [log for log in logs if log["connected_at"] is not None and log["closed_at"] is None]
    return {
        "label": options.label,
        "sockets": sockets_summary(logs, phases),
        "answers": answers_summary(result["answers"], phases),
        **latency_summary(result["answers"], logs, live),
        "leaderboards_per_socket_per_s": push_rate(live, phases["answers_start"], phases["answers_end"]),
        "boards": pushes_sent(live, phases["answers_start"], phases["answers_end"]),
        "messages": _count_sum(log["counts"] for log in logs),
        "bytes_received": sum(log["bytes"] for log in logs),
        "memory": memory_summary(result["memory"], sum(1 for log in logs if log["connected_at"] is not None)),
        "cpu": result["cpu"],
        "phases": phases,
    }


def latency_summary(
    answers: list[dict[str, Any]], logs: list[dict[str, Any]], live: list[dict[str, Any]]
) -> dict[str, Any]:
    """Answer 2xx to covering leaderboard, over all (answer, open socket) pairs, and per
    answer the slowest socket ("arrived on every socket": only answers every socket got)."""
    seq_of = {answer_id: seq for log in logs for answer_id, seq in log["recorded"].items()}
    timed = sorted((seq_of[a["answer_id"]], a["done"]) for a in answers if a.get("answer_id") in seq_of)
    pairs: array[float] = array("d")
    worst = [-math.inf] * len(timed)
    reached = [0] * len(timed)
    missing_pairs = 0
    for log in live:
        latencies, missing = push_latencies(timed, log)
        pairs.extend(latencies)
        missing_pairs += len(missing)
        for k, latency in enumerate(latencies):  # the covered answers come first, in seq order
            reached[k] += 1
            worst[k] = max(worst[k], latency)
    everywhere = [w for w, r in zip(worst, reached, strict=True) if r == len(live)]
    return {
        "answers_with_seq": len(timed),
        "push_ms": percentiles(pairs),
        "push_min_ms": round(min(pairs) * 1000, 1) if pairs else None,
        "every_socket_ms": percentiles(everywhere),
        "answers_not_on_every_socket": len(timed) - len(everywhere),
        "missing_pairs": missing_pairs,
        "pairs": len(pairs) + missing_pairs,
    }


def sockets_summary(logs: list[dict[str, Any]], phases: dict[str, float]) -> dict[str, Any]:
    connected = [log for log in logs if log["connected_at"] is not None]
    live = [log for log in connected if log["closed_at"] is None]
    return {
        "planned": len(logs),
        "connected": len(connected),
        "failed": len(logs) - len(connected),
        "dropped": len(connected) - len(live),
        "pong_at_end": sum(1 for log in live if log["pong_at"] is not None),
        "roles": _count(log["role"] for log in connected),
        "connect_errors": _count(log["error"][:100] for log in logs if log["error"]),
        "close_reasons": _count(log["close_reason"] for log in connected if log["closed_at"] is not None),
        "connect_ms": percentiles([log["connected_at"] - log["connect_started"] for log in connected]),
        "connect_seconds": round(phases["connected"] - phases["connect_start"], 1),
    }


def answers_summary(answers: list[dict[str, Any]], phases: dict[str, float]) -> dict[str, Any]:
    ok = [a for a in answers if a.get("answer_id") is not None]
    return {
        "planned": len(answers),
        "ok": len(ok),
        "statuses": _count(a["status"] for a in answers),
        "errors": _count(a["error"][:100] for a in answers if a.get("error")),
        "rate": round(len(ok) / (phases["answers_end"] - phases["answers_start"]), 1),
        "late_over_100ms": sum(1 for a in answers if a["sent"] - a["scheduled"] > 0.1),
        "http_ms": percentiles([a["done"] - a["sent"] for a in ok]),
    }


def push_rate(live: list[dict[str, Any]], start: float, end: float) -> float:
    """Leaderboard pushes per socket per second while answers were arriving."""
    count = sum(1 for log in live for t in log["lb_time"] if start <= t <= end)
    return round(count / max(1, len(live)) / (end - start), 2)


def pushes_sent(live: list[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    """The distinct leaderboards (by seq) that reached sockets while answers were arriving,
    and how long each took from its first socket to its last: a server that falls behind
    pushes fewer boards, a slow fan-out spreads each one out."""
    arrivals: dict[int, list[float]] = {}
    for log in live:
        for seq, t in zip(log["lb_seq"], log["lb_time"], strict=True):
            if start <= t <= end:
                arrivals.setdefault(seq, []).append(t)
    spreads = [max(times) - min(times) for times in arrivals.values()]
    return {
        "distinct": len(arrivals),
        "per_s": round(len(arrivals) / (end - start), 2),
        "spread_ms": percentiles(spreads),
    }


def memory_summary(memory: dict[str, dict[str, int]], sockets: int) -> dict[str, Any]:
    """Growth from before the first socket to after all connected and settled, per socket."""
    grown = {key: memory["connected"][key] - memory["before"][key] for key in memory["before"]}
    return {
        **memory,
        "daphne_kib_per_socket": round(grown["daphne_rss"] / max(1, sockets) / 1024, 1),
        "redis_bytes_per_socket": round(grown["redis_used"] / max(1, sockets)),
    }


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def _count_sum(dicts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in dicts:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total


def raw_dump(result: dict[str, Any]) -> dict[str, Any]:
    """Everything measured, for a later look: arrays become lists."""
    sockets = [
        {**log, "lb_seq": list(log["lb_seq"]), "lb_time": list(log["lb_time"]), "recorded": [*log["recorded"].items()]}
        for log in result["sockets"]
    ]
    return {**result, "sockets": sockets}


# --- Report --------------------------------------------------------------------------------


def _ms(summary: dict[str, Any]) -> str:
    return " / ".join("-" if summary[p] is None else f"{summary[p]:.0f}" for p in ("p50", "p95", "p99"))


def report(summaries: list[dict[str, Any]]) -> str:
    """Two markdown tables: latency and delivery, then memory and CPU."""
    lines = [
        "| configuration | sockets open / failed / dropped | answers/s | answer POST ms p50/p95/p99 "
        "| push ms p50/p95/p99 (all pairs) | every socket ms p50/p95/p99 | missing pairs | boards/s sent "
        "| board fan-out ms p50/p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        sk, an, boards = s["sockets"], s["answers"], s.get("boards", {})
        lines.append(
            f"| {s['label']} | {sk['connected']} / {sk['failed']} / {sk['dropped']} | {an['rate']} "
            f"| {_ms(an['http_ms'])} | {_ms(s['push_ms'])} | {_ms(s['every_socket_ms'])} "
            f"| {s['missing_pairs']} of {s['pairs']} | {boards.get('per_s', '-')} "
            f"| {_ms(boards['spread_ms']).rsplit(' / ', 1)[0] if boards else '-'} |"
        )
    lines += [
        "",
        "| configuration | daphne KiB/socket | Redis B/socket | daphne RSS MiB | CPU cores: daphne / postgres / redis "
        "/ client (sockets + answers) / other / busy |",
        "|---|---|---|---|---|",
    ]
    for s in summaries:
        m, c = s["memory"], s["cpu"]
        lines.append(
            f"| {s['label']} | {m['daphne_kib_per_socket']} | {m['redis_bytes_per_socket']} "
            f"| {m['connected']['daphne_rss'] / 2**20:.0f} "
            f"| {c['daphne']} / {c['postgres']} / {c['redis']} / {c['client']} ({c['client_sockets']} + "
            f"{c['client_answers']}) / {c['other']} / {c['machine_busy']} |"
        )
    return "\n".join(lines)


def cmd_run(options: argparse.Namespace) -> int:
    if not benchtool._loopback(urlsplit(options.base_url).hostname):
        print(f"--base-url must be a loopback address, not {options.base_url!r}", file=sys.stderr)
        return 2
    contest = json.loads(options.contest.read_text())
    workers = workers_start(options, contest)
    result = asyncio.run(run(options, contest, workers))
    summary = analyse(result, options)
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / f"{options.label}.json").write_text(json.dumps(summary, indent=2))
    with gzip.open(options.out / f"{options.label}.raw.json.gz", "wt") as f:
        json.dump(raw_dump(result), f)
    print(report([summary]))
    return 0


def cmd_report(options: argparse.Namespace) -> int:
    found = [json.loads(p.read_text()) for d in options.dirs for p in sorted(Path(d).glob("*.json"))]
    print(report([s for s in found if isinstance(s, dict) and "push_ms" in s]))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--contest", type=Path, required=True, help="JSON from manage.py bench_ws_contest")
    p.add_argument("--base-url", default="http://127.0.0.1:8001")
    p.add_argument("--pids", type=Path, required=True, help="daphne.pids written by benchtool.py serve")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--label", required=True, help="layer-processes, e.g. core-1proc")
    p.add_argument("--devices", type=int, default=4, help="sockets per team")
    p.add_argument("--audience", type=int, default=400, help="audience sockets")
    p.add_argument("--rate", type=float, default=50, help="answers per second")
    p.add_argument("--duration", type=float, default=60, help="seconds of answering")
    p.add_argument("--workers", type=int, default=3, help="socket processes")
    p.add_argument("--connect-rate", type=float, default=200, help="new sockets per second, all workers")
    p.add_argument("--connect-concurrency", type=int, default=60, help="handshakes in progress, all workers")
    p.add_argument("--connect-timeout", type=float, default=30)
    p.add_argument("--settle", type=float, default=5)
    p.add_argument("--drain", type=float, default=5)
    p.add_argument("--pong-timeout", type=float, default=10)
    p.add_argument("--http-connections", type=int, default=64)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report")
    p.add_argument("dirs", nargs="+")
    p.set_defaults(func=cmd_report)
    options = parser.parse_args()
    result: int = options.func(options)
    return result


if __name__ == "__main__":
    sys.exit(main())
