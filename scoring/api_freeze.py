"""Freeze HTTP API: the quizmaster freezes and unfreezes the standings; the projector
fetches the latest reveal to animate it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.openapi import errors
from rooms.selectors import contest_by_code, contest_get
from rooms.serializers import StrictSerializer, validated
from teams.auth import IsHost, request_host

from . import freeze

REVEAL_STEPS = inline_serializer(
    "RevealStep",
    {
        "team": serializers.IntegerField(),
        "name": serializers.CharField(),
        "from_score": serializers.IntegerField(),
        "to_score": serializers.IntegerField(),
        "from_rank": serializers.IntegerField(),
        "to_rank": serializers.IntegerField(),
    },
    many=True,
)
REVEAL_FIELDS: dict[str, serializers.Field] = {
    "seq": serializers.IntegerField(help_text="The `contest.unfrozen` event that carried this reveal."),
    "at": serializers.DateTimeField(),
    "frozen_at": serializers.DateTimeField(help_text="When the standings had frozen."),
    "steps": REVEAL_STEPS,
}
FREEZE_STATE_FIELDS: dict[str, serializers.Field] = {
    "id": serializers.IntegerField(),
    "code": serializers.CharField(),
    "frozen": serializers.BooleanField(),
    "frozen_at": serializers.DateTimeField(allow_null=True, help_text="Since when, while frozen."),
    "freeze_at": serializers.CharField(allow_null=True, help_text="The setting as stored (may lie ahead)."),
}


class NoInputSerializer(StrictSerializer):
    """These actions take no fields (a scheduled freeze is `settings.freeze_at`, PATCH
    /contests/{id}): a body with any is refused rather than silently ignored."""


class ContestFreezeView(APIView):
    permission_classes = [IsHost]
    InputSerializer = NoInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("ContestFreezeState", FREEZE_STATE_FIELDS),
            **errors(e409=["already_frozen"]),
        },
        summary="Freeze the standings now: teams and the audience see them as they are until unfrozen",
    )
    def post(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        validated(self.InputSerializer, request.data)
        contest = freeze.contest_freeze(contest=contest)
        return Response(freeze.freeze_state_get(contest=contest))


class ContestUnfreezeView(APIView):
    permission_classes = [IsHost]
    InputSerializer = NoInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "ContestUnfrozen",
                {
                    **FREEZE_STATE_FIELDS,
                    "reveal": inline_serializer("Reveal", REVEAL_FIELDS, allow_null=True),
                    "leaderboard": serializers.DictField(help_text="The true top of the board."),
                },
            ),
            **errors(e409=["not_frozen"]),
        },
        summary="Unfreeze: publish the true standings as reveal steps, lowest-ranked team first",
        description="A freeze scheduled for later is cancelled instead (`reveal` is null).",
    )
    def post(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        validated(self.InputSerializer, request.data)
        result = freeze.contest_unfreeze(contest=contest)
        body = {**freeze.freeze_state_get(contest=result.contest), "reveal": result.reveal, "leaderboard": result.board}
        return Response(body)


class PublicRevealView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        responses={
            200: inline_serializer("PublicReveal", {"code": serializers.CharField(), **REVEAL_FIELDS}),
            **errors(e404=["no_reveal"]),
        },
        summary="The latest reveal of frozen standings, for the projector to animate",
    )
    def get(self, request: Request, code: str) -> Response:
        contest = contest_by_code(code=code)
        return Response({"code": contest.display_code, **freeze.reveal_latest(contest=contest)})
