"""Prometheus metrics at /metrics: request counts and latencies of this process, and the
state of every contest, read from the database at scrape time.

With several processes behind one address, set PROMETHEUS_MULTIPROC_DIR (an empty
directory shared by the processes) so that any process answers for all of them.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

REQUEST_SECONDS = Histogram(
    "quizserver_http_request_seconds",
    "Time to answer an HTTP request, by route, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestMetricsMiddleware:
    """Times every request; labelled by URL route name, so the label set stays small."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = (match.url_name or match.view_name) if match else "unmatched"
        REQUEST_SECONDS.labels(route, request.method or "", str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


class GameStateCollector(Collector):
    """Counts of contests, teams, answers, claims and ledger rows, read at scrape time."""

    FAMILIES = (
        ("quizserver_contests", "Contests by status.", "status"),
        ("quizserver_teams", "Teams by status.", "status"),
        ("quizserver_answers", "Answers by scoring status.", "status"),
        ("quizserver_claims", "Claims by kind.", "kind"),
        ("quizserver_ledger_rows", "Points ledger rows by reason.", "reason"),
    )

    def describe(self) -> Iterator[Metric]:
        """The families without samples: registering a collector must not query the database
        (it happens at import, when there may be no database yet)."""
        for name, documentation, label in self.FAMILIES:
            yield GaugeMetricFamily(name, documentation, labels=[label])
        yield GaugeMetricFamily("quizserver_contest_events", "Contest event log rows.")

    def collect(self) -> Iterator[Metric]:
        from rooms.models import Contest, ContestEvent
        from scoring.models import Answer, ScoreEvent
        from teams.models import Claim, Team

        managers = (Contest.objects, Team.objects, Answer.objects, Claim.objects, ScoreEvent.objects)
        for (name, documentation, label), manager in zip(self.FAMILIES, managers, strict=True):
            yield _by(name, documentation, manager, label)
        events = GaugeMetricFamily("quizserver_contest_events", "Contest event log rows.")
        events.add_metric([], ContestEvent.objects.count())
        yield events


def _by(name: str, documentation: str, manager: object, field: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[field])
    for row in manager.values(field).annotate(n=Count("id")).order_by(field):  # type: ignore[attr-defined]
        family.add_metric([row[field]], row["n"])
    return family


# In one process, the default registry (this module's histogram, process metrics) plus
# the game state; registered once, when the module is first imported.
REGISTRY.register(GameStateCollector())


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(GameStateCollector())
    return registry


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format. With METRICS_TOKEN set, scrapers send it as a bearer token."""
    token = settings.METRICS_TOKEN
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return JsonResponse(
            {"code": "not_authenticated", "detail": "Send Authorization: Bearer <METRICS_TOKEN>.", "fields": {}},
            status=401,
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
