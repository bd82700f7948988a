"""The contest socket of the browser apps (common/socket.js), on the projector screen:

- a connection that goes silent without a close (a network that died under it) is given
  up after SILENT_MS (45 s) and not before, the page reconnects, resumes from the heads it
  held (a replay, not a snapshot) and ends equal to the server, with what it missed;
- when the network comes back (`online`), a silent connection is given up within seconds;
- one lost message followed by a burst of events asks for one resync, not one per event
  (the server closes a socket that sends more than WS_MESSAGES_PER_10S frames);
- a lost connection is retried with a growing wait (1 s, 2 s, 4 s …), and the page says
  "Reconnecting…" all along, until it is live again.

The page's timers run on Playwright's clock (`page.clock`), so 45 s pass in an instant;
its socket goes through `page.route_web_socket`, which forwards every frame to the real
server and can drop them, both ways, to make a connection silent.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

from rooms.models import Contest
from rooms.services import announcement_post
from scoring.services import adjustment_create
from teams.models import Team
from tests.factories import contest_make, team_make

from .harness import PageFactory, in_thread

SILENT_MS = 45_000  # common/socket.js
SOCKET_URL = re.compile(r"/ws/v1/contests/")


@dataclass
class Connection:
    """One socket of the page, as Playwright relays it: every frame, each way."""

    sent: list[dict[str, Any]] = field(default_factory=list)  # page -> server
    received: list[dict[str, Any]] = field(default_factory=list)  # server -> page, relayed or not
    delivered: list[dict[str, Any]] = field(default_factory=list)  # server -> page, relayed
    silent: bool = False  # drop every frame, both ways, without closing anything
    drop_next_event: bool = False

    def of_type(self, kind: str, frames: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        return [frame for frame in (self.sent if frames is None else frames) if frame["type"] == kind]


@dataclass
class Tap:
    connections: list[Connection] = field(default_factory=list)
    refuse: bool = False  # new connections close at once (1001), as if the server were down


def tap_sockets(page: Page) -> Tap:
    """Relay the page's contest sockets to the server through Playwright, recording frames."""
    tap = Tap()

    def route(ws: WebSocketRoute) -> None:
        connection = Connection()
        tap.connections.append(connection)
        if tap.refuse:
            ws.close(code=1001, reason="server down")
            return
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            connection.sent.append(json.loads(message))
            if not connection.silent:
                server.send(message)

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            connection.received.append(frame)
            if connection.silent:
                return
            if connection.drop_next_event and "stream" in frame:
                connection.drop_next_event = False
                return
            connection.delivered.append(frame)
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(SOCKET_URL, route)
    return tap


