"""Guarantee 5 over HTTP: nothing a team or the audience can receive leaks.

A running contest with a pool round holding every question type and mystery boxes, and
a live round; two teams claim, answer (right and wrong) and open mystery boxes. Then
every team endpoint is walked as each team, every public endpoint anonymously, and the
quizmaster-only endpoints as each team and anonymously (they must refuse). Every
payload received is checked for:

- secret key material of any question: accepted text answers, numeric answers and
  tolerances, hidden test inputs and outputs (taken from `Question.key` itself, so a
  new question type is covered), and any question object carrying more than the
  fields a team may see;
- another team's private data: its token, its answers (ids, what it sent, its
  idempotency keys) and its claims (ids, and the prompts of the questions it holds).

The walk is driven by the URL resolver: every route must be in TEAM_WALK, PUBLIC_WALK
or HOST_ONLY, so a new endpoint that is not walked makes `test_every_route_is_walked`
fail.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from rooms import services as room_services
from rooms.live import live_action
from rooms.models import Contest, Question, Round
from rooms.question_types import LANGUAGES, question_definition_validate
from scoring import services as scoring_services
from scoring.freeze import contest_freeze, contest_unfreeze
from scoring.judge.types import Verdict
from scoring.judging import judging_run
from scoring.models import Answer, SampleRun, SampleRunStatus
from scoring.rescoring import live_question_score
from scoring.sample_runs import sample_run_execute
from teams import services as team_services
from teams.models import Claim, Team

from .factories import UserFactory, contest_make, pool_round, team_make
from .routes import Route, routes

pytestmark = pytest.mark.django_db

# Distinctive secrets: any of them in a payload is a leak, never a coincidence.
POOL_QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "choice",
        "prompt": "Prompt-Choice-Aardvark",
        "choices": ["Choice-Red", "Choice-Green", "Choice-Blue"],
        "answer": [2],
    },
    {"type": "numeric", "prompt": "Prompt-Numeric-Badger", "answer": 31415.9265, "tolerance": 0.0271828},
    {"type": "text", "prompt": "Prompt-Text-Cheetah", "answer": ["Xylophonic-Answer-7", "Quixotic-Zephyr-Answer"]},
    {
        "type": "code",
        "prompt": "Prompt-Code-Dingo",
        "languages": ["python"],
        "tests": [
            {"input": "SAMPLE-IN-visible-1\n", "output": "SAMPLE-OUT-visible-1\n", "sample": True},
            {"input": "HIDDEN-INPUT-Fennec-7f3a\n", "output": "HIDDEN-OUTPUT-Gecko-9c2e\n", "weight": 3},
        ],
    },
    {"type": "essay", "prompt": "Prompt-Essay-Eland"},
    {"type": "text", "prompt": "Prompt-Text-Hyena", "answer": ["Jabberwocky-Answer-42"]},
    {
        "type": "text",
        "prompt": "Prompt-Mystery-Ibex",
        "answer": ["Mystery-Answer-Kumquat-13"],
        "mystery": True,
        "difficulty": "easy",
    },
    {
        "type": "numeric",
        "prompt": "Prompt-Mystery-Jackal",
        "answer": 27182.8183,
        "tolerance": 0.0123456,
        "mystery": True,
        "difficulty": "easy",
    },
    {
        "type": "text",
        "prompt": "Prompt-Mystery-Koala",
        "answer": "Mystery-Answer-Loquat-99",
        "mystery": True,
        "difficulty": "hard",
    },
]
LIVE_QUESTIONS: list[dict[str, Any]] = [
    {"type": "text", "prompt": "Prompt-Live-Lemur", "answer": ["Live-Answer-Narwhal-5"]},
    {"type": "numeric", "prompt": "Prompt-Live-Meerkat", "answer": 16180.3398, "tolerance": 0.0314159},
]
# Right answers as a team types them: equal after normalisation or within tolerance, never
# the key's own spelling, so the key's exact text can only reach a payload from the key.
RIGHT_ANSWERS = {
    "Prompt-Text-Cheetah": "  xylophonic-answer-7!",
    "Prompt-Numeric-Badger": 31415.93,
    "Prompt-Mystery-Ibex": "mystery-answer-kumquat-13.",
    "Prompt-Mystery-Jackal": 27182.82,
}
MARKERS = [  # must be among the secrets found in the keys (checks the secret finder)
    "Xylophonic-Answer-7",
    "Quixotic-Zephyr-Answer",
    "HIDDEN-INPUT-Fennec-7f3a",
    "HIDDEN-OUTPUT-Gecko-9c2e",
    "Jabberwocky-Answer-42",
    "Mystery-Answer-Loquat-99",
    "Live-Answer-Narwhal-5",
    31415.9265,
    0.0271828,
    16180.3398,
]
# Code that echoes its input to stdout and stderr, as a program trying to print the hidden
# tests would: judged, it must show nothing of them; on the samples, its output is shown.
ECHO = "import sys\ndata = sys.stdin.read()\nprint(data)\nprint(data, file=sys.stderr)\n"
BRAVO_CODE = {"language": "python", "source": "# Bravo-Source-Marker\n" + ECHO}


def run_code(side: Side) -> dict[str, str]:
    """The code a team runs on the samples: its own, so whose it is shows wherever it goes."""
    return {"language": "python", "source": f"# {side.name}-Run-Marker\n" + ECHO}


# What a team may see of a question before its reveal (rooms.question_types.question_public).
PUBLIC_QUESTION_FIELDS = {
    "id",
    "type",
    "prompt",
    "points",
    "difficulty",
    "time_limit_s",
    "choices",
    "multiple",
    "languages",
    "samples",
    "time_limit_ms",
    "memory_mb",
    "max_length",
    # A code question's rules of play: how output is compared, how attempts are scored.
    "compare",
    "tolerance",
    "all_or_nothing",
    "max_attempts",
    "wrong_attempt_penalty",
}


# --- Payloads and the walk -------------------------------------------------------------


@dataclass
class Payload:
    recipient: str  # "alpha", "bravo", "walker" (a team that joins during the walk) or "public"
    request: str  # "GET /api/v1/me", for failure messages
    route: str | None
    status: int
    text: str
    data: Any  # the parsed JSON body, or None


@dataclass
class Side:
    """One team as its devices see it."""

    name: str
    client: APIClient
    token: str
    team_id: int = 0
    keys: list[str] = field(default_factory=list)  # idempotency keys it used
    sent: list[Any] = field(default_factory=list)  # answers it sent (and code it ran on the samples)


@dataclass
class Walk:
    contest: Contest
    pool: Round
    live: Round
    sides: dict[str, Side]
    anon: APIClient
    payloads: list[Payload] = field(default_factory=list)
    walked: set[tuple[str, str]] = field(default_factory=set)  # (route name, recipient)

    def call(
        self,
        recipient: str,
        client: APIClient,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Payload:
        data = json.dumps(body) if body is not None else ""
        response = cast(HttpResponse, client.generic(method, path, data, "application/json", headers=headers or {}))
        match = getattr(response, "resolver_match", None)
        route = match.view_name if match else None
        text = response.content.decode("utf-8", errors="replace")
        parsed = json.loads(text) if response.get("Content-Type", "").startswith("application/json") else None
        payload = Payload(recipient, f"{method} {path}", route, response.status_code, text, parsed)
        self.payloads.append(payload)
        if route:
            self.walked.add((route, recipient))
        return payload

    def team(self, side: Side, method: str, path: str, body: Any = None, key: str | None = None) -> Payload:
        headers = {"Idempotency-Key": key} if key else None
        if key:
            side.keys.append(key)
        return self.call(side.name, side.client, method, path, body, headers)

    def run(self, side: Side, question_id: int) -> Payload:
        code = run_code(side)
        side.sent.append(code)
        return self.team(side, "POST", "/api/v1/me/runs", {"question": question_id, "answer": code})

    def answer(self, side: Side, question_id: int, answer: Any) -> Payload:
        side.sent.append(answer)
        key = f"{side.name}-idem-{len(side.keys) + 1}-{question_id}"
        return self.team(side, "POST", "/api/v1/me/answers", {"question": question_id, "answer": answer}, key)


def _client(token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.raise_request_exception = False
    return client


def _definitions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [question_definition_validate(q) for q in questions]


def _join(walk: Walk, recipient: str, name: str) -> tuple[int, str]:
    payload = walk.call(recipient, walk.anon, "POST", "/api/v1/join", {"code": walk.contest.code, "team_name": name})
    assert payload.status == 201, payload.text
    return payload.data["team"]["id"], payload.data["token"]


def build_walk() -> Walk:
    """The contest, and the two teams' play up to the walk (every request recorded)."""
    walk = build_contest()
    play(walk)
    return walk


