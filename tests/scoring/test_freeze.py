"""Freezing the standings by hand, and the reveal that ends the freeze.

While frozen, answers and adjustments keep moving the real scores, yet nothing a team or
the audience receives (HTTP or socket) shows a rank or board computed from another
team's newer points; the quizmaster sees everything live. Unfreezing publishes the true
standings as reveal steps, lowest-ranked team first, that lead from the frozen board
exactly to the live one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from rooms.models import Contest, ContestEvent, Round
from rooms.realtime import HOST
from rooms.services import contest_update
from scoring import freeze
from scoring.freeze import BoardScore, RevealEntry, reveal_steps
from scoring.models import ScoreEvent
from scoring.selectors import board_get
from scoring.services import adjustment_create
from teams.models import Team
from teams.services import team_disqualify

from ..factories import contest_make, host_client, host_token, pool_round, team_client, team_make, user_make
from ..realtime import drain, receive_type, socket_open

DB = pytest.mark.django_db
SOCKET = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
FAST_BOARD = override_settings(LEADERBOARD_PUSH_INTERVAL_S=0.05, STANDING_PUSH_INTERVAL_S=0.05)


# --- The scene: three teams, a freeze by hand, scores moving after it -----------------------


@dataclass
class Scene:
    contest: Contest
    round_: Round
    alpha: Team
    bravo: Team
    charlie: Team
    host: APIClient

    def path(self, action: str) -> str:
        return f"/api/v1/contests/{self.contest.pk}/{action}"


def _scene() -> Scene:
    """Alpha 1100, Bravo 1000, Charlie 1000 (Bravo joined first): ranks 1, 2, 3."""
    contest = contest_make()
    round_ = pool_round(contest, questions=3, exclusive=False, claim_limit=None)
    alpha, bravo, charlie = (team_make(contest=contest, name=name) for name in ("Alpha", "Bravo", "Charlie"))
    scene = Scene(contest, round_, alpha, bravo, charlie, host_client(contest.owner))
    _answer_right(scene, alpha, key="alpha-before")
    return scene


def _answer_right(scene: Scene, team: Team, *, key: str) -> dict[str, Any]:
    client = team_client(team)
    claim = client.post("/api/v1/me/claims", {"round": scene.round_.pk}, format="json")
    assert claim.status_code == 201, claim.content
    question = claim.json()["claim"]["question"]["id"]
    answer = client.post(
        "/api/v1/me/answers", {"question": question, "answer": [1]}, format="json", headers={"Idempotency-Key": key}
    )
    assert answer.status_code == 201, answer.content
    body: dict[str, Any] = answer.json()
    return body


def _freeze_by_hand(scene: Scene) -> int:
    """POST /freeze; the seq of its `contest.frozen` event."""
    response = scene.host.post(scene.path("freeze"), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["frozen"] is True and response.json()["frozen_at"]
    event = ContestEvent.objects.filter(contest=scene.contest, type="contest.frozen").order_by("-seq").first()
    assert event is not None
    return event.seq


def _score_after_the_freeze(scene: Scene) -> dict[str, Any]:
    """Charlie +500 by adjustment, then Bravo answers right: live, Charlie 1500, Alpha 1100,
    Bravo 1100 (Alpha reached it first). Returns Bravo's answer response."""
    adjusted = scene.host.post(
        f"/api/v1/teams/{scene.charlie.pk}/adjustments", {"points": 500, "reason": "Appeal upheld"}, format="json"
    )
    assert adjusted.status_code == 201, adjusted.content
    return _answer_right(scene, scene.bravo, key="bravo-after")


def _frozen(scene: Scene) -> dict[int, tuple[int, int]]:
    """team id → (rank, score) on the board as it froze."""
    return {scene.alpha.pk: (1, 1100), scene.bravo.pk: (2, 1000), scene.charlie.pk: (3, 1000)}


def _live(scene: Scene) -> list[tuple[int, int, int]]:
    return [(1, scene.charlie.pk, 1500), (2, scene.alpha.pk, 1100), (3, scene.bravo.pk, 1100)]


def _rows(board: dict[str, Any]) -> list[tuple[int, int, int]]:
    return [(row["rank"], row["id"], row["score"]) for row in board["teams"]]


