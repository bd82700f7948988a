"""Code judging HTTP API: a team's sample runs; the quizmaster's judge queue and rejudges."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.errors import NotFound
from rooms.models import QuestionType
from rooms.openapi import errors
from rooms.selectors import contest_get, question_get
from rooms.serializers import StrictSerializer, validated
from teams.api import TeamRateThrottle
from teams.auth import IsHost, IsTeam, request_host, request_team

from .api import AnswerSubmitView
from .api_freeze import NoInputSerializer
from .errors import NotCode
from .judging import rejudge_request
from .models import Answer, JudgingState
from .sample_runs import sample_run_get, sample_run_start, sample_run_view
from .selectors import judging_view

JUDGE_FILTERS = ("pending", "done", "all")


class SampleRunCreateView(APIView):
    permission_classes = [IsTeam]
    throttle_classes = [TeamRateThrottle]
    throttle_scope = "sample_runs"

    class InputSerializer(AnswerSubmitView.InputSerializer):
        """The same shape as an answer, with the same refusal of text the database cannot store."""

    @extend_schema(
        request=InputSerializer,
        responses={
            202: OpenApiTypes.OBJECT,
            **errors(
                e400=["invalid_answer"],
                e409=["not_code", "run_in_progress", "question_not_claimed", "question_not_open"],
                e429=["rate_limited"],
                e503=["judge_unavailable"],
            ),
        },
        summary="Run code on the question's sample tests (not scored); the result comes as run.done",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        run = sample_run_start(team=request_team(request), question_id=data["question"], payload=data["answer"])
        return Response({"run": sample_run_view(run)}, status=202)


class SampleRunDetailView(APIView):
    permission_classes = [IsTeam]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors()}, summary="One of the team's sample runs")
    def get(self, request: Request, run_id: int) -> Response:
        return Response({"run": sample_run_view(sample_run_get(team=request_team(request), run_id=run_id))})


def _code_answers() -> QuerySet[Answer]:
    return Answer.objects.filter(question__type=QuestionType.CODE).select_related("team", "question", "judging")


def judge_item_view(answer: Answer, *, full: bool = False) -> dict[str, Any]:
    """A code answer as the quizmaster sees it in the judge queue; `full` adds the source
    and what failed in an internal error."""
    judging = answer.judging
    item: dict[str, Any] = {
        "id": answer.pk,
        "team": {"id": answer.team_id, "name": answer.team.name},
        "question": {"id": answer.question_id, "prompt": answer.question.prompt},
        "attempt": answer.attempt,
        "status": answer.status,
        "points": answer.points,
        "received_at": answer.received_at.isoformat(),
        "judging": {
            **judging_view(judging),
            "attempts": judging.attempts,
            "generation": judging.generation,
            "started_at": judging.started_at.isoformat() if judging.started_at else None,
            "finished_at": judging.finished_at.isoformat() if judging.finished_at else None,
        },
    }
    if full:
        item["source"] = answer.payload["source"]
        item["judging"] = {**item["judging"], "detail": judging.detail}
    return item


class JudgeQueueView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        status = serializers.ChoiceField(choices=JUDGE_FILTERS, default="pending")

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            200: inline_serializer(
                "JudgeQueue",
                {
                    "status": serializers.ChoiceField(choices=JUDGE_FILTERS),
                    "answers": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **errors(),
        },
        summary="The contest's code submissions: pending (queued or running), done, or all; oldest first",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        data = validated(self.InputSerializer, request.query_params)
        answers = _code_answers().filter(contest=contest)
        if data["status"] == "pending":
            answers = answers.exclude(judging__state=JudgingState.DONE)
        elif data["status"] == "done":
            answers = answers.filter(judging__state=JudgingState.DONE)
        items = [judge_item_view(a) for a in answers.order_by("received_at", "pk")[:500]]
        return Response({"status": data["status"], "answers": items})


def _owned_code_answer(*, request: Request, answer_id: int) -> Answer:
    answer = _code_answers().filter(pk=answer_id, contest__owner=request_host(request)).first()
    if answer is None:
        raise NotFound("You have no code submission with this id.")
    return answer


class JudgingDetailView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="One code submission: its source, verdicts per test, and what failed in an IE",
    )
    def get(self, request: Request, answer_id: int) -> Response:
        return Response(judge_item_view(_owned_code_answer(request=request, answer_id=answer_id), full=True))


class AnswerRejudgeView(APIView):
    permission_classes = [IsHost]
    InputSerializer = NoInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={202: OpenApiTypes.OBJECT, **errors()},
        summary="Judge a code submission again; the score moves to the team's new best attempt",
    )
    def post(self, request: Request, answer_id: int) -> Response:
        validated(self.InputSerializer, request.data)
        answer = _owned_code_answer(request=request, answer_id=answer_id)
        return Response({"queued": rejudge_request(answers=[answer.pk])}, status=202)


class QuestionRejudgeView(APIView):
    permission_classes = [IsHost]
    InputSerializer = NoInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={202: OpenApiTypes.OBJECT, **errors(e409=["not_code"])},
        summary="Judge every submission of a code question again (after a test was fixed)",
    )
    def post(self, request: Request, question_id: int) -> Response:
        validated(self.InputSerializer, request.data)
        question = question_get(owner=request_host(request), question_id=question_id)
        if question.type != QuestionType.CODE:
            raise NotCode()
        ids = list(Answer.objects.filter(question=question).values_list("pk", flat=True))
        return Response({"queued": rejudge_request(answers=ids)}, status=202)
