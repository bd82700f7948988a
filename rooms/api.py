"""Quizmaster HTTP API: auth, contests, rounds, questions, the question bank.

Views translate and delegate: validate input, call one service or selector, shape output.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from teams.auth import IsHost, request_host

from . import live, selectors, services
from .errors import DomainError
from .models import Contest, HostToken, Round
from .openapi import OBJECT_LIST, errors
from .question_types import question_definition_validate, question_export
from .serializers import (
    BankTagsSerializer,
    MysteryBoxSerializer,
    RoundInputSerializer,
    StrictSerializer,
    TextField,
    validated,
)
from .tokens import token_new


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 400
    message = "Wrong username or password."


class LoginThrottle(AnonRateThrottle):
    """Password guessing is slowed per client address (THROTTLE_LOGIN, e.g. 20/min)."""

    scope = "login"


class AuthTokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LoginThrottle]

    class InputSerializer(StrictSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("HostToken", {"token": serializers.CharField()}),
            **errors(e400=["invalid_credentials"], e429=["rate_limited"]),
        },
        summary="Exchange a quizmaster's username and password for an API token",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            raise InvalidCredentials()
        raw, hashed = token_new()
        HostToken.objects.create(user=user, key_hash=hashed)
        return Response({"token": raw})


class ContestSettingsSerializer(StrictSerializer):
    starting_points = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    wrong_answer_penalty = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    allow_late_join = serializers.BooleanField(required=False)
    freeze_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("freeze_at") is not None:
            attrs["freeze_at"] = attrs["freeze_at"].isoformat()
        return attrs


class RoundOutputSerializer(serializers.ModelSerializer):
    mystery_boxes = MysteryBoxSerializer(many=True, read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "position",
            "kind",
            "title",
            "status",
            "exclusive",
            "claim_limit",
            "mystery_boxes",
            "question_count",
            "settings",
        ]

    def get_question_count(self, obj: Round) -> int:
        return obj.questions.count()


class ContestOutputSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="display_code")
    rounds = RoundOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Contest
        fields = ["id", "code", "title", "status", "settings", "rounds", "created_at", "updated_at"]


def contest_body(contest: Contest) -> dict[str, Any]:
    contest = Contest.objects.prefetch_related("rounds__mystery_boxes").get(pk=contest.pk)
    return ContestOutputSerializer(contest).data


class ContestListCreateView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        title = serializers.CharField(max_length=200)
        settings = ContestSettingsSerializer(required=False)

    @extend_schema(responses={200: ContestOutputSerializer(many=True), **errors()}, summary="Your contests")
    def get(self, request: Request) -> Response:
        contests = selectors.contest_list(owner=request_host(request)).prefetch_related("rounds__mystery_boxes")
        return Response(ContestOutputSerializer(contests, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: ContestOutputSerializer, **errors()},
        summary="Create a draft contest with a join code",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        contest = services.contest_create(
            owner=request_host(request), title=data["title"], settings=data.get("settings", {})
        )
        return Response(contest_body(contest), status=201)


class ContestDetailView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        title = serializers.CharField(max_length=200, required=False)
        settings = ContestSettingsSerializer(required=False)

    @extend_schema(responses={200: ContestOutputSerializer, **errors()}, summary="One of your contests")
    def get(self, request: Request, contest_id: int) -> Response:
        return Response(contest_body(selectors.contest_get(owner=request_host(request), contest_id=contest_id)))

    @extend_schema(
        request=InputSerializer,
        responses={200: ContestOutputSerializer, **errors()},
        summary="Change a contest's title or settings",
    )
    def patch(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        data = validated(self.InputSerializer, request.data)
        contest = services.contest_update(contest=contest, title=data.get("title"), settings=data.get("settings"))
        return Response(contest_body(contest))

    @extend_schema(
        responses={204: None, **errors(e409=["contest_in_progress"])}, summary="Delete a contest that is not running"
    )
    def delete(self, request: Request, contest_id: int) -> Response:
        services.contest_delete(contest=selectors.contest_get(owner=request_host(request), contest_id=contest_id))
        return Response(status=204)


class ContestActionView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        request=None,
        responses={200: ContestOutputSerializer, **errors(e409=["invalid_transition"])},
        summary="Lifecycle: open, start, pause, resume, finish",
        operation_id="contest_action",
    )
    def post(self, request: Request, contest_id: int, action: str) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        return Response(contest_body(services.contest_transition(contest=contest, action=action)))


class RoundCreateView(APIView):
    permission_classes = [IsHost]
    InputSerializer = RoundInputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={201: RoundOutputSerializer, **errors(e409=["wrong_round_kind", "invalid_transition"])},
        summary="Add a round",
    )
    def post(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        data = validated(self.InputSerializer, request.data)
        round_ = services.round_create(contest=contest, **data)
        return Response(RoundOutputSerializer(round_).data, status=201)


class RoundActionView(APIView):
    """Start or end a round; in a live round, run its questions (rooms/live.py)."""

    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        seconds = serializers.IntegerField(min_value=1, max_value=live.MAX_EXTENSION_S, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OpenApiTypes.OBJECT,
            **errors(
                e409=[
                    "invalid_transition",
                    "wrong_round_kind",
                    "contest_not_running",
                    "question_open",
                    "no_question_left",
                ]
            ),
        },
        summary="Start or end a round; live rounds: next, close, reveal, pause, resume, skip, extend",
        description=(
            "start and end return the round. The live actions return `{round, live}`, `live` being the "
            "question in play with its stored deadline; extend takes `{seconds}`."
        ),
        operation_id="round_action",
    )
    def post(self, request: Request, round_id: int, action: str) -> Response:
        round_ = selectors.round_get(owner=request_host(request), round_id=round_id)
        data = validated(self.InputSerializer, request.data)
        if action not in live.LIVE_ACTIONS:
            return Response(RoundOutputSerializer(services.round_transition(round_=round_, action=action)).data)
        if (action == "extend") != ("seconds" in data):
            raise serializers.ValidationError({"seconds": "Send seconds with extend, and only with extend."})
        played = live.live_action(round_=round_, action=action, seconds=data.get("seconds"))
        return Response({"round": RoundOutputSerializer(played.round).data, "live": live.live_view(played)})


class QuestionsView(APIView):
    """Add questions to a round: one definition, a list, or `{"bank_question": id}` items."""

    permission_classes = [IsHost]
    max_batch = 500

    @extend_schema(
        responses={200: OBJECT_LIST, **errors()},
        summary="A round's questions, with their answers (quizmaster only)",
    )
    def get(self, request: Request, round_id: int) -> Response:
        round_ = selectors.round_get(owner=request_host(request), round_id=round_id)
        return Response([{"id": q.pk, "position": q.position, **question_export(q)} for q in round_.questions.all()])

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            201: OBJECT_LIST,
            **errors(e409=["wrong_round_kind", "invalid_transition"]),
        },
        summary="Add one question or a list of questions to a round",
    )
    def post(self, request: Request, round_id: int) -> Response:
        round_ = selectors.round_get(owner=request_host(request), round_id=round_id)
        items = request.data if isinstance(request.data, list) else [request.data]
        if not items or len(items) > self.max_batch:
            raise serializers.ValidationError({"non_field_errors": [f"Send 1 to {self.max_batch} questions."]})
        definitions, problems = [], {}
        for index, item in enumerate(items):
            try:
                definitions.append(self._definition(request, item))
            except serializers.ValidationError as exc:
                problems[str(index)] = exc.detail
        if problems:
            raise serializers.ValidationError(problems)
        questions = services.questions_create(round_=round_, definitions=definitions)
        return Response([{"id": q.pk, "position": q.position, **question_export(q)} for q in questions], status=201)

    def _definition(self, request: Request, item: Any) -> dict[str, Any]:
        if isinstance(item, dict) and set(item) == {"bank_question"}:
            if not isinstance(item["bank_question"], int) or isinstance(item["bank_question"], bool):
                raise serializers.ValidationError({"bank_question": "Must be an id."})
            source = selectors.bank_question_get(owner=request_host(request), question_id=item["bank_question"])
            return {**question_definition_validate(question_export(source)), "source": source}
        return question_definition_validate(item)


class BankView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OBJECT_LIST, **errors()},
        summary="Your question bank",
    )
    def get(self, request: Request) -> Response:
        bank = selectors.bank_list(owner=request_host(request))
        return Response([{"id": q.pk, "tags": q.tags, **question_export(q)} for q in bank])

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT, **errors()},
        summary="Add a question to your bank (a definition, with optional `tags`)",
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            raise serializers.ValidationError({"non_field_errors": ["Send one question as a JSON object."]})
        tags = validated(BankTagsSerializer, {"tags": data.get("tags", [])})["tags"]
        definition = question_definition_validate({k: v for k, v in data.items() if k != "tags"})
        question = services.bank_question_create(owner=request_host(request), definition=definition, tags=tags)
        return Response({"id": question.pk, "tags": question.tags, **question_export(question)}, status=201)


class BankDetailView(APIView):
    permission_classes = [IsHost]

    @extend_schema(responses={204: None, **errors()}, summary="Remove a question from your bank")
    def delete(self, request: Request, question_id: int) -> Response:
        services.bank_question_delete(
            question=selectors.bank_question_get(owner=request_host(request), question_id=question_id)
        )
        return Response(status=204)


class PublicContestView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Public contest data: title, status, rounds, join instructions (no answers)",
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(selectors.public_contest_get(contest=selectors.contest_by_code(code=code)))


class AnnouncementCreateView(APIView):
    """Post an announcement to everyone watching: teams' devices, screens and hosts."""

    permission_classes = [IsHost]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "announcements"

    class InputSerializer(StrictSerializer):
        text = TextField(max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "Announcement",
                {"seq": serializers.IntegerField(), "text": serializers.CharField(), "at": serializers.DateTimeField()},
            ),
            **errors(e429=["rate_limited"]),
        },
        summary="Announce something to the contest (pushed over the socket)",
    )
    def post(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        data = validated(self.InputSerializer, request.data)
        event = services.announcement_post(contest=contest, text=data["text"])
        return Response({"seq": event.seq, "text": data["text"], "at": event.created_at.isoformat()}, status=201)


class QuestionDetailView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **errors(e409=["invalid_transition"])},
        summary="Change a question: any fields of its definition (the accepted answer, points, prompt...)",
        description="Scored answers keep their points until a regrade (POST /questions/{id}/regrade).",
    )
    def patch(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get(owner=request_host(request), question_id=question_id)
        if not isinstance(request.data, dict) or not request.data:
            raise serializers.ValidationError({"non_field_errors": ["Send the fields to change as a JSON object."]})
        question = services.question_update(question=question, changes=dict(request.data))
        return Response({"id": question.pk, "round": question.round_id, **question_export(question)})


class ReplayView(APIView):
    permission_classes = [IsHost]

    class QuerySerializer(StrictSerializer):
        after = serializers.IntegerField(min_value=0, max_value=2**62, default=0)
        limit = serializers.IntegerField(min_value=1, max_value=5000, default=1000)

    @extend_schema(
        parameters=[QuerySerializer],
        responses={200: OpenApiTypes.OBJECT, **errors(e409=["contest_not_finished"])},
        summary="A finished contest's event log, in order, to replay it (pages of `limit` from `after`)",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        query = validated(self.QuerySerializer, request.query_params)
        events, next_after = selectors.contest_replay_get(contest=contest, after=query["after"], limit=query["limit"])
        return Response({"contest": contest.pk, "epoch": contest.epoch, "events": events, "next_after": next_after})
