"""The server the browser tests drive: daphne serving quizserver, plus a Celery worker for
the `default` and `judge` queues, on the test database and the tests' Redis, as deployed.

The processes see only committed rows, so a test that uses them runs with
`transactional_db` (the `live_server_url` fixture asks for it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from quizserver.celery import app
from tests.worker import ROOT, worker_running

QUEUES = ("default", "judge")
# Box uids of this worker's judge: apart from tests/scoring/test_judge_worker.py's (61100).
# BROWSER_JUDGE_UID_BASE moves them, for two page-test runs on one machine.
JUDGE_UID_BASE = int(os.environ.get("BROWSER_JUDGE_UID_BASE", "61200"))
JUDGE_SLOTS = 2
LOG_TAIL_LINES = 60


@dataclass(frozen=True)
class LiveStack:
    url: str
    logs: tuple[Path, ...]

    def log_marks(self) -> dict[Path, int]:
        """Where each log ends now: `logs_since` shows what a test added after this."""
        return {log: log.stat().st_size if log.exists() else 0 for log in self.logs}

    def logs_since(self, marks: dict[Path, int]) -> str:
        """The last lines each process logged since `marks`, for a failing test's report."""
        parts = []
        for log in self.logs:
            with log.open("rb") as file:
                file.seek(marks.get(log, 0))
                lines = file.read().decode(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            if lines:
                parts.append(f"--- {log.name} (last {len(lines)} lines during the test) ---\n" + "\n".join(lines))
        return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def queues_purge() -> None:
    """Tasks left in Redis by tests that ran without a worker would otherwise run now."""
    with app.connection_for_write() as connection:
        for queue in QUEUES:
            connection.default_channel.queue_purge(queue)  # type: ignore[attr-defined]


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]) if log.exists() else ""


def daphne_wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30) -> None:
    """Until /readyz answers 200: the database and Redis answered the server itself."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"daphne was not ready at {url}/readyz in {timeout} s:\n{_tail(log)}")


@contextmanager
def daphne_started(*, env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """daphne on a free port of 127.0.0.1 (not yet ready: see `daphne_wait_ready`) and its
    base URL; stopped on exit."""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "quizserver.asgi:application"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def judge_work_dir() -> Iterator[Path]:
    """The boxes' directory: its own, and passable (0711) by the box uids, which are not root."""
    work = Path(tempfile.mkdtemp(prefix="quizserver-browser-judge-"))
    work.chmod(0o711)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def stack_running(*, database_url: str, log_dir: Path) -> Iterator[LiveStack]:
    """daphne and one Celery worker (`default` and `judge`), both stopped on exit."""
    # The tests' process may allow the ORM under Playwright's loop (conftest.py); the
    # server and worker keep Django's check (an empty value is off).
    keep_async_check = {"DJANGO_ALLOW_ASYNC_UNSAFE": ""}
    env = {
        **os.environ,
        **keep_async_check,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": os.environ.get("BROWSER_SERVER_LOG_LEVEL", "WARNING"),
    }
    server_log, worker_log = log_dir / "daphne.log", log_dir / "worker.log"
    queues_purge()
    try:
        with ExitStack() as running:
            work = running.enter_context(judge_work_dir())
            worker_env = {
                **keep_async_check,
                "JUDGE_WORK_DIR": str(work),
                "JUDGE_UID_BASE": str(JUDGE_UID_BASE),
                "JUDGE_SLOTS": str(JUDGE_SLOTS),
            }
            server, url = running.enter_context(daphne_started(env=env, log=server_log))
            # The worker starts while daphne does; each takes seconds to import Django.
            running.enter_context(
                worker_running(
                    queues=",".join(QUEUES), log=worker_log, database_url=database_url, env=worker_env, name="browser"
                )
            )
            daphne_wait_ready(server, url, server_log)
            yield LiveStack(url=url, logs=(server_log, worker_log))
    finally:
        queues_purge()  # timers the tests left behind must not fire in later tests' workers