def build_contest() -> Walk:
    """The running contest with its rounds and the two teams, before any play."""
    owner = cast(User, UserFactory())
    contest = contest_make(owner=owner, title="Leak test")
    boxes = [{"difficulty": "easy", "cost": 50, "reward": 200}, {"difficulty": "hard", "cost": 100, "reward": 500}]
    pool = pool_round(contest, questions=POOL_QUESTIONS, claim_limit=None, mystery_boxes=boxes)
    live = room_services.round_create(contest=contest, kind="live", title="Live")
    room_services.questions_create(round_=live, definitions=_definitions(LIVE_QUESTIONS))
    live = room_services.round_transition(round_=live, action="start")
    walk = Walk(contest=contest, pool=pool, live=live, sides={}, anon=_client())
    for name, team_name in [("alpha", "Alpha Wolves"), ("bravo", "Bravo Bears")]:
        team_id, token = _join(walk, name, team_name)
        walk.sides[name] = Side(name=name, client=_client(token), token=token, team_id=team_id)
    return walk


def play(walk: Walk) -> None:
    """Alpha and Bravo take turns claiming the six pool questions, answer them right and
    wrong, then each opens an easy mystery box and answers what it drew."""
    alpha, bravo = walk.sides["alpha"], walk.sides["bravo"]
    claimed: dict[str, list[dict[str, Any]]] = {"alpha": [], "bravo": []}
    for side in [alpha, bravo] * 3:
        payload = walk.team(side, "POST", "/api/v1/me/claims", {"round": walk.pool.pk})
        assert payload.status == 201, payload.text
        claimed[side.name].append(payload.data["claim"]["question"])
    answers = {
        "Prompt-Choice-Aardvark": [0],  # wrong
        "Prompt-Numeric-Badger": RIGHT_ANSWERS["Prompt-Numeric-Badger"],
        "Prompt-Text-Cheetah": RIGHT_ANSWERS["Prompt-Text-Cheetah"],
        "Prompt-Code-Dingo": BRAVO_CODE,
        "Prompt-Essay-Eland": "Essay-Body-From-Alpha",
        "Prompt-Text-Hyena": "Wrong-Guess-From-Bravo",
    }
    for side in (alpha, bravo):
        for question in claimed[side.name]:
            payload = walk.answer(side, question["id"], answers[question["prompt"]])
            assert payload.status in (201, 202), payload.text
    for side, right in [(alpha, True), (bravo, False)]:
        payload = walk.team(side, "POST", "/api/v1/me/mystery", {"round": walk.pool.pk, "difficulty": "easy"})
        assert payload.status == 201, payload.text
        question = payload.data["claim"]["question"]
        if right:
            answer = RIGHT_ANSWERS[question["prompt"]]
        else:
            answer = "Wrong-Mystery-From-Bravo" if question["type"] == "text" else 1.5
        assert walk.answer(side, question["id"], answer).status == 201
    # The live round: its first question opened, answered (Alpha right, Bravo wrong), closed
    # and scored by the close's task; never revealed, so its key may show nowhere.
    live = live_action(round_=walk.live, action="next")
    for side, given in ((alpha, "  live-answer-narwhal-5 "), (bravo, "Wrong-Live-Guess-From-Bravo")):
        assert walk.answer(side, live.question_id, given).status == 202
    live_action(round_=walk.live, action="close")
    assert live_question_score(live_id=live.pk) == 2
    judge_code(walk)
    # The scenario went as planned: both teams have right and wrong answers.
    for side in (alpha, bravo):
        results = set(Answer.objects.filter(team_id=side.team_id, correct__isnull=False).values_list("correct"))
        assert results == {(True,), (False,)}, f"{side.name} should have right and wrong answers"


