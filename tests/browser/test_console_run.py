"""Running a contest from the quizmaster console, in Chromium, where the console's picture
can drift from the server's: the live countdown is the teams' deadline, with the extra time
of some teams shown apart, through a pause and an extension; the question on show is not
redrawn under the quizmaster at each answer; a question is regraded from beside it once
closed; a rebuilt event log (a restored database) is taken as new; an older leaderboard
reply never replaces a newer one; rows and buttons stay put while scores change."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from django.db import transaction
from django.db.models import F
from playwright.sync_api import Page, Response, Route, WebSocketRoute, expect

from rooms.models import Contest, ContestEvent, Question
from rooms.services import announcement_post, question_update
from scoring.grading import answer_grade
from scoring.models import Answer
from scoring.services import adjustment_create, answer_submit
from teams.models import Team
from teams.services import claim_next, team_accommodate
from tests.factories import choice_question, contest_make, live_round, pool_round, team_make, user_make

from .harness import PageFactory, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_console import log_in
from .test_event import seconds_left

TEAM = "Quizzly Bears"
OTHER = "The Know-It-Owls"


def open_console(page: Page, contest_id: int, tab: str = "run") -> None:
    page.goto(f"/console/#/contests/{contest_id}/{tab}")
    expect(page.locator(".connection")).to_have_text("Live")


def live_contest(owner: Any, *, time_limit_s: int, extra_time_s: int = 0, answer: int = 1) -> dict[str, int]:
    """A running contest with a live round (two choice questions, B accepted unless
    `answer` says otherwise) and two teams; the first has `extra_time_s`."""
    contest = contest_make(owner=owner, settings={"starting_points": 500})
    questions = [
        choice_question(prompt="Which letter comes first?", choices=["A", "B", "C"], answer=[answer]),
        choice_question(prompt="Which letter comes last?", choices=["A", "B", "Z"], answer=[2]),
    ]
    round_ = live_round(contest, questions=questions, settings={"time_limit_s": time_limit_s})
    team = team_make(contest=contest, name=TEAM)
    team_make(contest=contest, name=OTHER)
    if extra_time_s:
        team_accommodate(team=team, extra_time_s=extra_time_s)
    return {"contest": contest.pk, "round": round_.pk, "team": team.pk}


def live_now(api: str, code: str) -> dict[str, Any]:
    live: dict[str, Any] = httpx.get(f"{api}/public/{code}").json()["live"]["live"]
    return live


def left_s(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp() - time.time()


def wait_until(page: Page, done: Callable[[], bool], failure: str, timeout_s: float = 10) -> None:
    """Waits for `done()`, letting the page run meanwhile."""
    end = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < end, failure
        page.wait_for_timeout(100)


def answer(team_id: int, question_id: int, choice: int, key: str) -> None:
    team = Team.objects.get(pk=team_id)
    answer_submit(team=team, question_id=question_id, payload=[choice], idempotency_key=key)


def test_the_live_countdown_is_the_teams_deadline_with_extra_time_apart(
    page_for: PageFactory, live_server_url: str
) -> None:
    api = f"{live_server_url}/api/v1"
    user = in_thread(user_make)
    ids = in_thread(live_contest, user, time_limit_s=5, extra_time_s=30)
    code = in_thread(lambda: Contest.objects.get(pk=ids["contest"]).code)
    page = page_for("phone")
    log_in(page, user.username)
    open_console(page, ids["contest"])
    control = page.locator(".live-control")
    clock = control.locator(".live-clock")
    extra = control.locator(".live-extra")
    regrade = control.get_by_role("button", name="Regrade this question…")
    expect(extra).to_be_hidden()

    control.get_by_role("button", name="Open next question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    # The clock is the deadline of the teams without extra time (5 s), not closes_at (35 s).
    expect(clock).to_have_text(re.compile(r"^[1-5]$"))
    expect(extra).to_have_text(re.compile(r"^\+ extra time for 1 team: 0:3[0-5] left$"))
    expect(regrade).to_be_hidden()
    screenshot(page, "console-live-extra-time", full_page=False)
    assert_no_horizontal_scroll(page)
    axe_check(page)

    # An answer comes in: the count moves, the question on show is not drawn again.
    page.evaluate("() => { window.promptShown = document.querySelector('.live-control .live-prompt'); }")
    question_id = live_now(api, code)["question"]
    in_thread(answer, ids["team"], question_id, 0, "run-1")
    expect(control.locator(".answered")).to_have_text("1 of 2 teams answered")
    assert page.evaluate("() => document.querySelector('.live-control .live-prompt') === window.promptShown"), (
        "the question was redrawn for an answer"
    )

    # The deadline passes: 0 for most teams; the team with extra time still has some.
    expect(clock).to_have_text("0", timeout=8_000)
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    expect(extra).to_have_text(re.compile(r"^\+ extra time for 1 team: 0:[23]\d left$"))

    # Extended by 20 s: the teams' clock starts again from the new deadline.
    control.get_by_label("Extend by (seconds)").fill("20")
    control.get_by_role("button", name="Extend").click()
    expect(control.locator(".live-message")).to_contain_text("Done: extend +20 s.")
    expect(clock).not_to_have_text("0")
    live = live_now(api, code)
    assert abs(seconds_left(clock.inner_text()) - left_s(live["deadline"])) <= 1.5, (clock.inner_text(), live)
    expect(extra).to_have_text(re.compile(r"^\+ extra time for 1 team: 0:[45]\d left$"))

    # Paused: the time left stands still, and the extra time to come is said.
    control.get_by_role("button", name="Pause question").click()
    expect(control.locator(".live-status")).to_have_text("Paused")
    live = live_now(api, code)
    assert live["deadline"] is None and live["closes_at"] is None
    expect(clock).to_have_text(str(-(-live["remaining_ms"] // 1000)))
    expect(extra).to_have_text("+ 0:30 of extra time for 1 team after that")

    # Resumed: counting down again from what was left.
    control.get_by_role("button", name="Resume question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    live = live_now(api, code)
    assert abs(seconds_left(clock.inner_text()) - left_s(live["deadline"])) <= 1.5, (clock.inner_text(), live)
    expect(extra).to_have_text(re.compile(r"^\+ extra time for 1 team: 0:[45]\d left$"))

    control.get_by_role("button", name="Close question").click()
    expect(control.locator(".live-status")).to_contain_text("Closed")
    expect(clock).to_have_text("0")
    expect(extra).to_be_hidden()
    expect(regrade).to_be_visible()


def answer_status(team_id: int) -> str:
    return str(Answer.objects.get(team_id=team_id).status)


def accept(question_id: int, choice: int) -> None:
    question_update(question=Question.objects.get(pk=question_id), changes={"answer": [choice]})


def test_a_live_question_is_regraded_from_beside_it(page_for: PageFactory, live_server_url: str) -> None:
    api = f"{live_server_url}/api/v1"
    user = in_thread(user_make)
    ids = in_thread(live_contest, user, time_limit_s=60)
    code = in_thread(lambda: Contest.objects.get(pk=ids["contest"]).code)
    page = page_for("desktop")
    log_in(page, user.username)
    open_console(page, ids["contest"])
    control = page.locator(".live-control")
    regrade = control.get_by_role("button", name="Regrade this question…")

    control.get_by_role("button", name="Open next question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    question_id = live_now(api, code)["question"]
    in_thread(answer, ids["team"], question_id, 0, "regrade-1")  # A: right, but B is accepted
    expect(control.locator(".answered")).to_have_text("1 of 2 teams answered")
    expect(regrade).to_be_hidden()
    control.get_by_role("button", name="Close question").click()
    expect(control.locator(".live-status")).to_contain_text("Closed")
    expect(regrade).to_be_visible()
    # The close scores the answers in a task: reveal once it is done.
    wait_until(page, lambda: in_thread(answer_status, ids["team"]) == "scored", "the answer was not scored")
    control.get_by_role("button", name="Reveal answer").click()
    expect(control.locator(".live-status")).to_have_text("Answer revealed")
    expect(page.locator(".run-side table")).to_contain_text(re.compile(rf"{TEAM}\s*500"))

    # At the reveal the room says A: the accepted answer is corrected, the question regraded.
    in_thread(accept, question_id, 0)
    regrade.click()
    dialog = page.locator("dialog.console-dialog")
    expect(dialog.get_by_role("heading", name="Regrade “Which letter comes first?”")).to_be_visible()
    expect(dialog).to_contain_text("and so are the other answers of “Live”")
    axe_check(page)
    dialog.get_by_role("button", name="Regrade this question").click()
    status = dialog.locator(".regrade-status")
    expect(status).to_contain_text(re.compile(r"Regrade done: the points of 1 team changed \(\+1\d\d in all\)\."))
    expect(status).to_contain_text(re.compile(rf"{TEAM}: \+1\d\d points"))
    screenshot(page, "console-live-regrade", full_page=False)
    dialog.get_by_role("button", name="Close").last.click()
    expect(dialog).to_have_count(0)
    expect(regrade).to_be_focused()
    expect(page.locator(".run-side table")).to_contain_text(re.compile(rf"{TEAM}\s*6\d\d"))

    control.get_by_role("button", name="Open next question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    expect(regrade).to_be_hidden()


class SocketRelay:
    """The console's socket, relayed by the test so that it can drop the connection (as a
    server restart does: 1001); the console then reconnects by itself."""

    def __init__(self, page: Page) -> None:
        self.sockets: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/v1/"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        self.sockets.append(socket)

    def drop(self) -> None:
        for socket in self.sockets:
            socket.close(code=1001, reason="restart")
        self.sockets.clear()


def log_rebuilt(contest_id: int) -> None:
    """The contest's event log as after a restore from an older backup: numbered anew from
    1 under another epoch."""
    with transaction.atomic():
        ContestEvent.objects.filter(contest_id=contest_id).delete()
        Team.objects.filter(contest_id=contest_id).update(last_event_seq=0)
        Contest.objects.filter(pk=contest_id).update(last_seq=0, last_public_seq=0, epoch=F("epoch") + 1)


def announce(contest_id: int, text: str) -> None:
    announcement_post(contest=Contest.objects.get(pk=contest_id), text=text)


def test_a_rebuilt_event_log_is_taken_as_new(page_for: PageFactory, live_server_url: str) -> None:
    user = in_thread(user_make)
    ids = in_thread(live_contest, user, time_limit_s=60)
    page = page_for("desktop")
    log_in(page, user.username)
    relay = SocketRelay(page)
    open_console(page, ids["contest"])
    notes = page.locator("ol.announcements")
    for text in ("Welcome!", "Round one starts soon.", "Phones on silent, please."):
        in_thread(announce, ids["contest"], text)
        expect(notes).to_contain_text(text)

    in_thread(log_rebuilt, ids["contest"])
    relay.drop()
    expect(notes).to_have_text("No announcements yet.")  # the new log's snapshot
    expect(page.locator(".connection")).to_have_text("Live")
    # Numbered 1 in the new log, like an event of the old one the console had seen.
    in_thread(announce, ids["contest"], "We are back.")
    expect(notes).to_contain_text("We are back.")
    in_thread(announce, ids["contest"], "Round two starts now.")
    expect(notes.locator("li")).to_have_count(2)


def adjust(team_id: int, points: int) -> None:
    team = Team.objects.get(pk=team_id)
    adjustment_create(team=team, points=points, reason="Tidy table", author=team.contest.owner)


def test_an_older_leaderboard_reply_never_replaces_a_newer_one(page_for: PageFactory, live_server_url: str) -> None:
    user = in_thread(user_make)
    ids = in_thread(live_contest, user, time_limit_s=60)
    page = page_for("desktop")
    log_in(page, user.username)
    open_console(page, ids["contest"])

    # The Results tab's first read of the board is slow: it answers only after a later one.
    held: list[tuple[Route, Any]] = []

    def hold_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))  # the board as it is now: 500 points

    page.route(re.compile(rf"/api/v1/contests/{ids['contest']}/leaderboard$"), hold_first)
    page.get_by_role("link", name="Results", exact=True).click()
    board = page.locator(".results-layout .board")
    wait_until(page, lambda: bool(held), "the Results tab did not read the board")
    in_thread(adjust, ids["team"], 100)
    expect(board).to_contain_text(re.compile(rf"{TEAM}\s*600"))

    route, stale = held[0]
    with page.expect_response(lambda r: r.url.endswith("/leaderboard")) as late:
        route.fulfill(response=stale)
    reply: Response = late.value
    assert re.search(rf"{TEAM}\D*500", reply.text()), reply.text()
    page.wait_for_timeout(300)  # time for the page to read it
    expect(board).to_contain_text(re.compile(rf"{TEAM}\s*600"))
    page.unroute(re.compile(rf"/api/v1/contests/{ids['contest']}/leaderboard$"))


def two_rounds(owner: Any) -> dict[str, int]:
    contest = contest_make(owner=owner, settings={"starting_points": 500})
    live_round(contest, questions=1, active=False)
    pool_round(contest, title="Pub pool", questions=2, active=False)
    team = team_make(contest=contest, name=TEAM)
    return {"contest": contest.pk, "team": team.pk}


def test_buttons_stay_under_the_quizmaster_while_the_contest_moves(page_for: PageFactory, live_server_url: str) -> None:
    user = in_thread(user_make)
    ids = in_thread(two_rounds, user)
    page = page_for("desktop")
    log_in(page, user.username)
    open_console(page, ids["contest"])

    # Starting the second round: the focus goes to that round's next button.
    pool_row = page.locator(".round-row", has_text="Pub pool")
    pool_row.get_by_role("button", name="Start round").click()
    expect(pool_row.get_by_role("button", name="End round")).to_be_focused()
    expect(page.locator(".pool-watch")).to_be_visible()

    # Freezing: the focus goes to the button that undoes it.
    page.get_by_role("button", name="Freeze the standings").click()
    expect(page.get_by_role("button", name="Unfreeze and reveal")).to_be_focused()

    # The Teams tab: a score changes under the pointer on a team's Manage button.
    page.get_by_role("link", name="Teams", exact=True).click()
    manage = page.get_by_role("button", name=f"Manage {TEAM}")
    manage.hover()
    page.evaluate(f"() => {{ window.manageShown = document.querySelector('button[data-team=\"{ids['team']}\"]'); }}")
    in_thread(adjust, ids["team"], 25)
    expect(page.locator(".teams-table tbody tr", has_text=TEAM).locator("td.num")).to_have_text("525")
    assert page.evaluate(
        f"() => document.querySelector('button[data-team=\"{ids['team']}\"]') === window.manageShown"
    ), "the team's row was drawn again under the pointer"
    manage.click()
    expect(page.locator("dialog.console-dialog").get_by_role("heading", name=TEAM)).to_be_visible()
    axe_check(page)


def graded_essay(owner: Any) -> int:
    """A running contest whose one essay answer has its grade already."""
    contest = contest_make(owner=owner, settings={"starting_points": 500})
    round_ = pool_round(contest, title="Essays", questions=[{"type": "essay", "prompt": "Why quiz?", "points": 50}])
    team = team_make(contest=contest, name=TEAM)
    claim = claim_next(team=team, round_id=round_.pk)
    result = answer_submit(team=team, question_id=claim.question_id, payload="For the fun.", idempotency_key="e-1")
    answer_grade(answer_id=result.body["answer"]["id"], owner=owner, points=40, feedback="Well said.")
    return contest.pk


def test_the_grading_queue_shows_the_filter_last_chosen(page_for: PageFactory, live_server_url: str) -> None:
    user = in_thread(user_make)
    contest_id = in_thread(graded_essay, user)
    page = page_for("desktop")
    log_in(page, user.username)
    open_console(page, contest_id)

    # The queue's first read (essays waiting for a grade: none) answers only after the next.
    held: list[tuple[Route, Any]] = []

    def hold_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    pattern = re.compile(rf"/api/v1/contests/{contest_id}/grading\?")
    page.route(pattern, hold_first)
    page.get_by_role("link", name="Grading", exact=True).click()
    wait_until(page, lambda: bool(held), "the Grading tab did not read its queue")
    page.get_by_label("Show").select_option("all")
    essays = page.locator(".essays")
    expect(essays).to_contain_text("For the fun.")
    route, stale = held[0]
    with page.expect_response(lambda r: "status=pending" in r.url):
        route.fulfill(response=stale)
    page.wait_for_timeout(300)  # time for the page to read it
    expect(essays).to_contain_text("For the fun.")
    expect(essays).not_to_contain_text("Nothing to grade")
    page.unroute(pattern)
