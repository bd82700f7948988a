"""Guarantee 5 over the socket: a scripted contest, and every frame a team or the
audience received is checked the way tests/test_no_leaks.py checks HTTP payloads.

Two teams (one on two devices), a screen and a quizmaster's console are connected while
the teams claim, answer right and wrong, and open mystery boxes; then the standings are
frozen and scores keep changing; then every socket reconnects from the start of the
log, so replays and snapshots are inspected too. The frames are those the autouse
`socket_messages` fixture records (and validates) for every socket.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from rooms import services as room_services
from rooms.models import Contest, Question
from rooms.realtime import HOST
from scoring import services as scoring_services
from scoring.selectors import leaderboard_get
from teams.models import Team

from .factories import host_token
from .realtime import drain, receive_type, socket_open
from .test_no_leaks import Payload, Walk, build_contest, key_secrets, leaks_in, play, private_data

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_no_socket_frame_to_a_team_or_the_audience_leaks(socket_messages: list[tuple[Any, str]]) -> None:
    walk: Walk = await sync_to_async(build_contest)()
    contest = walk.contest
    alpha, bravo = walk.sides["alpha"], walk.sides["bravo"]
    token = await sync_to_async(host_token)(await sync_to_async(lambda: contest.owner)())
    sockets = {
        "alpha phone": await socket_open(contest.code, token=alpha.token),
        "alpha laptop": await socket_open(contest.code, token=alpha.token),
        "bravo": await socket_open(contest.code, token=bravo.token),
        "screen": await socket_open(contest.code),
        "host": await socket_open(contest.code, token=token),
    }
    for comm in sockets.values():
        await receive_type(comm, "snapshot")

    await sync_to_async(play)(walk)
    frozen, freeze_seq = await sync_to_async(_freeze)(contest)
    await sync_to_async(_score_after_the_freeze)(contest, [alpha.team_id, bravo.team_id])
    for comm in sockets.values():
        await drain(comm, quiet=0.6)
        await comm.disconnect()
    # Every role again from the start of the log: replays and snapshots are frames too.
    tokens = {"alpha phone": alpha.token, "bravo": bravo.token, "screen": None, "host": token}
    for raw in tokens.values():
        for last_seq, epoch in ((0, contest.epoch), (None, None)):
            comm = await socket_open(contest.code, token=raw, last_seq=last_seq, epoch=epoch)
            await drain(comm, quiet=0.4)
            await comm.disconnect()

    problems = await sync_to_async(_problems)(walk, socket_messages, frozen, freeze_seq)
    assert not problems, f"{len(problems)} leak(s):\n" + "\n".join(problems[:40])
    received = {_recipient(viewer, walk) for viewer, _ in socket_messages if viewer is not None}
    assert received >= {"alpha", "bravo", "public", "host"}
    host_saw_live = [
        json.loads(text)
        for viewer, text in socket_messages
        if viewer is not None and viewer.role == HOST and '"type":"leaderboard"' in text
    ]
    assert any(_scores(board["teams"]) != frozen for board in host_saw_live), "scores should move after the freeze"


def _freeze(contest: Contest) -> tuple[dict[int, int], int]:
    room_services.contest_update(contest=contest, settings={"freeze_at": timezone.now().isoformat()})
    contest.refresh_from_db()
    board = leaderboard_get(contest=contest, live=True)["teams"]
    return _scores(board), contest.last_seq


def _score_after_the_freeze(contest: Contest, team_ids: list[int]) -> None:
    owner = contest.owner
    for points, team_id in zip((700, 300), team_ids, strict=True):
        team = Team.objects.get(pk=team_id)
        scoring_services.adjustment_create(team=team, points=points, reason="After the freeze", author=owner)
    room_services.announcement_post(contest=contest, text="Standings are frozen")


def _scores(rows: list[dict[str, Any]]) -> dict[int, int]:
    return {row["id"]: row["score"] for row in rows}


def _recipient(viewer: Any, walk: Walk) -> str:
    if viewer.role == HOST:
        return "host"
    if viewer.team_id is None:
        return "public"
    return next(name for name, side in walk.sides.items() if side.team_id == viewer.team_id)


def _problems(walk: Walk, frames: list[tuple[Any, str]], frozen: dict[int, int], freeze_seq: int) -> list[str]:
    secrets = key_secrets(list(Question.objects.filter(round__contest=walk.contest)))
    private = private_data(walk)
    problems: list[str] = []
    for viewer, text in frames:
        if viewer is None or viewer.role == HOST:
            continue
        recipient = _recipient(viewer, walk)
        message = json.loads(text)
        payload = Payload(recipient, f"socket {message['type']} #{message['seq']}", None, 200, text, message)
        problems += [
            f"{payload.request} to {recipient}: {p}" for p in leaks_in(payload, secrets=secrets, private=private)
        ]
        if message.get("stream") == "team" and message["data"].get("team") != viewer.team_id:
            problems.append(f"{payload.request} to {recipient}: another team's event")
        problems += [f"{payload.request} to {recipient}: {p}" for p in _after_freeze(message, frozen, freeze_seq)]
    return problems


def _after_freeze(message: dict[str, Any], frozen: dict[int, int], freeze_seq: int) -> list[str]:
    """Standings that reflect anything newer than the freeze."""
    if message["seq"] < freeze_seq:
        return []
    rows: list[dict[str, Any]] = []
    if message["type"] == "leaderboard":
        rows = message["teams"]
    elif message["type"] == "standing":
        rows = message["neighbours"]
    elif message["type"] == "snapshot":
        rows = message["data"]["leaderboard"]["teams"] + message["data"].get("standing", {}).get("neighbours", [])
    return [
        f"team {row['id']} shows {row['score']}, frozen at {frozen[row['id']]}"
        for row in rows
        if frozen.get(row["id"]) != row["score"]
    ]