def _frozen_rows(scene: Scene) -> list[tuple[int, int, int]]:
    return sorted((rank, team, score) for team, (rank, score) in _frozen(scene).items())


def _expected_steps(scene: Scene) -> list[dict[str, Any]]:
    """Charlie (3rd, lowest with hidden points) rises to 1st; then Bravo, 3rd again, gets
    its 100 points and stays 3rd: it reached 1100 after Alpha."""
    return [
        {
            "team": scene.charlie.pk,
            "name": "Charlie",
            "from_score": 1000,
            "to_score": 1500,
            "from_rank": 3,
            "to_rank": 1,
        },
        {"team": scene.bravo.pk, "name": "Bravo", "from_score": 1000, "to_score": 1100, "from_rank": 3, "to_rank": 3},
    ]


# --- 1. During a freeze by hand, teams and the audience see no newer standings ---------------


@DB
def test_after_a_freeze_by_hand_http_shows_others_only_frozen_standings_and_the_host_live_ones() -> None:
    scene = _scene()
    _freeze_by_hand(scene)
    bravo_answer = _score_after_the_freeze(scene)

    public = APIClient().get(f"/api/v1/public/{scene.contest.code}/leaderboard").json()
    assert public["frozen_at"] is not None
    assert _rows(public) == _frozen_rows(scene), "the audience sees the board as it froze"
    assert bravo_answer["answer"]["correct"] is True and bravo_answer["score"] == 1100, "a team sees its own points"
    assert bravo_answer["rank"] == 2, "but its rank among the others as they froze (live it is 3rd)"
    for team, own_score in ((scene.alpha, 1100), (scene.bravo, 1100), (scene.charlie, 1500)):
        me = team_client(team).get("/api/v1/me").json()
        assert me["score"] == own_score
        assert me["rank"] == _frozen(scene)[team.pk][0], f"{team.name}'s rank must be its frozen one"
    live = scene.host.get(scene.path("leaderboard")).json()
    assert live["frozen_at"] is None and _rows(live) == _live(scene), "the quizmaster sees live standings"


def _team_ids(scene: Scene) -> set[int]:
    return {scene.alpha.pk, scene.bravo.pk, scene.charlie.pk}


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _newer_than_the_freeze(scene: Scene, viewer: Any, message: dict[str, Any]) -> list[str]:
    """What in one frame to a team or a screen shows standings newer than the freeze.

    Every object naming a team (`id`) with a `score` or `rank` must show the frozen ones,
    but a team's own score (its own object); a bare `rank` (a standing, an answer's data)
    is the viewer's own place, which must be its frozen one; a `frozen_at` is never null.
    """
    frozen, own = _frozen(scene), viewer.team_id
    problems: list[str] = []
    for node in _nodes(message):
        team = node.get("id") if node.get("id") in _team_ids(scene) and ("score" in node or "rank" in node) else None
        if team is not None:
            rank, score = frozen[team]
            if "score" in node and team != own and node["score"] != score:
                problems.append(f"team {team} shows {node['score']}, frozen at {score}")
            if "rank" in node and node["rank"] != rank:
                problems.append(f"team {team} ranked {node['rank']}, frozen at {rank}")
        elif "rank" in node and (own is None or node["rank"] != frozen[own][0]):
            problems.append(f"a rank of {node['rank']} for viewer team {own}")
        if "frozen_at" in node and node["frozen_at"] is None:
            problems.append("standings that are not frozen")
    return problems


def _socket_problems(scene: Scene, frames: list[tuple[Any, str]], freeze_seq: int) -> list[str]:
    problems: list[str] = []
    for viewer, text in frames:
        if viewer is None or viewer.role == HOST:
            continue
        message = json.loads(text)
        if message["seq"] < freeze_seq:
            continue
        where = f"{message['type']} #{message['seq']} to {viewer.role} {viewer.team_id}"
        problems += [f"{where}: {problem}" for problem in _newer_than_the_freeze(scene, viewer, message)]
        if message.get("stream") == "team" and message["data"].get("team") != viewer.team_id:
            problems.append(f"{where}: another team's event")
    return problems


def _token(team: Team) -> str:
    """The bearer token TeamFactory kept on the team (the model does not declare it)."""
    token: str = team.raw_token  # type: ignore[attr-defined]
    return token


