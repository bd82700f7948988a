"""The demo contest that `make run` loads."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from rooms.models import Contest

pytestmark = pytest.mark.django_db


def _demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_loads_once_and_prints_a_working_login_and_join_code() -> None:
    first, second = _demo(), _demo()
    assert Contest.objects.count() == 1
    code = re.search(r"Join code\s+: (\S+)", second).group(1)  # type: ignore[union-attr]
    username, password = re.search(r"login : (\S+) / (\S+)", second).groups()  # type: ignore[union-attr]
    assert code in first
    board = APIClient().get(f"/api/v1/public/{code}/leaderboard").json()
    assert len(board["teams"]) == 4
    assert len({team["score"] for team in board["teams"]}) > 1, "the demo teams have different points"
    token = APIClient().post("/api/v1/auth/token", {"username": username, "password": password}, format="json")
    assert token.status_code == 200
