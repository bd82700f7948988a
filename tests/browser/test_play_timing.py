"""The team app keeps time, and keeps out of the way: what a team member is typing (and
where the caret is) survives every push that arrives meanwhile; a paused question says
plainly how long is left; "10 seconds left" is said again after the quizmaster adds time;
an announcement's banner goes away on time without any other push."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from rooms.live import live_action
from rooms.models import Contest, ContestEvent, Round
from rooms.services import announcement_post
from scoring.services import answer_submit
from teams.services import claim_next, team_accommodate
from tests.factories import contest_make, live_round, pool_round, team_make

from .harness import PageFactory, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_play import question_card

RIVER = {"type": "text", "prompt": "Which river runs through Paris?", "answer": ["Seine"], "points": 100}
CAPITAL = {"type": "text", "prompt": "What is the capital of Italy?", "answer": ["Rome"], "points": 100}
MOUNTAIN = {"type": "text", "prompt": "What is the highest mountain in the Alps?", "answer": ["Mont Blanc"]}
LIVE_RIVER = {**RIVER, "time_limit_s": 120}


def _team_page(page_for: PageFactory, contest: Contest, team: Any) -> Page:
    page = page_for("phone")
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    page.goto(f"/play/{contest.code}#t={team.raw_token}")
    expect(page.locator(".connection")).to_have_text("Live")
    return page


# Everything the page says to screen readers, in order (announce() replaces the live
# region's text, so a quick second announcement would hide the first from a plain read).
RECORD_ANNOUNCEMENTS = """
window.said = [];
document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("live-region");
  new MutationObserver(() => window.said.push(region.textContent))
    .observe(region, {childList: true, characterData: true, subtree: true});
});
"""


def _said(page: Page) -> list[str]:
    said: list[str] = page.evaluate("() => window.said")
    return said


def _caret(field: Locator) -> dict[str, Any]:
    """The field's value, whether it has the focus, and where its caret is."""
    result: dict[str, Any] = field.evaluate(
        "node => ({value: node.value, focused: document.activeElement === node,"
        " start: node.selectionStart, end: node.selectionEnd})"
    )
    return result


def _assert_still_typing(field: Locator, value: str, caret: int) -> None:
    __tracebackhide__ = True
    assert _caret(field) == {"value": value, "focused": True, "start": caret, "end": caret}


def _pool_contest() -> tuple[Contest, Round, Any, Any]:
    contest = contest_make(settings={"starting_points": 100})
    round_ = pool_round(contest, questions=[RIVER, CAPITAL, MOUNTAIN], title="Europe Pool", claim_limit=None)
    return contest, round_, team_make(contest=contest, name="Typists"), team_make(contest=contest, name="Rivals")


def _rival_answers(team: Any, round_: Round) -> None:
    """Another team claims a question and gets it right: the board changes for everyone."""
    claim = claim_next(team=team, round_id=round_.pk)
    answer_submit(team=team, question_id=claim.question_id, payload="Rome", idempotency_key="rival-1")


def _teammate_claims_and_answers(team: Any, round_: Round) -> None:
    """A teammate's device claims the next question and answers it (wrong)."""
    claim = claim_next(team=team, round_id=round_.pk)
    answer_submit(team=team, question_id=claim.question_id, payload="Matterhorn", idempotency_key="mate-1")