def _received(frames: list[tuple[Any, str]], *, role: str, team: int | None, type: str) -> list[dict[str, Any]]:
    return [
        json.loads(text)
        for viewer, text in frames
        if viewer is not None and viewer.role == role and viewer.team_id == team and f'"type":"{type}"' in text
    ]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@FAST_BOARD
async def test_after_a_freeze_by_hand_no_socket_frame_to_a_team_or_a_screen_shows_newer_standings(
    socket_messages: list[tuple[Any, str]],
) -> None:
    scene = await sync_to_async(_scene)()
    code = scene.contest.code
    token = await sync_to_async(host_token)(await sync_to_async(lambda: scene.contest.owner)())
    teams = {"alpha": scene.alpha, "bravo": scene.bravo, "charlie": scene.charlie}
    sockets = {name: await socket_open(code, token=_token(team)) for name, team in teams.items()}
    sockets |= {"screen": await socket_open(code), "host": await socket_open(code, token=token)}
    for comm in sockets.values():
        await receive_type(comm, "snapshot")

    freeze_seq = await sync_to_async(_freeze_by_hand)(scene)
    await sync_to_async(_score_after_the_freeze)(scene)
    for comm in sockets.values():
        await drain(comm, quiet=0.6)
        await comm.disconnect()
    for raw in [_token(team) for team in teams.values()] + [None]:
        comm = await socket_open(code, token=raw)  # snapshots after the freeze are frames too
        await drain(comm, quiet=0.3)
        await comm.disconnect()

    problems = _socket_problems(scene, socket_messages, freeze_seq)
    assert not problems, f"{len(problems)} frame(s) newer than the freeze:\n" + "\n".join(problems[:40])
    # The checks above looked at something: frozen boards and standings did go out after the freeze.
    screen_boards = _received(socket_messages, role="audience", team=None, type="leaderboard")
    assert any(m["seq"] >= freeze_seq and m["frozen_at"] for m in screen_boards)
    standings = _received(socket_messages, role="team", team=scene.charlie.pk, type="standing")
    assert any(m["seq"] >= freeze_seq and m["rank"] == 3 for m in standings)
    assert _received(socket_messages, role="audience", team=None, type="contest.frozen")
    recorded = _received(socket_messages, role="team", team=scene.bravo.pk, type="answer.recorded")
    assert [m["data"]["score"] for m in recorded if m["seq"] > freeze_seq] == [1100], "Bravo sees its own points"
    host_boards = _received(socket_messages, role=HOST, team=None, type="leaderboard")
    assert _rows(host_boards[-1]) == _live(scene), "the quizmaster's console is live"


# --- 2. The reveal: lowest first, from the frozen board exactly to the live one -----------


def _place(entry: RevealEntry, score: BoardScore) -> tuple[int, datetime, int]:
    return (-score.score, score.reached_at, entry.team)


def _naive_reveal(entries: list[RevealEntry]) -> tuple[list[dict[str, Any]], list[int]]:
    """The reveal as the rule says it, re-sorting the whole board at every step: the
    steps, and the order the board ends in."""
    by_team = {e.team: e for e in entries}
    current = {e.team: e.frozen for e in entries}
    pending = {e.team for e in entries if e.frozen != e.true}

    def order() -> list[int]:
        return sorted(current, key=lambda team: _place(by_team[team], current[team]))

    steps = []
    while pending:
        ranked = order()
        team = max(pending, key=ranked.index)
        entry = by_team[team]
        current[team] = entry.true
        steps.append(
            {
                "team": team,
                "name": entry.name,
                "from_score": entry.frozen.score,
                "to_score": entry.true.score,
                "from_rank": ranked.index(team) + 1,
                "to_rank": order().index(team) + 1,
            }
        )
        pending.discard(team)
    return steps, order()


