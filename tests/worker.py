"""A real Celery worker process for the tests that need one (`celery_worker` fixture).

It runs `celery -A quizserver worker` against the test database and the tests' Redis, so
the tasks it runs (timers, scoring) go through the broker, as in a deployment. Tests that
use it need `django_db(transaction=True)`: the worker sees only committed rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from quizserver.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """DATABASE_URL with the test database's name (set up by pytest-django) in its path."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _wait_ready(process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}")
        replies = app.control.ping(timeout=0.5)
        if replies:
            return
    raise RuntimeError(f"the Celery worker did not answer a ping in {timeout} s")


@contextmanager
def worker_running(
    *, queues: str, log: Path, database_url: str, env: dict[str, str] | None = None, name: str = "tests"
) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker` process for `queues` on the test database, stopped on exit."""
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_POOL_SIZE": "0",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "quizserver",
        "worker",
        "-Q",
        queues,
        "--pool",
        "threads",
        "--concurrency",
        "4",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"{name}-{os.getpid()}@%h",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(process, timeout=60)
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    if not settings.REDIS_URL:
        pytest.skip("the Celery worker needs Redis (REDIS_URL)")
    app.control.purge()  # tasks left by tests that ran without a worker
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        url = database_url()
    with worker_running(queues="default", log=log, database_url=url) as process:
        yield process
    if process.returncode not in (0, -15):
        print(log.read_text())
