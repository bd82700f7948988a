"""Regrade HTTP API: recompute a question's or a whole contest's scores from stored answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.errors import NotFound
from rooms.openapi import errors
from rooms.selectors import contest_get, question_get
from rooms.serializers import StrictSerializer, TextField, validated
from teams.auth import IsHost, request_host

from .models import Regrade
from .rescoring import regrade_request


def regrade_view(regrade: Regrade) -> dict[str, Any]:
    return {
        "id": regrade.pk,
        "contest": regrade.contest_id,
        "question": regrade.question_id,
        "reason": regrade.reason,
        "status": regrade.status,
        "changes": regrade.changes,
        "author": regrade.author.get_username() if regrade.author else None,
        "created_at": regrade.created_at.isoformat(),
        "finished_at": regrade.finished_at.isoformat() if regrade.finished_at else None,
    }


class RegradeInput(StrictSerializer):
    reason = TextField(max_length=500, required=False, default="", allow_blank=True)


REGRADE_SCHEMA: dict[str, Any] = {
    "request": RegradeInput,
    "responses": {202: OpenApiTypes.OBJECT, **errors()},
    "description": (
        "Queues a task that recomputes every score from the stored answers and the questions' "
        "current keys, and writes each difference as a `regrade` ledger row; GET /regrades/{id} "
        "shows when it is done and what it changed."
    ),
}


class QuestionRegradeView(APIView):
    permission_classes = [IsHost]

    @extend_schema(**REGRADE_SCHEMA, summary="Regrade a question (with its round: streaks chain its answers)")
    def post(self, request: Request, question_id: int) -> Response:
        host = request_host(request)
        question = question_get(owner=host, question_id=question_id)
        data = validated(RegradeInput, request.data)
        regrade = regrade_request(contest=question.round.contest, question=question, author=host, reason=data["reason"])
        return Response(regrade_view(regrade), status=202)


class ContestRegradeView(APIView):
    permission_classes = [IsHost]

    @extend_schema(**REGRADE_SCHEMA, summary="Regrade every question of a contest")
    def post(self, request: Request, contest_id: int) -> Response:
        host = request_host(request)
        contest = contest_get(owner=host, contest_id=contest_id)
        data = validated(RegradeInput, request.data)
        return Response(
            regrade_view(regrade_request(contest=contest, question=None, author=host, reason=data["reason"])),
            status=202,
        )


class RegradeDetailView(APIView):
    permission_classes = [IsHost]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors()}, summary="A regrade: its status and changes")
    def get(self, request: Request, regrade_id: int) -> Response:
        regrade = Regrade.objects.filter(pk=regrade_id, contest__owner=request_host(request)).first()
        if regrade is None:
            raise NotFound("You have no regrade with this id.")
        return Response(regrade_view(regrade))