def _random_entries(rng: random.Random) -> list[RevealEntry]:
    """Few distinct scores and instants, so ties (of both, down to the id) are common."""
    instants = [datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=s) for s in range(4)]
    entries = []
    for team in rng.sample(range(1, 200), k=rng.randint(1, 40)):
        frozen = BoardScore(rng.choice([0, 10, 20, 30]), rng.choice(instants))
        roll = rng.random()
        if roll < 0.4:
            true = frozen
        elif roll < 0.55:  # the same score reached again later (a +x and a -x)
            true = BoardScore(frozen.score, frozen.reached_at + timedelta(minutes=1))
        else:
            true = BoardScore(frozen.score + rng.choice([-10, 10, 20, 40]), instants[-1] + timedelta(minutes=1))
        entries.append(RevealEntry(team=team, name=f"Team {team}", frozen=frozen, true=true))
    return entries


def test_reveal_steps_are_those_of_the_rule_applied_naively_on_random_boards() -> None:
    rng = random.Random(20240501)
    for _ in range(500):
        entries = _random_entries(rng)
        steps = reveal_steps(entries=entries)
        naive_steps, final_order = _naive_reveal(entries)
        assert steps == naive_steps
        assert {s["team"] for s in steps} == {e.team for e in entries if e.frozen != e.true}
        assert final_order == sorted((e.team for e in entries), key=lambda team: _true_place(entries, team))


def _true_place(entries: list[RevealEntry], team: int) -> tuple[int, datetime, int]:
    entry = next(e for e in entries if e.team == team)
    return _place(entry, entry.true)


def test_reveal_steps_by_hand() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    later = at + timedelta(minutes=5)
    entries = [
        RevealEntry(1, "Ants", BoardScore(300, at), BoardScore(300, at)),  # nothing hidden
        RevealEntry(2, "Bees", BoardScore(200, at), BoardScore(350, later)),
        RevealEntry(3, "Cats", BoardScore(200, at), BoardScore(200, at)),  # nothing hidden
        RevealEntry(4, "Dogs", BoardScore(100, at), BoardScore(300, later)),  # ties Ants, reached later
    ]
    assert reveal_steps(entries=entries) == [
        {"team": 4, "name": "Dogs", "from_score": 100, "to_score": 300, "from_rank": 4, "to_rank": 2},
        {"team": 2, "name": "Bees", "from_score": 200, "to_score": 350, "from_rank": 3, "to_rank": 1},
    ]


STEP_POINTS = [10, 10, 20, -10, 30]


def _adjust(team: Team, points: int, owner: User) -> None:
    adjustment_create(team=team, points=points, reason="Random ledger", author=owner)


