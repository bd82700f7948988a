"""Guarantee 7: bad input gets a clear error, and nothing is changed.

A catalogue of bad requests against every endpoint of the API (quizmaster, team and
public). Each case asserts its specific 4xx status and error `code`, a non-empty
`detail`, and that the database is exactly as it was before the request.

The cases are data: one `Endpoint` per (route, method) with a valid request, and cases
that each change one thing about it (the caller, an id in the path, the body, a header).
`test_every_api_route_and_method_has_cases` fails when an endpoint is added to the URL
confs without cases here.

The data every case needs is built once per module inside a transaction that is rolled
back at the end; each case runs in a savepoint of its own (the `db` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from rooms import services as room_services
from rooms.models import Contest
from rooms.question_types import question_definition_validate
from scoring import services as scoring_services
from scoring.api_judge import TeamRateThrottle
from scoring.models import Regrade, SampleRun, SampleRunStatus
from scoring.sample_runs import sample_run_start
from teams import services as team_services
from teams.models import Team

from .factories import PASSWORD, UserFactory, contest_make, host_client, host_token, pool_round, team_client, team_make
from .routes import api_routes

pytestmark = pytest.mark.django_db

MB = "x" * 1_000_000  # a 1,000,000-character string
HUGE_ID = 2**64  # beyond PostgreSQL's bigint
UNKNOWN_ID = 987_654_321
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- The world every case runs against -------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A placeholder in a body for an id (or code) of the world, filled in at request time."""

    name: str


@dataclass(frozen=True)
class Raw:
    """A body sent as these exact bytes with this content type."""

    content: bytes
    content_type: str = "application/json"


NO_BODY = Raw(b"", "application/octet-stream")

POOL_QUESTIONS: list[dict[str, Any]] = [
    {"type": "choice", "prompt": "Pick B", "choices": ["A", "B", "C"], "answer": [1]},
    {"type": "numeric", "prompt": "Pi to two places?", "answer": 3.14, "tolerance": 0.005},
    {"type": "text", "prompt": "Capital of France?", "answer": ["Paris"]},
    {
        "type": "code",
        "prompt": "Add two numbers",
        "languages": ["python"],
        "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}, {"input": "2 2\n", "output": "4\n"}],
    },
    {"type": "essay", "prompt": "Why?", "max_length": 100},
    {"type": "choice", "prompt": "Spare", "choices": ["A", "B"], "answer": [0]},
    {"type": "text", "prompt": "Mystery (easy)", "answer": "easy", "mystery": True, "difficulty": "easy"},
    {"type": "text", "prompt": "Mystery (hard)", "answer": "hard", "mystery": True, "difficulty": "hard"},
]
MYSTERY_BOXES = [
    {"difficulty": "easy", "cost": 100, "reward": 300},
    {"difficulty": "medium", "cost": 10, "reward": 20},  # no medium mystery question exists
    {"difficulty": "hard", "cost": 5000, "reward": 9000},  # more than any team has
]


@dataclass
class World:
    refs: dict[str, Any]
    clients: dict[str, APIClient]


def _answer_id(result: scoring_services.SubmitResult) -> int:
    return int(result.body["answer"]["id"])


def _quizmaster(username: str) -> User:
    return cast(User, UserFactory(username=username))


def _essay_answer_id(owner: User) -> int:
    """An essay answer (worth at most 50) waiting for `owner` to grade it, in a contest of its own."""
    contest = contest_make(owner=owner, title="Essays to grade")
    round_ = pool_round(contest, questions=[{"type": "essay", "prompt": "Essay to grade", "points": 50}])
    writers = team_make(contest=contest, name="Writers")
    claim = team_services.claim_next(team=writers, round_id=round_.pk)
    return _answer_id(
        scoring_services.answer_submit(
            team=writers, question_id=claim.question_id, payload="An essay.", idempotency_key="essay"
        )
    )


# Code judging: a contest of Alice's of its own, so the rounds and teams above stay as they are.
JUDGED: dict[str, Any] = {
    "type": "code",
    "prompt": "Add two numbers, once",
    "languages": ["python"],
    "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}, {"input": "2 2\n", "output": "4\n"}],
    "max_attempts": 1,
}
CODE_POOL: list[dict[str, Any]] = [
    JUDGED,
    {**JUDGED, "prompt": "Held by the testers", "max_attempts": None},
    {**JUDGED, "prompt": "Claimed by no one", "max_attempts": None},
    {"type": "choice", "prompt": "Not code", "choices": ["A", "B"], "answer": [0]},
]
VALID_CODE = {"language": "python", "source": "a, b = map(int, input().split())\nprint(a + b)\n"}


def _code_answer(team: Team, question_id: int, key: str) -> int:
    result = scoring_services.answer_submit(team=team, question_id=question_id, payload=VALID_CODE, idempotency_key=key)
    assert result.status == 202, result.body
    return _answer_id(result)


def _code_world(alice: User, contest_b: Contest, b1: Team) -> tuple[dict[str, Any], dict[str, Team]]:
    """Coders hold and answered the one-attempt code question (their only attempt; their
    sample run finished); Testers hold another and have a run still queued. Bob's contest
    gets a code round whose answer is his own."""
    contest = contest_make(owner=alice, title="Code quiz")
    pool = pool_round(contest, title="Code pool", questions=CODE_POOL, claim_limit=None)
    live = room_services.round_create(contest=contest, kind="live", title="Live code")
    room_services.questions_create(round_=live, definitions=[question_definition_validate(JUDGED)])
    live = room_services.round_transition(round_=live, action="start")
    later = pool_round(contest, title="Later code", questions=[JUDGED], active=False)
    q = {question.position: question.pk for question in pool.questions.all()}
    coders, testers = team_make(contest=contest, name="Coders"), team_make(contest=contest, name="Testers")
    assert team_services.claim_next(team=coders, round_id=pool.pk).question_id == q[1]
    assert team_services.claim_next(team=testers, round_id=pool.pk).question_id == q[2]
    answer_code = _code_answer(coders, q[1], "c1-first")
    run_c1 = sample_run_start(team=coders, question_id=q[1], payload=VALID_CODE)
    SampleRun.objects.filter(pk=run_c1.pk).update(status=SampleRunStatus.DONE, verdict="AC", finished_at=timezone.now())
    run_c2 = sample_run_start(team=testers, question_id=q[2], payload=VALID_CODE)
    round_b_code = pool_round(contest_b, title="Bob's code", questions=[JUDGED])
    claim_b = team_services.claim_next(team=b1, round_id=round_b_code.pk)
    refs = {
        "contest_code": contest.pk,
        "q_judged": q[1],
        "q_held": q[2],
        "q_code_free": q[3],
        "q_not_code": q[4],
        "q_code_live": live.questions.get().pk,
        "q_code_later": later.questions.get().pk,
        "q_b_code": claim_b.question_id,
        "answer_code": answer_code,
        "answer_b_code": _code_answer(b1, claim_b.question_id, "b1-code"),
        "run_c1": run_c1.pk,
        "run_c2": run_c2.pk,
    }
    return refs, {"c1": coders, "c2": testers}


def _build_world() -> World:
    """Alice's contests, rounds and teams; Bob's contest and team; an inactive quizmaster."""
    alice, bob, carol = _quizmaster("alice"), _quizmaster("bob"), _quizmaster("carol")
    carol_token = host_token(carol)
    carol.is_active = False
    carol.save(update_fields=["is_active"])

    contest = contest_make(owner=alice, title="Alice's quiz")
    pool = pool_round(contest, title="Pool", questions=POOL_QUESTIONS, claim_limit=1, mystery_boxes=MYSTERY_BOXES)
    live = room_services.round_create(contest=contest, kind="live", title="Live")
    room_services.questions_create(
        round_=live,
        definitions=[question_definition_validate({"type": "text", "prompt": "Live?", "answer": "yes"})],
    )
    live = room_services.round_transition(round_=live, action="start")
    pending = pool_round(contest, title="Later", questions=1, active=False)
    empty = pool_round(contest, title="Empty", questions=[])
    q = {question.position: question for question in pool.questions.all()}

    a1, a2 = team_make(contest=contest, name="Alpha"), team_make(contest=contest, name="Beta")
    dq = team_make(contest=contest, name="Gone")
    team_services.team_disqualify(team=dq, reason="test")
    # Alpha answered the choice question and holds the numeric one (claim limit 1);
    # Beta answered the text question wrongly and holds nothing.
    team_services.claim_next(team=a1, round_id=pool.pk)
    answer_a1 = scoring_services.answer_submit(team=a1, question_id=q[1].pk, payload=[1], idempotency_key="a1-first")
    team_services.claim_next(team=a1, round_id=pool.pk)
    team_services.claim_next(team=a2, round_id=pool.pk)
    answer_a2 = scoring_services.answer_submit(team=a2, question_id=q[3].pk, payload="Lyon", idempotency_key="a2-first")

    contest_b = contest_make(owner=bob, title="Bob's quiz")
    round_b = pool_round(contest_b, questions=2)
    b1 = team_make(contest=contest_b, name="Bravo")
    claim_b = team_services.claim_next(team=b1, round_id=round_b.pk)
    answer_b1 = scoring_services.answer_submit(
        team=b1, question_id=claim_b.question_id, payload=[1], idempotency_key="b1-first"
    )

    paused = contest_make(owner=alice, title="Paused quiz")
    round_paused = pool_round(paused, questions=1)
    pz = team_make(contest=paused, name="Sleepers")
    paused = room_services.contest_transition(contest=paused, action="pause")

    finished = contest_make(owner=alice, title="Finished quiz")
    round_finished = pool_round(finished, questions=1, active=False)
    finished = room_services.contest_transition(contest=finished, action="finish")
    draft = contest_make(owner=alice, title="Draft quiz", status="draft")
    no_late = contest_make(owner=alice, title="Closed doors", settings={"allow_late_join": False})
    frozen = contest_make(owner=alice, title="Frozen quiz", settings={"freeze_at": "2020-01-01T00:00:00+00:00"})

    essay = question_definition_validate({"type": "essay", "prompt": "Bank essay"})
    bank_a = room_services.bank_question_create(owner=alice, definition=essay, tags=["mine"])
    bank_b = room_services.bank_question_create(owner=bob, definition=essay, tags=["his"])
    # Bob's bank also holds a code question, which its CSV export cannot hold.
    room_services.bank_question_create(owner=bob, definition=question_definition_validate(CODE), tags=[])

    refs = {
        "contest_a": contest.pk,
        "contest_b": contest_b.pk,
        "contest_paused": paused.pk,
        "contest_finished": finished.pk,
        "contest_draft": draft.pk,
        "contest_frozen": frozen.pk,
        "code_a": contest.display_code,
        "code_draft": draft.display_code,
        "code_finished": finished.display_code,
        "code_no_late": no_late.display_code,
        "round_pool": pool.pk,
        "round_live": live.pk,
        "round_pending": pending.pk,
        "round_empty": empty.pk,
        "round_b": round_b.pk,
        "round_paused": round_paused.pk,
        "round_finished": round_finished.pk,
        "q_choice": q[1].pk,
        "q_numeric": q[2].pk,
        "q_text": q[3].pk,
        "q_code": q[4].pk,
        "q_essay": q[5].pk,
        "q_spare": q[6].pk,
        "q_live": live.questions.get().pk,
        "q_pending": pending.questions.get().pk,
        "q_b": claim_b.question_id,
        "q_paused": round_paused.questions.get().pk,
        "team_a1": a1.pk,
        "team_a2": a2.pk,
        "team_dq": dq.pk,
        "team_b1": b1.pk,
        "answer_a1": _answer_id(answer_a1),
        "answer_a2": _answer_id(answer_a2),
        "answer_b1": _answer_id(answer_b1),
        "answer_essay": _essay_answer_id(alice),
        "bank_a": bank_a.pk,
        "bank_b": bank_b.pk,
        "regrade_a": Regrade.objects.create(contest=contest, author=alice, reason="Earlier").pk,
        "regrade_b": Regrade.objects.create(contest=contest_b, author=bob, reason="His").pk,
    }
    code_refs, code_teams = _code_world(alice, contest_b, b1)
    refs |= code_refs
    clients = {
        "alice": host_client(alice),
        "bob": host_client(bob),
        "carol": _raw_client(f"Token {carol_token}"),
        "a1": team_client(a1),
        "a2": team_client(a2),
        "dq": team_client(dq),
        "pz": team_client(pz),
        "b1": team_client(b1),
        "c1": team_client(code_teams["c1"]),
        "c1-laptop": team_client(code_teams["c1"]),  # the same team on another device
        "c2": team_client(code_teams["c2"]),
        "anon": APIClient(),
        "session-no-csrf": APIClient(enforce_csrf_checks=True),
    }
    clients["session-no-csrf"].force_login(alice)
    for client in clients.values():
        # A 500 must come back as a response the case can assert on, not as an exception.
        client.raise_request_exception = False
    return World(refs=refs, clients=clients)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# --- Cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    route: str  # the URL name this case is aimed at
    method: str
    path: str  # "{name}" placeholders are filled from World.refs
    caller: str  # a World.clients key, "anon", "session-no-csrf", or "raw:<Authorization header>"
    status: int
    code: str
    body: Any = NO_BODY  # a JSON value (with Ref placeholders) or Raw bytes
    headers: dict[str, str | None] = field(default_factory=dict)  # None removes a default header
    routed: bool = True  # False: the path is not meant to match any route (the resolver's 404)
    xfail: str | None = None  # a known bug, with the reason; the case must fail until it is fixed
    settings: dict[str, Any] = field(default_factory=dict)  # Django settings for this request only
    error_field: str | None = None  # a field the error's `fields` must name