@contextmanager
def sandbox_judge() -> Iterator[None]:
    """The local sandbox, with a work directory of its own: box uids pass through its
    parents, which pytest's tmp_path (0700) would stop."""
    work = Path(tempfile.mkdtemp(prefix="quizserver-judge-"))
    try:
        with override_settings(JUDGE_BACKEND="sandbox", JUDGE_WORK_DIR=work):
            yield
    finally:
        shutil.rmtree(work, ignore_errors=True)


def judge_code(walk: Walk) -> None:
    """Bravo runs its echoing code on the samples, and its code answer is judged, both in
    the sandbox (as a judge worker would): the run shows the program's output on the
    sample, so the judged answer showing none on the hidden tests is a finding."""
    bravo = walk.sides["bravo"]
    question = Question.objects.get(round=walk.pool, type="code")
    started = walk.run(bravo, question.pk)
    assert started.status == 202, started.text
    answer = Answer.objects.get(team_id=bravo.team_id, question=question)
    with sandbox_judge():
        run = sample_run_execute(run_id=started.data["run"]["id"])
        verdict = judging_run(answer_id=answer.pk, token="leak-test")
    assert run is not None and run.verdict == Verdict.WA, run and run.verdict
    assert [test.get("stdout") for test in run.tests] == ["SAMPLE-IN-visible-1\n\n"], run.tests
    assert verdict == Verdict.WA


