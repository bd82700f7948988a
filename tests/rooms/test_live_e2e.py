"""A whole live round, end to end: HTTP, sockets on Redis and a real Celery worker process
(the deadline passes with nobody acting), and the same round in the embedded default
(SQLite, in-memory layer, eager Celery) served by daphne in a process of its own."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from websockets.typing import Origin

from scoring.models import LedgerReason, ScoreEvent
from tests.factories import choice_question, contest_make, host_client, live_round, team_client, team_make
from tests.realtime import receive_type, socket_open
from tests.worker import celery_worker  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
SPEED = {"scoring": {"strategy": "speed", "speed_bonus": 50, "speed_curve": "linear"}}
LIMIT_S = 2  # short: the test waits for the real deadline, which the worker's timer enforces


@sync_to_async
def live_game(teams: int) -> tuple[Any, list[Any], Any]:
    contest = contest_make(settings={"starting_points": 0})
    round_ = live_round(contest, questions=[choice_question(time_limit_s=LIMIT_S)], settings=SPEED)
    return round_, [team_make(contest=contest) for _ in range(teams)], host_client(contest.owner)


@sync_to_async
def post(client: Any, path: str, data: Any = None, **extra: Any) -> Any:
    return client.post(path, data or {}, format="json", **extra)


@sync_to_async
def speed_bonuses() -> dict[int, int]:
    return dict(ScoreEvent.objects.filter(reason=LedgerReason.SPEED_BONUS).values_list("team_id", "points"))


async def board_until(comm: Any, wanted: dict[str, int], timeout: float = 15) -> dict[str, Any]:
    """The first leaderboard push that shows these scores (by team name)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        board = await receive_type(comm, "leaderboard", deadline - asyncio.get_running_loop().time())
        if {row["name"]: row["score"] for row in board["teams"]} == wanted:
            return board


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_live_round_on_redis_with_a_celery_worker(celery_worker: Any) -> None:  # noqa: F811
    round_, (fast, slow, wrong, idle), host = await live_game(4)
    code = await sync_to_async(lambda: round_.contest.code)()
    screen = await socket_open(code, audience=True)
    device = await socket_open(code, token=fast.raw_token)
    for comm in (screen, device):
        await receive_type(comm, "snapshot")

    opened = await post(host, f"/api/v1/rounds/{round_.pk}/next")
    assert opened.status_code == 200, opened.json()
    shown = await receive_type(screen, "question.opened")
    assert shown["data"]["live"]["status"] == "open" and "answer" not in shown["data"]["question"]
    question = shown["data"]["question"]["id"]
    for team, choice in ((fast, 1), (wrong, 0)):
        response = await post(
            team_client(team),
            "/api/v1/me/answers",
            {"question": question, "answer": [choice]},
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 202, response.json()
    await asyncio.sleep(LIMIT_S / 2)  # a slower team: half the time gone, half the bonus left
    late = {"question": question, "answer": [1]}
    assert (await post(team_client(slow), "/api/v1/me/answers", late, HTTP_IDEMPOTENCY_KEY="s")).status_code == 202

    # Nobody acts: the worker's timer closes the question at its deadline and scores it.
    closed = await receive_type(screen, "question.status", timeout=LIMIT_S + 15)
    assert (closed["data"]["action"], closed["data"]["by"]) == ("close", "timer")
    scored = await receive_type(device, "answer.scored", timeout=15)
    assert scored["data"]["answer"]["correct"] is True and scored["data"]["answer"]["points"] > 100
    bonus = await speed_bonuses()
    assert set(bonus) == {fast.pk, slow.pk} and 50 >= bonus[fast.pk] > bonus[slow.pk] > 0
    refused = await post(team_client(idle), "/api/v1/me/answers", late, HTTP_IDEMPOTENCY_KEY="late")
    assert refused.json()["code"] == "question_closed"

    revealed = await post(host, f"/api/v1/rounds/{round_.pk}/reveal")
    assert revealed.status_code == 200, revealed.json()
    shown = await receive_type(screen, "question.revealed")
    assert shown["data"]["answer"] == {"answer": [1]}
    await board_until(
        screen, {fast.name: 100 + bonus[fast.pk], slow.name: 100 + bonus[slow.pk], wrong.name: 0, idle.name: 0}
    )
    for comm in (screen, device):
        await comm.disconnect()


# --- The embedded default --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def embedded_server(tmp_path: Path) -> Iterator[str]:
    """daphne serving the embedded default: no DATABASE_URL, no REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")}
    env |= {"QUIZSERVER_VAR_DIR": str(tmp_path), "DJANGO_SUPERUSER_PASSWORD": "embedded pass 1", "LOG_LEVEL": "WARNING"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", "qm", "--email", "qm@example.com"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "quizserver.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "daphne.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _embedded_round(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        token = (await http.post("/api/v1/auth/token", json={"username": "qm", "password": "embedded pass 1"})).json()
        host = {"Authorization": f"Token {token['token']}"}
        contest = (await http.post("/api/v1/contests", json={"title": "Laptop quiz"}, headers=host)).json()
        round_ = (
            await http.post(
                f"/api/v1/contests/{contest['id']}/rounds",
                json={"kind": "live", "title": "Live", "settings": SPEED},
                headers=host,
            )
        ).json()
        added = await http.post(
            f"/api/v1/rounds/{round_['id']}/questions", json=choice_question(time_limit_s=LIMIT_S), headers=host
        )
        assert added.status_code == 201, added.json()
        for action in ("open", "start"):
            assert (await http.post(f"/api/v1/contests/{contest['id']}/{action}", headers=host)).status_code == 200
        assert (await http.post(f"/api/v1/rounds/{round_['id']}/start", headers=host)).status_code == 200
        joined = (await http.post("/api/v1/join", json={"code": contest["code"], "team_name": "Laptops"})).json()
        team = {"Authorization": f"Bearer {joined['token']}"}

        ws_url = base.replace("http", "ws") + f"/ws/v1/contests/{contest['code'].replace('-', '')}/"
        async with websockets.connect(ws_url, origin=Origin("http://127.0.0.1")) as screen:
            await screen.send(json.dumps({"type": "hello", "audience": True}))

            async def next_of(kind: str) -> dict[str, Any]:
                while True:
                    message = json.loads(await asyncio.wait_for(screen.recv(), LIMIT_S + 15))
                    if message["type"] == kind:
                        return message

            await next_of("snapshot")
            assert (await http.post(f"/api/v1/rounds/{round_['id']}/next", headers=host)).status_code == 200
            question = (await next_of("question.opened"))["data"]["question"]["id"]
            answered = await http.post(
                "/api/v1/me/answers",
                json={"question": question, "answer": [1]},
                headers={**team, "Idempotency-Key": "k1"},
            )
            assert answered.status_code == 202, answered.json()
            closed = await next_of("question.status")  # the server's own timer, nobody acting
            assert (closed["data"]["action"], closed["data"]["by"]) == ("close", "timer")
            board = await next_of("leaderboard")
            assert board["teams"][0]["name"] == "Laptops" and board["teams"][0]["score"] > 100
            assert (await http.post(f"/api/v1/rounds/{round_['id']}/reveal", headers=host)).status_code == 200
            assert (await next_of("question.revealed"))["data"]["answer"] == {"answer": [1]}
        me = (await http.get("/api/v1/me", headers=team)).json()
        assert me["answers"][0]["status"] == "scored" and me["answers"][0]["correct"] is True


def test_the_same_live_round_in_the_embedded_default(embedded_server: str) -> None:
    asyncio.run(_embedded_round(embedded_server))
