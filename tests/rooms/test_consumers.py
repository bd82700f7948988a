"""The contest socket over the real ASGI stack and the Redis channel layer."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import Client, override_settings

from rooms import broadcast, realtime, services
from rooms.models import Contest, ContestEvent
from teams.services import claim_next
from tests.factories import contest_make, host_client, host_token, pool_round, team_client, team_make
from tests.realtime import ProtocolClient, closed_with, communicator, drain, receive, receive_type, socket_open

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

FAST_BOARD = override_settings(LEADERBOARD_PUSH_INTERVAL_S=0.05, STANDING_PUSH_INTERVAL_S=0.05)


@sync_to_async
def contest_with_teams(teams: int = 2, **kwargs: Any) -> tuple[Contest, list[Any]]:
    contest = contest_make(**kwargs)
    return contest, [team_make(contest=contest, name=f"Team {i}") for i in range(teams)]


@sync_to_async
def http(client: Any, method: str, path: str, data: Any = None, **extra: Any) -> Any:
    response = getattr(client, method)(path, data, format="json", **extra)
    return response


# --- Who may connect -----------------------------------------------------------------------


async def test_audience_gets_the_public_snapshot() -> None:
    contest, _teams = await contest_with_teams()
    comm = await socket_open(contest.display_code)
    snapshot = await receive(comm)
    assert snapshot["type"] == "snapshot" and snapshot["role"] == "audience"
    assert snapshot["epoch"] == contest.epoch and snapshot["protocol"] == 1
    assert set(snapshot["heads"]) == {"public"}
    assert "team" not in snapshot["data"] and snapshot["data"]["contest"]["code"] == contest.display_code
    assert [row["name"] for row in snapshot["data"]["leaderboard"]["teams"]] == ["Team 0", "Team 1"]
    await comm.disconnect()


async def test_team_token_gets_its_own_snapshot() -> None:
    contest, (team, other) = await contest_with_teams()
    comm = await socket_open(contest.code.lower(), token=team.raw_token)
    snapshot = await receive(comm)
    assert snapshot["role"] == "team" and set(snapshot["heads"]) == {"public", "team"}
    data = snapshot["data"]
    assert data["team"]["id"] == team.pk and data["standing"]["rank"] in (1, 2)
    assert other.name not in json.dumps(data["team"])
    await comm.disconnect()


async def test_host_token_and_host_session_get_the_host_snapshot() -> None:
    contest, teams = await contest_with_teams()
    owner = await sync_to_async(lambda: contest.owner)()
    token = await sync_to_async(host_token)(owner)
    comm = await socket_open(contest.code, token=token)
    snapshot = await receive(comm)
    assert snapshot["role"] == "host" and set(snapshot["heads"]) == {"contest"}
    assert {t["id"] for t in snapshot["data"]["teams"]} == {t.pk for t in teams}
    await comm.disconnect()

    browser = Client()
    await sync_to_async(browser.force_login)(owner)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    comm = await socket_open(contest.code, headers=[(b"cookie", cookie)])
    assert (await receive(comm))["role"] == "host"
    await comm.disconnect()
    # The projector on the quizmaster's laptop asks to be the audience.
    comm = await socket_open(contest.code, headers=[(b"cookie", cookie)], audience=True)
    assert (await receive(comm))["role"] == "audience"
    await comm.disconnect()


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "team-of-another-contest", "host-of-another-contest"],
)
async def test_a_wrong_token_is_refused_with_4401(token: str) -> None:
    contest, _teams = await contest_with_teams(1)
    elsewhere, (stranger,) = await contest_with_teams(1)
    if token == "team-of-another-contest":
        token = stranger.raw_token
    elif token == "host-of-another-contest":
        token = await sync_to_async(lambda: host_token(elsewhere.owner))()
    comm = await socket_open(contest.code, token=token)
    assert await closed_with(comm) == 4401


async def test_a_token_in_the_url_is_refused_with_4403() -> None:
    contest, (team,) = await contest_with_teams(1)
    comm = communicator(contest.code, query=f"token={team.raw_token}")
    connected, _ = await comm.connect()
    assert connected
    assert await closed_with(comm) == 4403


@pytest.mark.parametrize(
    "first",
    ['{"type": "ping"}', "not json", '{"type": "hello", "token": 5}', '{"type": "hello", "extra": 1}', "[]"],
)
async def test_a_first_message_that_is_not_a_valid_hello_closes_with_4400(first: str) -> None:
    contest, _ = await contest_with_teams(1)
    comm = communicator(contest.code)
    await comm.connect()
    await comm.send_to(text_data=first)
    assert await closed_with(comm) == 4400


@override_settings(WS_HELLO_TIMEOUT_S=0.3)
async def test_no_hello_in_time_closes_with_4408() -> None:
    contest, _ = await contest_with_teams(1)
    comm = communicator(contest.code)
    await comm.connect()
    assert await closed_with(comm) == 4408


async def test_an_unknown_contest_closes_with_4404() -> None:
    comm = await socket_open("ZZZZ-ZZZZ")
    assert await closed_with(comm) == 4404


async def test_a_foreign_origin_is_refused() -> None:
    contest, _ = await contest_with_teams(1)
    from channels.testing import WebsocketCommunicator

    from quizserver.asgi import application

    comm = WebsocketCommunicator(
        application, f"/ws/v1/contests/{contest.code}/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await comm.connect()
    assert not connected


# --- Messages after hello --------------------------------------------------------------------


async def test_ping_answers_with_server_time_and_heads() -> None:
    contest, (team,) = await contest_with_teams(1)
    comm = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive(comm)
    await comm.send_to(text_data='{"type": "ping", "id": "abc"}')
    pong = await receive_type(comm, "pong")
    assert pong["id"] == "abc" and pong["heads"] == snapshot["heads"]
    assert abs(pong["server_time"] - snapshot["server_time"]) < 5
    await comm.disconnect()


async def test_a_bad_message_after_hello_gets_an_error_and_changes_nothing() -> None:
    contest, (team,) = await contest_with_teams(1)
    comm = await socket_open(contest.code, token=team.raw_token)
    await receive(comm)
    for frame in ['{"type": "answer", "question": 1}', '{"type": "resync", "last_seq": -1}', "{"]:
        await comm.send_to(text_data=frame)
        error = await receive_type(comm, "error")
        assert error["code"] == "bad_message" and error["detail"]
    await comm.send_to(text_data='{"type": "hello"}')
    assert (await receive_type(comm, "error"))["code"] == "already_hello"
    await comm.disconnect()


@override_settings(WS_MESSAGES_PER_10S=5)
async def test_a_socket_that_floods_the_server_is_closed_with_4429() -> None:
    contest, _ = await contest_with_teams(1)
    comm = await socket_open(contest.code)
    await receive(comm)
    for _ in range(6):
        await comm.send_to(text_data='{"type": "ping"}')
    assert await closed_with(comm) == 4429


# --- Deltas after HTTP actions --------------------------------------------------------------


@FAST_BOARD
async def test_a_claim_and_an_answer_reach_every_device_of_the_team_and_no_other() -> None:
    contest, (team, other) = await contest_with_teams()
    round_ = await sync_to_async(pool_round)(contest, questions=2)
    phone = await socket_open(contest.code, token=team.raw_token)
    laptop = await socket_open(contest.code, token=team.raw_token)
    rival = await socket_open(contest.code, token=other.raw_token)
    screen = await socket_open(contest.code)
    snapshots = [await receive_type(comm, "snapshot") for comm in (phone, laptop, rival, screen)]
    before = snapshots[0]["data"]["team"]["score"]

    claim = await http(team_client(team), "post", "/api/v1/me/claims", {"round": round_.pk})
    assert claim.status_code == 201
    for device in (phone, laptop):
        pushed = await receive_type(device, "claim.created")
        assert pushed["stream"] == "team" and pushed["data"]["claim"]["id"] == claim.json()["claim"]["id"]
    question = claim.json()["claim"]["question"]["id"]
    answer = await http(
        team_client(team),
        "post",
        "/api/v1/me/answers",
        {"question": question, "answer": [1]},
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert answer.status_code == 201
    for device in (phone, laptop):
        recorded = await receive_type(device, "answer.recorded")
        assert recorded["data"]["answer"]["correct"] is True and recorded["data"]["score"] == before + 100
        standing = await receive_type(device, "standing")
        assert standing["rank"] == 1 and standing["score"] == before + 100 and standing["seq"] >= recorded["seq"]
    board = await receive_type(screen, "leaderboard")
    while board["seq"] < recorded["seq"]:  # a push from before the answer may come first
        board = await receive_type(screen, "leaderboard")
    assert board["teams"][0] == {"rank": 1, "id": team.pk, "name": team.name, "score": before + 100}
    rival_saw = await drain(rival)
    assert {m["type"] for m in rival_saw} <= {"leaderboard", "standing"}
    assert all(m["type"] != "standing" or m["rank"] == 2 for m in rival_saw)
    for comm in (phone, laptop, rival, screen):
        await comm.disconnect()


async def test_status_changes_and_announcements_reach_every_role() -> None:
    contest, (team,) = await contest_with_teams(1, status="lobby")
    owner = await sync_to_async(lambda: contest.owner)()
    host = await sync_to_async(host_client)(owner)
    sockets = {
        "team": await socket_open(contest.code, token=team.raw_token),
        "audience": await socket_open(contest.code),
        "host": await socket_open(contest.code, token=await sync_to_async(host_token)(owner)),
    }
    for comm in sockets.values():
        await receive_type(comm, "snapshot")
    started = await http(host, "post", f"/api/v1/contests/{contest.pk}/start")
    assert started.status_code == 200
    said = await http(host, "post", f"/api/v1/contests/{contest.pk}/announcements", {"text": "Round 1 starts now"})
    assert said.status_code == 201
    for role, comm in sockets.items():
        status = await receive_type(comm, "contest.status")
        assert status["data"] == {"status": "running", "previous": "lobby"}
        assert status["stream"] == ("contest" if role == "host" else "public")
        announcement = await receive_type(comm, "announcement")
        assert announcement["data"] == {"text": "Round 1 starts now"}
        await comm.disconnect()


async def test_a_corrected_question_reaches_every_console_and_no_team() -> None:
    contest, (team,) = await contest_with_teams(1)
    owner = await sync_to_async(lambda: contest.owner)()
    round_ = await sync_to_async(pool_round)(contest, questions=1)
    question_id = await sync_to_async(lambda: round_.questions.get().pk)()
    consoles = [await socket_open(contest.code, token=await sync_to_async(host_token)(owner)) for _ in range(2)]
    phone = await socket_open(contest.code, token=team.raw_token)
    for comm in [*consoles, phone]:
        await receive_type(comm, "snapshot")
    host = await sync_to_async(host_client)(owner)
    changed = await http(host, "patch", f"/api/v1/questions/{question_id}", {"prompt": "Which is the largest?"})
    assert changed.status_code == 200
    for comm in consoles:
        updated = await receive_type(comm, "question.updated")
        assert updated["data"] == {"round": round_.pk, "question": question_id, "fields": ["prompt"]}
    assert [m for m in await drain(phone) if m["type"] == "question.updated"] == []
    for comm in [*consoles, phone]:
        await comm.disconnect()


async def test_a_device_leaves_cleanly_after_its_contest_was_deleted() -> None:
    contest, (team,) = await contest_with_teams(1)
    phone = await socket_open(contest.code, token=team.raw_token)
    await receive_type(phone, "snapshot")
    await sync_to_async(lambda: Contest.objects.filter(pk=contest.pk).delete())()
    await phone.disconnect()  # raises if the consumer failed while leaving


async def test_hosts_see_presence_as_team_devices_come_and_go() -> None:
    contest, (team,) = await contest_with_teams(1)
    owner = await sync_to_async(lambda: contest.owner)()
    host = await socket_open(contest.code, token=await sync_to_async(host_token)(owner))
    await receive_type(host, "snapshot")
    phone = await socket_open(contest.code, token=team.raw_token)
    assert (await receive_type(host, "presence")) | {"seq": 0} == {
        "type": "presence",
        "seq": 0,
        "epoch": contest.epoch,
        "team": team.pk,
        "devices": 1,
    }
    laptop = await socket_open(contest.code, token=team.raw_token)
    assert (await receive_type(host, "presence"))["devices"] == 2
    await phone.disconnect()
    assert (await receive_type(host, "presence"))["devices"] == 1
    await laptop.disconnect()
    assert (await receive_type(host, "presence"))["devices"] == 0
    late = await socket_open(contest.code, token=await sync_to_async(host_token)(owner))
    assert all(t["devices"] == 0 for t in (await receive_type(late, "snapshot"))["data"]["teams"])
    await host.disconnect()
    await late.disconnect()


def layer_settings(kind: str) -> dict[str, Any]:
    """CHANNEL_LAYERS for one of the two Redis layers, on the test Redis."""
    default: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    config: dict[str, Any] = dict(default["CONFIG"])
    if kind == "pubsub":
        config = {key: config[key] for key in ("hosts", "prefix")}
        return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": config}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {**config, "capacity": settings.CHANNEL_CAPACITY, "group_expiry": 900},
        }
    }


async def group_members(group: str) -> int:
    """Sockets in a group, read from the layer itself (Redis for core, the process for pubsub)."""
    layer: Any = get_channel_layer()
    if "pubsub" in type(layer).__module__:
        loop_layer = layer._get_layer()
        return len(loop_layer.groups.get(loop_layer._get_group_channel_name(group), set()))
    connection = layer.connection(layer.consistent_hash(group))
    return int(await connection.zcard(layer._group_key(group)))


@pytest.mark.parametrize("kind", ["core", "pubsub"])
async def test_groups_are_left_on_disconnect(kind: str) -> None:
    with override_settings(CHANNEL_LAYERS=layer_settings(kind)):
        contest, (team,) = await contest_with_teams(1)
        comm = await socket_open(contest.code, token=team.raw_token)
        await receive_type(comm, "snapshot")
        groups = [broadcast.contest_group(contest.pk), broadcast.team_group(team.pk)]
        assert [await group_members(g) for g in groups] == [1, 1]
        await comm.disconnect()
        assert [await group_members(g) for g in groups] == [0, 0]
    devices = await sync_to_async(_devices)(contest.pk, team.pk)
    assert devices == 0


@pytest.mark.parametrize("kind", ["core", "pubsub"])
async def test_a_process_joins_each_group_once_however_many_sockets_it_holds(kind: str) -> None:
    """The layer delivers one copy of a group message per process (rooms.fanout), and
    the process hands it to each of its sockets in the group."""
    with override_settings(CHANNEL_LAYERS=layer_settings(kind)):
        contest, (team, _) = await contest_with_teams()
        phones = [await socket_open(contest.code, token=team.raw_token) for _ in range(3)]
        screens = [await socket_open(contest.code) for _ in range(2)]
        for comm in phones + screens:
            await receive_type(comm, "snapshot")
        public, own = broadcast.contest_group(contest.pk), broadcast.team_group(team.pk)
        assert [await group_members(public), await group_members(own)] == [1, 1]

        await sync_to_async(services.announcement_post)(contest=contest, text="Doors close at nine")
        for comm in phones + screens:
            assert (await receive_type(comm, "announcement"))["data"]["text"] == "Doors close at nine"

        for comm in phones + screens[:1]:
            await comm.disconnect()
        assert [await group_members(public), await group_members(own)] == [1, 0]
        await screens[1].disconnect()
        assert await group_members(public) == 0


async def test_a_push_that_arrives_while_the_snapshot_is_read_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """An event committed after the socket joined its groups but before its snapshot was
    read reaches the consumer while the snapshot is being read: it is held, and dropped
    because the snapshot holds it. The client never gets an event before its snapshot."""
    contest, (team,) = await contest_with_teams(1)
    original = realtime.snapshot_text

    def snapshot_after_an_announcement(**kwargs: Any) -> Any:
        services.announcement_post(contest=contest, text="Mid-snapshot")
        time.sleep(0.3)  # the push reaches this socket meanwhile
        return original(**kwargs)

    monkeypatch.setattr(realtime, "snapshot_text", snapshot_after_an_announcement)
    comm = await socket_open(contest.code, token=team.raw_token)
    first = await receive(comm)
    assert first["type"] == "snapshot"
    assert [a["text"] for a in first["data"]["announcements"]] == ["Mid-snapshot"]
    assert [m for m in await drain(comm) if m["type"] == "announcement"] == []  # not twice
    await comm.disconnect()


@pytest.mark.parametrize("kind", ["core", "pubsub"])
async def test_both_redis_layers_deliver_events_and_boards(kind: str) -> None:
    with override_settings(CHANNEL_LAYERS=layer_settings(kind), LEADERBOARD_PUSH_INTERVAL_S=0.05):
        contest, (team, _) = await contest_with_teams()
        owner = await sync_to_async(lambda: contest.owner)()
        screen = await socket_open(contest.code)
        phone = await socket_open(contest.code, token=team.raw_token)
        await receive_type(screen, "snapshot")
        await receive_type(phone, "snapshot")
        host = await sync_to_async(host_client)(owner)
        response = await http(host, "post", f"/api/v1/teams/{team.pk}/adjustments", {"points": 7, "reason": "Bonus"})
        assert response.status_code == 201
        adjusted = await receive_type(phone, "score.adjusted")
        assert adjusted["data"]["points"] == 7
        board = await receive_type(screen, "leaderboard")
        while board["seq"] < adjusted["seq"]:
            board = await receive_type(screen, "leaderboard")
        assert board["teams"][0]["id"] == team.pk
        await screen.disconnect()
        await phone.disconnect()


def _devices(contest_id: int, team_id: int) -> int:
    from rooms.presence import presence_devices

    return presence_devices(contest_id=contest_id, team_id=team_id)


# --- Resume and resync ----------------------------------------------------------------------


@sync_to_async
def announce(contest: Contest, count: int) -> None:
    for i in range(count):
        services.announcement_post(contest=contest, text=f"Note {i}")


async def test_a_client_resumes_with_last_seq_and_gets_only_what_it_missed() -> None:
    contest, (team,) = await contest_with_teams(1)
    comm = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive_type(comm, "snapshot")
    await comm.disconnect()
    await announce(contest, 3)
    comm = await socket_open(contest.code, token=team.raw_token, heads=snapshot["heads"], epoch=snapshot["epoch"])
    messages = await drain(comm)
    assert [m["type"] for m in messages][:4] == ["announcement"] * 3 + ["synced"]
    assert [m["data"]["text"] for m in messages[:3]] == ["Note 0", "Note 1", "Note 2"]
    assert messages[0]["prev"] == snapshot["heads"]["public"]
    assert "snapshot" not in [m["type"] for m in messages]
    await comm.disconnect()


async def test_a_resume_by_last_seq_replays_every_stream_after_it() -> None:
    """One number for all streams: events after it, in order, then synced."""
    contest, (team,) = await contest_with_teams(1)
    round_ = await sync_to_async(pool_round)(contest, questions=2)
    comm = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive_type(comm, "snapshot")
    await comm.disconnect()
    await announce(contest, 1)
    claim = await http(team_client(team), "post", "/api/v1/me/claims", {"round": round_.pk})
    assert claim.status_code == 201
    last_seq = max(snapshot["heads"].values())
    comm = await socket_open(contest.code, token=team.raw_token, last_seq=last_seq, epoch=snapshot["epoch"])
    messages = await drain(comm)
    kinds = [m["type"] for m in messages]
    assert kinds[:3] == ["announcement", "claim.created", "synced"], kinds
    assert all(m["seq"] > last_seq for m in messages[:2])
    assert messages[2]["heads"] == {"public": messages[0]["seq"], "team": messages[1]["seq"]}
    await comm.disconnect()


@override_settings(WS_RESUME_MAX_EVENTS=2)
async def test_a_fresh_snapshot_comes_instead_when_replaying_costs_more_or_the_epoch_differs() -> None:
    contest, (team,) = await contest_with_teams(1)
    comm = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive_type(comm, "snapshot")
    await comm.disconnect()
    await announce(contest, 3)
    last = min(snapshot["heads"].values())
    for epoch, last_seq in ((snapshot["epoch"], last), (snapshot["epoch"] + 1, last), (snapshot["epoch"], 10**9)):
        comm = await socket_open(contest.code, token=team.raw_token, last_seq=last_seq, epoch=epoch)
        first = await receive(comm)
        assert first["type"] == "snapshot"
        assert [a["text"] for a in first["data"]["announcements"]] == ["Note 0", "Note 1", "Note 2"]
        await comm.disconnect()


async def test_a_client_that_sees_a_gap_resyncs_and_ends_equal_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny channel capacity and a flood: the layer drops messages, the client notices
    by `prev` (or, for the last ones, by the heads in `pong`), resyncs and ends holding
    everything the server has."""
    tiny = layer_settings("core")
    tiny["default"]["CONFIG"]["capacity"] = 3
    with override_settings(CHANNEL_LAYERS=tiny, LEADERBOARD_PUSH_INTERVAL_S=0.05):
        contest, (team,) = await contest_with_teams(1)
        round_ = await sync_to_async(pool_round)(contest, questions=12, claim_limit=None)
        comm = await socket_open(contest.code, token=team.raw_token)
        client = ProtocolClient(comm)
        await client.handle(await receive_type(comm, "snapshot"))
        # The flood runs in its own thread while this loop, which runs the consumer,
        # waits for it: nobody reads the socket's channel, and it overflows. The thread
        # sends to Redis itself, as another server process or a worker would.
        monkeypatch.setattr(broadcast, "_loop", None)
        flood = threading.Thread(target=_flood, args=(contest, team, round_.pk))
        flood.start()
        flood.join()
        await client.pump()
        await client.ping()
        await client.pump()

    assert client.gaps >= 1, "the flood should have overflowed the channel"
    truth = await sync_to_async(_server_view)(contest.pk, team.pk)
    assert client.heads == truth["heads"]
    assert set(client.announcements.values()) >= {f"Note {i}" for i in range(30)} - truth["older"]
    assert set(client.claims) == truth["claims"] and len(truth["claims"]) == 12
    await comm.disconnect()