def _random_ledger(seed: int, *, teams: int, starting_points: int) -> tuple[Contest, set[int]]:
    """A contest whose ledger is random before and after a freeze by hand; returns it and
    the active teams with points after the freeze (hidden changes). One team joins after
    the freeze and one with hidden points is disqualified: neither may get a step."""
    rng = random.Random(seed)
    contest = contest_make(settings={"starting_points": starting_points})
    owner = contest.owner
    roster = [team_make(contest=contest, name=f"Team {i}") for i in range(teams)]
    for _ in range(teams * 2):
        _adjust(rng.choice(roster), rng.choice(STEP_POINTS), owner)
    freeze.contest_freeze(contest=contest)
    hidden: set[int] = set()
    for team in rng.sample(roster, k=teams // 2):
        changes = [20, -20] if rng.random() < 0.2 else rng.choices(STEP_POINTS, k=rng.randint(1, 3))
        for points in changes:
            _adjust(team, points, owner)
        hidden.add(team.pk)
    team_make(contest=contest, name="Late joiners")
    cheat = next(team for team in roster if team.pk in hidden)
    team_disqualify(team=cheat, reason="Caught")
    hidden.discard(cheat.pk)
    contest.refresh_from_db()
    return contest, hidden


def _replay(frozen: list[tuple[int, str, int]], steps: list[dict[str, Any]], hidden: set[int]) -> list[Any]:
    """Apply the steps to the frozen board (rows in rank order), checking each takes the
    lowest-ranked team still hiding points, from where it stands."""
    board, left = list(frozen), set(hidden)
    for step in steps:
        lowest = max(i for i, (team, _, _) in enumerate(board) if team in left)
        assert board[lowest][0] == step["team"], f"step {step} is not the lowest-ranked team left"
        assert board[lowest] == (step["team"], step["name"], step["from_score"]) and lowest == step["from_rank"] - 1
        del board[lowest]
        board.insert(step["to_rank"] - 1, (step["team"], step["name"], step["to_score"]))
        left.discard(step["team"])
    assert not left, f"teams with hidden points but no step: {left}"
    return board


@DB
@pytest.mark.parametrize(("seed", "starting_points"), [(1, 1000), (2, 1000), (3, 0), (4, 0), (5, 50)])
def test_reveal_of_a_random_ledger_goes_lowest_first_and_ends_exactly_at_the_live_board(
    seed: int, starting_points: int
) -> None:
    contest, hidden = _random_ledger(seed, teams=24, starting_points=starting_points)
    frozen = [(row["id"], row["name"], row["score"]) for row in board_get(contest=contest).rows]
    live = [(row["id"], row["name"], row["score"]) for row in board_get(contest=contest, live=True).rows]
    assert frozen != live and len({score for _, _, score in live}) < len(live), "a contest with changes and ties"

    result = freeze.contest_unfreeze(contest=contest)

    assert result.reveal is not None
    steps = result.reveal["steps"]
    assert {step["team"] for step in steps} == hidden, "exactly the teams with hidden points get a step"
    assert _replay(frozen, steps, hidden) == live
    after = board_get(contest=result.contest).rows
    assert [(row["id"], row["name"], row["score"]) for row in after] == live, "the public board is the true one"


# --- 3. Unfreezing pushes the reveal; the public board is the true one after it -----------


def _unfreeze(scene: Scene) -> dict[str, Any]:
    response = scene.host.post(scene.path("unfreeze"), format="json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@FAST_BOARD
async def test_unfreeze_pushes_the_reveal_to_the_screen_and_the_public_board_becomes_the_true_one() -> None:
    scene = await sync_to_async(_scene)()
    await sync_to_async(_freeze_by_hand)(scene)
    await sync_to_async(_score_after_the_freeze)(scene)
    screen = await socket_open(scene.contest.code)
    await receive_type(screen, "snapshot")

    body = await sync_to_async(_unfreeze)(scene)

    assert (body["frozen"], body["frozen_at"], body["freeze_at"]) == (False, None, None)
    assert body["reveal"]["steps"] == _expected_steps(scene)
    assert _rows(body["leaderboard"]) == _live(scene)
    unfrozen = await receive_type(screen, "contest.unfrozen")
    assert unfrozen["stream"] == "public" and unfrozen["seq"] == body["reveal"]["seq"]
    assert unfrozen["data"] == {"frozen_at": body["reveal"]["frozen_at"], "steps": _expected_steps(scene)}
    board = await receive_type(screen, "leaderboard")
    while board["seq"] < unfrozen["seq"]:
        board = await receive_type(screen, "leaderboard")
    assert board["frozen_at"] is None and _rows(board) == _live(scene)
    await screen.disconnect()
    public = await sync_to_async(APIClient().get)(f"/api/v1/public/{scene.contest.code}/leaderboard")
    assert public.json()["frozen_at"] is None and _rows(public.json()) == _live(scene)
    reveal = await sync_to_async(APIClient().get)(f"/api/v1/public/{scene.contest.display_code}/reveal")
    assert reveal.status_code == 200
    assert reveal.json() == {"code": scene.contest.display_code, **body["reveal"]}


# --- 4. Errors: each refused with its code, and nothing changed ----------------------------


def _state(contest: Contest) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    contest = Contest.objects.get(pk=contest.pk)
    events = list(ContestEvent.objects.filter(contest=contest).values_list("seq", "type"))
    scores = list(Team.objects.filter(contest=contest).order_by("pk").values_list("pk", "score"))
    return contest.settings, contest.last_seq, contest.updated_at, events, scores, ScoreEvent.objects.count()


def _refused(client: APIClient, path: str, status: int, code: str, body: Any = None) -> None:
    response = client.post(path, body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]


@DB
def test_freezing_twice_is_refused_with_already_frozen_and_changes_nothing() -> None:
    scene = _scene()
    _freeze_by_hand(scene)
    before = _state(scene.contest)
    _refused(scene.host, scene.path("freeze"), 409, "already_frozen")
    assert _state(scene.contest) == before


@DB
def test_freezing_at_a_time_that_passed_counts_as_frozen_too() -> None:
    scene = _scene()
    contest_update(contest=scene.contest, settings={"freeze_at": "2020-01-01T00:00:00+00:00"})
    before = _state(scene.contest)
    _refused(scene.host, scene.path("freeze"), 409, "already_frozen")
    assert _state(scene.contest) == before


@DB
def test_unfreezing_what_is_not_frozen_is_refused_with_not_frozen_and_changes_nothing() -> None:
    scene = _scene()
    before = _state(scene.contest)
    _refused(scene.host, scene.path("unfreeze"), 409, "not_frozen")
    assert _state(scene.contest) == before
    _freeze_by_hand(scene)
    _unfreeze(scene)
    after_the_reveal = _state(scene.contest)
    _refused(scene.host, scene.path("unfreeze"), 409, "not_frozen")
    assert _state(scene.contest) == after_the_reveal


@DB
@pytest.mark.parametrize("action", ["freeze", "unfreeze"])
def test_only_the_contests_quizmaster_may_freeze_or_unfreeze(action: str) -> None:
    """Another quizmaster: 404 (as if there were no such contest); a team token: 403;
    no credentials: 401. The contest is frozen for `unfreeze`, so each would have worked."""
    scene = _scene()
    if action == "unfreeze":
        _freeze_by_hand(scene)
    path = scene.path(action)
    before = _state(scene.contest)
    _refused(host_client(user_make()), path, 404, "not_found")
    _refused(team_client(scene.alpha), path, 403, "forbidden")
    _refused(APIClient(), path, 401, "not_authenticated")
    assert _state(scene.contest) == before


@DB
@pytest.mark.parametrize("action", ["freeze", "unfreeze"])
@pytest.mark.parametrize("body", [{"freeze_at": "2030-01-01T00:00:00Z"}, [1], "now"])
def test_freeze_and_unfreeze_take_no_fields(action: str, body: Any) -> None:
    scene = _scene()
    if action == "unfreeze":
        _freeze_by_hand(scene)
    before = _state(scene.contest)
    _refused(scene.host, scene.path(action), 400, "validation_error", body)
    assert _state(scene.contest) == before


@DB
def test_unfreezing_a_freeze_scheduled_for_later_cancels_it_without_a_reveal() -> None:
    scene = _scene()
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    contest_update(contest=scene.contest, settings={"freeze_at": later})

    body = _unfreeze(scene)

    assert (body["frozen"], body["freeze_at"], body["reveal"]) == (False, None, None)
    assert not ContestEvent.objects.filter(contest=scene.contest, type="contest.unfrozen").exists()
    assert APIClient().get(f"/api/v1/public/{scene.contest.code}/reveal").json()["code"] == "no_reveal"


@DB
def test_freezing_by_hand_replaces_a_freeze_scheduled_for_later() -> None:
    scene = _scene()
    contest_update(contest=scene.contest, settings={"freeze_at": (timezone.now() + timedelta(hours=1)).isoformat()})
    _freeze_by_hand(scene)
    _score_after_the_freeze(scene)
    public = APIClient().get(f"/api/v1/public/{scene.contest.code}/leaderboard").json()
    assert public["frozen_at"] and _rows(public) == _frozen_rows(scene)


def _no_reveal(path: str) -> None:
    response = APIClient().get(path)
    assert (response.status_code, response.json()["code"]) == (404, "no_reveal")


@DB
def test_the_public_reveal_is_404_no_reveal_until_a_freeze_ends_and_then_the_latest_one() -> None:
    scene = _scene()
    path = f"/api/v1/public/{scene.contest.code}/reveal"
    _no_reveal(path)
    _freeze_by_hand(scene)
    _score_after_the_freeze(scene)
    _no_reveal(path)

    first = _unfreeze(scene)["reveal"]
    assert first["steps"] == _expected_steps(scene)
    assert APIClient().get(path).json() == {"code": scene.contest.display_code, **first}
    _freeze_by_hand(scene)
    second = _unfreeze(scene)["reveal"]
    assert second["steps"] == [] and second["seq"] > first["seq"], "nothing changed during the second freeze"
    assert APIClient().get(path).json() == {"code": scene.contest.display_code, **second}
    assert APIClient().get("/api/v1/public/ZZZZ-ZZZZ/reveal").json()["code"] == "not_found"
