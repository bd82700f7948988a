"""Scoring HTTP API: answers, mystery boxes, adjustments, leaderboard, results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.downloads import CsvDownloadView, csv_attachment
from rooms.errors import NotFound
from rooms.models import Difficulty
from rooms.openapi import errors
from rooms.selectors import contest_by_code, contest_get
from rooms.serializers import StrictSerializer, validated
from teams.auth import IsHost, IsTeam, request_host, request_team
from teams.selectors import claim_view, team_get_for_host

from . import selectors, services
from .models import Answer

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A fresh random key per answer (1-128 printable ASCII). Retries reuse it.",
)


def idempotency_key_get(request: Request, *, required: bool) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        if required:
            raise serializers.ValidationError({"Idempotency-Key": "This header is required; send a fresh random key."})
        return None
    if not 1 <= len(key) <= 128 or not key.isascii() or not key.isprintable():
        raise serializers.ValidationError({"Idempotency-Key": "Use 1 to 128 printable ASCII characters."})
    return key


_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _json_strings(value: Any) -> Iterator[str]:
    """Every string (keys included) in a parsed JSON value; iterative, as nesting may be deep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def csv_safe(text: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula (a team named "=cmd()")."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


ANSWER_HELP = (
    "The team's answer: `id`, `question`, `status`, `correct`, `points`, `received_at`, "
    "`scored_at`, `feedback`, `given` (what the team sent, as the server read it), and for "
    "code `attempt` and `judge`."
)


class AnswerSubmitView(APIView):
    permission_classes = [IsTeam]

    class InputSerializer(StrictSerializer):
        question = serializers.IntegerField(min_value=1)
        answer = serializers.JSONField()

        def validate_answer(self, value: Any) -> Any:
            # The answer is stored as jsonb, which cannot hold NUL (\u0000) or an unpaired
            # surrogate: refuse them here rather than fail in the database.
            if any(_UNSTORABLE_TEXT.search(text) for text in _json_strings(value)):
                raise serializers.ValidationError("Text may not contain NUL or unpaired surrogate characters.")
            return value

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "AnswerScored",
                {
                    "answer": serializers.DictField(help_text=ANSWER_HELP),
                    "score": serializers.IntegerField(),
                    "rank": serializers.IntegerField(),
                },
            ),
            202: inline_serializer(
                "AnswerQueued",
                {
                    "answer": serializers.DictField(help_text=ANSWER_HELP),
                    "score": serializers.IntegerField(),
                    "rank": serializers.IntegerField(),
                },
            ),
            **errors(
                e400=["invalid_answer"],
                e403=["team_disqualified"],
                e422=["idempotency_key_reused"],
                e503=["judge_unavailable"],
                e409=[
                    "already_answered",
                    "attempts_exhausted",
                    "question_not_claimed",
                    "question_not_open",
                    "contest_not_running",
                    "round_not_active",
                ],
            ),
        },
        summary="Answer a question (choice, numeric and text are scored at once; code is judged on the judge queue)",
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key_get(request, required=True)
        assert key is not None
        data = validated(self.InputSerializer, request.data)
        result = services.answer_submit(
            team=request_team(request), question_id=data["question"], payload=data["answer"], idempotency_key=key
        )
        return Response(result.body, status=result.status)


class AnswerDetailView(APIView):
    permission_classes = [IsTeam]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="One of the team's answers",
        description=(
            "Its status and result, and `given`: what the team sent, whatever its size (choice "
            "indexes, a number, a text, an essay, or `{language, source}`). Socket pushes and "
            "the snapshot carry `given_size` instead when it is over 16 KiB; read it here."
        ),
    )
    def get(self, request: Request, answer_id: int) -> Response:
        answer = Answer.objects.filter(pk=answer_id, team=request_team(request)).first()
        if answer is None:
            raise NotFound("Your team has no answer with this id.")
        return Response(selectors.answer_view(answer, full=True))


class MysteryOpenView(APIView):
    permission_classes = [IsTeam]

    class InputSerializer(StrictSerializer):
        round = serializers.IntegerField(min_value=1)
        difficulty = serializers.ChoiceField(choices=Difficulty.values)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "MysteryOpened",
                {
                    "claim": serializers.DictField(),
                    "cost": serializers.IntegerField(),
                    "reward": serializers.IntegerField(),
                    "score": serializers.IntegerField(),
                },
            ),
            **errors(
                e404=["unknown_box"],
                e409=[
                    "not_enough_points",
                    "no_mystery_left",
                    "contest_not_running",
                    "round_not_active",
                    "wrong_round_kind",
                ],
            ),
        },
        summary="Pay for a mystery box and draw a question; nothing is taken when it fails",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        result = services.mystery_open(
            team=request_team(request), round_id=data["round"], difficulty=data["difficulty"]
        )
        body = {"claim": claim_view(result.claim), "cost": result.cost, "reward": result.reward, "score": result.score}
        return Response(body, status=201)


class AdjustmentView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        points = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
        reason = serializers.CharField(max_length=500)

        def validate_points(self, value: int) -> int:
            if value == 0:
                raise serializers.ValidationError("An adjustment of 0 points changes nothing.")
            return value

    @extend_schema(
        request=InputSerializer,
        responses={201: OpenApiTypes.OBJECT, **errors()},
        summary="Add or take points, with a reason (a ledger row with you as author)",
    )
    def post(self, request: Request, team_id: int) -> Response:
        team = team_get_for_host(owner=request_host(request), team_id=team_id)
        data = validated(self.InputSerializer, request.data)
        row = services.adjustment_create(
            team=team,
            points=data["points"],
            reason=data["reason"],
            author=request_host(request),
            idempotency_key=idempotency_key_get(request, required=False),
        )
        return Response(selectors.ledger_row_view(row), status=201)


class PublicLeaderboardView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Ranked teams. Equal scores: whoever reached the score first ranks higher.",
    )
    def get(self, request: Request, code: str) -> Response:
        contest = contest_by_code(code=code)
        board = selectors.leaderboard_get(contest=contest)
        return Response({"code": contest.display_code, "status": contest.status, **board})


class HostLeaderboardView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Live standings for the quizmaster, also during a freeze",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        board = selectors.leaderboard_get(contest=contest, live=True)
        return Response({"code": contest.display_code, "status": contest.status, **board})


class ResultsCsvView(CsvDownloadView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR, **errors()},
        summary="Final standings with per-round points, as CSV",
    )
    def get(self, request: Request, contest_id: int) -> HttpResponse:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        rounds, rows = selectors.results_get(contest=contest)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["rank", "team", "status", "score", *[csv_safe(r["title"]) for r in rounds], "other"])
        for row in rows:
            writer.writerow(
                [row["rank"] or "", csv_safe(row["team"]), row["status"], row["score"], *row["rounds"], row["other"]]
            )
        return csv_attachment(out.getvalue(), filename=f"results-{contest.code}.csv")