def _flood(contest: Contest, team: Any, round_id: int) -> None:
    from django.db import connections

    try:
        for i in range(30):
            services.announcement_post(contest=contest, text=f"Note {i}")
        for _ in range(12):
            claim_next(team=team, round_id=round_id)
    finally:
        connections.close_all()


def _server_view(contest_id: int, team_id: int) -> dict[str, Any]:
    from teams.models import Claim, Team

    contest = Contest.objects.get(pk=contest_id)
    texts = list(
        ContestEvent.objects.filter(contest_id=contest_id, type="announcement")
        .order_by("seq")
        .values_list("payload__text", flat=True)
    )
    return {
        "heads": {"public": contest.last_public_seq, "team": Team.objects.get(pk=team_id).last_event_seq},
        # A snapshot carries only the newest announcements; older ones are history.
        "older": set(texts[: -settings.WS_SNAPSHOT_ANNOUNCEMENTS]),
        "claims": set(Claim.objects.filter(team_id=team_id).values_list("id", flat=True)),
    }


async def test_a_lost_last_message_shows_in_the_pong_heads() -> None:
    """Nothing follows a lost message to reveal the gap: `pong` does."""
    contest, (team,) = await contest_with_teams(1)
    comm = await socket_open(contest.code, token=team.raw_token)
    client = ProtocolClient(comm)
    await client.handle(await receive_type(comm, "snapshot"))
    await announce(contest, 1)
    await receive_type(comm, "announcement")  # read but, as if lost, never handed to the client
    await client.ping()
    await client.pump()
    assert client.announcements == {max(client.announcements): "Note 0"}
    assert client.heads["public"] == (await sync_to_async(Contest.objects.get)(pk=contest.pk)).last_public_seq
    await comm.disconnect()