def wait_until(page: Page, what: str, check: Callable[[], bool], timeout_s: float = 10) -> None:
    """Until `check()` holds; Playwright relays frames while the page is waited on."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        page.wait_for_timeout(50)


def _running(names: list[str]) -> tuple[Contest, list[Team]]:
    contest = contest_make(title="Friday Night Quiz", settings={"starting_points": 0})
    return contest, [team_make(contest=contest, name=name) for name in names]


def _adjust(team: Team, points: int) -> None:
    adjustment_create(team=team, points=points, reason="socket test", author=team.contest.owner)


def _announce(contest: Contest, *texts: str) -> None:
    for text in texts:
        announcement_post(contest=contest, text=text)


def _announcements(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["data"]["text"] for frame in frames if frame["type"] == "announcement"]


def _screen_live(page_for: PageFactory, contest: Contest) -> tuple[Page, Tap]:
    page = page_for("desktop")
    page.clock.install()
    tap = tap_sockets(page)
    page.goto(f"/screen/{contest.code}")
    expect(page.locator(".connection-text")).to_have_text("Live")
    return page, tap


def test_a_silent_connection_is_given_up_after_45_s_and_resumed(page_for: PageFactory, live_server_url: str) -> None:
    contest, teams = in_thread(_running, ["Ada's Team", "Bo's Team", "Cy's Team"])
    page, tap = _screen_live(page_for, contest)
    names = page.locator(".board-row .name")
    expect(names).to_have_text(["Ada's Team", "Bo's Team", "Cy's Team"])
    in_thread(_announce, contest, "Welcome to the quiz")
    expect(page.get_by_role("complementary", name="Announcement")).to_contain_text("Welcome to the quiz")
    first = tap.connections[0]
    held = max(frame["seq"] for frame in first.delivered if frame.get("stream") == "public")

    first.silent = True  # the network dies under the socket: no close, nothing either way
    in_thread(_announce, contest, "Missed while silent")
    in_thread(_adjust, teams[2], 500)
    wait_until(
        page, "the server sent what the page misses", lambda: "Missed while silent" in _announcements(first.received)
    )

    page.clock.fast_forward(SILENT_MS - 5_000)
    page.wait_for_timeout(500)
    assert len(tap.connections) == 1, "a connection silent for less than 45 s was given up"
    expect(page.locator(".connection-text")).to_have_text("Live")

    page.clock.fast_forward(10_000)  # past 45 s: given up, and a reconnect within its backoff
    page.clock.run_for(2_000)
    wait_until(page, "the page reconnected", lambda: len(tap.connections) == 2)
    second = tap.connections[1]
    wait_until(page, "the page resumed", lambda: bool(second.of_type("synced", second.delivered)))

    hello = second.sent[0]
    assert hello["type"] == "hello"
    assert hello["heads"] == {"public": held}, "the page resumes from the last event it applied"
    assert hello["epoch"] == first.delivered[0]["epoch"]
    assert not second.of_type("snapshot", second.delivered), "a resume replays; it does not start over"
    assert _announcements(second.delivered) == ["Missed while silent"]

    expect(page.locator(".connection-text")).to_have_text("Live")
    expect(names).to_have_text(["Cy's Team", "Ada's Team", "Bo's Team"])
    expect(page.locator(".board-row").first.locator(".score")).to_have_text("500 points")
    expect(page.get_by_role("complementary", name="Announcement")).to_contain_text("Missed while silent")


def test_a_silent_connection_is_given_up_within_seconds_when_the_network_returns(
    page_for: PageFactory, live_server_url: str
) -> None:
    contest, _ = in_thread(_running, ["Ada's Team"])
    page, tap = _screen_live(page_for, contest)
    tap.connections[0].silent = True
    page.clock.fast_forward(1_000)

    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.clock.fast_forward(4_000)
    page.wait_for_timeout(300)
    assert len(tap.connections) == 1, "an unanswered probe is given some seconds"
    page.clock.fast_forward(6_000)  # the probe went unanswered: 11 s in all, far below 45 s
    page.clock.run_for(2_000)
    wait_until(page, "the page reconnected", lambda: len(tap.connections) == 2)
    expect(page.locator(".connection-text")).to_have_text("Live")


def test_one_lost_event_before_a_burst_asks_for_one_resync(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_running, ["Ada's Team"])
    page, tap = _screen_live(page_for, contest)
    connection = tap.connections[0]
    connection.drop_next_event = True
    texts = [f"Notice {n}" for n in range(1, 26)]  # more frames than WS_MESSAGES_PER_10S (20)
    in_thread(_announce, contest, *texts)

    wait_until(page, "the page caught up", lambda: _announcements(connection.delivered)[-1:] == [texts[-1]])
    wait_until(page, "the replay ended", lambda: bool(connection.of_type("synced", connection.delivered)))
    page.wait_for_timeout(500)
    assert len(connection.of_type("resync")) == 1, "every event after the loss asked for its own resync"
    assert len(tap.connections) == 1, "the socket was closed"
    assert texts[0] in _announcements(connection.delivered), "the lost event was replayed"
    expect(page.locator(".connection-text")).to_have_text("Live")


def test_a_lost_connection_is_retried_with_a_growing_wait(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_running, ["Ada's Team"])
    page, tap = _screen_live(page_for, contest)
    label = page.locator(".connection-text")
    page.evaluate(
        """() => {
          const text = document.querySelector(".connection-text");
          window.labels = [];
          const record = () => window.labels.push(text.textContent);
          new MutationObserver(record).observe(text, { childList: true, characterData: true, subtree: true });
        }"""
    )
    tap.refuse = True
    tap.connections[0].silent = True
    # From here on, the page's time moves only when told (Python gives times in seconds).
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # the probe goes unanswered

    # A quarter second at a time: when the page went offline, and when it tried again.
    step_ms, lost_at = 250, None
    tries_at: list[int] = []
    for step in range(1, 100):
        page.clock.run_for(step_ms)
        page.wait_for_timeout(80)
        if lost_at is None and label.inner_text() == "Reconnecting…":
            lost_at = step
        if len(tap.connections) - 1 > len(tries_at):
            tries_at.append(step)
            page.wait_for_timeout(300)  # its close reaches the page before the clock moves on
        if len(tries_at) == 3:
            break
    assert lost_at is not None and len(tries_at) == 3, f"offline at step {lost_at}, tries at {tries_at}"
    gaps = [(b - a) * step_ms for a, b in zip([lost_at, *tries_at], tries_at, strict=False)]
    for wait, gap in zip((1_000, 2_000, 4_000), gaps, strict=True):
        assert wait * 0.75 - step_ms <= gap <= wait * 1.25 + step_ms, f"waits of 1, 2, 4 s (±25 %), not {gaps} ms"
    assert "Connecting…" not in page.evaluate("window.labels"), "the page said Connecting… between retries"

    tap.refuse = False
    page.clock.resume()
    page.clock.run_for(11_000)  # the next wait: 8 s, and a quarter more at most
    expect(label).to_have_text("Live")