# --- Walking each route ----------------------------------------------------------------


def walk_me(walk: Walk, side: Side) -> None:
    walk.team(side, "GET", "/api/v1/me")


def walk_claims(walk: Walk, side: Side) -> None:
    for round_ in (walk.pool, walk.live):
        walk.team(side, "POST", "/api/v1/me/claims", {"round": round_.pk})


def walk_answers(walk: Walk, side: Side) -> None:
    """Answer every question of the contest (the other team's, mysteries, live ones), and
    replay the team's first answer: errors and replays are payloads too."""
    for question in Question.objects.filter(round__contest=walk.contest).order_by("pk"):
        walk.answer(side, question.pk, "A guess" if question.type in ("text", "essay") else [0])
    first = Answer.objects.filter(team_id=side.team_id).order_by("pk").first()
    assert first is not None
    walk.team(
        side,
        "POST",
        "/api/v1/me/answers",
        {"question": first.question_id, "answer": side.sent[0]},
        key=first.idempotency_key,
    )


def walk_answer_detail(walk: Walk, side: Side) -> None:
    for answer_id in Answer.objects.filter(contest=walk.contest).values_list("pk", flat=True):
        walk.team(side, "GET", f"/api/v1/me/answers/{answer_id}")


def walk_mystery(walk: Walk, side: Side) -> None:
    for difficulty in ("easy", "hard", "medium"):
        walk.team(side, "POST", "/api/v1/me/mystery", {"round": walk.pool.pk, "difficulty": difficulty})


def walk_focus(walk: Walk, side: Side) -> None:
    """A fair-play report: accepted (202, no body); hosts see it, the walk checks nothing leaks."""
    walk.team(side, "POST", "/api/v1/me/focus", {"device": f"{side.name}-phone", "kind": "hidden", "away_ms": 2500})