# --- Leaderboard pushes ----------------------------------------------------------------------


async def test_leaderboard_pushes_are_coalesced_and_the_latest_state_arrives() -> None:
    contest, teams = await contest_with_teams(3)
    owner = await sync_to_async(lambda: contest.owner)()
    host = await sync_to_async(host_client)(owner)
    screen = await socket_open(contest.code)
    await receive_type(screen, "snapshot")
    started = asyncio.get_running_loop().time()
    for i in range(40):
        team = teams[i % 3]
        response = await http(host, "post", f"/api/v1/teams/{team.pk}/adjustments", {"points": i + 1, "reason": "r"})
        assert response.status_code == 201
    elapsed = asyncio.get_running_loop().time() - started
    boards = [m for m in await drain(screen, quiet=1.0) if m["type"] == "leaderboard"]
    # At most one push per 250 ms interval, plus the trailing one.
    assert 1 <= len(boards) <= elapsed / settings.LEADERBOARD_PUSH_INTERVAL_S + 2
    final = await sync_to_async(_board)(contest.pk)
    assert boards[-1]["teams"] == final
    await screen.disconnect()


@override_settings(LEADERBOARD_PUSH_INTERVAL_S=0.05, STANDING_PUSH_INTERVAL_S=0.5)
async def test_a_teams_standing_comes_at_most_once_per_interval_and_ends_current() -> None:
    contest, (team, rival) = await contest_with_teams()
    owner = await sync_to_async(lambda: contest.owner)()
    host = await sync_to_async(host_client)(owner)
    phone = await socket_open(contest.code, token=team.raw_token)
    await receive_type(phone, "snapshot")
    started = asyncio.get_running_loop().time()
    for i in range(20):
        target = (team, rival)[i % 2]
        response = await http(host, "post", f"/api/v1/teams/{target.pk}/adjustments", {"points": 3 + i, "reason": "r"})
        assert response.status_code == 201
    elapsed = asyncio.get_running_loop().time() - started
    standings = [m for m in await drain(phone, quiet=1.5) if m["type"] == "standing"]
    assert 1 <= len(standings) <= elapsed / 0.5 + 2
    final = await sync_to_async(_board)(contest.pk)
    mine = next(row for row in final if row["id"] == team.pk)
    assert (standings[-1]["rank"], standings[-1]["score"]) == (mine["rank"], mine["score"])
    await phone.disconnect()