KEEP: Any = object()


@dataclass(frozen=True)
class Endpoint:
    """One (route, method) and a valid request to it, from which bad cases are derived."""

    route: str
    method: str
    path: str
    audience: str  # "host", "team" or "public"
    body: Any = NO_BODY
    headers: dict[str, str | None] = field(default_factory=dict)
    caller: str = ""
    shape_cases: bool = True  # False: the body is not a JSON object (a file upload)

    @property
    def default_caller(self) -> str:
        return self.caller or {"host": "alice", "team": "a2", "public": "anon"}[self.audience]

    @property
    def takes_body(self) -> bool:
        return self.body is not NO_BODY

    def case(
        self,
        label: str,
        status: int,
        code: str,
        *,
        caller: str | None = None,
        body: Any = KEEP,
        path: str | None = None,
        headers: dict[str, str | None] | None = None,
        routed: bool = True,
        xfail: str | None = None,
        settings: dict[str, Any] | None = None,
        error_field: str | None = None,
    ) -> Case:
        return Case(
            name=f"{self.method} {self.route}: {label}",
            route=self.route,
            method=self.method,
            path=path if path is not None else self.path,
            caller=caller or self.default_caller,
            status=status,
            code=code,
            body=self.body if body is KEEP else body,
            headers={**self.headers, **(headers or {})},
            routed=routed,
            xfail=xfail,
            settings=settings or {},
            error_field=error_field,
        )

    def with_fields(self, label: str, status: int, code: str, /, *, xfail: str | None = None, **changes: Any) -> Case:
        """A case whose body is the valid body with `changes` (a value of DROP removes the key)."""
        body = {k: v for k, v in {**self.body, **changes}.items() if v is not DROP}
        return self.case(label, status, code, body=body, xfail=xfail)

    def other_method(self, method: str) -> Case:
        """The endpoint's path with a method its view does not answer."""
        return replace(self.case(f"{method} is not allowed", 405, "method_not_allowed"), method=method)


DROP: Any = object()
FRESH_KEY: dict[str, str | None] = {"Idempotency-Key": "fresh-idempotency-key-1"}

E = Endpoint
AUTH_TOKEN = E("auth-token", "POST", "/api/v1/auth/token", "public", {"username": "alice", "password": PASSWORD})
CONTESTS_GET = E("contest-list", "GET", "/api/v1/contests", "host")
CONTESTS_POST = E("contest-list", "POST", "/api/v1/contests", "host", {"title": "New quiz"})
CONTEST_GET = E("contest-detail", "GET", "/api/v1/contests/{contest_a}", "host")
CONTEST_PATCH = E("contest-detail", "PATCH", "/api/v1/contests/{contest_a}", "host", {"title": "Renamed"})
CONTEST_DELETE = E("contest-detail", "DELETE", "/api/v1/contests/{contest_draft}", "host")
ROUND_CREATE = E(
    "round-create", "POST", "/api/v1/contests/{contest_a}/rounds", "host", {"kind": "pool", "title": "More"}
)
CONTEST_ACTION = E("contest-action", "POST", "/api/v1/contests/{contest_draft}/open", "host")
QUESTIONS_GET = E("round-questions", "GET", "/api/v1/rounds/{round_pool}/questions", "host")
QUESTIONS_POST = E(
    "round-questions", "POST", "/api/v1/rounds/{round_pool}/questions", "host", {"type": "essay", "prompt": "Why?"}
)
ROUND_ACTION = E("round-action", "POST", "/api/v1/rounds/{round_pending}/start", "host")
BANK_GET = E("bank", "GET", "/api/v1/bank", "host")
BANK_POST = E("bank", "POST", "/api/v1/bank", "host", {"type": "essay", "prompt": "Why?", "tags": ["t"]})
BANK_DELETE = E("bank-detail", "DELETE", "/api/v1/bank/{bank_a}", "host")
TEAMS_GET = E("contest-teams", "GET", "/api/v1/contests/{contest_a}/teams", "host")
DISQUALIFY = E("team-disqualify", "POST", "/api/v1/teams/{team_a2}/disqualify", "host", {"reason": "Cheating"})
ADJUST = E("team-adjustments", "POST", "/api/v1/teams/{team_a2}/adjustments", "host", {"points": 10, "reason": "Bonus"})
ANNOUNCE = E(
    "contest-announcements", "POST", "/api/v1/contests/{contest_a}/announcements", "host", {"text": "Break: 5 min"}
)
RESULTS = E("contest-results", "GET", "/api/v1/contests/{contest_a}/results.csv", "host")
HOST_BOARD = E("contest-leaderboard", "GET", "/api/v1/contests/{contest_a}/leaderboard", "host")
JOIN = E("join", "POST", "/api/v1/join", "public", {"code": Ref("code_a"), "team_name": "Newcomers"})
ME = E("me", "GET", "/api/v1/me", "team")
CLAIM = E("me-claims", "POST", "/api/v1/me/claims", "team", {"round": Ref("round_pool")})
ANSWER = E("me-answers", "POST", "/api/v1/me/answers", "team", {"question": Ref("q_choice"), "answer": [1]}, FRESH_KEY)
ANSWER_GET = E("me-answer", "GET", "/api/v1/me/answers/{answer_a2}", "team")
MYSTERY = E("me-mystery", "POST", "/api/v1/me/mystery", "team", {"round": Ref("round_pool"), "difficulty": "easy"})
PUBLIC = E("public-contest", "GET", "/api/v1/public/{code_a}", "public")
BOARD = E("public-leaderboard", "GET", "/api/v1/public/{code_a}/leaderboard", "public")

# The file import's own rules are tested in tests/rooms/test_importing.py; here, only
# what every endpoint must do (callers, ids, media types).
IMPORT = E(
    "contest-import",
    "POST",
    "/api/v1/contests/{contest_a}/import",
    "host",
    Raw(b'{"rounds": [{"kind": "pool", "title": "Imported", "questions": []}]}'),
    shape_cases=False,
)
EXPORT_JSON = E("contest-export-json", "GET", "/api/v1/contests/{contest_a}/export.json", "host")
EXPORT_CSV = E("contest-export-csv", "GET", "/api/v1/contests/{contest_a}/export.csv", "host")
# The bank's import and exports take no id: each quizmaster reaches only their own bank.
BANK_IMPORT = E(
    "bank-import",
    "POST",
    "/api/v1/bank/import",
    "host",
    Raw(b'{"questions": [{"type": "essay", "prompt": "Imported", "tags": ["new"]}]}'),
    shape_cases=False,
)
BANK_EXPORT_JSON = E("bank-export-json", "GET", "/api/v1/bank/export.json", "host")
BANK_EXPORT_CSV = E("bank-export-csv", "GET", "/api/v1/bank/export.csv", "host")
FREEZE = E("contest-freeze", "POST", "/api/v1/contests/{contest_a}/freeze", "host")
UNFREEZE = E("contest-unfreeze", "POST", "/api/v1/contests/{contest_frozen}/unfreeze", "host")
REVEAL = E("public-reveal", "GET", "/api/v1/public/{code_a}/reveal", "public")
GRADING_QUEUE = E("contest-grading", "GET", "/api/v1/contests/{contest_a}/grading", "host")
ANSWER_GRADE = E(
    "answer-grade", "POST", "/api/v1/answers/{answer_essay}/grade", "host", {"points": 10, "feedback": "Well argued"}
)

