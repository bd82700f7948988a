"""The team app (/play/) in Chromium: joining, pool and live questions, several devices of
one team, a reload mid-question, and the fair-play focus reports."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from rooms.live import live_action
from rooms.models import Contest, Round
from teams.models import FocusReport, Team
from tests.factories import contest_make, live_round, pool_round, team_make

from .harness import SIZES, PageFactory, Size, assert_no_horizontal_scroll, axe_check, in_thread, screenshot

OCEAN = {
    "type": "choice",
    "prompt": "Which ocean is the largest?",
    "choices": ["Atlantic", "Indian", "Pacific"],
    "answer": [2],
    "points": 100,
}
PI = {
    "type": "numeric",
    "prompt": "What is pi to two decimal places?",
    "answer": 3.14,
    "tolerance": 0.005,
    "points": 100,
}
PLANET = {
    "type": "choice",
    "prompt": "Which planet is known as the Red Planet?",
    "choices": ["Venus", "Mars", "Jupiter"],
    "answer": [1],
    "points": 100,
    "time_limit_s": 120,
}


def _pool_contest() -> tuple[Contest, Round]:
    contest = contest_make(settings={"starting_points": 200})
    round_ = pool_round(
        contest,
        questions=[
            OCEAN,
            PI,
            {**PI, "prompt": "How many keys has a piano?", "answer": 88, "mystery": True, "difficulty": "easy"},
        ],
        title="Pub Pool",
        claim_limit=2,
        mystery_boxes=[{"difficulty": "easy", "cost": 50, "reward": 150}],
    )
    return contest, round_


def _live_contest() -> tuple[Contest, Round]:
    contest = contest_make()
    return contest, live_round(
        contest, questions=[PLANET, {**PLANET, "prompt": "And the largest planet?", "answer": [2]}]
    )


def join(page: Page, code: str, team_name: str, members: tuple[str, ...] = ("Ada",)) -> None:
    page.goto(f"/play/{code}")
    expect(page.get_by_label("Join code")).to_have_value(re.compile(code[:4]))
    page.get_by_label("Team name").fill(team_name)
    for index, member in enumerate(members):
        if index:
            page.get_by_role("button", name="Add a member").click()
        page.get_by_label(f"Member {index + 1}", exact=True).fill(member)
    page.get_by_role("button", name="Join the contest").click()
    expect(page.locator(".connection")).to_have_text("Live")


def question_card(page: Page, prompt: str) -> Locator:
    return page.locator("article.question-card", has_text=prompt)


def team_link(page: Page) -> str:
    page.get_by_text("Add another device").click()
    return page.get_by_label("Team link").input_value()


@pytest.mark.parametrize("size", SIZES)
def test_a_team_joins_and_answers_pool_questions(page_for: PageFactory, live_server_url: str, size: Size) -> None:
    contest, _ = in_thread(_pool_contest)
    page = page_for(size)
    page.goto(f"/play/{contest.code}")
    expect(page.get_by_role("heading", name="Join with your team")).to_be_visible()
    screenshot(page, "play-join")
    assert_no_horizontal_scroll(page)
    axe_check(page)

    join(page, contest.code, "Quizzly Bears", ("Ann", "Bo"))
    expect(page.get_by_role("heading", name="Pub Pool")).to_be_visible()
    expect(page.locator(".team-panel")).to_contain_text("Ann, Bo")
    page.get_by_role("button", name="Claim the next question").click()
    page.get_by_role("button", name="Claim the next question").click()
    ocean = question_card(page, "Which ocean")
    ocean.get_by_text("Pacific").click()
    ocean.get_by_role("button", name="Lock in answer").click()
    expect(ocean.locator(".feedback")).to_contain_text("Correct! +100 points.")
    pi = question_card(page, "pi to two")
    pi.get_by_label("Your answer (a number)").fill("3,15")  # a comma is a decimal point
    pi.get_by_role("button", name="Lock in answer").click()
    expect(pi.locator(".feedback")).to_contain_text("Wrong answer. 0 points.")
    expect(page.locator(".score-pill")).to_contain_text("300 pts")

    page.get_by_role("button", name="Open for 50 points").click()
    expect(page.locator(".shop-message")).to_contain_text("Box opened for 50 points")
    expect(question_card(page, "keys has a piano")).to_contain_text("Mystery question")
    expect(page.locator(".score-pill")).to_contain_text("250 pts")
    expect(page.get_by_role("button", name="Open for 50 points")).to_be_disabled()  # none left
    screenshot(page, "play-pool")
    assert_no_horizontal_scroll(page)
    axe_check(page)


def test_join_errors_show_next_to_their_field(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_pool_contest)
    in_thread(team_make, contest=contest, name="Taken")
    page = page_for("phone", allow=[r"HTTP (404|409): POST .*/api/v1/join", r"status of (404|409)"])
    join_form = page.locator("form.join-form")
    page.goto(f"/play/{contest.code}")
    page.get_by_label("Team name").fill("taken")
    join_form.get_by_role("button", name="Join the contest").click()
    expect(page.get_by_label("Team name")).to_have_attribute("aria-invalid", "true")
    expect(join_form).to_contain_text("already in this contest")

    page.get_by_label("Join code").fill("ZZZZ-ZZZZ")
    page.get_by_label("Team name").fill("Fresh")
    join_form.get_by_role("button", name="Join the contest").click()
    expect(page.get_by_label("Join code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Team name")).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "play-join-errors")
    axe_check(page)


def test_every_device_of_a_team_sees_its_locked_answer(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_pool_contest)
    phone = page_for("phone")
    join(phone, contest.code, "Two Devices")
    link = team_link(phone)
    assert re.search(r"/play/[0-9A-Z]{4}-[0-9A-Z]{4}#t=", link)

    desktop = page_for("desktop")
    desktop.goto(link)
    expect(desktop.locator(".connection")).to_have_text("Live")
    assert "#" not in desktop.url  # the token left the address bar at once
    expect(desktop.locator(".team-line")).to_have_text("Playing as Two Devices")

    phone.get_by_role("button", name="Claim the next question").click()
    ocean = question_card(desktop, "Which ocean")  # the claim shows on the other device
    ocean.get_by_text("Atlantic").click()
    ocean.get_by_role("button", name="Lock in answer").click()
    expect(question_card(phone, "Which ocean").locator(".feedback")).to_contain_text("Wrong answer")
    expect(question_card(phone, "Which ocean").get_by_role("button", name="Lock in answer")).to_be_hidden()
    assert in_thread(lambda: Team.objects.filter(contest=contest).count()) == 1


def test_a_live_question_counts_down_and_resumes_after_a_reload(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_ = in_thread(_live_contest)
    page = page_for("phone")
    join(page, contest.code, "Live Wires")
    in_thread(live_action, round_=round_, action="next")
    card = question_card(page, "Red Planet")
    expect(card).to_be_visible()
    clock = page.locator(".live-clock")
    expect(clock).to_have_text(re.compile(r"^1:(59|58|57)$"))
    screenshot(page, "play-live")
    assert_no_horizontal_scroll(page)
    axe_check(page)

    time.sleep(2)
    page.reload()
    expect(clock).to_have_text(re.compile(r"^1:(5[0-7])$"))  # the server's deadline, not a fresh timer
    card.get_by_text("Mars").click()
    card.get_by_role("button", name="Lock in answer").click()
    expect(card.locator(".feedback")).to_contain_text("Locked in at")

    in_thread(live_action, round_=round_, action="close")
    expect(card.locator(".feedback")).to_contain_text("Correct!")
    in_thread(live_action, round_=round_, action="reveal")
    expect(card.locator(".reveal-line")).to_have_text("Accepted answer: Mars")
    expect(clock).to_be_hidden()

    in_thread(live_action, round_=round_, action="next")
    in_thread(live_action, round_=round_, action="pause")
    expect(page.locator(".live-status")).to_contain_text("Paused by the quizmaster")
    expect(question_card(page, "largest planet").get_by_role("button", name="Lock in answer")).to_be_disabled()


def test_the_desktop_layout_of_a_live_question(page_for: PageFactory, live_server_url: str) -> None:
    contest, round_ = in_thread(_live_contest)
    page = page_for("desktop")
    join(page, contest.code, "Wide Screen")
    in_thread(live_action, round_=round_, action="next")
    expect(question_card(page, "Red Planet")).to_be_visible()
    screenshot(page, "play-live")
    assert_no_horizontal_scroll(page)
    axe_check(page)


def test_leaving_the_page_is_reported_for_fair_play(page_for: PageFactory, live_server_url: str) -> None:
    contest, _ = in_thread(_pool_contest)
    page = page_for("desktop")
    join(page, contest.code, "Wanderers")
    with page.expect_response(re.compile(r"/api/v1/me/focus$")) as reported:
        page.evaluate("() => { window.dispatchEvent(new Event('blur')); }")
        page.wait_for_timeout(400)
        page.evaluate("() => { window.dispatchEvent(new Event('focus')); }")
    assert reported.value.status == 202
    report = in_thread(lambda: FocusReport.objects.get(team__contest=contest))
    assert report.kind == "blur" and report.away_ms >= 300
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", report.device)