@override_settings(LEADERBOARD_PUSH_INTERVAL_S=0.05, STANDING_PUSH_INTERVAL_S=0.6)
async def test_screens_get_every_board_push_and_team_devices_one_per_standing_interval() -> None:
    """The top of the board is most of a push's frames: team devices, which show their own
    standing first, get it with their standings' cadence; screens with every push. Both
    end on the latest board."""
    contest, (team, rival) = await contest_with_teams()
    owner = await sync_to_async(lambda: contest.owner)()
    host = await sync_to_async(host_client)(owner)
    screen = await socket_open(contest.code)
    phone = await socket_open(contest.code, token=team.raw_token)
    for comm in (screen, phone):
        await receive_type(comm, "snapshot")
    started = asyncio.get_running_loop().time()
    for i in range(24):
        target = (team, rival)[i % 2]
        response = await http(host, "post", f"/api/v1/teams/{target.pk}/adjustments", {"points": 3 + i, "reason": "r"})
        assert response.status_code == 201
        await asyncio.sleep(0.06)  # past the push interval: the screen gets a board per change or two
    elapsed = asyncio.get_running_loop().time() - started
    on_screen = [m for m in await drain(screen, quiet=1.5) if m["type"] == "leaderboard"]
    on_phone = [m for m in await drain(phone, quiet=1.5) if m["type"] == "leaderboard"]
    assert 1 <= len(on_phone) <= elapsed / 0.6 + 2
    assert len(on_screen) > len(on_phone) + 2
    final = await sync_to_async(_board)(contest.pk)
    assert on_screen[-1]["teams"] == final and on_phone[-1]["teams"] == final
    for comm in (screen, phone):
        await comm.disconnect()


