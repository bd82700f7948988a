"""The projector's board for an event with more teams than the screen has rows: the top
three stay, and the rows below them page through every other place, one page every 10 s,
at 1920x1080 and 1280x720 without scrollbars. The socket pushes only the top ten; the
places below come from the public board, which is frozen during a freeze: a page never
shows points scored after the freeze, and during the reveal the pages stop.

Pages turn on Playwright's clock (`page.clock`): a test does not wait 10 s per page.
"""

from __future__ import annotations

import math
import re
import time

from playwright.sync_api import Page, expect

from rooms.models import Contest
from scoring.freeze import contest_freeze, contest_unfreeze
from scoring.services import adjustment_create
from teams.models import Team
from tests.factories import contest_make, team_make

from .harness import PageFactory, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_screen import PROJECTOR_SIZES, assert_fits_the_screen

PAGE_MS = 10_000  # screen/app.js
PINNED = 3
TEAMS = 30


def _thirty_teams() -> tuple[Contest, list[Team]]:
    """Team 1 first with 3000 points, … team 30 last with 100: every place is known."""
    contest = contest_make(title="County Quiz League", settings={"starting_points": 0})
    teams = [team_make(contest=contest, name=f"Team {n:02d}") for n in range(1, TEAMS + 1)]
    for n, team in enumerate(teams, start=1):
        adjustment_create(team=team, points=(TEAMS + 1 - n) * 100, reason="round 1", author=contest.owner)
    return contest, teams


def _rows(page: Page) -> list[tuple[int, str, str]]:
    rows = page.locator(".board-row").evaluate_all(
        """rows => rows.map(row => [
            Number(row.querySelector('.rank').textContent),
            row.querySelector('.name').textContent,
            row.querySelector('.score').firstChild.textContent,
        ])"""
    )
    return [(rank, name, score) for rank, name, score in rows]


def _page_text(page: Page) -> str:
    return page.locator(".board-more").inner_text()


def _pages_of_every_place(page: Page) -> tuple[int, int]:
    """Once the screen knows every place (the public board came): the page showing, and
    how many pages the rows it has make of 30 places."""
    deadline = time.monotonic() + 10
    while True:
        found = re.search(r"page (\d+) of (\d+)", _page_text(page))
        rows = page.locator(".board-row").count()
        if found and rows > PINNED and int(found.group(2)) == math.ceil((TEAMS - PINNED) / (rows - PINNED)):
            return int(found.group(1)), int(found.group(2))
        assert time.monotonic() < deadline, f"the board never paged through {TEAMS} places: {_page_text(page)!r}"
        page.wait_for_timeout(100)


def _through_the_pages(page: Page, name: str) -> dict[int, tuple[str, str]]:
    """Every page in turn, from the one showing: the places seen (rank -> name, score).
    Checks that each page fits the screen and keeps the top three."""
    start, pages = _pages_of_every_place(page)
    seen: dict[int, tuple[str, str]] = {}
    for turn in range(pages):
        number = (start - 1 + turn) % pages + 1
        expect(page.locator(".board-more")).to_contain_text(f"page {number} of {pages}")
        page.wait_for_timeout(100)  # rows leaving the page are gone
        rows = _rows(page)
        assert [rank for rank, _, _ in rows[:PINNED]] == [1, 2, 3], f"page {number} lost the top three: {rows}"
        ranks = [rank for rank, _, _ in rows[PINNED:]]
        assert ranks == list(range(ranks[0], ranks[0] + len(ranks))), f"page {number} is not consecutive: {rows}"
        expect(page.locator(".board-more")).to_contain_text(f"Places {ranks[0]}\u2013{ranks[-1]} of {TEAMS}")
        seen.update({rank: (team, score) for rank, team, score in rows})
        if turn < 2:
            screenshot(page, f"{name}-page-{number}", full_page=False)
        assert_fits_the_screen(page)
        assert_no_horizontal_scroll(page)
        page.clock.fast_forward(PAGE_MS)
    expect(page.locator(".board-more")).to_contain_text(f"page {start} of {pages}")  # and round again
    return seen


def _screen(page_for: PageFactory, contest: Contest) -> Page:
    page = page_for("desktop")
    page.clock.install()
    page.goto(f"/screen/{contest.code}")
    expect(page.locator(".connection-text")).to_have_text("Live")
    return page


def test_thirty_teams_page_through_every_place_at_projector_sizes(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_thirty_teams)
    page = _screen(page_for, contest)
    expected = {n: (f"Team {n:02d}", str((TEAMS + 1 - n) * 100)) for n in range(1, TEAMS + 1)}
    for viewport in PROJECTOR_SIZES:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)  # the board fits its rows to the new size
        rows = _rows(page)
        assert [rank for rank, _, _ in rows] == list(range(1, len(rows) + 1)), "the first page is the top"
        seen = _through_the_pages(page, f"screen-pages-{viewport['width']}")
        assert seen == expected, "some places never showed, or showed the wrong team or points"
    axe_check(page)

    # Stopped from the keyboard: the button shows only when focused.
    button = page.get_by_role("button", name="Stop turning pages")
    button.focus()
    expect(button).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Turn pages again")).to_have_attribute("aria-pressed", "true")
    before = _page_text(page)
    page.clock.fast_forward(PAGE_MS)
    page.wait_for_timeout(300)
    assert _page_text(page) == before, "the pages turned while stopped"


def _freeze_and_hide(contest: Contest, teams: list[Team]) -> None:
    contest_freeze(contest=contest)
    # 25th → 1st, and 12th gains a little: unseen until the reveal.
    adjustment_create(team=teams[24], points=5000, reason="hidden", author=contest.owner)
    adjustment_create(team=teams[11], points=40, reason="hidden", author=contest.owner)


def test_the_pages_show_the_frozen_board_and_stop_for_the_reveal(page_for: PageFactory, live_server_url: str) -> None:
    contest, teams = in_thread(_thirty_teams)
    page = _screen(page_for, contest)
    expected = {n: (f"Team {n:02d}", str((TEAMS + 1 - n) * 100)) for n in range(1, TEAMS + 1)}

    in_thread(_freeze_and_hide, contest, teams)
    expect(page.locator(".banner")).to_contain_text("Leaderboard frozen")  # and the board reread
    seen = _through_the_pages(page, "screen-pages-frozen")
    assert seen == expected, "a page showed points scored after the freeze"

    in_thread(contest_unfreeze, contest=contest)
    expect(page.locator(".banner")).to_contain_text(re.compile("reveal", re.IGNORECASE))
    expect(page.locator(".board-more")).not_to_contain_text("page")
    page.clock.fast_forward(PAGE_MS)
    page.wait_for_timeout(300)
    assert not re.search(r"page \d", _page_text(page)), "the pages turned during the reveal"
    places = [rank for rank, _, _ in _rows(page)]
    assert places == list(range(1, len(places) + 1)), "a page of places showed during the reveal"
