"""Test data, built through the services so every invariant (ledger, event log) holds."""

from __future__ import annotations

from typing import Any, cast

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from rooms import services as room_services
from rooms.models import Contest, Question, Round
from rooms.question_types import question_definition_validate
from rooms.tokens import token_new
from teams import services as team_services
from teams.models import Team

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"quizmaster{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def host_token(user: Any) -> str:
    raw, hashed = token_new()
    user.host_tokens.create(key_hash=hashed)
    return raw


class ContestFactory(factory.Factory):
    """A contest in `status` (default running), created and moved through the lifecycle."""

    class Meta:
        model = Contest

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Quiz night {n}")
    settings = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class: type[Contest], *args: Any, status: str = "running", **kwargs: Any) -> Contest:
        contest = room_services.contest_create(**kwargs)
        path = {
            "draft": [],
            "lobby": ["open"],
            "running": ["open", "start"],
            "paused": ["open", "start", "pause"],
            "finished": ["open", "start", "finish"],
        }[status]
        for action in path:
            contest = room_services.contest_transition(contest=contest, action=action)
        contest.refresh_from_db()
        return contest


def choice_question(**overrides: Any) -> dict[str, Any]:
    return {"type": "choice", "prompt": "Pick B", "choices": ["A", "B", "C"], "answer": [1], "points": 100, **overrides}


def pool_round(
    contest: Contest, *, questions: list[dict[str, Any]] | int = 3, active: bool = True, **kwargs: Any
) -> Round:
    """A pool round with `questions` (definitions, or a count of choice questions)."""
    round_ = room_services.round_create(contest=contest, kind="pool", title=kwargs.pop("title", "Pool"), **kwargs)
    definitions = (
        questions
        if isinstance(questions, list)
        else [choice_question(prompt=f"Question {i}") for i in range(questions)]
    )
    if definitions:
        room_services.questions_create(
            round_=round_, definitions=[question_definition_validate(d) for d in definitions]
        )
    if active:
        round_ = room_services.round_transition(round_=round_, action="start")
    return round_


def live_round(
    contest: Contest,
    *,
    questions: list[dict[str, Any]] | int = 3,
    settings: dict[str, Any] | None = None,
    active: bool = True,
) -> Round:
    """A live round with `questions` (definitions, or a count of choice questions)."""
    round_ = room_services.round_create(contest=contest, kind="live", title="Live", settings=settings or {})
    definitions = (
        questions
        if isinstance(questions, list)
        else [choice_question(prompt=f"Live question {i}") for i in range(questions)]
    )
    room_services.questions_create(round_=round_, definitions=[question_definition_validate(d) for d in definitions])
    if active:
        round_ = room_services.round_transition(round_=round_, action="start")
    return round_


def questions_of(round_: Round) -> list[Question]:
    return list(round_.questions.order_by("position"))


class TeamFactory(factory.Factory):
    """A team joined through the join service; `team.raw_token` is its bearer token."""

    class Meta:
        model = Team

    contest = factory.SubFactory(ContestFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    members = factory.LazyFunction(lambda: ["Ada", "Grace"])

    @classmethod
    def _create(cls, model_class: type[Team], *args: Any, **kwargs: Any) -> Team:
        contest = kwargs["contest"]
        was = contest.status
        if was not in ("lobby", "running", "paused"):
            raise ValueError("Teams join a contest in the lobby or running.")
        team, raw = team_services.team_join(code=contest.code, team_name=kwargs["name"], members=kwargs["members"])
        team.raw_token = raw  # type: ignore[attr-defined]
        return team


def team_client(team: Team) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {team.raw_token}")  # type: ignore[attr-defined]
    return client


def host_client(user: Any) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {host_token(user)}")
    return client


def contest_make(**kwargs: Any) -> Contest:
    return cast(Contest, ContestFactory(**kwargs))


def team_make(**kwargs: Any) -> Team:
    return cast(Team, TeamFactory(**kwargs))


def user_make(**kwargs: Any) -> User:
    """A quizmaster account (typed for callers that pass it to services)."""
    return cast(User, UserFactory(**kwargs))
