"""The team app keeps every device of a team, and every team, in step: what the team
answered shows on all its devices (live and after a reload), other teams' shops follow
the mystery boxes left, and the claim limit is said before the server has to refuse."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from rooms.models import Contest, Round
from tests.factories import contest_make, pool_round, team_make

from .harness import PageFactory, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_play import question_card

CAPITAL = {
    "type": "choice",
    "prompt": "What is the capital of France?",
    "choices": ["Lyon", "Paris", "Nice"],
    "answer": [1],
    "points": 100,
}
RIVER = {"type": "text", "prompt": "Which river runs through Paris?", "answer": ["Seine"], "points": 100}
TOWER = {"type": "numeric", "prompt": "How tall is the Eiffel Tower, in metres?", "answer": 330, "tolerance": 5}


def _two_device_contest() -> tuple[Contest, Round, Any]:
    contest = contest_make(settings={"starting_points": 100})
    round_ = pool_round(contest, questions=[CAPITAL, RIVER, TOWER], title="Paris Pool", claim_limit=2)
    return contest, round_, team_make(contest=contest, name="Left Bank")


def _team_page(page_for: PageFactory, size: Any, contest: Contest, team: Any) -> Page:
    """A device of the team, opened from its team link."""
    page = page_for(size)
    page.goto(f"/play/{contest.code}#t={team.raw_token}")
    expect(page.locator(".connection")).to_have_text("Live")
    return page


def test_every_device_shows_what_the_team_answered_and_the_claim_limit(
    page_for: PageFactory, live_server_url: str
) -> None:
    contest, _, team = in_thread(_two_device_contest)
    sender = _team_page(page_for, "desktop", contest, team)
    watcher = _team_page(page_for, "phone", contest, team)
    claim = watcher.get_by_role("button", name="Claim the next question")
    limit = watcher.locator(".claim-limit")
    expect(limit).to_have_text("You hold 0 of 2 questions.")

    claim.click()
    expect(limit).to_have_text("You hold 1 of 2 questions.")
    claim.click()
    expect(limit).to_contain_text("You hold 2 of 2 questions, the most this round allows: answer one")
    expect(claim).to_be_disabled()  # the limit is said, not left for the server to refuse
    expect(sender.get_by_role("button", name="Claim the next question")).to_be_disabled()
    screenshot(watcher, "play-claim-limit")
    axe_check(watcher)

    capital = question_card(sender, "capital of France")
    capital.get_by_text("Paris").click()
    capital.get_by_role("button", name="Lock in answer").click()
    expect(capital.locator(".feedback")).to_contain_text("Your team answered: B. Paris")
    river = question_card(sender, "river runs")
    river.get_by_label("Your answer").fill("  the Seine ")
    river.get_by_role("button", name="Lock in answer").click()
    expect(river.locator(".feedback")).to_contain_text("Your team answered: the Seine")

    # The other device, never reloaded: the team's answers, and the chosen choice marked.
    watched_capital = question_card(watcher, "capital of France")
    expect(watched_capital.locator(".feedback")).to_contain_text("Your team answered: B. Paris")
    expect(watched_capital.get_by_role("radio", name="Paris")).to_be_checked()
    expect(watched_capital.get_by_role("radio", name="Lyon")).not_to_be_checked()
    watched_river = question_card(watcher, "river runs")
    expect(watched_river.locator(".feedback")).to_contain_text("Your team answered: the Seine")
    expect(watched_river.get_by_label("Your answer")).to_have_value("the Seine")
    expect(limit).to_have_text("You hold 0 of 2 questions.")
    expect(claim).to_be_enabled()
    screenshot(watcher, "play-team-answered")
    assert_no_horizontal_scroll(watcher)
    axe_check(watcher)

    # After a reload, from the snapshot: answered questions list what the team answered.
    watcher.reload()
    expect(watcher.locator(".connection")).to_have_text("Live")
    watcher.get_by_text("Answered questions").click()
    answered = watcher.locator(".answered-list")
    expect(answered).to_contain_text("Your team answered: B. Paris")
    expect(answered).to_contain_text("Your team answered: the Seine")
    axe_check(watcher)


MYSTERY = [
    {"type": "text", "prompt": f"Mystery riddle {i}", "answer": ["x"], "mystery": True, "difficulty": "easy"}
    for i in range(2)
]


def _mystery_contest() -> tuple[Contest, Any, Any]:
    contest = contest_make(settings={"starting_points": 200})
    pool_round(
        contest,
        questions=[CAPITAL, *MYSTERY],
        title="Box Pool",
        mystery_boxes=[{"difficulty": "easy", "cost": 50, "reward": 150}],
    )
    return contest, team_make(contest=contest, name="Openers"), team_make(contest=contest, name="Watchers")


def test_another_teams_shop_follows_the_boxes_left(page_for: PageFactory, live_server_url: str) -> None:
    contest, opener_team, watcher_team = in_thread(_mystery_contest)
    opener = _team_page(page_for, "desktop", contest, opener_team)
    watcher = _team_page(page_for, "phone", contest, watcher_team)
    box = watcher.locator(".box")
    expect(box).to_contain_text("2 left")
    buy = opener.get_by_role("button", name="Open for 50 points")

    buy.click()
    expect(opener.locator(".shop-message")).to_contain_text("Box opened for 50 points")
    expect(box).to_contain_text("1 left")  # pushed to the other team, no reload
    expect(box.locator(".sold-out")).to_be_hidden()
    buy.click()
    expect(box).to_contain_text("none left")
    expect(box.locator(".sold-out")).to_have_text("Sold out")
    expect(watcher.get_by_role("button", name="Open for 50 points")).to_be_disabled()
    expect(opener.locator(".box .sold-out")).to_be_visible()
    screenshot(watcher, "play-shop-sold-out")
    assert_no_horizontal_scroll(watcher)
    axe_check(watcher)


ECHO_CODE = {
    "type": "code",
    "prompt": "Print the sum of two numbers",
    "languages": ["python"],
    "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}],
}
JUDGE_TIMEOUT_MS = 30_000  # a sandboxed run of each test by the live stack's judge worker
# Over the 16 KiB a push carries: the other device reads it over HTTP.
LONG_PROGRAM = "# " + "a long comment " * 1200 + "\nprint(sum(map(int, input().split())))\n"


def _code_contest() -> tuple[Contest, Any]:
    contest = contest_make()
    pool_round(contest, questions=[ECHO_CODE], title="Code Pool")
    return contest, team_make(contest=contest, name="Coders")


def test_a_long_program_sent_on_one_device_shows_on_the_other(page_for: PageFactory, live_server_url: str) -> None:
    contest, team = in_thread(_code_contest)
    sender = _team_page(page_for, "desktop", contest, team)
    watcher = _team_page(page_for, "phone", contest, team)
    sender.get_by_role("button", name="Claim the next question").click()
    card = question_card(sender, "sum of two numbers")
    card.get_by_label("Your program").fill(LONG_PROGRAM)
    card.get_by_role("button", name="Submit for judging").click()

    sent = question_card(watcher, "sum of two numbers").locator(".sent-program")
    expect(sent.locator("summary")).to_have_text("Program sent (Python 3)")
    sent.locator("summary").click()
    program = sent.get_by_role("region", name="Attempt 1: the program sent, in Python 3")
    expect(program).to_contain_text("print(sum(map(int, input().split())))")
    assert program.inner_text().strip() == LONG_PROGRAM.strip()
    # Judged: the verdict's push (its answer again, by size) keeps the program shown.
    attempts = question_card(watcher, "sum of two numbers").locator(".attempts")
    expect(attempts).to_contain_text("Accepted", timeout=JUDGE_TIMEOUT_MS)
    expect(program).to_be_visible()  # still open for the person reading it
    expect(program).to_contain_text("print(sum(map(int, input().split())))")
    assert_no_horizontal_scroll(watcher)
    axe_check(watcher)