def walk_page(path: str) -> Callable[[Walk], None]:
    """A browser app's page, `{code}` filled with the contest's join code."""

    def walk_route(walk: Walk) -> None:
        walk.call("public", walk.anon, "GET", path.format(code=walk.contest.display_code))

    return walk_route


def walk_runs(walk: Walk, side: Side) -> None:
    """Run code on the code question (held by Bravo), a question that is not code and a live
    one (a team may start six runs a minute), then let the sandbox run what was started."""
    questions = Question.objects.filter(round__contest=walk.contest).order_by("pk")
    for question in (
        questions.get(type="code"),
        questions.filter(round=walk.pool).first(),
        walk.live.questions.first(),
    ):
        assert question is not None
        walk.run(side, question.pk)
    queued = SampleRun.objects.filter(team_id=side.team_id, status=SampleRunStatus.QUEUED)
    with sandbox_judge():
        for run_id in queued.values_list("pk", flat=True):
            assert sample_run_execute(run_id=run_id) is not None


def walk_run_detail(walk: Walk, side: Side) -> None:
    """Every run of the contest, and one that does not exist; a team's own runs show the
    sample tests only."""
    for run in SampleRun.objects.filter(team__contest=walk.contest).select_related("question"):
        payload = walk.team(side, "GET", f"/api/v1/me/runs/{run.pk}")
        if payload.status == 200:
            samples = run.question.content["samples"]
            assert len(payload.data["run"]["tests"]) == len(samples), payload.text
    walk.team(side, "GET", "/api/v1/me/runs/987654321")


def walk_join(walk: Walk) -> None:
    team_id, token = _join(walk, "walker", "Walkers")
    walk.sides["walker"] = Side(name="walker", client=_client(token), token=token, team_id=team_id)
    walk.call("public", walk.anon, "POST", "/api/v1/join", {"code": walk.contest.code, "team_name": "Alpha Wolves"})


def walk_public_contest(walk: Walk) -> None:
    walk.call("public", walk.anon, "GET", f"/api/v1/public/{walk.contest.display_code}")
    walk.call("public", walk.anon, "GET", "/api/v1/public/ZZZZ-ZZZZ")


def walk_leaderboard(walk: Walk) -> None:
    walk.call("public", walk.anon, "GET", f"/api/v1/public/{walk.contest.code}/leaderboard")


def walk_reveal(walk: Walk) -> None:
    """Before any reveal (a 404), then the reveal of a freeze during which Bravo scored."""
    path = f"/api/v1/public/{walk.contest.code}/reveal"
    walk.call("public", walk.anon, "GET", path)
    contest = contest_freeze(contest=walk.contest)
    bravo = Team.objects.get(pk=walk.sides["bravo"].team_id)
    scoring_services.adjustment_create(team=bravo, points=5, reason="During the freeze", author=contest.owner)
    contest_unfreeze(contest=contest)
    revealed = walk.call("public", walk.anon, "GET", path)
    assert revealed.status == 200 and revealed.data["steps"], revealed.text


def walk_get(path: str) -> Callable[[Walk], None]:
    def walk_route(walk: Walk) -> None:
        walk.call("public", walk.anon, "GET", path)

    return walk_route


