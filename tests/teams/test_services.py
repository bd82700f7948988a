"""Claims from pool rounds: Guarantee 1, no question held by two teams."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from django.db import IntegrityError, connection, transaction

from teams.models import Claim

from ..concurrency import post_outcome, race
from ..factories import contest_make, pool_round, questions_of, team_client, team_make

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 200
POOL = 100


def test_200_teams_racing_for_100_exclusive_questions_get_each_question_once() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=POOL, exclusive=True, claim_limit=1)
    clients = [team_client(team_make(contest=contest)) for _ in range(THREADS)]

    outcomes = race([partial(post_outcome, c, "/api/v1/me/claims", {"round": round_.pk}) for c in clients])

    assert Counter(outcomes) == {(201, ""): POOL, (409, "pool_empty"): THREADS - POOL}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT question_id FROM teams_claim GROUP BY question_id HAVING count(*) > 1) d"
        )
        assert cursor.fetchone()[0] == 0
    assert Claim.objects.values("question").distinct().count() == POOL
    assert Claim.objects.values("team").distinct().count() == POOL


def test_one_team_racing_itself_never_exceeds_its_claim_limit() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=20, exclusive=True, claim_limit=2)
    client = team_client(team_make(contest=contest))

    outcomes = race([partial(post_outcome, client, "/api/v1/me/claims", {"round": round_.pk}) for _ in range(10)])

    assert Counter(outcomes) == {(201, ""): 2, (409, "claim_limit_reached"): 8}


def test_the_database_refuses_a_second_claim_on_an_exclusive_question() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    first, second = team_make(contest=contest), team_make(contest=contest)
    question = questions_of(round_)[0]
    Claim.objects.create(team=first, question=question, round=round_, exclusive=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(team=second, question=question, round=round_, exclusive=True)
