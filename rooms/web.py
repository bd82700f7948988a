"""The three browser apps' pages: team play, the quizmaster console, the projector screen.

Each page is a shell: a template with the app's script, which talks to the HTTP API and the
contest socket like any other client. Everything they load is served from here (events run
on venue networks without the internet).
"""

from __future__ import annotations

import io

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .selectors import contest_by_code


@require_GET
def play(request: HttpRequest, code: str = "") -> HttpResponse:
    """The team app; /play/<code> is the link (and QR code) on the projector."""
    return render(request, "rooms/play.html", {"code": code})


@require_GET
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "rooms/console.html")


@require_GET
def screen(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "rooms/screen.html", {"code": code})


@require_GET
@cache_control(max_age=3600, public=True)
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    """A QR code of the contest's join link, as SVG, for the projector's lobby."""
    contest = contest_by_code(code=code)
    link = request.build_absolute_uri(f"/play/{contest.display_code}")
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")
