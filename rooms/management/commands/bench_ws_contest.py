"""Create the WebSocket fan-out benchmark contest, its teams and their claims; print JSON.

k6/ws_bench.py measures the time from an answer's 2xx to the leaderboard push on every
socket. To keep the answers at a steady rate with nothing else in flight, every team is
made here, before any socket connects, and already holds the pool questions it will
answer: during the measurement the client only POSTs answers. The round therefore has no
claim limit (bench_contest's round allows one held claim per team).

Teams and claims go through the same services as the HTTP API (`team_join`,
`claim_next`), so the event log and the snapshots are what a real contest would hold.
Meant for a fresh database (k6/ws_run.sh makes one per configuration): it always creates
a new contest.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rooms import services
from rooms.models import Contest, Round, RoundKind
from rooms.question_types import question_definition_validate
from teams.services import claim_next, team_join

from .bench_contest import BATCH, BENCH_ANSWER, BENCH_QUESTION, BENCH_USER

WS_TITLE = "WebSocket fan-out benchmark"
WS_ROUND = "Fan-out pool"


class Command(BaseCommand):
    help = "Create the WebSocket benchmark contest with --teams teams holding --claims claims each; print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=400, help="Teams to register (default 400).")
        parser.add_argument("--claims", type=int, default=9, help="Pool questions each team holds (default 9).")
        parser.add_argument("--spare", type=int, default=1000, help="Unclaimed questions left in the pool.")

    def handle(self, *args: Any, **options: Any) -> None:
        teams, claims, spare = options["teams"], options["claims"], options["spare"]
        if teams < 1 or claims < 1 or spare < 0:
            raise CommandError("--teams and --claims must be at least 1, --spare at least 0.")
        contest, round_ = self._contest(questions=teams * claims + spare)
        # Claims go round-robin over the teams, as they would arrive from many devices.
        joined = [self._join(contest, index) for index in range(teams)]
        for _ in range(claims):
            for team in joined:
                claim = claim_next(team=team["object"], round_id=round_.pk)
                team["questions"].append(claim.question_id)
        for team in joined:
            del team["object"]
        result = {"code": contest.display_code, "round": round_.pk, "answer": BENCH_ANSWER, "teams": joined}
        self.stdout.write(json.dumps(result))

    def _contest(self, *, questions: int) -> tuple[Contest, Round]:
        """A running contest with one active, exclusive pool round without a claim limit."""
        user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        contest = services.contest_create(owner=user, title=WS_TITLE, settings={"starting_points": 1000})
        round_ = services.round_create(
            contest=contest, kind=RoundKind.POOL, title=WS_ROUND, exclusive=True, claim_limit=None
        )
        definition = question_definition_validate(BENCH_QUESTION)
        for start in range(0, questions, BATCH):
            services.questions_create(round_=round_, definitions=[definition] * min(BATCH, questions - start))
        contest = services.contest_transition(contest=contest, action="open")
        contest = services.contest_transition(contest=contest, action="start")
        services.round_transition(round_=round_, action="start")
        return contest, round_

    def _join(self, contest: Contest, index: int) -> dict[str, Any]:
        team, token = team_join(code=contest.display_code, team_name=f"ws team {index:04d}", members=["bench"])
        return {"id": team.pk, "name": team.name, "token": token, "questions": [], "object": team}
