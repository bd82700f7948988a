"""Operations: probes, the OpenAPI schema and docs, the admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from prometheus_client import CollectorRegistry

from rooms.metrics import GameStateCollector
from scoring.models import ScoreEvent

from .factories import contest_make, team_make, user_make

pytestmark = pytest.mark.django_db


def test_probes_report_alive_and_ready_with_database_migrations_and_redis() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


def test_the_openapi_schema_generates_without_a_single_warning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/join", "/api/v1/me/answers", "/api/v1/me/mystery", "/api/v1/contests/{contest_id}/{action}"):
        assert f"  {path}:" in schema
    assert "idempotency_key_reused" in schema and "pool_empty" in schema


def test_the_schema_says_the_api_version_the_changelog_ends_at(tmp_path) -> None:  # type: ignore[no-untyped-def]
    changelog = (Path(__file__).resolve().parent.parent / "docs" / "API_CHANGELOG.md").read_text()
    newest = re.search(r"^## (\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert newest is not None
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    assert f"  version: {newest.group(1)}" in target.read_text()


def test_the_api_docs_page_loads_its_assets_from_this_server() -> None:
    html = Client().get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources


def test_every_model_has_an_admin_and_the_ledger_is_read_only() -> None:
    for app in ("rooms", "teams", "scoring"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model.__name__
    request = RequestFactory().get("/admin/")
    request.user = user_make(is_superuser=True, is_staff=True)
    ledger_admin = admin.site._registry[ScoreEvent]
    assert not ledger_admin.has_add_permission(request)
    assert not ledger_admin.has_change_permission(request)
    assert not ledger_admin.has_delete_permission(request)


def test_metrics_expose_request_timings_and_the_game_state(settings) -> None:  # type: ignore[no-untyped-def]
    contest = contest_make()
    team_make(contest=contest)
    Client().get("/healthz")
    body = Client().get("/metrics").content.decode()
    assert 'quizserver_http_request_seconds_count{method="GET",route="healthz",status="200"}' in body
    assert 'quizserver_contests{status="running"} 1.0' in body
    assert 'quizserver_teams{status="active"} 1.0' in body
    assert 'quizserver_ledger_rows{reason="starting_points"} 1.0' in body


def test_metrics_want_the_token_when_one_is_set(settings) -> None:  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = "scrape-secret"
    refused = Client().get("/metrics")
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200


def test_registering_the_game_state_collector_runs_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # Registration happens when the module is imported, possibly before any database exists
    # (makemigrations --check on a fresh machine).
    with django_assert_num_queries(0):
        CollectorRegistry().register(GameStateCollector())
