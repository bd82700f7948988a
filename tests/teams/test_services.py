"""Claims from pool rounds: Guarantee 1, no question held by two teams."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from teams.models import Claim

from ..factories import contest_make, pool_round, team_client, team_make

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 200
POOL = 100


def test_200_teams_racing_for_100_exclusive_questions_get_each_question_once() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=POOL, exclusive=True, claim_limit=1)
    clients = [team_client(team_make(contest=contest)) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def claim(client) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=60)
            response = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json")
            body = response.json()
            with lock:
                outcomes.append((response.status_code, body.get("code", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    tally = Counter(outcomes)
    assert tally == {(201, ""): POOL, (409, "pool_empty"): THREADS - POOL}, tally
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT question_id FROM teams_claim GROUP BY question_id HAVING count(*) > 1) d"
        )
        assert cursor.fetchone()[0] == 0
    assert Claim.objects.values("question").distinct().count() == POOL
    assert Claim.objects.values("team").distinct().count() == POOL
