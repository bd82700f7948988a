"""The import services, file decoding, and the exports: of contests and of the question bank."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch

from .. import selectors, services
from ..errors import InvalidTransition
from ..models import BankQuestion, Contest, ContestStatus, Difficulty, Question, Round
from ..question_types import question_export
from .bank_format import BankPlan, bank_csv_plans, bank_csv_write, bank_json_plans
from .common import MAX_IMPORT_BYTES, RoundPlan, file_error
from .csv_format import csv_plans, csv_write
from .json_format import json_plans


class ImportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class ImportResult:
    rounds: list[Round]
    question_count: int


def contest_import_file(*, contest: Contest, raw: bytes, fmt: ImportFormat) -> ImportResult:
    """Parse, validate and import one file. A finished contest is refused before parsing,
    so nobody is sent to fix rows of a file that could never be imported."""
    _refuse_finished(contest)
    return contest_import(contest=contest, rounds=import_parse(raw=raw, fmt=fmt))


def contest_import(*, contest: Contest, rounds: list[RoundPlan]) -> ImportResult:
    """Append the planned rounds and their questions to the contest, all or none.

    Locks: the contest row first, for the whole import, so the new rounds get consecutive
    positions and the contest cannot finish half-way; then each new round's row (inside
    `questions_create`). Those rounds are invisible to other transactions until commit,
    so the round-then-contest order used elsewhere cannot deadlock with this.
    """
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        _refuse_finished(locked)
        created = []
        for plan in rounds:
            round_ = services.round_create(contest=locked, **plan.round)
            if plan.questions:
                services.questions_create(round_=round_, definitions=plan.questions)
            created.append(round_)
    return ImportResult(rounds=created, question_count=sum(len(plan.questions) for plan in rounds))


def _refuse_finished(contest: Contest) -> None:
    if contest.status == ContestStatus.FINISHED:
        raise InvalidTransition("The contest is finished; nothing can be imported into it.")


def import_parse(*, raw: bytes, fmt: ImportFormat) -> list[RoundPlan]:
    """Decode and validate a whole file → plans. Raises InvalidImport; never writes."""
    text = _decode(raw)
    plans = json_plans(text) if fmt == ImportFormat.JSON else csv_plans(text)
    if not plans:
        raise file_error("The file has no rounds; there is nothing to import.")
    return plans


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        raise file_error(
            f"The file is larger than {MAX_IMPORT_BYTES / 2**20:g} MiB, the most one import takes; "
            "split it into several files."
        )
    try:
        text = raw.decode("utf-8-sig")  # "-sig": accept the byte order mark that Excel writes
    except UnicodeDecodeError as exc:
        raise file_error(
            "The file is not UTF-8 text; save it as UTF-8 (in Excel: “CSV UTF-8”).",
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None
    if not text.strip():
        raise file_error("The file is empty.")
    return text


def contest_export_json(*, contest: Contest) -> dict[str, Any]:
    """The contest's rounds and questions, answers included, in the JSON import format."""
    return {"rounds": [_round_export(round_) for round_ in _rounds_of(contest)]}


def contest_export_csv(*, contest: Contest) -> str:
    """The contest in the CSV import format. Raises ExportNeedsJson when CSV cannot hold it."""
    return csv_write(contest_export_json(contest=contest)["rounds"])


def _rounds_of(contest: Contest) -> list[Round]:
    questions = Prefetch("questions", queryset=Question.objects.order_by("position"))
    return list(Round.objects.filter(contest=contest).order_by("position").prefetch_related("mystery_boxes", questions))


def _round_export(round_: Round) -> dict[str, Any]:
    boxes = sorted(round_.mystery_boxes.all(), key=lambda box: Difficulty.values.index(box.difficulty))
    return {
        "kind": round_.kind,
        "title": round_.title,
        "exclusive": round_.exclusive,
        "claim_limit": round_.claim_limit,
        "mystery_boxes": [{"difficulty": b.difficulty, "cost": b.cost, "reward": b.reward} for b in boxes],
        "questions": [question_export(question) for question in round_.questions.all()],
    }


# --- The question bank ------------------------------------------------------------------


def bank_import_file(*, owner: User, raw: bytes, fmt: ImportFormat) -> list[BankQuestion]:
    """Parse, validate and add one file's questions to the owner's bank, all or none."""
    plans = bank_import_parse(raw=raw, fmt=fmt)
    return services.bank_questions_create(owner=owner, questions=[(plan.definition, plan.tags) for plan in plans])


def bank_import_parse(*, raw: bytes, fmt: ImportFormat) -> list[BankPlan]:
    """Decode and validate a whole bank file → plans. Raises InvalidImport; never writes."""
    text = _decode(raw)
    plans = bank_json_plans(text) if fmt == ImportFormat.JSON else bank_csv_plans(text)
    if not plans:
        raise file_error("The file has no questions; there is nothing to import.")
    return plans


def bank_export_json(*, owner: User) -> dict[str, Any]:
    """The owner's bank, answers and tags included, in the JSON import format. Oldest first,
    so that a bank imported from this file lists its questions in the same order."""
    bank = selectors.bank_list(owner=owner).order_by("created_at", "pk")
    return {"questions": [{**question_export(question), "tags": question.tags} for question in bank]}


def bank_export_csv(*, owner: User) -> str:
    """The owner's bank in the CSV import format. Raises ExportNeedsJson for code questions."""
    return bank_csv_write(bank_export_json(owner=owner)["questions"])
