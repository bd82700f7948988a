"""Team HTTP API: join, the team's snapshot, claims; and the quizmaster's team actions."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from rooms.openapi import OBJECT_LIST, errors
from rooms.selectors import contest_get
from rooms.serializers import JsonIntegerField, StrictSerializer, TextField, validated

from . import selectors, services
from .auth import IsHost, IsTeam, request_host, request_team
from .fairplay import focus_report, focus_summary_get
from .models import FocusKind


class JoinView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    class InputSerializer(StrictSerializer):
        code = serializers.CharField(max_length=32)
        team_name = serializers.CharField(max_length=64)
        members = serializers.ListField(child=serializers.CharField(max_length=64), max_length=12, default=list)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer("Joined", {"team": serializers.DictField(), "token": serializers.CharField()}),
            **errors(e404=["unknown_contest"], e409=["name_taken"], e403=["not_accepting"]),
        },
        summary="Register a team; the token in the answer is shown only once",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        team, token = services.team_join(code=data["code"], team_name=data["team_name"], members=data["members"])
        return Response({"team": selectors.team_view(team), "token": token}, status=201)


class MeView(APIView):
    permission_classes = [IsTeam]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="The team's snapshot: contest, team, score, rank, rounds, claims, answers",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.team_snapshot_get(team=request_team(request)))


class ClaimCreateView(APIView):
    permission_classes = [IsTeam]

    class InputSerializer(StrictSerializer):
        round = serializers.IntegerField(min_value=1)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer("ClaimCreated", {"claim": serializers.DictField()}),
            **errors(
                e403=["team_disqualified"],
                e409=[
                    "pool_empty",
                    "claim_limit_reached",
                    "contest_not_running",
                    "round_not_active",
                    "wrong_round_kind",
                ],
            ),
        },
        summary="Claim the next question of a pool round",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        claim = services.claim_next(team=request_team(request), round_id=data["round"])
        return Response({"claim": selectors.claim_view(claim)}, status=201)


class TeamListView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OBJECT_LIST, **errors()},
        summary="The teams of one of your contests",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        teams = selectors.team_list_for_host(owner=request_host(request), contest_id=contest_id)
        return Response([selectors.team_view(t) for t in teams])


class DisqualifyView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Disqualify a team: off the board, and it can no longer act",
    )
    def post(self, request: Request, team_id: int) -> Response:
        team = selectors.team_get_for_host(owner=request_host(request), team_id=team_id)
        data = validated(self.InputSerializer, request.data)
        return Response(selectors.team_view(services.team_disqualify(team=team, reason=data["reason"])))


class AccommodationView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        extra_time_s = serializers.IntegerField(min_value=0, max_value=3600, required=False)
        speed_exempt = serializers.BooleanField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="A team's accommodations: extra time on live questions, exemption from speed scoring",
    )
    def post(self, request: Request, team_id: int) -> Response:
        team = selectors.team_get_for_host(owner=request_host(request), team_id=team_id)
        data = validated(self.InputSerializer, request.data)
        if not data:
            raise serializers.ValidationError({"non_field_errors": ["Send extra_time_s, speed_exempt or both."]})
        return Response(selectors.team_view(services.team_accommodate(team=team, **data)))


class TeamRateThrottle(ScopedRateThrottle):
    """Rate per team (all its devices together), not per device or address."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": f"team-{request_team(request).pk}"}


class FocusReportView(APIView):
    permission_classes = [IsTeam]
    throttle_classes = [TeamRateThrottle]
    throttle_scope = "focus_reports"

    class InputSerializer(StrictSerializer):
        device = TextField(
            max_length=64, validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", "Use letters, digits, - and _ only.")]
        )
        kind = serializers.ChoiceField(choices=FocusKind.values)
        away_ms = JsonIntegerField(min_value=0, max_value=7 * 24 * 3600 * 1000)

    @extend_schema(
        request=InputSerializer,
        responses={202: None, **errors(e429=["rate_limited"])},
        summary="This device left the quiz page (tab hidden, window unfocused) for away_ms; hosts see it",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        focus_report(team=request_team(request), device=data["device"], kind=data["kind"], away_ms=data["away_ms"])
        return Response(status=202)


class ContestFocusView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Fair-play signals: per team and device, how often and how long it left the quiz page",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        return Response({"teams": focus_summary_get(contest=contest)})