# Team endpoints, walked as each team.
TEAM_WALK: dict[str, Callable[[Walk, Side], None]] = {
    "me": walk_me,
    "me-claims": walk_claims,
    "me-answers": walk_answers,
    "me-answer": walk_answer_detail,
    "me-mystery": walk_mystery,
    "me-runs": walk_runs,
    "me-run": walk_run_detail,
    "me-focus": walk_focus,
}
# Endpoints anyone may call, walked anonymously.
PUBLIC_WALK: dict[str, Callable[[Walk], None]] = {
    "join": walk_join,
    "public-contest": walk_public_contest,
    "public-leaderboard": walk_leaderboard,
    "public-reveal": walk_reveal,
    "healthz": walk_get("/healthz"),
    "readyz": walk_get("/readyz"),
    "metrics": walk_get("/metrics"),
    "schema": walk_get("/api/schema"),
    "docs": walk_get("/api/docs"),
    "play": walk_page("/play/"),
    "play-code": walk_page("/play/{code}"),
    "console": walk_page("/console/"),
    "screen": walk_page("/screen/{code}"),
    "screen-join-qr": walk_page("/screen/{code}/join.svg"),
}
# Quizmaster endpoints: not walked as their owner (they show answers by design), but
# called as each team and anonymously, which must be refused without data.
HOST_ONLY = {
    "contest-leaderboard",
    "auth-token",
    "contest-list",
    "contest-detail",
    "round-create",
    "contest-action",
    "round-questions",
    "round-action",
    "bank",
    "bank-detail",
    "contest-teams",
    "team-disqualify",
    "team-adjustments",
    "contest-announcements",
    "contest-results",
    "contest-import",
    "contest-export-json",
    "contest-export-csv",
    "bank-import",
    "bank-export-json",
    "bank-export-csv",
    "contest-grading",
    "answer-grade",
    "question-detail",
    "contest-replay",
    "question-regrade",
    "contest-regrade",
    "regrade-detail",
    "team-accommodations",
    "contest-freeze",
    "contest-unfreeze",
    "contest-judge",
    "answer-judging",
    "answer-rejudge",
    "question-rejudge",
    "contest-focus",
}
# Django's admin: staff accounts only, HTML, outside the API.
EXCLUDED_PREFIX = "admin/"


def host_route_path(walk: Walk, route: Route) -> str:
    values = {
        "contest_id": walk.contest.pk,
        "round_id": walk.pool.pk,
        "action": "start",
        "team_id": walk.sides["bravo"].team_id,
        "question_id": 1,
        "regrade_id": 1,
        "answer_id": Answer.objects.filter(contest=walk.contest).earliest("pk").pk,
        "code": walk.contest.code,
    }
    return reverse(route.name, kwargs={name: values[name] for name in route.params})


def probe_host_routes(walk: Walk) -> None:
    for route in routes():
        if route.name not in HOST_ONLY:
            continue
        path = host_route_path(walk, route)
        for method in route.methods:
            body = {"username": "nobody", "password": "x"} if route.name == "auth-token" else {}
            for side in (walk.sides["alpha"], walk.sides["bravo"]):
                refused = walk.call(side.name, side.client, method, path, body)
                assert refused.status >= 400, f"{refused.request} answered {refused.status} to a team"
            refused = walk.call("public", walk.anon, method, path, body)
            assert refused.status >= 400, f"{refused.request} answered {refused.status} to anyone"


def walk_everything(walk: Walk) -> None:
    for side_name in ("alpha", "bravo"):
        for walk_route in TEAM_WALK.values():
            walk_route(walk, walk.sides[side_name])
    for walk_public in PUBLIC_WALK.values():
        walk_public(walk)
    walk_me(walk, walk.sides["walker"])
    probe_host_routes(walk)


# --- What must not leak ----------------------------------------------------------------


