"""The projector screen, /screen/<code>: the lobby with the join code and QR code, a board
that reorders itself as scores change, the live question (its answer only after the
reveal), the reveal after a freeze and the podium. At projector sizes the page is exactly
the screen (no scrollbars, nothing cut off); on a phone it never scrolls sideways; axe-core
finds nothing serious."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from rooms.live import live_action
from rooms.models import Contest, Round
from rooms.services import announcement_post, contest_transition
from scoring.freeze import contest_freeze, contest_unfreeze
from scoring.services import adjustment_create
from teams.models import Team
from tests.factories import contest_make, live_round, team_make

from .harness import SIZES, PageFactory, Size, assert_no_horizontal_scroll, axe_check, in_thread, screenshot

PROJECTOR_SIZES = (ViewportSize(width=1920, height=1080), ViewportSize(width=1280, height=720))
REVEAL_TIMEOUT_MS = 20_000  # a step every 1.5 s, then the true board for 4 s

MARS_CHOICES = ["Venus", "Mars", "Jupiter", "Mercury"]
MARS: dict[str, Any] = {
    "type": "choice",
    "prompt": "Which planet is known as the Red Planet?",
    "choices": MARS_CHOICES,
    "answer": [1],
    "points": 100,
    "time_limit_s": 120,
}

_FITS_JS = """
() => {
  const doc = document.documentElement;
  const problems = [];
  if (doc.scrollWidth > doc.clientWidth) problems.push(`scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
  if (doc.scrollHeight > doc.clientHeight) problems.push(`scrolls down: ${doc.scrollHeight} > ${doc.clientHeight}`);
  const board = document.querySelector(".board");
  if (board && board.offsetParent) {
    const bottom = board.getBoundingClientRect().bottom + 1;
    for (const row of board.querySelectorAll(".board-row")) {
      if (row.getBoundingClientRect().bottom > bottom) problems.push(`row cut off: ${row.textContent}`);
    }
  }
  for (const panel of document.querySelectorAll(".question-panel, .lobby-teams, .podium")) {
    if (panel.offsetParent && panel.scrollHeight > panel.clientHeight + 1) {
      problems.push(`${panel.className} overflows: ${panel.scrollHeight} > ${panel.clientHeight}`);
    }
  }
  return problems;
}
"""


def assert_fits_the_screen(page: Page) -> None:
    """No scrollbars, and no board row or panel cut off at the bottom."""
    problems = page.evaluate(_FITS_JS)
    assert not problems, f"{page.url} at {page.viewport_size}: " + "; ".join(problems)


def look_at(page: Page, name: str, size: Size) -> None:
    """Screenshots at this size (and on the desktop at 1280x720 too), checking that the
    projector sizes fit the screen and that a phone never scrolls sideways."""
    if size == "phone":
        screenshot(page, name)
        assert_no_horizontal_scroll(page)
        return
    for viewport in PROJECTOR_SIZES:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)  # the board fits its rows to the new size
        screenshot(page, name, full_page=False)
        assert_fits_the_screen(page)
        assert_no_horizontal_scroll(page)
    page.set_viewport_size(PROJECTOR_SIZES[0])


def board_names(page: Page) -> Any:
    return page.locator(".board-row .name")


def _running(names: list[str]) -> tuple[Contest, list[Team]]:
    contest = contest_make(title="Friday Night Quiz", settings={"starting_points": 0})
    return contest, [team_make(contest=contest, name=name) for name in names]


def _adjust(team: Team, points: int) -> None:
    adjustment_create(team=team, points=points, reason="screen test", author=team.contest.owner)


@pytest.mark.parametrize("size", SIZES)
def test_the_lobby_shows_the_code_the_link_and_the_qr_code(
    page_for: PageFactory, live_server_url: str, size: Size
) -> None:
    contest = in_thread(contest_make, title="Friday Night Quiz", status="lobby")
    in_thread(team_make, contest=contest, name="Quizzly Bears")
    page = page_for(size)
    page.goto(f"/screen/{contest.code}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Friday Night Quiz")
    expect(page.locator(".join-code")).to_contain_text(contest.display_code)
    expect(page.locator(".big-url")).to_have_text(f"{live_server_url}/play/{contest.display_code}")
    qr = page.get_by_role("img", name=re.compile("QR code to join"))
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", f"/screen/{contest.display_code}/join.svg")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    expect(page.locator(".arrivals")).to_contain_text("Quizzly Bears")

    in_thread(team_make, contest=contest, name="The Know-It-Owls")  # arrives while the screen watches
    expect(page.locator(".arrivals .newest")).to_have_text("The Know-It-Owls")
    expect(page.locator(".arrivals-count")).to_have_text("2 teams have joined")

    look_at(page, "screen-lobby", size)
    axe_check(page)


def test_the_board_reorders_itself_when_a_score_changes(page_for: PageFactory, live_server_url: str) -> None:
    contest, teams = in_thread(_running, ["Ada's Team", "Bo's Team", "Cy's Team"])
    page = page_for("desktop")
    page.goto(f"/screen/{contest.code}")
    expect(board_names(page)).to_have_text(["Ada's Team", "Bo's Team", "Cy's Team"])
    page.evaluate("() => { window.sameDocument = true; }")

    in_thread(_adjust, teams[2], 250)
    expect(board_names(page)).to_have_text(["Cy's Team", "Ada's Team", "Bo's Team"])
    expect(page.locator(".board-row").first.locator(".score")).to_have_text("250 points")
    in_thread(_adjust, teams[1], 300)
    expect(board_names(page)).to_have_text(["Bo's Team", "Cy's Team", "Ada's Team"])
    assert page.evaluate("() => window.sameDocument") is True, "the screen reloaded instead of updating"
    expect(page.locator(".board-row .rank")).to_have_text(["1", "2", "3"])

    in_thread(announcement_post, contest=contest, text="Five-minute break")
    expect(page.get_by_role("complementary", name="Announcement")).to_contain_text("Five-minute break")
    look_at(page, "screen-board", "desktop")
    axe_check(page)


def _live_question(contest: Contest) -> Round:
    round_ = live_round(contest, questions=[MARS])
    live_action(round_=round_, action="next")
    return round_


@pytest.mark.parametrize("size", SIZES)
def test_the_live_question_shows_its_answer_only_after_the_reveal(
    page_for: PageFactory, live_server_url: str, size: Size
) -> None:
    contest, _ = in_thread(_running, [f"Team {n}" for n in range(1, 13)])
    round_ = in_thread(_live_question, contest)
    page = page_for(size)
    page.goto(f"/screen/{contest.code}")

    panel = page.locator(".question-panel")
    expect(panel.locator(".q-prompt")).to_have_text(str(MARS["prompt"]))
    expect(panel.locator(".choice-text")).to_have_text(MARS_CHOICES)
    expect(panel.get_by_role("timer")).to_have_text(re.compile(r"^(1:[0-5]\d|2:00|\d{1,2})$"))
    expect(panel.locator(".q-answer")).to_have_count(0)
    expect(panel.locator(".choice.correct")).to_have_count(0)
    look_at(page, "screen-question", size)
    axe_check(page)

    in_thread(live_action, round_=round_, action="pause")
    expect(panel.get_by_role("timer")).to_contain_text("Paused")
    in_thread(live_action, round_=round_, action="close")
    expect(panel.get_by_role("timer")).to_have_text("Time's up")
    expect(panel.locator(".q-answer")).to_have_count(0)

    in_thread(live_action, round_=round_, action="reveal")
    expect(panel.locator(".q-answer-text")).to_have_text("B: Mars")
    expect(panel.locator(".choice.correct .choice-text")).to_have_text("Mars")
    look_at(page, "screen-revealed", size)
    axe_check(page)


def _freeze_and_hide(contest: Contest, teams: list[Team]) -> None:
    contest_freeze(contest=contest)
    _adjust(teams[3], 400)  # last → first, unseen until the reveal
    _adjust(teams[2], 150)


def test_the_reveal_after_a_freeze_then_the_podium(page_for: PageFactory, live_server_url: str) -> None:
    contest, teams = in_thread(_running, ["Ada's Team", "Bo's Team", "Cy's Team", "Di's Team"])
    in_thread(_adjust, teams[0], 100)
    page = page_for("desktop")
    page.goto(f"/screen/{contest.code}")
    expect(board_names(page)).to_have_text(["Ada's Team", "Bo's Team", "Cy's Team", "Di's Team"])

    in_thread(_freeze_and_hide, contest, teams)
    expect(page.locator(".banner")).to_contain_text("Leaderboard frozen")
    page.wait_for_timeout(600)  # a board push during the freeze must not show the hidden points
    expect(board_names(page)).to_have_text(["Ada's Team", "Bo's Team", "Cy's Team", "Di's Team"])
    look_at(page, "screen-frozen", "desktop")

    in_thread(contest_unfreeze, contest=contest)
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Reveal 1 of 2")
    expect(banner).to_contain_text("Di's Team")
    expect(page.locator(".board-row.highlight .name")).to_have_text("Di's Team")
    screenshot(page, "screen-reveal", full_page=False)
    axe_check(page)
    expect(banner).to_contain_text("Reveal 2 of 2", timeout=REVEAL_TIMEOUT_MS)
    expect(banner).to_contain_text("Cy's Team")
    expect(board_names(page)).to_have_text(
        ["Di's Team", "Cy's Team", "Ada's Team", "Bo's Team"], timeout=REVEAL_TIMEOUT_MS
    )

    in_thread(contest_transition, contest=contest, action="finish")
    podium = page.get_by_role("region", name=re.compile("the winners"))
    expect(podium).to_be_visible(timeout=REVEAL_TIMEOUT_MS)
    expect(podium.locator(".podium-name")).to_have_text(
        ["First place: Di's Team", "Second place: Cy's Team", "Third place: Ada's Team"]
    )
    page.wait_for_timeout(1000)  # the podium has risen
    look_at(page, "screen-podium", "desktop")
    axe_check(page)


def test_an_unknown_code_says_so(page_for: PageFactory, live_server_url: str) -> None:
    page = page_for("desktop")
    page.goto("/screen/ZZZZ-ZZZZ")
    expect(page.get_by_role("heading", level=1)).to_have_text("No quiz with this code")
    expect(page.get_by_text("ZZZZ-ZZZZ")).to_be_visible()
    assert_fits_the_screen(page)
    axe_check(page)
