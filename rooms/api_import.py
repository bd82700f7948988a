"""Quizmaster HTTP API: import a contest's rounds and questions, or questions into the
question bank, from a file; and export them in the same formats."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teams.auth import IsHost, request_host

from . import importing, selectors
from .api import RoundOutputSerializer
from .downloads import CsvDownloadView, csv_attachment
from .importing.common import file_error
from .openapi import errors

JSON_TYPES = frozenset({"application/json", "text/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv"})

UPLOAD_DESCRIPTION = """\
Send the file as the multipart field `file` (named `*.json` or `*.csv`), or send the file
itself as the body with `Content-Type: application/json` or `text/csv`.

All or nothing: on any problem nothing is created and the answer is 400 `invalid_import`
with `fields.errors`, a list of `{{"line", "path", "errors"}}`, one per bad {items}
(`line` is 1-based; for CSV the header is line 1). Limits: 1 MiB, {limits}; UTF-8 only
(a byte order mark is fine).
"""
IMPORT_DESCRIPTION = UPLOAD_DESCRIPTION.format(items="round, question or row", limits="2,000 questions, 200 rounds")
BANK_IMPORT_DESCRIPTION = (
    UPLOAD_DESCRIPTION.format(items="question or row", limits="2,000 questions")
    + """
JSON: `{"questions": [<question definition, with optional "tags": [str]>]}`. CSV: the
question columns of the contest CSV (`type, prompt, choices, answer, tolerance, points,
difficulty, mystery, time_limit_s`, optional `multiple, max_length`) and `tags`
(`|`-separated); code questions only in JSON.
"""
)


class ContestImportView(APIView):
    permission_classes = [IsHost]
    # Only multipart goes through a parser: a raw body is read as bytes, because the line
    # numbers in error reports come from the text as sent.
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("ContestImportUpload", {"file": serializers.FileField()}),
            "application/json": OpenApiTypes.OBJECT,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            201: inline_serializer(
                "ContestImported",
                {"rounds": RoundOutputSerializer(many=True), "questions": serializers.IntegerField()},
            ),
            **errors(
                e400=["invalid_import"],
                e409=["invalid_transition"],
                e413=["request_too_large"],
                e415=["unsupported_media_type"],
            ),
        },
        summary="Import rounds and questions from a JSON or CSV file (all or nothing)",
        description=IMPORT_DESCRIPTION,
    )
    def post(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        raw, fmt = _import_body(request)
        result = importing.contest_import_file(contest=contest, raw=raw, fmt=fmt)
        rounds = RoundOutputSerializer(result.rounds, many=True).data
        return Response({"rounds": rounds, "questions": result.question_count}, status=201)


def _import_body(request: Request) -> tuple[bytes, importing.ImportFormat]:
    """The file's bytes (at most one byte over the limit, so size is checked without reading
    more) and its format, from a multipart upload or a raw body."""
    media_type = request.content_type.split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Attach the file as the multipart field `file`."]})
        fmt = _format_of(upload.name or "", (upload.content_type or "").lower())
        return upload.read(importing.MAX_IMPORT_BYTES + 1), fmt
    if media_type in JSON_TYPES | CSV_TYPES:
        return request.body, _format_of("", media_type)
    raise exceptions.UnsupportedMediaType(
        media_type,
        detail="Send the file as the multipart field `file`, or as the body with Content-Type application/json "
        "or text/csv.",
    )


def _format_of(name: str, media_type: str) -> importing.ImportFormat:
    """JSON or CSV, by the file name's extension, else by the media type."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("json", "csv"):
        return importing.ImportFormat(extension)
    if media_type in JSON_TYPES:
        return importing.ImportFormat.JSON
    if media_type in CSV_TYPES:
        return importing.ImportFormat.CSV
    raise file_error("Cannot tell whether the file is JSON or CSV; name it *.json or *.csv.")


def _attachment(response: Any, filename: str) -> Any:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ContestExportJsonView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="The contest's rounds and questions, answers included, in the JSON import format",
    )
    def get(self, request: Request, contest_id: int) -> Response:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        return _attachment(Response(importing.contest_export_json(contest=contest)), f"contest-{contest.code}.json")


class ContestExportCsvView(CsvDownloadView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR, **errors(e409=["export_needs_json"])},
        summary="The contest's rounds and questions in the CSV import format (no code questions)",
    )
    def get(self, request: Request, contest_id: int) -> HttpResponse:
        contest = selectors.contest_get(owner=request_host(request), contest_id=contest_id)
        body = importing.contest_export_csv(contest=contest)
        return csv_attachment(body, filename=f"contest-{contest.code}.csv")


class BankImportView(APIView):
    permission_classes = [IsHost]
    parser_classes = [MultiPartParser]  # a raw body is read as bytes, as for contest import

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("BankImportUpload", {"file": serializers.FileField()}),
            "application/json": OpenApiTypes.OBJECT,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            201: inline_serializer(
                "BankImported",
                {
                    "questions": serializers.IntegerField(),
                    "ids": serializers.ListField(child=serializers.IntegerField()),
                },
            ),
            **errors(e400=["invalid_import"], e413=["request_too_large"], e415=["unsupported_media_type"]),
        },
        summary="Import questions into your bank from a JSON or CSV file (all or nothing)",
        description=BANK_IMPORT_DESCRIPTION,
    )
    def post(self, request: Request) -> Response:
        raw, fmt = _import_body(request)
        created = importing.bank_import_file(owner=request_host(request), raw=raw, fmt=fmt)
        return Response({"questions": len(created), "ids": [question.pk for question in created]}, status=201)


class BankExportJsonView(APIView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **errors()},
        summary="Your question bank, answers and tags included, in the JSON import format",
    )
    def get(self, request: Request) -> Response:
        return _attachment(Response(importing.bank_export_json(owner=request_host(request))), "question-bank.json")


class BankExportCsvView(CsvDownloadView):
    permission_classes = [IsHost]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR, **errors(e409=["export_needs_json"])},
        summary="Your question bank in the CSV import format (no code questions)",
    )
    def get(self, request: Request) -> HttpResponse:
        return csv_attachment(importing.bank_export_csv(owner=request_host(request)), filename="question-bank.csv")