def key_secrets(questions: list[Question]) -> tuple[set[str], set[float]]:
    """Strings and numbers in the questions' keys that teams may not see: all of them but
    small integers (choice indexes, weights) and what the content shows anyway (samples)."""
    strings: set[str] = set()
    numbers: set[float] = set()
    for question in questions:
        shown = json.dumps(question.content)
        for value in _leaves(question.key):
            if isinstance(value, str) and len(value.strip()) >= 6 and json.dumps(value)[1:-1] not in shown:
                strings.add(value.strip())
            elif isinstance(value, float) and not value.is_integer():
                numbers.add(value)
    return strings, numbers


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _nodes(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key it sits under, value) in a JSON document."""
    yield key, value
    if isinstance(value, dict):
        for k, item in value.items():
            yield from _nodes(item, k)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item, key)


def _strings_and_numbers(data: Any) -> tuple[list[str], list[float]]:
    strings: list[str] = []
    numbers: list[float] = []
    for k, value in _nodes(data):
        if k is not None:
            strings.append(k)
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append(float(value))
    return strings, numbers


# An answer or a claim is recognised by the key it sits under or by its fields, wherever it is.
ANSWER_KEYS, ANSWER_FIELDS = ("answer", "answers"), {"id", "question", "status", "correct", "points"}
CLAIM_KEYS, CLAIM_FIELDS = ("claim", "claims"), {"id", "round", "kind", "status", "question"}
RUN_KEYS, RUN_FIELDS = ("run", "runs"), {"id", "question", "language", "status", "verdict", "tests"}


def ids_of(data: Any, keys: tuple[str, ...], fields: set[str]) -> set[int]:
    """Ids of the objects under these keys (`"answer": {…}`, `"answers": [{…}]`) or with these fields."""
    return {
        value["id"]
        for k, value in _nodes(data)
        if isinstance(value, dict) and isinstance(value.get("id"), int) and (k in keys or fields <= value.keys())
    }


def given_answer_ids(data: Any) -> set[int | None]:
    """Answers in a payload that show what their team sent (`given`, or its size)."""
    return {
        value.get("id")
        for _, value in _nodes(data)
        if isinstance(value, dict) and ("given" in value or "given_size" in value)
    }


@dataclass
class Private:
    """One team's data that no one else may receive."""

    token: str
    token_hash: str
    answer_ids: set[int]
    claim_ids: set[int]
    run_ids: set[int]
    strings: set[str]  # its answers' texts and code, its idempotency keys, held questions' prompts


def private_data(walk: Walk) -> dict[str, Private]:
    result = {}
    for name, side in walk.sides.items():
        claims = Claim.objects.filter(team_id=side.team_id).select_related("question")
        texts = {s for s in _leaves(side.sent) if isinstance(s, str) and len(s) >= 6}
        texts |= {s["source"] for s in side.sent if isinstance(s, dict)}
        texts -= set(LANGUAGES)  # a code answer's language is public vocabulary, not the team's secret
        result[name] = Private(
            token=side.token,
            token_hash=Team.objects.get(pk=side.team_id).token_hash,
            answer_ids=set(Answer.objects.filter(team_id=side.team_id).values_list("pk", flat=True)),
            claim_ids={c.pk for c in claims},
            run_ids=set(SampleRun.objects.filter(team_id=side.team_id).values_list("pk", flat=True)),
            strings=texts | set(side.keys) | {c.question.prompt for c in claims if c.exclusive},
        )
    return result


def leaks_in(payload: Payload, *, secrets: tuple[set[str], set[float]], private: dict[str, Private]) -> list[str]:
    """Everything wrong with one payload, as sentences."""
    problems: list[str] = []
    secret_strings, secret_numbers = secrets
    strings, numbers = _strings_and_numbers(payload.data) if payload.data is not None else ([], [])
    haystack = "\n".join([payload.text, *strings])
    problems += [f"question key {s!r}" for s in secret_strings if s in haystack]
    problems += [f"question key {n!r}" for n in secret_numbers if repr(n) in payload.text or n in numbers]
    for _, node in _nodes(payload.data):
        if isinstance(node, dict) and {"prompt", "type"} <= node.keys() and node.keys() - PUBLIC_QUESTION_FIELDS:
            problems.append(f"question {node.get('id')} shows {sorted(node.keys() - PUBLIC_QUESTION_FIELDS)}")
    problems += ["a team's token hash" for data in private.values() if data.token_hash in payload.text]
    own_answers = private[payload.recipient].answer_ids if payload.recipient in private else set()
    problems += [
        f"what answer {i} sent, to a team that did not send it" for i in given_answer_ids(payload.data) - own_answers
    ]
    for owner, data in private.items():
        if owner == payload.recipient:
            continue
        if data.token in payload.text:
            problems.append(f"{owner}'s token")
        problems += [f"{owner}'s private text {s!r}" for s in data.strings if s in haystack]
        answers = ids_of(payload.data, ANSWER_KEYS, ANSWER_FIELDS) & data.answer_ids
        claims = ids_of(payload.data, CLAIM_KEYS, CLAIM_FIELDS) & data.claim_ids
        problems += [f"{owner}'s answer {i}" for i in sorted(answers)]
        problems += [f"{owner}'s claim {i}" for i in sorted(claims)]
        runs = ids_of(payload.data, RUN_KEYS, RUN_FIELDS) & data.run_ids
        problems += [f"{owner}'s sample run {i}" for i in sorted(runs)]
    return problems