QUESTION_PATCH = E("question-detail", "PATCH", "/api/v1/questions/{q_choice}", "host", {"points": 150})
REPLAY = E("contest-replay", "GET", "/api/v1/contests/{contest_finished}/replay", "host")
QUESTION_REGRADE = E(
    "question-regrade", "POST", "/api/v1/questions/{q_choice}/regrade", "host", {"reason": "The key was wrong"}
)
CONTEST_REGRADE = E("contest-regrade", "POST", "/api/v1/contests/{contest_a}/regrade", "host", {"reason": "All of it"})
REGRADE_GET = E("regrade-detail", "GET", "/api/v1/regrades/{regrade_a}", "host")
ACCOMMODATE = E("team-accommodations", "POST", "/api/v1/teams/{team_a2}/accommodations", "host", {"extra_time_s": 10})
FOCUS = E("me-focus", "POST", "/api/v1/me/focus", "team", {"device": "phone-1", "kind": "hidden", "away_ms": 1000})
CONTEST_FOCUS = E("contest-focus", "GET", "/api/v1/contests/{contest_a}/focus", "host")
# Code judging: the Coders (c1) hold the one-attempt code question and answered it once.
RUNS = E("me-runs", "POST", "/api/v1/me/runs", "team", {"question": Ref("q_judged"), "answer": VALID_CODE}, caller="c1")
RUN_GET = E("me-run", "GET", "/api/v1/me/runs/{run_c1}", "team", caller="c1")
JUDGE_QUEUE = E("contest-judge", "GET", "/api/v1/contests/{contest_code}/judge", "host")
JUDGING_GET = E("answer-judging", "GET", "/api/v1/answers/{answer_code}/judging", "host")
ANSWER_REJUDGE = E("answer-rejudge", "POST", "/api/v1/answers/{answer_code}/rejudge", "host")
QUESTION_REJUDGE = E("question-rejudge", "POST", "/api/v1/questions/{q_judged}/rejudge", "host")
JUDGE_ENDPOINTS = [RUNS, RUN_GET, JUDGE_QUEUE, JUDGING_GET, ANSWER_REJUDGE, QUESTION_REJUDGE]

ENDPOINTS = [
    FOCUS,
    CONTEST_FOCUS,
    *JUDGE_ENDPOINTS,
    QUESTION_PATCH,
    REPLAY,
    QUESTION_REGRADE,
    CONTEST_REGRADE,
    REGRADE_GET,
    ACCOMMODATE,
    AUTH_TOKEN,
    CONTESTS_GET,
    CONTESTS_POST,
    CONTEST_GET,
    CONTEST_PATCH,
    CONTEST_DELETE,
    ROUND_CREATE,
    CONTEST_ACTION,
    QUESTIONS_GET,
    QUESTIONS_POST,
    ROUND_ACTION,
    BANK_GET,
    BANK_POST,
    BANK_DELETE,
    TEAMS_GET,
    DISQUALIFY,
    ADJUST,
    ANNOUNCE,
    RESULTS,
    HOST_BOARD,
    JOIN,
    ME,
    CLAIM,
    ANSWER,
    ANSWER_GET,
    MYSTERY,
    PUBLIC,
    BOARD,
    IMPORT,
    EXPORT_JSON,
    EXPORT_CSV,
    BANK_IMPORT,
    BANK_EXPORT_JSON,
    BANK_EXPORT_CSV,
    FREEZE,
    UNFREEZE,
    REVEAL,
    GRADING_QUEUE,
    ANSWER_GRADE,
]


def auth_cases(endpoint: Endpoint) -> Iterator[Case]:
    """Missing, unknown, malformed and wrong-role credentials on a protected endpoint."""
    if endpoint.audience == "public":
        return
    e = endpoint
    yield e.case("no Authorization header", 401, "not_authenticated", caller="anon")
    yield e.case("unknown quizmaster token", 401, "invalid_token", caller="raw:Token not-a-real-token")
    yield e.case("unknown team token", 401, "invalid_token", caller="raw:Bearer not-a-real-token")
    yield e.case("scheme without token", 401, "invalid_token", caller="raw:Bearer")
    yield e.case("token in two parts", 401, "invalid_token", caller="raw:Token two parts")
    yield e.case("token not UTF-8", 401, "invalid_token", caller="raw:Bearer \xff\xfe")
    yield e.case("unsupported scheme", 401, "not_authenticated", caller="raw:Basic YWxpY2U6c2VjcmV0")
    if e.audience == "host":
        yield e.case("inactive quizmaster's token", 401, "invalid_token", caller="carol")
        yield e.case("team token on a quizmaster endpoint", 403, "forbidden", caller="a1")
        if e.method != "GET":
            yield e.case("session cookie without CSRF token", 403, "forbidden", caller="session-no-csrf")
    else:
        yield e.case("quizmaster token on a team endpoint", 403, "forbidden", caller="alice")


def body_shape_cases(endpoint: Endpoint) -> Iterator[Case]:
    """Bodies that are not the JSON object the endpoint takes."""
    if not endpoint.takes_body or not endpoint.shape_cases:
        return
    e = endpoint
    valid = json.dumps(e.body, default=lambda ref: 1).encode()
    yield e.case("malformed JSON", 400, "malformed_request", body=Raw(b'{"title": "unterminated'))
    yield e.case("body not UTF-8", 400, "malformed_request", body=Raw(b'{"title": "\xff\xfe"}'))
    yield e.case("JSON nested 100,000 deep", 400, "malformed_request", body=Raw(b"[" * 100_000 + b"]" * 100_000))
    yield e.case("JSON list for object", 400, "validation_error", body=[1, 2])
    yield e.case("JSON null body", 400, "validation_error", body=None)
    yield e.case("JSON string body", 400, "validation_error", body="just a string")
    yield e.case("JSON number body", 400, "validation_error", body=42)
    yield e.case("JSON false body", 400, "validation_error", body=False)
    yield e.case("JSON sent as text/plain", 415, "unsupported_media_type", body=Raw(valid, "text/plain"))
    yield e.case(
        "form-urlencoded body", 415, "unsupported_media_type", body=Raw(b"a=1", "application/x-www-form-urlencoded")
    )


def id_cases(endpoint: Endpoint, *, param: str, other: str, unknown_path: str, non_int_path: str) -> Iterator[Case]:
    """Another owner's object, an unknown id, an id beyond bigint, and a non-integer id: all 404."""
    e = endpoint
    owner = "another quizmaster's" if e.audience == "host" else "another team's"
    yield e.case(f"{owner} {param}", 404, "not_found", path=e.path.replace("{" + param + "}", "{" + other + "}"))
    yield e.case(f"unknown {param}", 404, "not_found", path=unknown_path.format(id=UNKNOWN_ID))
    yield e.case(f"{param} beyond bigint", 404, "not_found", path=unknown_path.format(id=HUGE_ID))
    yield e.case(f"non-integer {param}", 404, "not_found", path=non_int_path, routed=False)


def host_id_cases() -> Iterator[Case]:
    yield from id_cases(
        CONTEST_GET,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}",
        non_int_path="/api/v1/contests/first",
    )
    yield from id_cases(
        CONTEST_PATCH,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}",
        non_int_path="/api/v1/contests/first",
    )
    yield from id_cases(
        CONTEST_DELETE,
        param="contest_draft",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}",
        non_int_path="/api/v1/contests/first",
    )
    yield from id_cases(
        ROUND_CREATE,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/rounds",
        non_int_path="/api/v1/contests/first/rounds",
    )
    yield from id_cases(
        CONTEST_ACTION,
        param="contest_draft",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/open",
        non_int_path="/api/v1/contests/first/open",
    )
    for endpoint in (QUESTIONS_GET, QUESTIONS_POST):
        yield from id_cases(
            endpoint,
            param="round_pool",
            other="round_b",
            unknown_path="/api/v1/rounds/{id}/questions",
            non_int_path="/api/v1/rounds/first/questions",
        )
    yield from id_cases(
        ROUND_ACTION,
        param="round_pending",
        other="round_b",
        unknown_path="/api/v1/rounds/{id}/start",
        non_int_path="/api/v1/rounds/first/start",
    )
    yield from id_cases(
        BANK_DELETE, param="bank_a", other="bank_b", unknown_path="/api/v1/bank/{id}", non_int_path="/api/v1/bank/x"
    )
    yield from id_cases(
        TEAMS_GET,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/teams",
        non_int_path="/api/v1/contests/first/teams",
    )
    yield from id_cases(
        DISQUALIFY,
        param="team_a2",
        other="team_b1",
        unknown_path="/api/v1/teams/{id}/disqualify",
        non_int_path="/api/v1/teams/first/disqualify",
    )
    yield from id_cases(
        ADJUST,
        param="team_a2",
        other="team_b1",
        unknown_path="/api/v1/teams/{id}/adjustments",
        non_int_path="/api/v1/teams/first/adjustments",
    )
    yield from id_cases(
        ANNOUNCE,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/announcements",
        non_int_path="/api/v1/contests/first/announcements",
    )
    yield from id_cases(
        RESULTS,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/results.csv",
        non_int_path="/api/v1/contests/first/results.csv",
    )
    yield from id_cases(
        HOST_BOARD,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/leaderboard",
        non_int_path="/api/v1/contests/first/leaderboard",
    )


def import_cases() -> Iterator[Case]:
    for endpoint, suffix in [(IMPORT, "import"), (EXPORT_JSON, "export.json"), (EXPORT_CSV, "export.csv")]:
        yield from id_cases(
            endpoint,
            param="contest_a",
            other="contest_b",
            unknown_path="/api/v1/contests/{id}/" + suffix,
            non_int_path="/api/v1/contests/first/" + suffix,
        )
    numeric = {**NUMERIC, "answer": True}
    contest_file = json.dumps({"rounds": [{"kind": "pool", "title": "R", "questions": [numeric]}]}).encode()
    yield from import_file_cases(IMPORT, "rounds", bad_question=contest_file)
    yield IMPORT.case("finished contest", 409, "invalid_transition", path="/api/v1/contests/{contest_finished}/import")
    yield from import_file_cases(BANK_IMPORT, "questions", bad_question=json.dumps({"questions": [numeric]}).encode())
    for label, content in [
        ("a tag of 41 characters", json.dumps({"questions": [{**ESSAY, "tags": ["x" * 41]}]}).encode()),
        ("21 tags", json.dumps({"questions": [{**ESSAY, "tags": [f"t{i}" for i in range(21)]}]}).encode()),
        ("a contest's file", b'{"rounds": [{"kind": "pool", "title": "R", "questions": []}]}'),
    ]:
        yield BANK_IMPORT.case(label, 400, "invalid_import", body=Raw(content))
    header = b"type,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s,tags\n"
    code_row = Raw(header + b"code,Add two numbers,,,,,,,,\n", "text/csv")
    yield BANK_IMPORT.case("CSV row of a code question", 400, "invalid_import", body=code_row)
    yield BANK_EXPORT_CSV.case("bank with a code question", 409, "export_needs_json", caller="bob")


