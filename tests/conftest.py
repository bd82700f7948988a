"""Test-wide setup: real PostgreSQL and Redis, and the ledger invariant after every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run on anything but PostgreSQL and Redis, with a message saying what to do."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.exit(
            "The tests need PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db (make test does).", returncode=3
        )
    import psycopg
    import redis

    try:
        psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is unreachable at {db['HOST']}:{db['PORT']} ({exc}). Start it or set TEST_DATABASE_URL.",
            returncode=3,
        )
    if not settings.REDIS_URL:
        pytest.exit("The tests need Redis: set REDIS_URL=redis://host:6379/15 (make test does).", returncode=3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.exit(
            f"Redis is unreachable at {settings.REDIS_URL} ({exc}). Start it or set TEST_REDIS_URL.", returncode=3
        )


def _uses_db(request: pytest.FixtureRequest) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return "transactional_db"
    if marker or "db" in names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def ledger_matches_scores(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test, each team's cached score equals the sum of its ledger rows."""
    db_fixture = _uses_db(request)
    if db_fixture is None:
        yield
        return
    request.getfixturevalue(db_fixture)
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.id, t.name, t.score, COALESCE(SUM(e.points), 0)
            FROM teams_team t LEFT JOIN scoring_scoreevent e ON e.team_id = t.id
            GROUP BY t.id HAVING t.score <> COALESCE(SUM(e.points), 0)
            """
        )
        drift = cursor.fetchall()
    assert not drift, f"Team score differs from its ledger sum (id, name, score, ledger): {drift}"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Throttle counters live in the cache; each test starts without any."""
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> None:
    """Each async test has its own event loop; a channel layer made on another is stale."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def settle_delayed_pushes() -> Iterator[None]:
    """A leaderboard push a test scheduled on a timer thread (outside an event loop) may
    still be due when the test ends: it must not read the database while it is reset
    for the next test (a TRUNCATE and the push's snapshot read deadlocked once)."""
    yield
    from rooms.broadcast import timers_settle

    timers_settle()


@pytest.fixture(autouse=True)
def close_socket_connections() -> Iterator[None]:
    """Consumers read the database in asgiref's shared worker thread; close what they
    opened there, or the test database cannot be dropped at the end."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def socket_messages(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, str]]]:
    """Every frame any contest socket sends in a test is checked against the protocol's
    schemas; a frame that fails them fails the test. The frames, with the socket's
    viewer, are the fixture's value, for tests that inspect what each role received."""
    from pydantic import ValidationError

    from rooms.consumers import ContestConsumer
    from rooms.protocol import server_message_validate

    sent: list[tuple[Any, str]] = []
    invalid: list[str] = []
    original = ContestConsumer.send

    async def checked_send(self: ContestConsumer, text_data: str | None = None, **kwargs: Any) -> None:
        if text_data is not None:
            try:
                server_message_validate(text_data)
            except ValidationError as exc:
                invalid.append(f"{text_data[:300]}\n{exc}")
                raise
            sent.append((self.viewer, text_data))
        await original(self, text_data=text_data, **kwargs)

    monkeypatch.setattr(ContestConsumer, "send", checked_send)
    yield sent
    assert not invalid, "Frames that do not match rooms/protocol.py:\n" + "\n\n".join(invalid)
