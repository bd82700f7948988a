"""Essay grading HTTP API (quizmasters): the grading queue, and a grade by hand."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.openapi import errors
from rooms.selectors import contest_get
from rooms.serializers import JsonIntegerField, StrictSerializer, TextField, validated
from teams.auth import IsHost, request_host

from .grading import FEEDBACK_MAX_LENGTH, GRADING_FILTERS, answer_grade, grading_item_view, grading_queue_get


class GradingQueueView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        status = serializers.ChoiceField(choices=GRADING_FILTERS, default="pending")

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            200: inline_serializer(
                "GradingQueue",
                {
                    "status": serializers.ChoiceField(choices=GRADING_FILTERS),
                    "answers": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **errors(),
        },
        summary="The contest's essay answers to grade, oldest first (pending, graded or all)",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = contest_get(owner=request_host(request), contest_id=contest_id)
        data = validated(self.InputSerializer, request.query_params)
        answers = grading_queue_get(contest=contest, status=data["status"])
        return Response({"status": data["status"], "answers": answers})


class AnswerGradeView(APIView):
    permission_classes = [IsHost]

    class InputSerializer(StrictSerializer):
        # Its range (0 to what the question is worth) is the service's rule.
        points = JsonIntegerField()
        feedback = TextField(max_length=FEEDBACK_MAX_LENGTH, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors(e400=["points_out_of_range"], e409=["not_gradable"])},
        summary="Grade an essay answer, or change its grade; the team's score moves by the difference",
    )
    def post(self, request: Request, answer_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        answer = answer_grade(
            answer_id=answer_id, owner=request_host(request), points=data["points"], feedback=data["feedback"]
        )
        return Response(grading_item_view(answer))