def import_file_cases(endpoint: Endpoint, key: str, *, bad_question: bytes) -> Iterator[Case]:
    """Files an import endpoint must refuse whole; `key` is its JSON format's top-level list."""
    e = endpoint
    yield e.case("file as text/plain", 415, "unsupported_media_type", body=Raw(b"{}", "text/plain"))
    for label, content in [
        ("empty file", b""),
        ("malformed JSON file", b'{"' + key.encode() + b'": ['),
        ("JSON file not UTF-8", b'{"' + key.encode() + b'": "\xff"}'),
        ("JSON file nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
        ("JSON file null", b"null"),
        ("JSON file a list", b"[1, 2]"),
    ]:
        yield e.case(label, 400, "invalid_import", body=Raw(content))
    yield e.case("CSV file of control characters", 400, "invalid_import", body=Raw(b"\x00\x01,,\n", "text/csv"))
    yield e.case("numeric answer a boolean", 400, "invalid_import", body=Raw(bad_question))
    no_file = encode_multipart(BOUNDARY, {"notes": "the file is missing"})
    yield e.case("multipart without a file", 400, "validation_error", body=Raw(no_file, MULTIPART_CONTENT))


def answer_get_cases() -> Iterator[Case]:
    yield from id_cases(
        ANSWER_GET,
        param="answer_a2",
        other="answer_a1",
        unknown_path="/api/v1/me/answers/{id}",
        non_int_path="/api/v1/me/answers/first",
    )
    yield ANSWER_GET.case("another contest's team's answer", 404, "not_found", path="/api/v1/me/answers/{answer_b1}")


def code_cases(endpoint: Endpoint, suffix: str) -> Iterator[Case]:
    """Join codes that name no contest, on the public endpoints."""
    e = endpoint
    for label, code in [
        ("well-formed code of no contest", "ZZZZ-ZZZZ"),
        ("malformed code", "hello!"),
        ("code of 10,000 characters", "A" * 10_000),
        ("code with a NUL byte", "ABCD%00EFGH"),
        ("code with non-ASCII letters", "%C3%84BCD-EFGH"),
    ]:
        yield e.case(label, 404, "not_found", path=f"/api/v1/public/{code}{suffix}")


# Question definitions that must be refused, shared by round questions and the bank.
ESSAY = {"type": "essay", "prompt": "Why?"}
CHOICE = {"type": "choice", "prompt": "Pick", "choices": ["A", "B"], "answer": [0]}
NUMERIC = {"type": "numeric", "prompt": "Pi?", "answer": 3.14}
TEXT = {"type": "text", "prompt": "Capital?", "answer": ["Paris"]}
CODE: dict[str, Any] = {
    "type": "code",
    "prompt": "Add",
    "languages": ["python"],
    "tests": [{"input": "1 2\n", "output": "3\n"}],
}
BAD_DEFINITIONS: list[tuple[str, dict[str, Any], str | None]] = [
    ("type missing", {"prompt": "Why?"}, None),
    ("type unknown", {**ESSAY, "type": "riddle"}, None),
    ("type a list", {**ESSAY, "type": ["essay"]}, None),
    ("prompt missing", {"type": "essay"}, None),
    ("prompt null", {**ESSAY, "prompt": None}, None),
    ("prompt blank", {**ESSAY, "prompt": "   "}, None),
    ("prompt 1 MB", {**ESSAY, "prompt": MB}, None),
    ("prompt an object", {**ESSAY, "prompt": {"text": "Why?"}}, None),
    ("prompt with NUL", {**ESSAY, "prompt": "Why\x00?"}, None),
    ("points a word", {**ESSAY, "points": "many"}, None),
    ("points a boolean", {**ESSAY, "points": True}, None),
    ("points negative", {**ESSAY, "points": -5}, None),
    ("points fractional", {**ESSAY, "points": 1.5}, None),
    ("points huge", {**ESSAY, "points": 10**12}, None),
    ("difficulty unknown", {**ESSAY, "difficulty": "extreme"}, None),
    ("time limit zero", {**ESSAY, "time_limit_s": 0}, None),
    ("time limit a boolean", {**ESSAY, "time_limit_s": True}, None),
    ("mystery a word", {**ESSAY, "mystery": "maybe"}, None),
    ("unknown field", {**ESSAY, "answr": "typo"}, None),
    ("choice: choices missing", {"type": "choice", "prompt": "Pick", "answer": [0]}, None),
    ("choice: one choice", {**CHOICE, "choices": ["A"]}, None),
    ("choice: choices a string", {**CHOICE, "choices": "A,B"}, None),
    ("choice: 13 choices", {**CHOICE, "choices": [str(i) for i in range(13)]}, None),
    ("choice: a choice of 1 MB", {**CHOICE, "choices": [MB, "B"]}, None),
    ("choice: answer out of range", {**CHOICE, "answer": [2]}, None),
    ("choice: answer repeated", {**CHOICE, "answer": [0, 0], "multiple": True}, None),
    ("choice: answer a boolean index", {**CHOICE, "answer": [True]}, None),
    ("choice: answer an int, not a list", {**CHOICE, "answer": 0}, None),
    ("choice: two answers, single choice", {**CHOICE, "answer": [0, 1], "multiple": False}, None),
    ("numeric: answer a word", {**NUMERIC, "answer": "pi"}, None),
    ("numeric: answer null", {**NUMERIC, "answer": None}, None),
    ("numeric: answer a list", {**NUMERIC, "answer": [3.14]}, None),
    ("numeric: answer 'NaN'", {**NUMERIC, "answer": "NaN"}, None),
    ("numeric: answer beyond float", {**NUMERIC, "answer": 10**400}, None),
    ("numeric: answer a boolean", {**NUMERIC, "answer": True}, None),
    ("numeric: tolerance a boolean", {**NUMERIC, "tolerance": True}, None),
    ("numeric: tolerance negative", {**NUMERIC, "tolerance": -0.1}, None),
    ("numeric: tolerance 'Infinity'", {**NUMERIC, "tolerance": "Infinity"}, None),
    ("text: no accepted answer", {**TEXT, "answer": []}, None),
    ("text: accepted answer of 1 MB", {**TEXT, "answer": MB}, None),
    ("text: answer null", {**TEXT, "answer": None}, None),
    ("text: 51 accepted answers", {**TEXT, "answer": [f"a{i}" for i in range(51)]}, None),
    ("code: unknown language", {**CODE, "languages": ["cobol"]}, None),
    ("code: no tests", {**CODE, "tests": []}, None),
    ("code: tests an object", {**CODE, "tests": {"input": "1", "output": "1"}}, None),
    ("code: test without output", {**CODE, "tests": [{"input": "1 2\n"}]}, None),
    ("code: test weight zero", {**CODE, "tests": [{"input": "1", "output": "1", "weight": 0}]}, None),
    ("code: time limit 50 ms", {**CODE, "time_limit_ms": 50}, None),
    ("code: memory a boolean", {**CODE, "memory_mb": True}, None),
    ("code: compare unknown", {**CODE, "compare": "fuzzy"}, None),
    ("code: compare a boolean", {**CODE, "compare": True}, None),
    ("code: tolerance negative", {**CODE, "compare": "float", "tolerance": -0.001}, None),
    ("code: tolerance above 1", {**CODE, "compare": "float", "tolerance": 1.5}, None),
    ("code: tolerance 'NaN'", {**CODE, "compare": "float", "tolerance": "NaN"}, None),
    ("code: tolerance a boolean", {**CODE, "compare": "float", "tolerance": True}, None),
    ("code: all_or_nothing a word", {**CODE, "all_or_nothing": "sometimes"}, None),
    ("code: max_attempts 0", {**CODE, "max_attempts": 0}, None),
    ("code: max_attempts 1001", {**CODE, "max_attempts": 1001}, None),
    ("code: max_attempts fractional", {**CODE, "max_attempts": 1.5}, None),
    ("code: max_attempts a boolean", {**CODE, "max_attempts": True}, None),
    ("code: penalty negative", {**CODE, "wrong_attempt_penalty": -1}, None),
    ("code: penalty above 100,000", {**CODE, "wrong_attempt_penalty": 100_001}, None),
    ("code: penalty null", {**CODE, "wrong_attempt_penalty": None}, None),
    # The tests of one submission may take 300 s of CPU time together.
    ("code: 16 tests of 20 s", {**CODE, "tests": CODE["tests"] * 16, "time_limit_ms": 20_000}, None),
    ("code: 151 tests of the default 2 s", {**CODE, "tests": CODE["tests"] * 151}, None),
    ("essay: max length zero", {**ESSAY, "max_length": 0}, None),
]


# The field a definition's error must name, where the refusal is not the field's own.
DEFINITION_ERROR_FIELDS = {
    "code: 16 tests of 20 s": "tests",
    "code: 151 tests of the default 2 s": "tests",
}


def definition_cases(endpoint: Endpoint) -> Iterator[Case]:
    extra = {"tags": ["t"]} if endpoint is BANK_POST else {}
    for label, definition, bug in BAD_DEFINITIONS:
        yield endpoint.case(
            label,
            400,
            "validation_error",
            body={**definition, **extra},
            xfail=bug,
            error_field=DEFINITION_ERROR_FIELDS.get(label),
        )


def question_post_cases() -> Iterator[Case]:
    e = QUESTIONS_POST
    yield from definition_cases(e)
    yield e.case("empty list", 400, "validation_error", body=[])
    yield e.case("501 questions", 400, "validation_error", body=[ESSAY] * 501)
    yield e.case("second of two invalid: none added", 400, "validation_error", body=[ESSAY, {"type": "essay"}])
    yield e.case("list of strings", 400, "validation_error", body=["essay", "choice"])
    yield e.case("bank_question a string", 400, "validation_error", body={"bank_question": str(UNKNOWN_ID)})
    yield e.case("bank_question a boolean", 400, "validation_error", body={"bank_question": True})
    yield e.case("bank_question null", 400, "validation_error", body={"bank_question": None})
    yield e.case("unknown bank_question", 404, "not_found", body={"bank_question": UNKNOWN_ID})
    yield e.case("another quizmaster's bank_question", 404, "not_found", body={"bank_question": Ref("bank_b")})
    yield e.case(
        "mystery question in a live round",
        409,
        "wrong_round_kind",
        path="/api/v1/rounds/{round_live}/questions",
        body={**ESSAY, "mystery": True},
    )
    yield e.case(
        "round of a finished contest", 409, "invalid_transition", path="/api/v1/rounds/{round_finished}/questions"
    )


def bank_post_cases() -> Iterator[Case]:
    e = BANK_POST
    yield from definition_cases(e)
    yield e.with_fields("tags a string", 400, "validation_error", tags="general")
    yield e.with_fields("tags null", 400, "validation_error", tags=None)
    yield e.with_fields("a tag of 1 MB", 400, "validation_error", tags=[MB])
    yield e.with_fields("21 tags", 400, "validation_error", tags=[f"t{i}" for i in range(21)])
    yield e.with_fields("tags an object", 400, "validation_error", tags={"t": 1})


def auth_token_cases() -> Iterator[Case]:
    e = AUTH_TOKEN
    yield e.with_fields("username missing", 400, "validation_error", username=DROP)
    yield e.with_fields("password missing", 400, "validation_error", password=DROP)
    yield e.with_fields("username 1 MB", 400, "validation_error", username=MB)
    yield e.with_fields("password 1 MB", 400, "validation_error", password=MB)
    yield e.with_fields("username a list", 400, "validation_error", username=["alice"])
    yield e.with_fields("password null", 400, "validation_error", password=None)
    yield e.with_fields("password a boolean", 400, "validation_error", password=True)
    yield e.with_fields("wrong password", 400, "invalid_credentials", password="not the password")
    yield e.with_fields("unknown user", 400, "invalid_credentials", username="nobody")
    yield e.with_fields("inactive user", 400, "invalid_credentials", username="carol")


def contest_body_cases(e: Endpoint) -> Iterator[Case]:
    """Title and settings, for creating and for changing a contest."""
    yield e.with_fields("title null", 400, "validation_error", title=None)
    yield e.with_fields("title a boolean", 400, "validation_error", title=True)
    yield e.with_fields("title a list", 400, "validation_error", title=["Quiz"])
    yield e.with_fields("title blank", 400, "validation_error", title="   ")
    yield e.with_fields("title 1 MB", 400, "validation_error", title=MB)
    yield e.with_fields("settings a list", 400, "validation_error", settings=[])
    yield e.with_fields("settings null", 400, "validation_error", settings=None)
    yield e.with_fields("settings a string", 400, "validation_error", settings="fast")
    yield e.with_fields("unknown setting", 400, "validation_error", settings={"startin_points": 5})
    yield e.with_fields("starting points a word", 400, "validation_error", settings={"starting_points": "lots"})
    yield e.with_fields("starting points a boolean", 400, "validation_error", settings={"starting_points": True})
    yield e.with_fields("starting points negative", 400, "validation_error", settings={"starting_points": -1})
    yield e.with_fields("starting points huge", 400, "validation_error", settings={"starting_points": 10**7})
    yield e.with_fields("penalty negative", 400, "validation_error", settings={"wrong_answer_penalty": -5})
    yield e.with_fields("freeze_at not a time", 400, "validation_error", settings={"freeze_at": "soon"})
    yield e.with_fields("allow_late_join a word", 400, "validation_error", settings={"allow_late_join": "perhaps"})


def contest_cases() -> Iterator[Case]:
    yield CONTESTS_POST.with_fields("title missing", 400, "validation_error", title=DROP)
    yield from contest_body_cases(CONTESTS_POST)
    yield from contest_body_cases(CONTEST_PATCH)
    yield replace(CONTEST_PATCH.other_method("PUT"), body={"title": "x"})
    e = CONTEST_DELETE
    yield e.case("running contest", 409, "contest_in_progress", path="/api/v1/contests/{contest_a}")
    yield e.case("paused contest", 409, "contest_in_progress", path="/api/v1/contests/{contest_paused}")


def contest_action_cases() -> Iterator[Case]:
    e = CONTEST_ACTION
    for label, path in [
        ("unknown action", "/api/v1/contests/{contest_a}/explode"),
        ("action in upper case", "/api/v1/contests/{contest_draft}/OPEN"),
        ("a round's action", "/api/v1/contests/{contest_a}/end"),
        ("start a running contest", "/api/v1/contests/{contest_a}/start"),
        ("resume a running contest", "/api/v1/contests/{contest_a}/resume"),
        ("open a running contest", "/api/v1/contests/{contest_a}/open"),
        ("finish a draft contest", "/api/v1/contests/{contest_draft}/finish"),
        ("pause a finished contest", "/api/v1/contests/{contest_finished}/pause"),
    ]:
        yield e.case(label, 409, "invalid_transition", path=path)


def round_create_cases() -> Iterator[Case]:
    e = ROUND_CREATE
    box = {"difficulty": "easy", "cost": 10, "reward": 20}
    yield e.with_fields("kind missing", 400, "validation_error", kind=DROP)
    yield e.with_fields("kind unknown", 400, "validation_error", kind="quiz")
    yield e.with_fields("kind an int", 400, "validation_error", kind=1)
    yield e.with_fields("title missing", 400, "validation_error", title=DROP)
    yield e.with_fields("title 1 MB", 400, "validation_error", title=MB)
    yield e.with_fields("title null", 400, "validation_error", title=None)
    yield e.with_fields("exclusive a word", 400, "validation_error", exclusive="perhaps")
    yield e.with_fields("exclusive null", 400, "validation_error", exclusive=None)
    yield e.with_fields("claim limit zero", 400, "validation_error", claim_limit=0)
    yield e.with_fields("claim limit a word", 400, "validation_error", claim_limit="one")
    yield e.with_fields("claim limit a boolean", 400, "validation_error", claim_limit=True)
    yield e.with_fields("claim limit 1001", 400, "validation_error", claim_limit=1001)
    yield e.with_fields("mystery boxes an object", 400, "validation_error", mystery_boxes=box)
    yield e.with_fields("mystery boxes a string", 400, "validation_error", mystery_boxes="easy")
    yield e.with_fields("box difficulty unknown", 400, "validation_error", mystery_boxes=[{**box, "difficulty": "x"}])
    yield e.with_fields("box difficulty 1 MB", 400, "validation_error", mystery_boxes=[{**box, "difficulty": MB}])
    yield e.with_fields("box cost negative", 400, "validation_error", mystery_boxes=[{**box, "cost": -1}])
    yield e.with_fields("box cost a word", 400, "validation_error", mystery_boxes=[{**box, "cost": "free"}])
    yield e.with_fields("box cost a boolean", 400, "validation_error", mystery_boxes=[{**box, "cost": True}])
    yield e.with_fields("box reward missing", 400, "validation_error", mystery_boxes=[{**box, "reward": None}])
    yield e.with_fields("two boxes of one difficulty", 400, "validation_error", mystery_boxes=[box, box])
    four = [box, {**box, "difficulty": "medium"}, {**box, "difficulty": "hard"}, box]
    yield e.with_fields("four boxes", 400, "validation_error", mystery_boxes=four)
    yield e.with_fields("mystery boxes in a live round", 409, "wrong_round_kind", kind="live", mystery_boxes=[box])
    yield e.case("finished contest", 409, "invalid_transition", path="/api/v1/contests/{contest_finished}/rounds")


def round_action_cases() -> Iterator[Case]:
    e = ROUND_ACTION
    for label, path in [
        ("unknown action", "/api/v1/rounds/{round_pool}/explode"),
        ("start an active round", "/api/v1/rounds/{round_pool}/start"),
        ("end a pending round", "/api/v1/rounds/{round_pending}/end"),
        ("start a round of a finished contest", "/api/v1/rounds/{round_finished}/start"),
    ]:
        yield e.case(label, 409, "invalid_transition", path=path)


def live_cases() -> Iterator[Case]:
    """Live rounds, question changes, regrades, replay and accommodations."""
    e = ROUND_ACTION
    yield e.case("next in a pool round", 409, "wrong_round_kind", path="/api/v1/rounds/{round_pool}/next")
    yield e.case("reveal before any question", 409, "invalid_transition", path="/api/v1/rounds/{round_live}/reveal")
    yield e.case("extend without seconds", 400, "validation_error", path="/api/v1/rounds/{round_live}/extend")
    yield e.case(
        "extend by 0 seconds", 400, "validation_error", path="/api/v1/rounds/{round_live}/extend", body={"seconds": 0}
    )
    yield e.case(
        "seconds with close", 400, "validation_error", path="/api/v1/rounds/{round_live}/close", body={"seconds": 5}
    )
    e = QUESTION_PATCH
    yield from id_cases(
        e, param="q_choice", other="q_b", unknown_path="/api/v1/questions/{id}", non_int_path="/api/v1/questions/first"
    )
    yield e.case("empty object", 400, "validation_error", body={})
    yield e.case("type changed", 409, "invalid_transition", body={"type": "numeric"})
    yield e.with_fields("points negative", 400, "validation_error", points=-5)
    yield e.case("answer out of range", 400, "validation_error", body={"answer": [9]})
    yield e.case("answer not a list", 400, "validation_error", body={"answer": "B"})
    yield e.other_method("POST")
    e = REPLAY
    yield from id_cases(
        e,
        param="contest_finished",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/replay",
        non_int_path="/api/v1/contests/first/replay",
    )
    yield e.case("a contest still running", 409, "contest_not_finished", path="/api/v1/contests/{contest_a}/replay")
    for e, param, other, unknown, non_int in (
        (QUESTION_REGRADE, "q_choice", "q_b", "/api/v1/questions/{id}/regrade", "/api/v1/questions/first/regrade"),
        (CONTEST_REGRADE, "contest_a", "contest_b", "/api/v1/contests/{id}/regrade", "/api/v1/contests/first/regrade"),
    ):
        yield from id_cases(e, param=param, other=other, unknown_path=unknown, non_int_path=non_int)
        yield e.with_fields("reason a number", 400, "validation_error", reason=5)
        yield e.with_fields("reason of 501 characters", 400, "validation_error", reason="x" * 501)
        yield e.with_fields("unknown field", 400, "validation_error", scope="all")
        yield e.other_method("GET")
    yield from id_cases(
        REGRADE_GET,
        param="regrade_a",
        other="regrade_b",
        unknown_path="/api/v1/regrades/{id}",
        non_int_path="/api/v1/regrades/first",
    )
    e = ACCOMMODATE
    yield from id_cases(
        e,
        param="team_a2",
        other="team_b1",
        unknown_path="/api/v1/teams/{id}/accommodations",
        non_int_path="/api/v1/teams/first/accommodations",
    )
    yield e.case("empty object", 400, "validation_error", body={})
    yield e.with_fields("extra time negative", 400, "validation_error", extra_time_s=-1)
    yield e.with_fields("extra time above an hour", 400, "validation_error", extra_time_s=3601)
    yield e.with_fields("speed_exempt not a boolean", 400, "validation_error", speed_exempt="yes please")
    yield e.with_fields("unknown field", 400, "validation_error", colour="red")


def team_admin_cases() -> Iterator[Case]:
    e = DISQUALIFY
    yield e.with_fields("reason 1 MB", 400, "validation_error", reason=MB)
    yield e.with_fields("reason a list", 400, "validation_error", reason=["cheating"])
    yield e.with_fields("reason null", 400, "validation_error", reason=None)
    e = ADJUST
    yield e.with_fields("points missing", 400, "validation_error", points=DROP)
    yield e.with_fields("points zero", 400, "validation_error", points=0)
    yield e.with_fields("points a word", 400, "validation_error", points="ten")
    yield e.with_fields("points a boolean", 400, "validation_error", points=True)
    yield e.with_fields("points fractional", 400, "validation_error", points=1.5)
    yield e.with_fields("points huge", 400, "validation_error", points=10**7)
    yield e.with_fields("points null", 400, "validation_error", points=None)
    yield e.with_fields("reason missing", 400, "validation_error", reason=DROP)
    yield e.with_fields("reason blank", 400, "validation_error", reason="  ")
    yield e.with_fields("reason 1 MB", 400, "validation_error", reason=MB)
    yield e.with_fields("reason an object", 400, "validation_error", reason={"why": "x"})
    yield from idempotency_key_cases(e)
    e = ANNOUNCE
    yield e.with_fields("text missing", 400, "validation_error", text=DROP)
    yield e.with_fields("text blank", 400, "validation_error", text="   ")
    yield e.with_fields("text null", 400, "validation_error", text=None)
    yield e.with_fields("text of 501 characters", 400, "validation_error", text="t" * 501)
    yield e.with_fields("text 1 MB", 400, "validation_error", text=MB)
    yield e.with_fields("text a number", 400, "validation_error", text=5)
    yield e.with_fields("text a list", 400, "validation_error", text=["hi"])


def idempotency_key_cases(e: Endpoint) -> Iterator[Case]:
    yield e.case("Idempotency-Key empty", 400, "validation_error", headers={"Idempotency-Key": ""})
    yield e.case("Idempotency-Key of 200 characters", 400, "validation_error", headers={"Idempotency-Key": "k" * 200})
    non_ascii = "cl\u00e9-\u043a\u043b\u044e\u0447"
    yield e.case("Idempotency-Key not ASCII", 400, "validation_error", headers={"Idempotency-Key": non_ascii})
    yield e.case("Idempotency-Key with a tab", 400, "validation_error", headers={"Idempotency-Key": "a\tb"})


def join_cases() -> Iterator[Case]:
    e = JOIN
    yield e.with_fields("code missing", 400, "validation_error", code=DROP)
    yield e.with_fields("team name missing", 400, "validation_error", team_name=DROP)
    yield e.with_fields("code null", 400, "validation_error", code=None)
    yield e.with_fields("code a boolean", 400, "validation_error", code=True)
    yield e.with_fields("code a list", 400, "validation_error", code=["ABCD-EFGH"])
    yield e.with_fields("code empty", 400, "validation_error", code="")
    yield e.with_fields("code of 33 characters", 400, "validation_error", code="A" * 33)
    yield e.with_fields("code 1 MB", 400, "validation_error", code=MB)
    yield e.with_fields("well-formed code of no contest", 404, "unknown_contest", code="ZZZZ-ZZZZ")
    yield e.with_fields("malformed code", 404, "unknown_contest", code="hello!")
    yield e.with_fields("code with non-ASCII letters", 404, "unknown_contest", code="\u00c4BCD-EFGH")
    yield e.with_fields("team name 1 MB", 400, "validation_error", team_name=MB)
    yield e.with_fields("team name of 65 characters", 400, "validation_error", team_name="n" * 65)
    yield e.with_fields("team name blank", 400, "validation_error", team_name="   ")
    yield e.with_fields("team name null", 400, "validation_error", team_name=None)
    yield e.with_fields("team name a boolean", 400, "validation_error", team_name=False)
    yield e.with_fields("team name an object", 400, "validation_error", team_name={"name": "x"})
    yield e.with_fields("team name with NUL", 400, "validation_error", team_name="Al\x00pha")
    yield e.with_fields("team name a lone surrogate", 400, "validation_error", team_name="\ud800")
    yield e.with_fields("team name taken, other case", 409, "name_taken", team_name="ALPHA")
    yield e.with_fields("team name taken, extra spaces", 409, "name_taken", team_name="  Alpha  ")
    yield e.with_fields("members a string", 400, "validation_error", members="Ada, Grace")
    yield e.with_fields("members null", 400, "validation_error", members=None)
    yield e.with_fields("members an object", 400, "validation_error", members={"Ada": 1})
    yield e.with_fields("13 members", 400, "validation_error", members=[f"m{i}" for i in range(13)])
    yield e.with_fields("a member of 1 MB", 400, "validation_error", members=[MB])
    yield e.with_fields("a member null", 400, "validation_error", members=[None])
    yield e.with_fields("draft contest", 403, "not_accepting", code=Ref("code_draft"))
    yield e.with_fields("finished contest", 403, "not_accepting", code=Ref("code_finished"))
    yield e.with_fields("running contest without late join", 403, "not_accepting", code=Ref("code_no_late"))
    yield replace(e.other_method("GET"), body=NO_BODY)


def claim_cases() -> Iterator[Case]:
    e = CLAIM
    yield e.case("round missing", 400, "validation_error", body={})
    for label, value in [
        ("a word", "five"),
        ("a boolean", True),
        ("null", None),
        ("zero", 0),
        ("negative", -1),
        ("fractional", 1.5),
        ("a list", [Ref("round_pool")]),
        ("an object", {"id": Ref("round_pool")}),
        ("a string of 2,000 digits", "9" * 2000),
    ]:
        yield e.with_fields(f"round {label}", 400, "validation_error", round=value)
    yield e.with_fields("another contest's round", 404, "not_found", round=Ref("round_b"))
    yield e.with_fields("unknown round", 404, "not_found", round=UNKNOWN_ID)
    yield e.with_fields("round beyond bigint", 404, "not_found", round=HUGE_ID)
    yield e.with_fields("live round", 409, "wrong_round_kind", round=Ref("round_live"))
    yield e.with_fields("pending round", 409, "round_not_active", round=Ref("round_pending"))
    yield e.with_fields("empty pool", 409, "pool_empty", round=Ref("round_empty"))
    yield e.case("claim limit reached", 409, "claim_limit_reached", caller="a1")
    yield e.case("disqualified team", 403, "team_disqualified", caller="dq")
    yield e.case("paused contest", 409, "contest_not_running", caller="pz", body={"round": Ref("round_paused")})
    yield replace(e.other_method("GET"), body=NO_BODY)


def answer_cases() -> Iterator[Case]:
    e = ANSWER
    yield e.case("Idempotency-Key missing", 400, "validation_error", headers={"Idempotency-Key": None})
    yield from idempotency_key_cases(e)
    yield e.with_fields("question missing", 400, "validation_error", question=DROP)
    yield e.with_fields("answer missing", 400, "validation_error", answer=DROP)
    yield e.with_fields("question a word", 400, "validation_error", question="first")
    yield e.with_fields("question a boolean", 400, "validation_error", question=True)
    yield e.with_fields("question null", 400, "validation_error", question=None)
    yield e.with_fields("question zero", 400, "validation_error", question=0)
    yield e.with_fields("answer null", 400, "validation_error", answer=None)
    yield e.with_fields("another contest's question", 404, "not_found", question=Ref("q_b"))
    yield e.with_fields("unknown question", 404, "not_found", question=UNKNOWN_ID)
    yield e.with_fields("question beyond bigint", 404, "not_found", question=HUGE_ID)
    per_type: list[tuple[str, str, Any]] = [
        ("choice answer a string", "q_choice", "1"),
        ("choice answer out of range", "q_choice", [5]),
        ("choice answer repeated", "q_choice", [0, 0]),
        ("choice answer a boolean index", "q_choice", [True]),
        ("choice answer empty", "q_choice", []),
        ("choice answer two for a single choice", "q_choice", [0, 1]),
        ("choice answer an object", "q_choice", {"index": 1}),
        ("numeric answer a string", "q_numeric", "3.14"),
        ("numeric answer a boolean", "q_numeric", True),
        ("numeric answer a list", "q_numeric", [3.14]),
        ("text answer 1 MB", "q_text", MB),
        ("text answer empty", "q_text", ""),
        ("text answer blank", "q_text", "   "),
        ("text answer a number", "q_text", 42),
        ("text answer a list", "q_text", ["Paris"]),
        ("code answer in an unknown language", "q_code", {"language": "cobol", "source": "x"}),
        ("code answer of 1 MB", "q_code", {"language": "python", "source": MB}),
        ("code answer without source", "q_code", {"language": "python"}),
        ("code answer with an extra key", "q_code", {"language": "python", "source": "x", "stdin": ""}),
        ("code answer language a list", "q_code", {"language": ["python"], "source": "x"}),
        ("code answer source null", "q_code", {"language": "python", "source": None}),
        ("code answer a string", "q_code", "print(3)"),
        ("essay answer 1 MB", "q_essay", MB),
        ("essay answer blank", "q_essay", " "),
        ("essay answer a list", "q_essay", ["Because"]),
    ]
    for label, ref, value in per_type:
        yield e.with_fields(label, 400, "invalid_answer", question=Ref(ref), answer=value)
    yield e.with_fields(
        "numeric answer beyond float",
        400,
        "invalid_answer",
        question=Ref("q_numeric"),
        answer=10**400,
    )
    yield e.with_fields(
        "text answer a lone surrogate", 400, "validation_error", question=Ref("q_text"), answer="\ud800"
    )
    yield e.with_fields("text answer with NUL", 400, "validation_error", question=Ref("q_text"), answer="Pa\x00ris")
    code_nul = {"language": "python", "source": "print(1)\x00"}
    yield e.with_fields("code source with NUL", 400, "validation_error", question=Ref("q_code"), answer=code_nul)
    valid_code = {"language": "python", "source": "print(3)"}
    yield e.with_fields(
        "pool question not claimed", 409, "question_not_claimed", question=Ref("q_code"), answer=valid_code
    )
    yield e.with_fields("already answered", 409, "already_answered", question=Ref("q_text"), answer="Paris")
    yield e.case(
        "Idempotency-Key reused with another body",
        422,
        "idempotency_key_reused",
        body={"question": Ref("q_text"), "answer": "Marseille"},
        headers={"Idempotency-Key": "a2-first"},
    )
    yield e.with_fields("live question not open", 409, "question_not_open", question=Ref("q_live"), answer="yes")
    yield e.with_fields("question of a pending round", 409, "round_not_active", question=Ref("q_pending"), answer=[1])
    yield e.case("disqualified team", 403, "team_disqualified", caller="dq")
    yield e.case(
        "paused contest", 409, "contest_not_running", caller="pz", body={"question": Ref("q_paused"), "answer": [1]}
    )


def mystery_cases() -> Iterator[Case]:
    e = MYSTERY
    yield e.with_fields("round missing", 400, "validation_error", round=DROP)
    yield e.with_fields("difficulty missing", 400, "validation_error", difficulty=DROP)
    yield e.with_fields("difficulty unknown", 400, "validation_error", difficulty="impossible")
    yield e.with_fields("difficulty an int", 400, "validation_error", difficulty=1)
    yield e.with_fields("difficulty null", 400, "validation_error", difficulty=None)
    yield e.with_fields("difficulty 1 MB", 400, "validation_error", difficulty=MB)
    yield e.with_fields("round a word", 400, "validation_error", round="pool")
    yield e.with_fields("round a boolean", 400, "validation_error", round=True)
    yield e.with_fields("another contest's round", 404, "not_found", round=Ref("round_b"))
    yield e.with_fields("unknown round", 404, "not_found", round=UNKNOWN_ID)
    yield e.with_fields("round without that box", 404, "unknown_box", round=Ref("round_empty"))
    yield e.with_fields("box dearer than the team's points", 409, "not_enough_points", difficulty="hard")
    yield e.with_fields("no mystery question left", 409, "no_mystery_left", difficulty="medium")
    yield e.with_fields("live round", 409, "wrong_round_kind", round=Ref("round_live"))
    yield e.with_fields("pending round", 409, "round_not_active", round=Ref("round_pending"))
    yield e.case("disqualified team", 403, "team_disqualified", caller="dq")
    yield e.case(
        "paused contest",
        409,
        "contest_not_running",
        caller="pz",
        body={"round": Ref("round_paused"), "difficulty": "easy"},
    )


def other_cases() -> Iterator[Case]:
    yield from code_cases(PUBLIC, "")
    yield from code_cases(BOARD, "/leaderboard")
    yield PUBLIC.other_method("POST")
    yield ME.other_method("DELETE")
    yield Case(
        name="GET unknown endpoint",
        route="",
        method="GET",
        path="/api/v1/nothing-here",
        caller="alice",
        status=404,
        code="not_found",
        routed=False,
    )


def grading_cases() -> Iterator[Case]:
    yield from id_cases(
        GRADING_QUEUE,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/grading",
        non_int_path="/api/v1/contests/first/grading",
    )
    yield GRADING_QUEUE.other_method("POST")
    e = ANSWER_GRADE
    yield from id_cases(
        e,
        param="answer_essay",
        other="answer_b1",
        unknown_path="/api/v1/answers/{id}/grade",
        non_int_path="/api/v1/answers/first/grade",
    )
    yield e.case("an auto-scored answer", 409, "not_gradable", path="/api/v1/answers/{answer_a2}/grade")
    yield e.other_method("GET")
    yield e.with_fields("points above the question's points", 400, "points_out_of_range", points=51)
    yield e.with_fields("points negative", 400, "points_out_of_range", points=-1)
    yield e.with_fields("points beyond bigint", 400, "points_out_of_range", points=HUGE_ID)
    yield e.with_fields("points missing", 400, "validation_error", points=DROP)
    yield e.with_fields("points a string", 400, "validation_error", points="10")
    yield e.with_fields("points fractional", 400, "validation_error", points=10.5)
    yield e.with_fields("points a boolean", 400, "validation_error", points=True)
    yield e.with_fields("points null", 400, "validation_error", points=None)
    yield e.with_fields("feedback missing", 400, "validation_error", feedback=DROP)
    yield e.with_fields("feedback of 2,001 characters", 400, "validation_error", feedback="x" * 2001)
    yield e.with_fields("feedback 1 MB", 400, "validation_error", feedback=MB)
    yield e.with_fields("feedback a number", 400, "validation_error", feedback=5)
    yield e.with_fields("feedback null", 400, "validation_error", feedback=None)
    yield e.with_fields("feedback with NUL", 400, "validation_error", feedback="Go\x00od")
    yield e.with_fields("unknown field", 400, "validation_error", grade="A")


def freeze_cases() -> Iterator[Case]:
    """Freezing and unfreezing take no fields; the public reveal exists only after an unfreeze."""
    for endpoint, param, suffix in [(FREEZE, "contest_a", "freeze"), (UNFREEZE, "contest_frozen", "unfreeze")]:
        yield from id_cases(
            endpoint,
            param=param,
            other="contest_b",
            unknown_path=f"/api/v1/contests/{{id}}/{suffix}",
            non_int_path=f"/api/v1/contests/first/{suffix}",
        )
        yield endpoint.case("a field in the body", 400, "validation_error", body={"freeze_at": "2030-01-01T00:00:00Z"})
        yield endpoint.case("JSON list body", 400, "validation_error", body=[1])
        yield endpoint.case("malformed JSON", 400, "malformed_request", body=Raw(b'{"freeze_at": '))
        yield endpoint.other_method("GET")
    yield FREEZE.case("already frozen", 409, "already_frozen", path="/api/v1/contests/{contest_frozen}/freeze")
    yield UNFREEZE.case("not frozen", 409, "not_frozen", path="/api/v1/contests/{contest_a}/unfreeze")
    yield from code_cases(REVEAL, "/reveal")
    yield REVEAL.case("no reveal yet", 404, "no_reveal")
    yield REVEAL.other_method("POST")


def run_cases() -> Iterator[Case]:
    """A team's sample runs: only of a code question it may answer now, one at a time."""
    e = RUNS
    yield e.with_fields("question missing", 400, "validation_error", question=DROP)
    yield e.with_fields("answer missing", 400, "validation_error", answer=DROP)
    yield e.with_fields("question a word", 400, "validation_error", question="first")
    yield e.with_fields("question a boolean", 400, "validation_error", question=True)
    yield e.with_fields("question zero", 400, "validation_error", question=0)
    yield e.with_fields("question null", 400, "validation_error", question=None)
    yield e.with_fields("answer null", 400, "validation_error", answer=None)
    yield e.with_fields("unknown field", 400, "validation_error", stdin="1 2\n")
    yield e.with_fields("unknown question", 404, "not_found", question=UNKNOWN_ID)
    yield e.with_fields("question beyond bigint", 404, "not_found", question=HUGE_ID)
    yield e.with_fields("another contest's code question", 404, "not_found", question=Ref("q_code"))
    yield e.with_fields("not a code question", 409, "not_code", question=Ref("q_not_code"))
    yield e.with_fields("code question not claimed", 409, "question_not_claimed", question=Ref("q_code_free"))
    yield e.with_fields("another team's code question", 409, "question_not_claimed", question=Ref("q_held"))
    yield e.with_fields("live code question not open", 409, "question_not_open", question=Ref("q_code_live"))
    yield e.with_fields("code question of a pending round", 409, "round_not_active", question=Ref("q_code_later"))
    python = {"language": "python"}
    for label, answer in [
        ("language not allowed", {"language": "c", "source": "int main() {}"}),
        ("language unknown", {"language": "cobol", "source": "x"}),
        ("language a list", {"language": ["python"], "source": "x"}),
        ("source empty", {**python, "source": ""}),
        ("source blank", {**python, "source": " \n\t"}),
        ("source over 64 KiB", {**python, "source": "#" * 65_537}),
        ("source 1 MB", {**python, "source": MB}),
        ("source a number", {**python, "source": 42}),
        ("source null", {**python, "source": None}),
        ("source missing", python),
        ("language missing", {"source": "print(3)"}),
        ("an extra key", {**VALID_CODE, "stdin": "1 2\n"}),
        ("an empty object", {}),
        ("a string", "print(3)"),
        ("a list", [VALID_CODE]),
    ]:
        yield e.with_fields(f"answer {label}", 400, "invalid_answer", answer=answer)
    # As POST /me/answers refuses them (scoring.api.AnswerSubmitView.validate_answer): text
    # PostgreSQL cannot store.
    nul = {**python, "source": "print(3)\x00"}
    yield e.with_fields("source with NUL", 400, "validation_error", answer=nul)
    surrogate = {**python, "source": "print('\ud800')"}
    yield e.with_fields("source a lone surrogate", 400, "validation_error", answer=surrogate)
    yield e.case(
        "a run still queued",
        409,
        "run_in_progress",
        caller="c2",
        body={"question": Ref("q_held"), "answer": VALID_CODE},
    )
    yield e.case(
        "disqualified team",
        403,
        "team_disqualified",
        caller="dq",
        body={"question": Ref("q_code"), "answer": VALID_CODE},
    )
    yield e.case("judging turned off", 503, "judge_unavailable", settings={"JUDGE_BACKEND": "off"})
    yield replace(e.other_method("GET"), body=NO_BODY)
    yield from id_cases(
        RUN_GET,
        param="run_c1",
        other="run_c2",
        unknown_path="/api/v1/me/runs/{id}",
        non_int_path="/api/v1/me/runs/first",
    )
    yield RUN_GET.case("another contest's team's run", 404, "not_found", caller="a2")
    yield RUN_GET.other_method("DELETE")


def code_answer_cases() -> Iterator[Case]:
    """Code answers: several attempts, up to the question's limit; refused when nothing can judge."""
    e = ANSWER
    yield e.case(
        "code question's attempts used up",
        409,
        "attempts_exhausted",
        caller="c1",
        body={"question": Ref("q_judged"), "answer": VALID_CODE},
    )
    yield e.case(
        "code answer while judging is turned off",
        503,
        "judge_unavailable",
        caller="c2",
        body={"question": Ref("q_held"), "answer": VALID_CODE},
        settings={"JUDGE_BACKEND": "off"},
    )
    yield e.case(
        "code question held by another team",
        409,
        "question_not_claimed",
        caller="c1",
        body={"question": Ref("q_held"), "answer": VALID_CODE},
    )


def focus_cases() -> Iterator[Case]:
    """Fair-play reports: a device id, a kind and a duration, each checked; the host's summary by id."""
    e = FOCUS
    bad: list[tuple[str, dict[str, Any]]] = [
        ("device with a space", {"device": "phone 1"}),
        ("device empty", {"device": ""}),
        ("device of 65 characters", {"device": "d" * 65}),
        ("device a number", {"device": 7}),
        ("device missing", {"device": DROP}),
        ("kind unknown", {"kind": "minimised"}),
        ("kind missing", {"kind": DROP}),
        ("away_ms negative", {"away_ms": -1}),
        ("away_ms beyond a week", {"away_ms": 7 * 24 * 3600 * 1000 + 1}),
        ("away_ms a string", {"away_ms": "1000"}),
        ("away_ms fractional", {"away_ms": 1.5}),
        ("away_ms a boolean", {"away_ms": True}),
        ("away_ms missing", {"away_ms": DROP}),
        ("unknown field", {"tab": "x"}),
    ]
    for label, changes in bad:
        yield e.with_fields(label, 400, "validation_error", **changes)
    yield e.other_method("GET")
    yield from id_cases(
        CONTEST_FOCUS,
        param="contest_a",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/focus",
        non_int_path="/api/v1/contests/first/focus",
    )
    yield CONTEST_FOCUS.other_method("POST")


def judge_cases() -> Iterator[Case]:
    """The quizmaster's judge queue, one submission's judging, and rejudges (which take no fields)."""
    e = JUDGE_QUEUE
    yield from id_cases(
        e,
        param="contest_code",
        other="contest_b",
        unknown_path="/api/v1/contests/{id}/judge",
        non_int_path="/api/v1/contests/first/judge",
    )
    for label, query in [
        ("status unknown", "status=waiting"),
        ("status in upper case", "status=DONE"),
        ("status 10,000 characters", "status=" + "p" * 10_000),
        ("unknown query parameter", "state=done"),
    ]:
        yield e.case(label, 400, "validation_error", path=f"{e.path}?{query}")
    yield e.other_method("POST")
    e = JUDGING_GET
    yield from id_cases(
        e,
        param="answer_code",
        other="answer_b_code",
        unknown_path="/api/v1/answers/{id}/judging",
        non_int_path="/api/v1/answers/first/judging",
    )
    yield e.case("a choice answer", 404, "not_found", path="/api/v1/answers/{answer_a1}/judging")
    yield e.case("an essay answer", 404, "not_found", path="/api/v1/answers/{answer_essay}/judging")
    yield e.other_method("POST")
    for endpoint, param, other, resource in [
        (ANSWER_REJUDGE, "answer_code", "answer_b_code", "answers"),
        (QUESTION_REJUDGE, "q_judged", "q_b_code", "questions"),
    ]:
        yield from id_cases(
            endpoint,
            param=param,
            other=other,
            unknown_path=f"/api/v1/{resource}/{{id}}/rejudge",
            non_int_path=f"/api/v1/{resource}/first/rejudge",
        )
        yield endpoint.case("a field in the body", 400, "validation_error", body={"reason": "A test was wrong"})
        yield endpoint.case("JSON list body", 400, "validation_error", body=[1])
        yield endpoint.case("JSON string body", 400, "validation_error", body="again")
        yield endpoint.case("malformed JSON", 400, "malformed_request", body=Raw(b'{"reason": '))
        yield endpoint.other_method("GET")
    yield ANSWER_REJUDGE.case("a choice answer", 404, "not_found", path="/api/v1/answers/{answer_a1}/rejudge")
    yield QUESTION_REJUDGE.case("a choice question", 409, "not_code", path="/api/v1/questions/{q_choice}/rejudge")
    yield QUESTION_REJUDGE.case("an essay question", 409, "not_code", path="/api/v1/questions/{q_essay}/rejudge")


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for endpoint in ENDPOINTS:
        cases += auth_cases(endpoint)
        cases += body_shape_cases(endpoint)
    for group in (
        host_id_cases,
        import_cases,
        answer_get_cases,
        question_post_cases,
        bank_post_cases,
        auth_token_cases,
        contest_cases,
        contest_action_cases,
        round_create_cases,
        round_action_cases,
        team_admin_cases,
        join_cases,
        claim_cases,
        answer_cases,
        mystery_cases,
        grading_cases,
        freeze_cases,
        run_cases,
        code_answer_cases,
        judge_cases,
        live_cases,
        other_cases,
        focus_cases,
    ):
        cases += group()
    return cases


CASES = all_cases()


# --- Running a case ------------------------------------------------------------------


def _snapshot_models() -> list[type[Model]]:
    models: list[type[Model]] = [get_user_model()]
    for app in ("rooms", "teams", "scoring"):
        models += apps.get_app_config(app).get_models()
    return models


@dataclass(frozen=True)
class DbSnapshot:
    """What a refused request must not change: row counts, cached scores, event sequences, rows."""

    counts: dict[str, int]
    team_scores: dict[int, int]
    contest_last_seq: dict[int, int]
    rows: dict[str, str]  # table → digest of all its rows


def _snapshot_sql() -> tuple[str, list[str]]:
    """One query: per table its row count and a digest of all its rows; then each team's
    cached score and each contest's last event number."""
    quote = connection.ops.quote_name
    parts, labels = [], []
    for model in _snapshot_models():
        table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
        digest = f"md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), ''))"
        # Table and column names come from the models' metadata, not from any input.
        parts.append(f"SELECT %s, count(*), {digest} FROM {table} t")  # noqa: S608
        labels.append(model._meta.label)
    parts.append(f"SELECT 'score', id, score::text FROM {quote(Team._meta.db_table)}")  # noqa: S608
    parts.append(f"SELECT 'last_seq', id, last_seq::text FROM {quote(Contest._meta.db_table)}")  # noqa: S608
    return " UNION ALL ".join(parts), labels


def db_snapshot() -> DbSnapshot:
    snapshot = DbSnapshot(counts={}, team_scores={}, contest_last_seq={}, rows={})
    with connection.cursor() as cursor:
        cursor.execute(*_snapshot_sql())
        for label, number, text in cursor.fetchall():
            if label == "score":
                snapshot.team_scores[number] = int(text)
            elif label == "last_seq":
                snapshot.contest_last_seq[number] = int(text)
            else:
                snapshot.counts[label], snapshot.rows[label] = number, text
    return snapshot


def assert_db_unchanged(before: DbSnapshot, after: DbSnapshot) -> None:
    assert after.counts == before.counts, f"row counts changed: {_diff(before.counts, after.counts)}"
    assert after.team_scores == before.team_scores, (
        f"Team.score changed: {_diff(before.team_scores, after.team_scores)}"
    )
    assert after.contest_last_seq == before.contest_last_seq, (
        f"Contest.last_seq changed: {_diff(before.contest_last_seq, after.contest_last_seq)}"
    )
    changed = [label for label in before.rows if before.rows[label] != after.rows[label]]
    assert not changed, f"rows changed in: {changed}"


def _diff(before: dict[Any, Any], after: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    return {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def _raw_client(authorization: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def client_for(world: World, caller: str) -> tuple[APIClient, dict[str, str]]:
    """The client for `caller`, and the headers to send with it.

    Clients are made once per module: a new client loads the middleware again, which
    costs more than the request itself.
    """
    if caller == "anon":
        return world.clients["anon"], {}
    if caller.startswith("raw:"):
        return world.clients["anon"], {"Authorization": caller.removeprefix("raw:")}
    return world.clients[caller], {}


def fill(value: Any, refs: dict[str, Any]) -> Any:
    if isinstance(value, Ref):
        return refs[value.name]
    if isinstance(value, dict):
        return {k: fill(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, refs) for v in value]
    return value


def send(client: APIClient, case: Case, refs: dict[str, Any], auth: dict[str, str]) -> HttpResponse:
    if isinstance(case.body, Raw):
        data, content_type = case.body.content, case.body.content_type
    else:
        data, content_type = json.dumps(fill(case.body, refs)).encode(), "application/json"
    headers = {name: value for name, value in {**auth, **case.headers}.items() if value is not None}
    path = case.path.format(**refs)
    # A savepoint of our own, so that a request that breaks the transaction (a 500 from a
    # database error) leaves the connection usable for the assertions and the next case.
    sid = transaction.savepoint()
    # (The stubs say str; Django sends bytes as they are, which bodies that are not UTF-8 need.)
    response = client.generic(case.method, path, cast(str, data), content_type, headers=headers)
    if response.status_code >= 500:
        transaction.savepoint_rollback(sid)
    else:
        transaction.savepoint_commit(sid)
    return response


def assert_error_response(response: HttpResponse, *, status: int, code: str) -> None:
    excerpt = response.content[:400]
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {excerpt!r}"
    assert response["Content-Type"].startswith("application/json"), f"not JSON: {response['Content-Type']}"
    body = json.loads(response.content)
    assert isinstance(body, dict), f"error body is not an object: {excerpt!r}"
    assert isinstance(body.get("code"), str) and body["code"], f"no code: {excerpt!r}"
    assert body["code"] == code, f"expected code {code!r}, got {body['code']!r}: {excerpt!r}"
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), f"no detail: {excerpt!r}"
    assert isinstance(body.get("fields", {}), dict), f"fields is not an object: {excerpt!r}"


def _keys(value: Any) -> Iterator[str]:
    """Every key in a nested error's `fields` (a list's errors are keyed by index)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


# --- Tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_request_is_refused_with_a_json_error_and_changes_nothing(world: World, case: Case) -> None:
    path = case.path.format(**world.refs).partition("?")[0]
    try:
        route = resolve(path).url_name
    except Resolver404:
        route = None
    assert route == (case.route if case.routed else None), f"{path} resolves to {route}, not {case.route}"
    client, auth = client_for(world, case.caller)
    before = db_snapshot()

    with override_settings(**case.settings):
        response = send(client, case, world.refs, auth)

    assert_error_response(response, status=case.status, code=case.code)
    if case.error_field:
        fields = json.loads(response.content).get("fields", {})
        named = set(_keys(fields))
        assert case.error_field in named, f"the error names {sorted(named)}, not {case.error_field!r}"
    assert_db_unchanged(before, db_snapshot())


def test_every_api_route_and_method_has_cases() -> None:
    """A new endpoint (or a new method on one) needs bad-input cases here."""
    served = {(route.name, method) for route in api_routes() for method in route.methods}
    covered = {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}
    assert served - covered == set(), "endpoints without bad-input cases"
    assert covered - served == set(), "cases for endpoints that no longer exist"
    names = {c.name for c in CASES}
    assert len(names) == len(CASES), "two cases share a name"
    for endpoint in ENDPOINTS:
        cases = [c for c in CASES if (c.route, c.method) == (endpoint.route, endpoint.method)]
        assert len(cases) >= 3, f"{endpoint.method} {endpoint.route} has only {len(cases)} cases"


def test_id_less_bank_routes_give_each_quizmaster_their_own_bank(world: World) -> None:
    """The bank's import and exports take no id that another quizmaster's could replace,
    so no refusal shows their isolation: what each quizmaster gets is their own bank only."""
    alice, bob = world.clients["alice"], world.clients["bob"]

    def export_tags(client: APIClient) -> list[list[str]]:
        response = client.get("/api/v1/bank/export.json")
        assert response.status_code == 200, response.content
        return [question["tags"] for question in response.json()["questions"]]

    assert export_tags(alice) == [["mine"]]
    assert export_tags(bob) == [["his"], []]
    alice_csv = alice.get("/api/v1/bank/export.csv")
    assert alice_csv.status_code == 200
    assert "mine" in alice_csv.content.decode() and "his" not in alice_csv.content.decode()

    imported = bob.generic("POST", "/api/v1/bank/import", BANK_IMPORT.body.content, BANK_IMPORT.body.content_type)

    assert imported.status_code == 201, imported.content
    assert export_tags(alice) == [["mine"]]
    assert export_tags(bob) == [["his"], [], ["new"]]


def test_sample_runs_are_throttled_per_team_whatever_the_device(world: World) -> None:
    """The run throttle counts a team's requests from all its devices (refused ones too),
    then answers 429 and starts nothing; another team keeps its own count."""
    throttle = TeamRateThrottle()
    allowed, _ = throttle.parse_rate(throttle.THROTTLE_RATES["sample_runs"])
    assert allowed is not None
    bad = RUNS.with_fields("bad", 400, "invalid_answer", answer={"language": "python", "source": ""})
    for i in range(allowed):
        device = ("c1", "c1-laptop")[i % 2]
        response = send(world.clients[device], replace(bad, caller=device), world.refs, {})
        assert_error_response(response, status=400, code="invalid_answer")
    before = db_snapshot()

    throttled = send(
        world.clients["c1-laptop"], replace(RUNS.case("valid", 429, "rate_limited"), caller="c1-laptop"), world.refs, {}
    )

    # The code every throttle answers (rooms/errors.py), whatever the schema says.
    assert_error_response(throttled, status=429, code="rate_limited")
    assert throttled.has_header("Retry-After")
    assert_db_unchanged(before, db_snapshot())
    other_team = RUNS.case(
        "another team", 409, "run_in_progress", caller="c2", body={"question": Ref("q_held"), "answer": VALID_CODE}
    )
    assert_error_response(send(world.clients["c2"], other_team, world.refs, {}), status=409, code="run_in_progress")


@pytest.mark.parametrize("endpoint", [pytest.param(e, id=f"{e.method} {e.route}") for e in JUDGE_ENDPOINTS])
def test_code_judging_endpoints_accept_their_valid_request(world: World, endpoint: Endpoint) -> None:
    """Each case changes one thing about its endpoint's valid request: that request must pass,
    or a refusal could come from the request rather than from what the case changed."""
    case = endpoint.case("valid", 200, "")
    client, auth = client_for(world, case.caller)
    response = send(client, case, world.refs, auth)
    assert response.status_code < 300, response.content[:400]