def test_typing_survives_every_push(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_, team, rival = in_thread(_pool_contest)
    page = _team_page(page_for, contest, team)
    board = page.locator(".board-panel details")
    board.locator("summary").click()  # someone opened the leaderboard: it stays open
    page.get_by_role("button", name="Claim the next question").click()
    card = question_card(page, "river runs")
    field = card.get_by_label("Your answer")
    field.click()
    page.keyboard.type("the Sne")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # the caret after "the S": a typo being fixed
    _assert_still_typing(field, "the Sne", 5)

    # Another team answers: leaderboard and standing pushes.
    in_thread(_rival_answers, rival, round_)
    expect(page.locator(".board li", has_text="Rivals")).to_contain_text("200")
    _assert_still_typing(field, "the Sne", 5)
    page.keyboard.type("ei")
    _assert_still_typing(field, "the Seine", 7)

    # The quizmaster announces something: banner, announcements panel, live region.
    in_thread(announcement_post, contest=contest, text="Drinks are on the house")
    expect(page.locator(".announcement-banner")).to_contain_text("Drinks are on the house")
    _assert_still_typing(field, "the Seine", 7)

    # A teammate claims a question on another device, then answers it.
    in_thread(_teammate_claims_and_answers, team, round_)
    mountain = question_card(page, "highest mountain")
    expect(mountain.locator(".feedback")).to_contain_text("Wrong answer")
    expect(mountain.locator(".feedback")).to_contain_text("locked in (on this or another device)")
    _assert_still_typing(field, "the Seine", 7)
    page.keyboard.press("End")
    page.keyboard.type(" river")
    _assert_still_typing(field, "the Seine river", 15)

    expect(board).to_have_attribute("open", "")
    expect(board.locator("summary")).to_have_text("Leaderboard · top 2 of 2")
    screenshot(page, "play-typing-through-pushes")
    assert_no_horizontal_scroll(page)
    axe_check(page)

    card.get_by_role("button", name="Lock in answer").click()
    expect(card.locator(".feedback")).to_contain_text("Your team answered: the Seine river")


def _live_contest(*, time_limit_s: int) -> tuple[Contest, Round, Any]:
    contest = contest_make()
    round_ = live_round(contest, questions=[{**LIVE_RIVER, "time_limit_s": time_limit_s}])
    return contest, round_, team_make(contest=contest, name="Clockwatchers")


def test_a_pause_gives_back_the_caret_and_says_the_time_plainly(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_, team = in_thread(_live_contest, time_limit_s=90)
    page = _team_page(page_for, contest, team)
    in_thread(live_action, round_=round_, action="next")
    card = question_card(page, "river runs")
    field = card.get_by_label("Your answer")
    field.click()
    page.keyboard.type("Sine")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _assert_still_typing(field, "Sine", 1)
    in_thread(announcement_post, contest=contest, text="Five minutes to the break")
    expect(page.locator(".announcement-banner")).to_be_visible()
    in_thread(live_action, round_=round_, action="extend", seconds=10)
    expect(page.locator("#live-region")).to_have_text("More time was added.")
    _assert_still_typing(field, "Sine", 1)

    in_thread(live_action, round_=round_, action="pause")
    status = page.locator(".live-status")
    expect(status).to_have_text(re.compile(r"^Paused by the quizmaster — 1:(3\d|40) left when it resumes\.$"))
    expect(field).to_be_disabled()
    in_thread(live_action, round_=round_, action="extend", seconds=30)
    expect(status).to_have_text(re.compile(r"^Paused by the quizmaster — 2:(0\d|10) left when it resumes\.$"))
    screenshot(page, "play-live-paused")
    axe_check(page)

    in_thread(live_action, round_=round_, action="resume")
    expect(field).to_be_enabled()
    expect(field).to_be_focused()  # back where the person was typing
    _assert_still_typing(field, "Sine", 1)
    page.keyboard.type("e")
    _assert_still_typing(field, "Seine", 2)


def test_a_short_pause_says_seconds(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_, team = in_thread(_live_contest, time_limit_s=45)
    page = _team_page(page_for, contest, team)
    in_thread(live_action, round_=round_, action="next")
    expect(question_card(page, "river runs")).to_be_visible()
    in_thread(live_action, round_=round_, action="pause")
    expect(page.locator(".live-status")).to_have_text(
        re.compile(r"^Paused by the quizmaster — 4\d seconds left when it resumes\.$")
    )


def _live_contest_with_extra_time() -> tuple[Contest, Round, Any]:
    contest = contest_make()
    round_ = live_round(contest, questions=[{**LIVE_RIVER, "time_limit_s": 50}])
    team = team_make(contest=contest, name="Extra Timers")
    token = team.raw_token  # type: ignore[attr-defined]
    team = team_accommodate(team=team, extra_time_s=20)
    team.raw_token = token  # type: ignore[attr-defined]
    return contest, round_, team


def test_a_paused_clock_counts_the_teams_extra_time(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_, team = in_thread(_live_contest_with_extra_time)
    page = _team_page(page_for, contest, team)
    in_thread(live_action, round_=round_, action="next")
    clock = page.locator(".live-clock")
    expect(clock).to_have_text(re.compile(r"^1:(0\d|10)$"))  # 50 s + 20 s extra
    in_thread(live_action, round_=round_, action="pause")
    expect(page.locator(".live-status")).to_have_text(
        re.compile(r"^Paused by the quizmaster — 1:(0\d|10) left when it resumes\.$")
    )
    expect(clock).to_have_text(re.compile(r"^1:(0\d|10)$"))  # not the question's own 50 s
    page.reload()
    expect(page.locator(".connection")).to_have_text("Live")
    expect(clock).to_have_text(re.compile(r"^1:(0\d|10)$"))
    in_thread(live_action, round_=round_, action="resume")
    expect(page.locator(".live-status")).to_contain_text("your team has 20 seconds extra")
    expect(clock).to_have_text(re.compile(r"^1:(0\d|10)$"))


def test_ten_seconds_left_is_said_again_after_more_time(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_, team = in_thread(_live_contest, time_limit_s=11)
    page = _team_page(page_for, contest, team)
    said = page.locator("#live-region")
    in_thread(live_action, round_=round_, action="next")
    expect(said).to_have_text("10 seconds left.", timeout=5_000)
    in_thread(live_action, round_=round_, action="extend", seconds=5)
    expect(said).to_have_text("More time was added.")
    expect(page.locator(".live-clock")).to_have_text(re.compile(r"^1[1-5]$"))
    expect(said).to_have_text("10 seconds left.", timeout=8_000)
    assert _said(page).count("10 seconds left.") == 2


def _backdated_announcement(contest: Contest, text: str, age_s: float) -> None:
    """An announcement made `age_s` seconds ago (the banner shows one for 120 s)."""
    event = announcement_post(contest=contest, text=text)
    ContestEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(seconds=age_s))


def test_an_announcement_banner_goes_on_time_without_another_push(page_for: PageFactory, live_server_url: str) -> None:
    contest, _, team, _ = in_thread(_pool_contest)
    in_thread(_backdated_announcement, contest, "Round two starts at nine", 116)
    page = _team_page(page_for, contest, team)
    banner = page.locator(".announcement-banner")
    expect(banner).to_have_text("Announcement: Round two starts at nine")
    expect(banner).to_be_hidden(timeout=8_000)  # nothing else is pushed meanwhile
    expect(page.locator(".announcements")).to_contain_text("Round two starts at nine")  # still listed
