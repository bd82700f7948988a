"""Helpers for k6/run.sh: database setup, the daphne processes, CPU accounting, the report.

Standard library and psycopg only; run with the project's virtualenv Python.

    benchtool.py urls DATABASE_URL REDIS_URL NAME    print the bench and admin database URLs
    benchtool.py db-reset ADMIN_URL NAME              drop (if it exists) and create a database
    benchtool.py db-analyze URL                       VACUUM ANALYZE after loading the contest
    benchtool.py serve --processes N [--mode shared|ports] --port P --log-dir D
    benchtool.py wait URL [--timeout S]               wait for a 200
    benchtool.py cpu-snapshot FILE                    per-process CPU ticks and machine totals
    benchtool.py cpu-diff BEFORE AFTER --pids FILE    CPU used in between, by process group (JSON)
    benchtool.py cpu-sample --duration 30s --pids F   the same over the middle of a k6 run
    benchtool.py report DIR [DIR …]                   markdown tables: medians over runs
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ENDPOINTS = ["POST /api/v1/join", "POST /api/v1/me/claims", "POST /api/v1/me/answers", "GET /api/v1/me"]


def _loopback(host: str | None) -> bool:
    if not host or host == "localhost":  # no host: a local Unix socket
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_urls(args: argparse.Namespace) -> int:
    db, redis = urlsplit(args.database_url), urlsplit(args.redis_url)
    for name, parts in (("DATABASE_URL", db), ("REDIS_URL", redis)):
        if not _loopback(parts.hostname):
            print(f"{name} must point at this machine (loopback), not {parts.hostname!r}", file=sys.stderr)
            return 2
    if db.scheme not in ("postgres", "postgresql"):
        print("DATABASE_URL must be a postgres:// URL", file=sys.stderr)
        return 2
    current = db.path.lstrip("/")
    admin_db = current if current and current != args.name else "postgres"
    print(urlunsplit(db._replace(path=f"/{args.name}")))
    print(urlunsplit(db._replace(path=f"/{admin_db}")))
    return 0


def cmd_db_reset(args: argparse.Namespace) -> int:
    import psycopg
    from psycopg import sql

    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.name)))
    return 0


def cmd_db_analyze(args: argparse.Namespace) -> int:
    import psycopg

    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Start N daphne processes; stop them all on SIGTERM/SIGINT or when one of them dies.

    `shared`: the processes accept on one listening socket bound here (daphne --fd), so
    the kernel spreads connections over them. `ports`: one port each, from --port up.
    """
    if not _loopback(args.host):
        print(f"--host must be a loopback address, not {args.host!r}", file=sys.stderr)
        return 2
    daphne = str(Path(sys.executable).with_name("daphne"))
    args.log_dir.mkdir(parents=True, exist_ok=True)
    listener: socket.socket | None = None
    commands: list[tuple[list[str], tuple[int, ...]]] = []
    if args.mode == "shared" and args.processes > 1:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((args.host, args.port))
        listener.listen(1024)
        listener.set_inheritable(True)
        fd = listener.fileno()
        commands = [([daphne, "--fd", str(fd)], (fd,)) for _ in range(args.processes)]
    else:
        commands = [([daphne, "-b", args.host, "-p", str(args.port + i)], ()) for i in range(args.processes)]

    children: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for index, (command, fds) in enumerate(commands):
            log = (args.log_dir / f"daphne-{index}.log").open("ab")
            full = [*command, "--access-log", str(args.log_dir / f"access-{index}.log"), "quizserver.asgi:application"]
            children.append(subprocess.Popen(full, pass_fds=fds, stdout=log, stderr=subprocess.STDOUT))  # noqa: S603 (our argv)
        if listener is not None:
            listener.close()  # the children hold it now
        (args.log_dir / "daphne.pids").write_text("".join(f"{c.pid}\n" for c in children))
        pid, status = os.wait()
        print(f"daphne process {pid} exited ({status}); stopping the others", file=sys.stderr)
        return 1
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def cmd_wait(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(args.url, timeout=2) as response:  # noqa: S310 (loopback, checked by run.sh)
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    print(f"{args.url} did not answer 200 within {args.timeout} s", file=sys.stderr)
    return 1


def _cpu_snapshot() -> dict[str, Any]:
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    processes: dict[str, list[Any]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        if comm == "postgres":  # tell this benchmark's backends from other databases' ones
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    title = f.read().decode(errors="replace")
            except OSError:
                title = ""
            if " 127.0.0.1(" in title or " [local]" in title:  # a client backend
                comm = (
                    "postgres" if f" {os.environ.get('BENCH_DB', 'quizserver_bench')} " in title else "postgres-other"
                )
        processes[entry] = [comm, int(rest[11]) + int(rest[12]), rest[19]]  # utime + stime, starttime
    return {
        "time": time.monotonic(),
        "ticks_per_s": os.sysconf("SC_CLK_TCK"),
        "cores": os.cpu_count(),
        "busy": sum(fields) - idle,
        "total": sum(fields),
        "processes": processes,
    }


def cmd_cpu_snapshot(args: argparse.Namespace) -> int:
    Path(args.file).write_text(json.dumps(_cpu_snapshot()))
    return 0


def _seconds(duration: str) -> float:
    """A k6 duration ("30s", "1m30s", "2m") in seconds."""
    total, number = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1}
    for ch in duration:
        if ch.isdigit() or ch == ".":
            number += ch
        else:
            total += float(number) * units[ch]
            number = ""
    return total + (float(number) if number else 0.0)


def cmd_cpu_sample(args: argparse.Namespace) -> int:
    """Measure CPU over the steady part of a k6 run: skip the first and last seconds.

    Started just before k6; the processes (k6 included) are all alive in the window.
    """
    length = _seconds(args.duration)
    skip = min(3.0, length / 5)
    time.sleep(skip)
    before = _cpu_snapshot()
    time.sleep(max(1.0, length - 2 * skip))
    after = _cpu_snapshot()
    pids = set(Path(args.pids).read_text().split()) if args.pids else set()
    print(json.dumps(_cpu_diff(before, after, pids)))
    return 0


def cmd_cpu_diff(args: argparse.Namespace) -> int:
    before, after = json.loads(Path(args.before).read_text()), json.loads(Path(args.after).read_text())
    pids = set(Path(args.pids).read_text().split()) if args.pids else set()
    print(json.dumps(_cpu_diff(before, after, pids)))
    return 0


def _cpu_diff(before: dict[str, Any], after: dict[str, Any], pids: set[str]) -> dict[str, Any]:
    """CPU used between two snapshots, in cores (1.0 = one core busy the whole time)."""
    seconds = after["time"] - before["time"]
    hz = after["ticks_per_s"]
    groups: dict[str, float] = {"daphne": 0.0, "postgres": 0.0, "k6": 0.0, "redis": 0.0}
    for pid, (comm, ticks, start) in after["processes"].items():
        old = before["processes"].get(pid)
        used = ticks - old[1] if old and old[2] == start else ticks
        group = (
            "daphne"
            if pid in pids
            else "postgres"
            if comm == "postgres"
            else "k6"
            if comm == "k6"
            else "redis"
            if comm.startswith("redis")
            else None
        )
        if group:
            groups[group] += used / hz
    machine = (after["busy"] - before["busy"]) / (after["total"] - before["total"]) * after["cores"]
    result = {name: round(value / seconds, 2) for name, value in groups.items()}
    result["machine_busy"] = round(machine, 2)
    result["other"] = round(max(0.0, machine - sum(groups.values()) / seconds), 2)
    result["seconds"] = round(seconds, 1)
    return result


def _summary_row(summary: dict[str, Any]) -> dict[str, Any]:
    metrics = summary["metrics"]
    seconds = summary["state"]["testRunDurationMs"] / 1000

    def values(name: str) -> dict[str, Any]:
        return metrics.get(name, {}).get("values", {})

    row: dict[str, Any] = {
        "req/s": values("http_reqs").get("rate", 0.0),
        "iter/s": values("iterations").get("rate", 0.0),
        "failed %": values("http_req_failed").get("rate", 0.0) * 100,
        "pool_empty": values("pool_empty").get("count", 0),
        "requests": values("http_reqs").get("count", 0),
    }
    for label, metric in [("all", "http_req_duration"), *[(e, f"http_req_duration{{name:{e}}}") for e in ENDPOINTS]]:
        trend = values(metric)
        row[label] = {
            "p50": trend.get("med"),
            "p95": trend.get("p(95)"),
            "p99": trend.get("p(99)"),
            "req/s": trend.get("count", 0) / seconds,
        }
    return row


def cmd_report(args: argparse.Namespace) -> int:
    """Markdown tables for each configuration: the median over the runs given."""
    runs: dict[str, list[dict[str, Any]]] = {}
    cpu: dict[str, list[dict[str, Any]]] = {}
    for directory in args.dirs:
        for path in sorted(Path(directory).glob("*.json")):
            if path.name.endswith(".cpu.json"):
                continue
            runs.setdefault(path.stem, []).append(_summary_row(json.loads(path.read_text())))
            cpu_path = path.with_name(f"{path.stem}.cpu.json")
            if cpu_path.exists():
                cpu.setdefault(path.stem, []).append(json.loads(cpu_path.read_text()))

    def med(values: list[Any]) -> float:
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else float("nan")

    order = sorted(runs, key=lambda name: (len(name), name))  # 1proc, 2proc, 2proc-ports
    print("| configuration | runs | req/s | iterations/s | failed | pool_empty |")
    print("|---|---|---|---|---|---|")
    for config in order:
        rows = runs[config]
        print(
            f"| {config} | {len(rows)} | {med([r['req/s'] for r in rows]):.1f} | "
            f"{med([r['iter/s'] for r in rows]):.2f} | {med([r['failed %'] for r in rows]):.2f} % | "
            f"{med([r['pool_empty'] for r in rows]):.0f} |"
        )
    print()
    print("| configuration | endpoint | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for config in order:
        rows = runs[config]
        for label in ["all", *ENDPOINTS]:
            print(
                f"| {config} | {label} | {med([r[label]['req/s'] for r in rows]):.1f} | "
                + " | ".join(f"{med([r[label][p] for r in rows]):.0f}" for p in ("p50", "p95", "p99"))
                + " |"
            )
    if cpu:
        print()
        print("CPU in cores over the middle of the run (2.00 = the whole machine); CPU ms per request:")
        print()
        print("| configuration | daphne | postgres | k6 | redis | other | busy | daphne ms/req | pg ms/req |")
        print("|---|---|---|---|---|---|---|---|---|")
        for config in order:
            samples = cpu.get(config, [])
            if not samples:
                continue
            cells = " | ".join(
                f"{med([s[k] for s in samples]):.2f}" for k in ("daphne", "postgres", "k6", "redis", "other")
            )
            rate = med([r["req/s"] for r in runs[config]])
            per_request = " | ".join(
                f"{med([s[k] for s in samples]) * 1000 / rate:.1f}" for k in ("daphne", "postgres")
            )
            print(f"| {config} | {cells} | {med([s['machine_busy'] for s in samples]):.2f} | {per_request} |")
    print()
    print("Per run (req/s): " + "; ".join(f"{c}: " + ", ".join(f"{r['req/s']:.1f}" for r in runs[c]) for c in order))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("urls")
    p.add_argument("database_url")
    p.add_argument("redis_url")
    p.add_argument("name")
    p.set_defaults(func=cmd_urls)
    p = sub.add_parser("db-reset")
    p.add_argument("admin_url")
    p.add_argument("name")
    p.set_defaults(func=cmd_db_reset)
    p = sub.add_parser("db-analyze")
    p.add_argument("url")
    p.set_defaults(func=cmd_db_analyze)
    p = sub.add_parser("serve")
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--mode", choices=["shared", "ports"], default="shared")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--log-dir", type=Path, required=True)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("wait")
    p.add_argument("url")
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(func=cmd_wait)
    p = sub.add_parser("cpu-snapshot")
    p.add_argument("file")
    p.set_defaults(func=cmd_cpu_snapshot)
    p = sub.add_parser("cpu-diff")
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--pids")
    p.set_defaults(func=cmd_cpu_diff)
    p = sub.add_parser("cpu-sample")
    p.add_argument("--duration", required=True, help="the k6 run's duration, like 30s")
    p.add_argument("--pids")
    p.set_defaults(func=cmd_cpu_sample)
    p = sub.add_parser("report")
    p.add_argument("dirs", nargs="+")
    p.set_defaults(func=cmd_report)
    args = parser.parse_args()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