def _board(contest_id: int) -> list[dict[str, Any]]:
    from scoring.selectors import leaderboard_get

    return leaderboard_get(contest=Contest.objects.get(pk=contest_id), limit=10)["teams"]


# --- The embedded default ---------------------------------------------------------------------


@override_settings(
    CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
    REDIS_URL="",
    LEADERBOARD_PUSH_INTERVAL_S=0.05,
)
async def test_the_embedded_default_pushes_over_the_in_memory_layer() -> None:
    """`make run` on a laptop: no Redis, one process; presence is counted in memory."""
    contest, (team, _) = await contest_with_teams()
    round_ = await sync_to_async(pool_round)(contest, questions=1)
    owner = await sync_to_async(lambda: contest.owner)()
    host = await socket_open(contest.code, token=await sync_to_async(host_token)(owner))
    await receive_type(host, "snapshot")
    phone = await socket_open(contest.code, token=team.raw_token)
    screen = await socket_open(contest.code)
    before = (await receive_type(phone, "snapshot"))["data"]["team"]["score"]
    await receive_type(screen, "snapshot")
    assert (await receive_type(host, "presence"))["devices"] == 1

    claim = await http(team_client(team), "post", "/api/v1/me/claims", {"round": round_.pk})
    question = claim.json()["claim"]["question"]["id"]
    answer = await http(
        team_client(team), "post", "/api/v1/me/answers", {"question": question, "answer": [1]}, HTTP_IDEMPOTENCY_KEY="e"
    )
    assert answer.status_code == 201
    recorded = await receive_type(phone, "answer.recorded")
    assert recorded["data"]["score"] == before + 100
    board = await receive_type(screen, "leaderboard")
    while board["seq"] < recorded["seq"]:
        board = await receive_type(screen, "leaderboard")
    assert board["teams"][0]["id"] == team.pk and board["teams"][0]["score"] == before + 100
    for comm in (host, phone, screen):
        await comm.disconnect()


