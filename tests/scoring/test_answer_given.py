"""What a team sees of its own answers on every device, what other teams see of mystery
boxes left, and the claim limit in the team's snapshot: over HTTP and real sockets.

- `given` (what the team sent) is in the POST's reply, in GET /me/answers/{id}, in the
  team's snapshot and in its `answer.recorded` push to each of its devices; no frame to
  another team or to the audience holds it.
- Over GIVEN_INLINE_MAX_BYTES a push and the snapshot carry `given_size` instead, and the
  GET carries it all.
- `mystery.remaining` reaches every team with the count left, in seq order under a race.
- The team snapshot's rounds carry `claim_limit` and `exclusive`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from rooms.models import Contest, ContestEvent, Round
from scoring import services as scoring_services
from scoring.errors import NoMysteryLeft
from scoring.selectors import GIVEN_INLINE_MAX_BYTES, given_size
from teams.models import Team
from teams.services import claim_next
from tests.concurrency import race
from tests.factories import contest_make, host_token, live_round, pool_round, team_client, team_make
from tests.realtime import drain, receive_type, socket_open

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

QUESTIONS: list[dict[str, Any]] = [
    {"type": "choice", "prompt": "Capital of France?", "choices": ["Lyon", "Paris", "Nice"], "answer": [1]},
    {"type": "numeric", "prompt": "Half of five?", "answer": 2.5, "tolerance": 0},
    {"type": "text", "prompt": "Name an okapi's cousin", "answer": ["Giraffe"]},
    {"type": "essay", "prompt": "Why quizzes?"},
]
# What the team sends, and what the server reads from it (texts are trimmed, essays kept).
SENT: dict[str, tuple[Any, Any]] = {
    "choice": ([1], [1]),
    "numeric": (7.25, 7.25),
    "text": ("  Given-Text-Marker-Okapi ", "Given-Text-Marker-Okapi"),
    "essay": ("Given-Essay-Marker-Quokka:\nbecause they are fun.", "Given-Essay-Marker-Quokka:\nbecause they are fun."),
}
MARKERS = ("Given-Text-Marker-Okapi", "Given-Essay-Marker-Quokka")
CODE = {
    "type": "code",
    "prompt": "Echo",
    "languages": ["python"],
    "tests": [{"input": "1\n", "output": "1\n", "sample": True}],
}
# {"language":"python","source":"…"} around the source.
CODE_OVERHEAD = given_size({"language": "python", "source": ""})


@sync_to_async
def _setup(questions: list[dict[str, Any]], **round_kwargs: Any) -> tuple[Contest, Round, Any, Any]:
    """A running contest with one pool round (no claim limit) and two teams (with `raw_token`)."""
    contest = contest_make(settings={"starting_points": 100})
    round_ = pool_round(contest, questions=questions, claim_limit=None, **round_kwargs)
    return contest, round_, team_make(contest=contest, name="Owls"), team_make(contest=contest, name="Larks")


@sync_to_async
def _http(team: Team, method: str, path: str, data: Any = None, **extra: Any) -> Any:
    return getattr(team_client(team), method)(path, data, format="json", **extra)


@sync_to_async
def _claim_all(team: Team, round_: Round) -> dict[str, int]:
    """Claims every pool question; question id by type."""
    claims = [claim_next(team=team, round_id=round_.pk) for _ in range(round_.questions.filter(mystery=False).count())]
    return {claim.question.type: claim.question_id for claim in claims}


def _nodes(value: Any) -> Iterator[tuple[str | None, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _holds_an_answer(frame: dict[str, Any]) -> list[str]:
    """Why this frame shows someone's answer: a `given` anywhere, or a marker's text."""
    text = json.dumps(frame)
    found = [key for key, _ in _nodes(frame) if key in ("given", "given_size")]
    return found + [marker for marker in MARKERS if marker in text]


async def test_every_device_of_the_team_sees_what_it_answered_and_no_one_else_does() -> None:
    contest, round_, team, other = await _setup(QUESTIONS)
    token = await sync_to_async(host_token)(await sync_to_async(lambda: contest.owner)())
    phone = await socket_open(contest.code, token=team.raw_token)
    laptop = await socket_open(contest.code, token=team.raw_token)
    rival = await socket_open(contest.code, token=other.raw_token)
    screen = await socket_open(contest.code)
    host = await socket_open(contest.code, token=token)
    for comm in (phone, laptop, rival, screen, host):
        await receive_type(comm, "snapshot")
    questions = await _claim_all(team, round_)

    answer_ids: dict[str, int] = {}
    for kind, (sent, read) in SENT.items():
        body = {"question": questions[kind], "answer": sent}
        reply = await _http(team, "post", "/api/v1/me/answers", body, HTTP_IDEMPOTENCY_KEY=f"k-{kind}")
        assert reply.status_code in (201, 202), reply.content
        assert reply.json()["answer"]["given"] == read
        answer_ids[kind] = reply.json()["answer"]["id"]
        for device in (phone, laptop, host):
            pushed = await receive_type(device, "answer.recorded")
            assert pushed["data"]["answer"]["id"] == answer_ids[kind]
            assert pushed["data"]["answer"]["given"] == read
            assert "given_size" not in pushed["data"]["answer"]
        detail = await _http(team, "get", f"/api/v1/me/answers/{answer_ids[kind]}")
        assert detail.status_code == 200 and detail.json()["given"] == read

    me = (await _http(team, "get", "/api/v1/me")).json()
    assert {a["id"]: a["given"] for a in me["answers"]} == {answer_ids[k]: read for k, (_, read) in SENT.items()}
    again = await socket_open(contest.code, token=team.raw_token)  # a reload: the snapshot
    snapshot = await receive_type(again, "snapshot")
    assert {a["id"]: a["given"] for a in snapshot["data"]["answers"]} == {
        answer_ids[k]: read for k, (_, read) in SENT.items()
    }

    # Another team and the audience: nothing of it, live or replayed from the start.
    rival_frames = await drain(rival) + await _replayed(contest, other.raw_token)
    screen_frames = await drain(screen) + await _replayed(contest, None)
    assert rival_frames and screen_frames
    for name, frames in (("the other team", rival_frames), ("the audience", screen_frames)):
        problems = [(f["type"], why) for f in frames for why in _holds_an_answer(f)]
        assert not problems, f"{name} saw the team's answers: {problems}"
        assert not [f for f in frames if f["type"] == "answer.recorded"]
    other_me = (await _http(other, "get", "/api/v1/me")).json()
    assert not _holds_an_answer(other_me)
    refused = await _http(other, "get", f"/api/v1/me/answers/{answer_ids['text']}")
    assert refused.status_code == 404 and "Given-Text" not in refused.content.decode()
    for comm in (phone, laptop, rival, screen, host, again):
        await comm.disconnect()


async def _replayed(contest: Contest, token: str | None) -> list[dict[str, Any]]:
    """Everything a socket gets when it resumes from the start of the log, then a snapshot."""
    frames: list[dict[str, Any]] = []
    for last_seq, epoch in ((0, contest.epoch), (None, None)):
        comm = await socket_open(contest.code, token=token, last_seq=last_seq, epoch=epoch)
        frames += await drain(comm)
        await comm.disconnect()
    return frames


async def test_a_code_answer_over_16_kib_is_pushed_by_its_size_and_read_in_full_over_http() -> None:
    contest, round_, team, _other = await _setup([CODE])
    question = (await _claim_all(team, round_))["code"]
    phone = await socket_open(contest.code, token=team.raw_token)
    await receive_type(phone, "snapshot")

    at_limit = {"language": "python", "source": "#" * (GIVEN_INLINE_MAX_BYTES - CODE_OVERHEAD)}
    over = {"language": "python", "source": "é" + "#" * (GIVEN_INLINE_MAX_BYTES - CODE_OVERHEAD - 1)}
    assert given_size(at_limit) == GIVEN_INLINE_MAX_BYTES
    assert given_size(over) == GIVEN_INLINE_MAX_BYTES + 1  # é is two bytes: bytes count, not characters
    ids = []
    for key, payload in (("k-at", at_limit), ("k-over", over)):
        reply = await _http(
            team, "post", "/api/v1/me/answers", {"question": question, "answer": payload}, HTTP_IDEMPOTENCY_KEY=key
        )
        assert reply.status_code == 202, reply.content
        assert reply.json()["answer"]["given"] == payload  # this device's own reply: all of it
        ids.append(reply.json()["answer"]["id"])
        pushed = (await receive_type(phone, "answer.recorded"))["data"]["answer"]
        assert pushed["id"] == ids[-1]
        if payload is at_limit:
            assert pushed["given"] == at_limit and "given_size" not in pushed
        else:
            assert "given" not in pushed and pushed["given_size"] == GIVEN_INLINE_MAX_BYTES + 1
    snapshot_answers = {a["id"]: a for a in (await _http(team, "get", "/api/v1/me")).json()["answers"]}
    assert snapshot_answers[ids[0]]["given"] == at_limit
    assert "given" not in snapshot_answers[ids[1]] and snapshot_answers[ids[1]]["given_size"] == given_size(over)
    detail = await _http(team, "get", f"/api/v1/me/answers/{ids[1]}")
    assert detail.json()["given"] == over and "given_size" not in detail.json()
    await phone.disconnect()


MYSTERY = [
    {"type": "text", "prompt": f"Mystery {i}", "answer": ["x"], "mystery": True, "difficulty": "easy"} for i in range(3)
]


async def test_every_team_hears_how_many_mystery_boxes_are_left() -> None:
    contest, round_, team, other = await _setup(
        MYSTERY, mystery_boxes=[{"difficulty": "easy", "cost": 10, "reward": 50}]
    )
    opener = await socket_open(contest.code, token=team.raw_token)
    rival = await socket_open(contest.code, token=other.raw_token)
    screen = await socket_open(contest.code)
    snapshot = await receive_type(rival, "snapshot")
    boxes = next(r for r in snapshot["data"]["rounds"] if r["id"] == round_.pk)["mystery_boxes"]
    assert boxes == [{"difficulty": "easy", "cost": 10, "reward": 50, "remaining": 3}]
    for comm in (opener, screen):
        await receive_type(comm, "snapshot")

    heard: dict[str, list[dict[str, Any]]] = {"opener": [], "rival": [], "screen": []}
    for buyer, left in ((team, 2), (other, 1)):
        reply = await _http(buyer, "post", "/api/v1/me/mystery", {"round": round_.pk, "difficulty": "easy"})
        assert reply.status_code == 201, reply.content
        for name, comm in (("opener", opener), ("rival", rival), ("screen", screen)):
            pushed = await receive_type(comm, "mystery.remaining")
            heard[name].append(pushed)
            assert pushed["stream"] == "public"
            assert pushed["data"] == {"round": round_.pk, "difficulty": "easy", "remaining": left}
    # The buyer's box itself (`mystery.opened`) stays the buyer's: the count names no team.
    assert heard["opener"] == heard["rival"]
    assert not [m for m in await drain(screen) if m["type"] == "mystery.opened"]
    fresh = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive_type(fresh, "snapshot")
    boxes = next(r for r in snapshot["data"]["rounds"] if r["id"] == round_.pk)["mystery_boxes"]
    assert boxes[0]["remaining"] == 1
    for comm in (opener, rival, screen, fresh):
        await comm.disconnect()


@sync_to_async
def _race_for_boxes(teams_count: int) -> tuple[list[Any], list[int]]:
    contest = contest_make(settings={"starting_points": 100})
    questions = [{**MYSTERY[0], "prompt": f"Box {i}"} for i in range(teams_count - 1)]
    round_ = pool_round(contest, questions=questions, mystery_boxes=[{"difficulty": "easy", "cost": 10, "reward": 50}])
    teams = [team_make(contest=contest, name=f"Racer {i}") for i in range(teams_count)]
    results = race(
        [partial(scoring_services.mystery_open, team=t, round_id=round_.pk, difficulty="easy") for t in teams]
    )
    counts = list(
        ContestEvent.objects.filter(contest=contest, type="mystery.remaining")
        .order_by("seq")
        .values_list("payload__remaining", flat=True)
    )
    return results, counts


async def test_under_a_race_each_count_left_is_the_count_as_of_its_event() -> None:
    """Counted before the contest row is locked, two boxes opened together would both say
    "4 left" and the last word would be wrong."""
    results, counts = await _race_for_boxes(7)
    opened = [r for r in results if isinstance(r, scoring_services.MysteryResult)]
    assert len(opened) == 6 and all(isinstance(r, NoMysteryLeft) for r in results if r not in opened)
    assert counts == [5, 4, 3, 2, 1, 0]


@sync_to_async
def _rounds_setup() -> tuple[Contest, Any, dict[str, int]]:
    contest = contest_make()
    limited = pool_round(contest, questions=2, title="Limited", claim_limit=3, exclusive=False)
    unlimited = pool_round(contest, questions=2, title="Unlimited", claim_limit=None)
    live = live_round(contest, questions=1, active=False)
    team = team_make(contest=contest, name="Counters")
    return contest, team, {"limited": limited.pk, "unlimited": unlimited.pk, "live": live.pk}


async def test_the_team_snapshot_says_each_rounds_claim_limit() -> None:
    contest, team, ids = await _rounds_setup()
    expected = {
        ids["limited"]: (3, False),
        ids["unlimited"]: (None, True),
        ids["live"]: (None, False),
    }
    me = (await _http(team, "get", "/api/v1/me")).json()
    assert {r["id"]: (r["claim_limit"], r["exclusive"]) for r in me["rounds"]} == expected
    comm = await socket_open(contest.code, token=team.raw_token)
    snapshot = await receive_type(comm, "snapshot")
    assert {r["id"]: (r["claim_limit"], r["exclusive"]) for r in snapshot["data"]["rounds"]} == expected
    await comm.disconnect()