# --- Tests ---------------------------------------------------------------------------


def test_every_route_is_walked_or_listed_as_host_only() -> None:
    """A new endpoint must be added to TEAM_WALK, PUBLIC_WALK or HOST_ONLY."""
    names = {route.name for route in routes() if not route.pattern.startswith(EXCLUDED_PREFIX)}
    walked = TEAM_WALK.keys() | PUBLIC_WALK.keys()
    assert names - walked - HOST_ONLY == set(), "routes that are neither walked nor listed as host-only"
    assert walked - names == set(), "walks for routes that no longer exist"
    assert not walked & HOST_ONLY, "a route is both walked and host-only"


def test_no_payload_to_a_team_or_the_audience_leaks_answers_or_another_teams_data() -> None:
    walk = build_walk()
    walk_everything(walk)

    for route in TEAM_WALK:
        for side in ("alpha", "bravo"):
            assert (route, side) in walk.walked, f"{route} was not walked as {side}"
    for route in PUBLIC_WALK:
        assert (route, "public") in walk.walked or (route, "walker") in walk.walked, f"{route} was not walked"

    questions = list(Question.objects.filter(round__contest=walk.contest))
    secrets = key_secrets(questions)
    found = secrets[0] | {str(n) for n in secrets[1]}
    assert {str(m) for m in MARKERS} <= found, "the secret finder misses known secrets"
    private = private_data(walk)
    assert all(p.answer_ids and p.claim_ids for name, p in private.items() if name != "walker")

    problems = [
        f"{payload.request} (to {payload.recipient}, {payload.status}): {problem}"
        for payload in walk.payloads
        for problem in leaks_in(payload, secrets=secrets, private=private)
    ]
    assert not problems, f"{len(problems)} leak(s):\n" + "\n".join(problems[:40])
    assert len(walk.payloads) > 100
    for side in ("alpha", "bravo"):  # the check above saw answers that show what was sent
        assert any(given_answer_ids(p.data) for p in walk.payloads if p.recipient == side)


def test_public_leaderboard_shows_the_standings_of_the_freeze() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    team_make(contest=contest)
    chaser = team_make(contest=contest)
    frozen = _scores(contest)
    room_services.contest_update(contest=contest, settings={"freeze_at": timezone.now().isoformat()})

    _answer_right(chaser, round_)  # points after the freeze: the audience must not see them yet

    assert _scores(contest) == frozen


def _scores(contest: Contest) -> dict[int, int]:
    response = _client().get(f"/api/v1/public/{contest.code}/leaderboard")
    assert response.status_code == 200
    return {row["id"]: row["score"] for row in response.json()["teams"]}


def _answer_right(team: Team, round_: Round) -> None:
    claim = team_services.claim_next(team=team, round_id=round_.pk)
    result = scoring_services.answer_submit(
        team=team, question_id=claim.question_id, payload=claim.question.key["answer"], idempotency_key="right"
    )
    assert result.body["answer"]["correct"] is True
