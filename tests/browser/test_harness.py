"""The browser harness itself: the live server with its worker, pages that exist today
(Django's admin login, the API docs), and tiny pages made to fail each check, which must
then fail."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import httpx
import pytest

from rooms.services import announcement_post
from tests.factories import contest_make, pool_round, team_make
from tests.scoring.test_judging import code_question

from .harness import (
    SIZES,
    ErrorLog,
    PageFactory,
    Size,
    assert_no_horizontal_scroll,
    axe_check,
    in_thread,
    screenshot,
)

TRANSPARENT_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
# A well-formed page, to which each test below adds one fault.
PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Harness</title></head>'
    "<body><main><h1>Harness</h1>{}</main></body></html>"
)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


@pytest.mark.parametrize("size", SIZES)
def test_the_admin_login_page(page_for: PageFactory, live_server_url: str, size: Size) -> None:
    # The admin declares no icon, so Chromium asks for /favicon.ico (once per browser).
    page = page_for(size, allow=[r"/favicon\.ico"])
    page.goto("/admin/login/")
    assert page.get_by_label("Username").is_visible()

    shot = screenshot(page, "admin-login")
    viewport = page.viewport_size
    assert viewport and shot.name == f"admin-login-{viewport['width']}x{viewport['height']}.png"
    width, height = png_size(shot)
    assert width == viewport["width"] and height >= viewport["height"]  # the whole page
    assert_no_horizontal_scroll(page)
    axe_check(page)  # Django's own page: one moderate finding (no <h1>), nothing serious


def test_the_api_docs_load_nothing_from_elsewhere(page_for: PageFactory, live_server_url: str) -> None:
    page = page_for("desktop", allow=[r"/favicon\.ico"])
    page.goto("/api/docs")
    page.get_by_text("quizserver API").first.wait_for()
    page.locator(".opblock").first.wait_for()  # the operations, rendered from /api/schema
    screenshot(page, "api-docs", full_page=False)


def test_axe_check_fails_on_a_serious_violation(page_for: PageFactory) -> None:
    page = page_for("desktop")
    page.set_content(PAGE.format(f'<img src="{TRANSPARENT_GIF}">'))
    with pytest.raises(AssertionError, match=r"\[critical\] image-alt: Images must have alternative text"):
        axe_check(page)

    page.set_content(PAGE.format(f'<img src="{TRANSPARENT_GIF}" alt="A dot">'))
    assert axe_check(page) == []


def test_assert_no_horizontal_scroll_names_what_is_too_wide(page_for: PageFactory) -> None:
    page = page_for("phone")
    page.set_content(PAGE.format('<table id="board" style="width: 600px"><tr><td>1</td></tr></table>'))
    with pytest.raises(AssertionError, match=r"scrolls sideways: \d+ px of content in 390 px(.|\n)*table#board"):
        assert_no_horizontal_scroll(page)

    page.set_content(PAGE.format("<p>Fits.</p>"))
    assert_no_horizontal_scroll(page)


def test_a_phone_page_without_a_viewport_tag_is_laid_out_too_wide(page_for: PageFactory) -> None:
    page = page_for("phone")
    page.set_content("<!doctype html><html lang='en'><title>No viewport</title><p>Hello</p></html>")
    with pytest.raises(AssertionError, match=r'laid out 980 px wide on a 390 px screen(.|\n)*name="viewport"'):
        assert_no_horizontal_scroll(page)


def test_console_and_uncaught_errors_fail_the_test(page_for: PageFactory) -> None:
    page = page_for("desktop")
    watch = page_for.watch(page)
    page.set_content(PAGE.format('<script>console.error("the socket broke")</script>'))
    page.set_content(PAGE.format('<script>throw new Error("undefined is not a function")</script>'))

    assert watch.problems() == [
        "console error: the socket broke",
        "uncaught error: undefined is not a function",
    ]
    with pytest.raises(AssertionError, match=r"(?s)about:blank.*the socket broke.*undefined is not a function"):
        page_for.assert_clean()  # what conftest.py does after every test
    watch.clear()
    page_for.assert_clean()


def test_a_load_from_another_origin_fails_the_test(page_for: PageFactory) -> None:
    page = page_for("phone")
    page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
    page.set_content(PAGE.format('<script src="https://cdn.example.invalid/lib.js"></script>'))

    problems = page_for.watch(page).problems()
    assert "loaded from another origin: GET https://cdn.example.invalid/lib.js" in problems
    page_for.watch(page).clear()


def test_failed_requests_to_the_server_fail_the_test_unless_allowed(
    page_for: PageFactory, live_server_url: str
) -> None:
    page = page_for("desktop")
    page.goto("/admin/login/")
    page.evaluate("() => fetch('/api/v1/no-such-thing')")
    watch = page_for.watch(page)
    assert f"HTTP 404: GET {live_server_url}/api/v1/no-such-thing" in watch.problems()

    watch.allow(r"/api/v1/no-such-thing", r"/favicon\.ico")  # a test that expects the 404 says so
    assert watch.problems() == []


# --- The live server -------------------------------------------------------------------

ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


def _code_round() -> tuple[str, int]:
    contest = contest_make()
    round_ = pool_round(contest, questions=[code_question()])
    return team_make(contest=contest).raw_token, round_.pk  # type: ignore[attr-defined]


def test_the_live_server_judges_code_on_its_worker(live_server_url: str) -> None:
    token, round_id = in_thread(_code_round)
    with httpx.Client(base_url=live_server_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        claimed = http.post("/api/v1/me/claims", json={"round": round_id})
        assert claimed.status_code == 201, claimed.json()
        answer = {
            "question": claimed.json()["claim"]["question"]["id"],
            "answer": {"language": "python", "source": ADD},
        }
        submitted = http.post("/api/v1/me/answers", json=answer, headers={"Idempotency-Key": "add"})
        assert submitted.status_code == 202, submitted.json()
        answer_id = submitted.json()["answer"]["id"]
        deadline = time.monotonic() + 60
        while (view := http.get(f"/api/v1/me/answers/{answer_id}").json())["judge"]["verdict"] is None:
            assert time.monotonic() < deadline, f"no verdict in 60 s: {view}"
            time.sleep(0.2)
    assert (view["judge"]["verdict"], view["correct"], view["points"]) == ("AC", True, 100)


_AUDIENCE_SOCKET_JS = """
code => new Promise((resolve, reject) => {
  const socket = new WebSocket(`ws://${location.host}/ws/v1/contests/${code}/`);
  window.received = [];
  socket.onopen = () => socket.send(JSON.stringify({type: "hello", audience: true}));
  socket.onmessage = event => {
    const message = JSON.parse(event.data);
    window.received.push(message);
    if (message.type === "snapshot") resolve(true);
  };
  socket.onerror = () => reject(new Error("socket error"));
})
"""


def test_a_service_run_in_thread_pushes_to_a_page(
    page_for: PageFactory, live_server_url: str, logged_errors: ErrorLog
) -> None:
    contest = in_thread(contest_make)
    page = page_for("desktop", allow=[r"/favicon\.ico"])
    page.goto("/admin/login/")  # any page of ours: the socket's origin must be the server's
    assert page.evaluate(_AUDIENCE_SOCKET_JS, contest.code) is True

    in_thread(announcement_post, contest=contest, text="Pens down in five minutes")
    page.wait_for_function("() => window.received.some(m => m.type === 'announcement')")

    # In the test's own thread, asgiref refuses to send from under Playwright's loop.
    announcement_post(contest=contest, text="Lost")
    with pytest.raises(AssertionError, match=r"use in_thread"):
        logged_errors.assert_none()
    logged_errors.clear()
