"""Correcting questions in the quizmaster console, in Chromium: the Edit dialog opens each
type of question as it is (saving it untouched changes nothing on the server), a corrected
prompt shows in the round's table and is saved, a change the server refuses is shown on
the form and changes nothing; mid-event, a missing accepted answer is added and the
question regraded: the dialog says whose points moved and the console's scores follow
without a reload; a regrade of the whole contest then changes nothing more."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from rooms.models import Question
from rooms.question_types import question_export
from scoring.models import Answer, Regrade
from scoring.services import answer_submit
from teams.models import Team
from teams.services import claim_next
from tests.factories import contest_make, pool_round, team_make, user_make

from .harness import SIZES, PageFactory, Size, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_console import log_in

TEAM = "Quizzly Bears"
CAPITAL = "What is the capital of France?"
QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "choice",
        "prompt": "Whcih planets have rings?",
        "choices": ["Saturn", "Mars", "Uranus", "Venus"],
        "answer": [0, 2],
        "multiple": True,
        "points": 150,
        "difficulty": "hard",
        "time_limit_s": 30,
    },
    {"type": "numeric", "prompt": "What is pi to two places?", "answer": 3.14, "tolerance": 0.005, "mystery": True},
    {"type": "text", "prompt": CAPITAL, "answer": ["Paris"], "points": 100, "difficulty": "easy"},
    {"type": "essay", "prompt": "Describe your favourite planet.", "points": 50, "max_length": 800},
    {
        "type": "code",
        "prompt": "Print the sum of two integers.",
        "languages": ["python", "c"],
        "tests": [
            {"input": "1 2\n", "output": "3\n", "weight": 1, "sample": True},
            {"input": "40 2\n", "output": "42\n", "weight": 3, "sample": False},
        ],
        "time_limit_ms": 1500,
        "memory_mb": 128,
        "compare": "float",
        "tolerance": 0.001,
        "all_or_nothing": True,
        "max_attempts": 3,
        "wrong_attempt_penalty": 10,
        "points": 300,
    },
]


def draft_contest(owner: Any) -> int:
    contest = contest_make(owner=owner, status="draft", settings={"starting_points": 500})
    pool_round(contest, title="Mixed bag", questions=QUESTIONS, active=False)
    return contest.pk


def definitions(contest_id: int) -> dict[int, dict[str, Any]]:
    """Each question of the contest as the server holds it, by position."""
    questions = Question.objects.filter(round__contest_id=contest_id)
    return {q.position: question_export(q) for q in questions}


def open_build(page: Page, contest_id: int) -> Locator:
    page.goto(f"/console/#/contests/{contest_id}/build")
    expect(page.locator(".connection")).to_have_text("Live")
    panel = page.locator("details.round").first
    panel.locator("summary").click()  # a round with questions starts closed
    return panel


def row(panel: Locator, position: int) -> Locator:
    return panel.locator("tbody tr").nth(position - 1)


def edit_dialog(page: Page, panel: Locator, position: int) -> Locator:
    row(panel, position).get_by_role("button", name=f"Edit question {position}").click()
    dialog = page.locator("dialog.console-dialog")
    expect(dialog.get_by_role("heading", name=re.compile(f"^Change question {position} of"))).to_be_visible()
    return dialog


def save(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.locator(".form-status")).to_contain_text("Changes saved.")


@pytest.mark.parametrize("size", SIZES)
def test_a_quizmaster_corrects_questions(page_for: PageFactory, live_server_url: str, size: Size) -> None:
    user = in_thread(user_make)
    contest_id = in_thread(draft_contest, user)
    before = in_thread(definitions, contest_id)
    page = page_for(size, allow=[r"HTTP 400: PATCH .*/api/v1/questions/\d+$", r"status of 400"])
    log_in(page, user.username)
    panel = open_build(page, contest_id)
    expect(panel.locator("tbody tr")).to_have_count(len(QUESTIONS))

    # Every type opens as it is: saved untouched, nothing changes on the server.
    for position in range(1, len(QUESTIONS) + 1):
        dialog = edit_dialog(page, panel, position)
        expect(dialog.get_by_label("Type")).to_be_disabled()
        if position == len(QUESTIONS):
            expect(dialog.get_by_label("Test 2 expected output")).to_have_value("42\n")
            screenshot(page, "console-edit-code", full_page=False)
            assert_no_horizontal_scroll(page)
            axe_check(page)
        save(dialog)
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_have_count(0)
        expect(row(panel, position).get_by_role("button", name=f"Edit question {position}")).to_be_focused()
    assert in_thread(definitions, contest_id) == before

    # The typo in a prompt, corrected.
    dialog = edit_dialog(page, panel, 1)
    expect(dialog.get_by_role("textbox", name="Question (required)")).to_have_value("Whcih planets have rings?")
    expect(dialog.get_by_label("Choice 3 is correct")).to_be_checked()
    expect(dialog.get_by_label("Choice 2 is correct")).not_to_be_checked()
    dialog.get_by_role("textbox", name="Question (required)").fill("Which planets have rings?")
    save(dialog)
    expect(dialog.get_by_text("Regrade its answers…")).to_have_count(0)  # a draft has no answers
    expect(row(panel, 1)).to_contain_text("Which planets have rings?")
    dialog.get_by_role("button", name="Close").click()
    after = in_thread(definitions, contest_id)
    assert after[1] == {**before[1], "prompt": "Which planets have rings?"}
    assert {k: v for k, v in after.items() if k != 1} == {k: v for k, v in before.items() if k != 1}

    # A change the server refuses: the error is on its field, and nothing is saved.
    dialog = edit_dialog(page, panel, 3)
    expect(dialog.get_by_label("Accepted answers")).to_have_value("Paris")
    dialog.get_by_role("spinbutton", name="Points").fill("200000")
    dialog.get_by_label("Accepted answers").fill("Paris\nParis, France")
    dialog.get_by_role("button", name="Save changes").click()
    points = dialog.get_by_role("spinbutton", name="Points")
    expect(points).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator(".field-error")).to_contain_text("100000")
    expect(dialog.locator(".form-summary")).to_contain_text("Please correct the marked fields.")
    expect(dialog.locator(".form-status")).not_to_contain_text("Changes saved.")
    screenshot(page, "console-edit-refused", full_page=False)
    assert_no_horizontal_scroll(page)
    axe_check(page)
    dialog.get_by_role("button", name="Close").click()
    assert in_thread(definitions, contest_id) == after
    expect(row(panel, 3).locator(".answer-cell")).to_have_text("Paris")


def running_contest(owner: Any) -> tuple[int, int]:
    """A running contest whose team answered "paris, france" to a question that accepts
    only "Paris": wrong, no points. Returns the contest's and the team's ids."""
    contest = contest_make(owner=owner, settings={"starting_points": 500})
    round_ = pool_round(
        contest,
        title="Capitals",
        questions=[{"type": "text", "prompt": CAPITAL, "answer": ["Paris"], "points": 100}],
    )
    team = team_make(contest=contest, name=TEAM)
    claim = claim_next(team=team, round_id=round_.pk)
    result = answer_submit(team=team, question_id=claim.question_id, payload="paris, france", idempotency_key="k-1")
    assert result.body["answer"]["correct"] is False, result.body
    return contest.pk, team.pk


def scored(team_id: int) -> tuple[int, bool | None, list[tuple[str, dict[str, int]]]]:
    team = Team.objects.get(pk=team_id)
    answer = Answer.objects.get(team=team)
    regrades = [(r.status, r.changes) for r in Regrade.objects.filter(contest_id=team.contest_id)]
    return team.score, answer.correct, regrades


def team_score(page: Page) -> Locator:
    return page.locator(".teams-table tbody tr", has_text=TEAM).locator("td.num")


def test_a_corrected_answer_is_regraded_mid_event(page_for: PageFactory, live_server_url: str) -> None:
    user = in_thread(user_make)
    contest_id, team_id = in_thread(running_contest, user)
    page = page_for("desktop")
    log_in(page, user.username)
    page.goto(f"/console/#/contests/{contest_id}/teams")
    expect(page.locator(".connection")).to_have_text("Live")
    expect(team_score(page)).to_have_text("500")
    page.evaluate("() => { window.sameDocument = true; }")

    # The accepted answers, corrected: the answer given keeps its points until a regrade.
    page.get_by_role("link", name="Build", exact=True).click()
    panel = page.locator("details.round", has_text="Capitals")
    panel.locator("summary").click()  # a round with questions starts closed
    dialog = edit_dialog(page, panel, 1)
    dialog.get_by_label("Accepted answers").fill("Paris\nParis, France")
    save(dialog)
    expect(dialog.get_by_role("button", name="Regrade its answers…")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(row(panel, 1)).to_contain_text("Paris | Paris, France")
    assert in_thread(scored, team_id) == (500, False, [])

    # The regrade: asked, confirmed, done; the dialog says whose points moved.
    row(panel, 1).get_by_role("button", name="Regrade question 1").click()
    dialog = page.locator("dialog.console-dialog")
    expect(dialog.get_by_role("heading", name=f"Regrade “{CAPITAL}”")).to_be_visible()
    expect(dialog).to_contain_text("scored again against its accepted answer as it is now")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_label("Reason (optional)").fill("Paris, France is right too")
    axe_check(page)
    dialog.get_by_role("button", name="Regrade this question").click()
    status = dialog.locator(".regrade-status")
    expect(status).to_contain_text("Regrade done: the points of 1 team changed (+100 in all).")
    expect(status).to_contain_text(f"{TEAM}: +100 points")
    expect(dialog.get_by_role("button", name="Close").last).to_be_focused()
    screenshot(page, "console-regrade-done", full_page=False)
    assert in_thread(scored, team_id) == (600, True, [("done", {str(team_id): 100})])
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_have_count(0)

    # The console's scores followed, pushed over the socket.
    page.get_by_role("link", name="Teams", exact=True).click()
    expect(team_score(page)).to_have_text("600")
    page.get_by_role("link", name="Run", exact=True).click()
    expect(page.locator(".run-side table")).to_contain_text(re.compile(rf"{TEAM}\s*600"))

    # The whole contest, regraded again: nothing more changes.
    page.get_by_role("link", name="Results", exact=True).click()
    page.get_by_role("button", name="Regrade the whole contest…").click()
    dialog = page.locator("dialog.console-dialog")
    expect(dialog).to_contain_text("Every answer of every round is scored again")
    dialog.get_by_role("button", name="Regrade every answer").click()
    expect(dialog.locator(".regrade-status")).to_contain_text("Regrade done: no team's points changed.")
    look = dialog.get_by_role("button", name="Close").last
    expect(look).to_be_focused()
    axe_check(page)
    look.click()
    expect(page.get_by_role("button", name="Regrade the whole contest…")).to_be_focused()
    score, correct, regrades = in_thread(scored, team_id)
    assert (score, correct, regrades[-1]) == (600, True, ("done", {}))
    assert page.evaluate("() => window.sameDocument") is True, "the console reloaded instead of updating"


def correct_prompt(contest_id: int, position: int, prompt: str) -> None:
    from rooms.services import question_update

    question = Question.objects.get(round__contest_id=contest_id, position=position)
    question_update(question=question, changes={"prompt": prompt})


def test_a_correction_made_elsewhere_shows_in_an_open_console(page_for: PageFactory, live_server_url: str) -> None:
    """Two quizmasters, or the API and a console: a question corrected elsewhere shows in
    the open console without a reload (question.updated)."""
    user = in_thread(user_make)
    contest_id = in_thread(draft_contest, user)
    page = page_for("desktop")
    log_in(page, user.username)
    panel = open_build(page, contest_id)
    expect(panel.locator("tbody tr").first).to_contain_text("Whcih planets have rings?")
    page.evaluate("() => { window.sameDocument = true; }")

    in_thread(correct_prompt, contest_id, 1, "Which planets have rings?")
    expect(panel.locator("tbody tr").first).to_contain_text("Which planets have rings?")
    assert page.evaluate("() => window.sameDocument === true")
