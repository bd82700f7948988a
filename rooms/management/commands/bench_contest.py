"""Create (once) the load-benchmark contest and print what k6 needs as JSON.

The contest is found by its fixed title: a running contest with one active, exclusive
pool round (claim limit 1) of `--questions` identical numeric questions. Run again, it
tops the round up to that many unclaimed questions and prints the same contest.

Fast on purpose: one definition is validated and reused, and the questions go in
through `questions_create` in large batches (a bulk INSERT each).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rooms import services
from rooms.models import Contest, ContestStatus, Round, RoundKind, RoundStatus
from rooms.question_types import question_definition_validate

BENCH_TITLE = "k6 load benchmark"
BENCH_USER = "bench"
BENCH_ROUND = "Bench pool"
BENCH_ANSWER = 42
BENCH_QUESTION = {
    "type": "numeric",
    "prompt": "Benchmark question: what is six times seven?",
    "answer": BENCH_ANSWER,
    "points": 10,
    "difficulty": "easy",
}
BATCH = 5000


class Command(BaseCommand):
    help = "Create the k6 benchmark contest (idempotent, by title) and print {code, round, answer} as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--questions",
            type=int,
            default=20_000,
            help="Unclaimed questions the pool round should hold (default 20000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: int = options["questions"]
        if wanted < 1:
            raise CommandError("--questions must be at least 1.")
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            contest = Contest.objects.filter(owner=user, title=BENCH_TITLE).order_by("id").first()
            if contest is None:
                contest = services.contest_create(owner=user, title=BENCH_TITLE, settings={"starting_points": 1000})
            round_ = self._pool_round(contest)
            missing = wanted - round_.questions.filter(mystery=False, taken=False).count()
            if missing > 0:
                definition = question_definition_validate(BENCH_QUESTION)
                for start in range(0, missing, BATCH):
                    count = min(BATCH, missing - start)
                    services.questions_create(round_=round_, definitions=[definition] * count)
            self._start(contest, round_)
        self.stdout.write(json.dumps({"code": contest.display_code, "round": round_.pk, "answer": BENCH_ANSWER}))

    def _pool_round(self, contest: Contest) -> Round:
        round_ = contest.rounds.filter(kind=RoundKind.POOL, title=BENCH_ROUND).first()
        if round_ is None:
            round_ = services.round_create(
                contest=contest, kind=RoundKind.POOL, title=BENCH_ROUND, exclusive=True, claim_limit=1
            )
        return round_

    def _start(self, contest: Contest, round_: Round) -> None:
        contest.refresh_from_db()
        if contest.status == ContestStatus.DRAFT:
            contest = services.contest_transition(contest=contest, action="open")
        if contest.status == ContestStatus.LOBBY:
            contest = services.contest_transition(contest=contest, action="start")
        if contest.status == ContestStatus.PAUSED:
            contest = services.contest_transition(contest=contest, action="resume")
        if contest.status != ContestStatus.RUNNING:
            raise CommandError(f"The benchmark contest is {contest.status}; delete it and run again.")
        round_.refresh_from_db()
        if round_.status == RoundStatus.PENDING:
            services.round_transition(round_=round_, action="start")
        elif round_.status != RoundStatus.ACTIVE:
            raise CommandError(f"The benchmark round is {round_.status}; delete the contest and run again.")