@FAST_BOARD
async def test_during_a_freeze_the_screen_gets_the_frozen_board_only_when_it_changes() -> None:
    """Scores after the freeze send nothing to screens; a team joining after it does."""
    contest, (team, _) = await contest_with_teams()
    owner = await sync_to_async(lambda: contest.owner)()
    await sync_to_async(services.contest_update)(contest=contest, settings={"freeze_at": "2020-01-01T00:00:00+00:00"})
    screen = await socket_open(contest.code)
    await receive_type(screen, "snapshot")
    host = await sync_to_async(host_client)(owner)
    for points in (5, 6):
        response = await http(host, "post", f"/api/v1/teams/{team.pk}/adjustments", {"points": points, "reason": "r"})
        assert response.status_code == 201
    first = [m for m in await drain(screen, quiet=0.6) if m["type"] == "leaderboard"]
    frozen = await sync_to_async(_frozen_scores)(contest.pk)
    assert all(_rows(m) == frozen for m in first), "frozen standings only"
    assert len(first) <= 1
    late = await sync_to_async(team_make)(contest=contest, name="Late Larks")
    board = await receive_type(screen, "leaderboard")
    assert board["frozen_at"] and late.pk in _rows(board)
    await screen.disconnect()


def _rows(message: dict[str, Any]) -> dict[int, int]:
    return {row["id"]: row["score"] for row in message["teams"]}


def _frozen_scores(contest_id: int) -> dict[int, int]:
    from scoring.selectors import leaderboard_get

    return {row["id"]: row["score"] for row in leaderboard_get(contest=Contest.objects.get(pk=contest_id))["teams"]}
