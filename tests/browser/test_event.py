"""One whole event in Chromium, through the three real pages: a quizmaster builds a contest
in the console (a live round, and a pool round with a text question, a code question and a
mystery box); two teams join from two devices of their own; the projector is open. A live
question is answered by both and the projector's board changes without a reload; a team's
device drops offline mid-question and comes back with the right time left; a team claims
a pool question, opens a mystery box, and gets the judge's verdict on its code; the
console exports the results."""

from __future__ import annotations

import re
import time
from datetime import datetime

import httpx
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from tests.factories import user_make

from .harness import PageFactory, assert_no_horizontal_scroll, axe_check, in_thread, screenshot
from .test_console import add_choice_question, add_round, create_contest, log_in, question_dialog
from .test_play import join, question_card

JUDGE_TIMEOUT_MS = 30_000  # the judge worker compiles nothing, but it runs each test in a sandbox
TEAM_1 = "Quizzly Bears"
TEAM_2 = "The Know-It-Owls"
ADD_TWO = "import sys\n\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"


def add_live_round(page: Page, title: str, time_limit_s: int) -> Locator:
    form = page.locator("form", has=page.get_by_role("heading", name="Add a round"))
    form.get_by_label("Time limit per question (s)").fill(str(time_limit_s))
    return add_round(page, title)


def add_pool_round(page: Page, title: str) -> Locator:
    form = page.locator("form", has=page.get_by_role("heading", name="Add a round"))
    form.get_by_label("Kind").select_option("pool")
    form.get_by_label("Questions a team may hold at once").fill("")  # no limit
    form.get_by_label("Easy box").check()  # 50 points for a question worth 150
    return add_round(page, title, kind="pool")


def add_question(dialog: Locator, round_panel: Locator, prompt: str) -> None:
    dialog.get_by_role("textbox", name="Question (required)").fill(prompt)
    dialog.get_by_role("button", name="Add question").click()
    expect(dialog.get_by_text("Question added.")).to_be_visible()
    expect(round_panel.locator("tbody")).to_contain_text(prompt)


def build_pool(page: Page, pool: Locator) -> None:
    dialog = question_dialog(page, pool)
    dialog.get_by_label("Type").select_option("text")
    dialog.get_by_label("Accepted answers").fill("Canberra")
    add_question(dialog, pool, "What is the capital of Australia?")

    dialog.get_by_label("Type").select_option("code")
    for index, (given, wanted) in enumerate((("1 2", "3"), ("40 2", "42"))):
        dialog.get_by_label(f"Test {index + 1} input").fill(given)
        dialog.get_by_label(f"Test {index + 1} expected output").fill(wanted)
    add_question(dialog, pool, "Read two integers a and b; print a + b.")

    dialog.get_by_label("Type").select_option("text")
    dialog.get_by_label("Difficulty").select_option("easy")
    dialog.get_by_label("Accepted answers").fill("88")
    dialog.get_by_label("Mystery question (only drawn from a mystery box)").check()
    add_question(dialog, pool, "How many keys has a piano?")
    dialog.get_by_role("button", name="Close").click()


class Network:
    """A device's network, which the test can cut. Chromium's offline mode fails requests but
    leaves open sockets alone, so the device's sockets go through the test: cutting the
    network closes them (1001, going away: the page retries) and refuses new ones until
    it is back."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.up = True
        self.sockets: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/v1/"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        if not self.up:
            socket.close(code=1001, reason="offline")
            return
        socket.connect_to_server()
        self.sockets.append(socket)

    def cut(self) -> None:
        self.up = False
        self.page.context.set_offline(True)
        for socket in self.sockets:
            socket.close(code=1001, reason="offline")
        self.sockets.clear()

    def restore(self) -> None:
        self.up = True
        self.page.context.set_offline(False)


def live_state(api: str, code: str) -> dict[str, object]:
    """The question in play as the server has it (its `deadline` among the rest)."""
    live: dict[str, object] = httpx.get(f"{api}/public/{code.replace('-', '')}").json()["live"]["live"]
    return live


def seconds_left(clock_text: str) -> int:
    minutes, _, secs = clock_text.rpartition(":")
    return int(minutes or 0) * 60 + int(secs)


def test_one_whole_event(page_for: PageFactory, live_server_url: str) -> None:
    api = f"{live_server_url}/api/v1"
    quizmaster = in_thread(user_make)

    # The quizmaster builds the contest in the console.
    console = page_for("desktop")
    log_in(console, quizmaster.username)
    create_contest(console, "Grand Final")
    live = add_live_round(console, "Warm-up", 60)
    add_choice_question(console, live, "Which planet is known as the Red Planet?", ["Venus", "Mars", "Jupiter"], 1)
    add_choice_question(console, live, "Which planet is the largest?", ["Mars", "Saturn", "Jupiter"], 2)
    pool = add_pool_round(console, "Pub pool")
    build_pool(console, pool)
    expect(pool).to_contain_text("3 questions")
    screenshot(console, "event-console-build")

    console.get_by_role("link", name="Run", exact=True).click()
    console.get_by_role("button", name="Open the lobby").click()
    expect(console.locator(".lifecycle-status")).to_contain_text("lobby")
    code = console.locator(".contest-meta .code").inner_text()

    # The projector, and two teams on devices of their own.
    screen = page_for("desktop")
    screen.goto(f"/screen/{code}")
    expect(screen.locator(".join-code")).to_contain_text(code)
    phone = page_for("phone")
    phone_network = Network(phone)
    join(phone, code, TEAM_1, ("Ann", "Bo"))
    laptop = page_for("desktop")
    join(laptop, code, TEAM_2, ("Cy",))
    expect(screen.locator(".arrivals-count")).to_have_text("2 teams have joined")
    expect(console.locator(".lobby")).to_contain_text(TEAM_2)
    screenshot(screen, "event-screen-lobby", full_page=False)

    console.get_by_role("button", name="Start the contest").click()
    expect(console.locator(".lifecycle-status")).to_contain_text("running")
    console.locator(".round-row", has_text="Warm-up").get_by_role("button", name="Start round").click()
    screen.evaluate("() => { window.sameDocument = true; }")

    # A live question: one team right, one wrong; the projector's board follows.
    control = console.locator(".live-control")
    control.get_by_role("button", name="Open next question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    expect(screen.locator(".question-panel .q-prompt")).to_have_text("Which planet is known as the Red Planet?")
    for page, choice in ((phone, "Mars"), (laptop, "Venus")):
        card = question_card(page, "Red Planet")
        card.get_by_text(choice, exact=True).click()
        card.get_by_role("button", name="Lock in answer").click()
        expect(card.locator(".feedback")).to_contain_text("Locked in at")
    expect(control.locator(".answered")).to_have_text("2 of 2 teams answered")
    screenshot(phone, "event-play-live")
    control.get_by_role("button", name="Close question").click()
    expect(control.locator(".live-status")).to_contain_text("Closed")
    expect(question_card(phone, "Red Planet").locator(".feedback")).to_contain_text("Correct!")
    expect(question_card(laptop, "Red Planet").locator(".feedback")).to_contain_text("Wrong answer")
    # Scoring is a task: reveal once the console's board shows it (see test_console.py).
    expect(console.locator(".run-side table")).to_contain_text(re.compile(rf"{TEAM_1}\s*6\d\d"))
    control.get_by_role("button", name="Reveal answer").click()
    expect(control.locator(".live-status")).to_have_text("Answer revealed")
    expect(screen.locator(".board-row").first.locator(".name")).to_have_text(TEAM_1)
    expect(screen.locator(".board-row", has_text=TEAM_1).locator(".score")).to_have_text(re.compile(r"^6\d\d points$"))
    expect(screen.locator(".board-row", has_text=TEAM_2).locator(".score")).to_have_text("500 points")
    assert screen.evaluate("() => window.sameDocument") is True, "the projector reloaded instead of updating"
    screenshot(screen, "event-screen-board", full_page=False)

    # A second live question; the phone drops offline for a while, then comes back.
    control.get_by_role("button", name="Open next question").click()
    expect(control.locator(".live-status")).to_have_text("Open: teams are answering")
    phone_card = question_card(phone, "largest")
    expect(phone_card).to_be_visible()
    phone_network.cut()
    expect(phone.locator(".connection")).to_have_text("Reconnecting…")
    phone.wait_for_timeout(5_000)
    screenshot(phone, "event-play-offline")
    phone_network.restore()
    expect(phone.locator(".connection")).to_have_text("Live", timeout=15_000)
    phone_clock = phone.locator(".live-clock")
    expect(phone_clock).to_have_text(re.compile(r"^\d*:?\d+$"))
    deadline = live_state(api, code)["deadline"]
    assert isinstance(deadline, str), deadline
    true_left = datetime.fromisoformat(deadline).timestamp() - time.time()
    shown_left = seconds_left(phone_clock.inner_text())
    assert abs(shown_left - true_left) <= 2, f"the phone shows {shown_left} s left; the server, {true_left:.1f} s"
    assert true_left < 57, "the offline spell took no time off the clock"
    phone_card.get_by_text("Jupiter", exact=True).click()
    phone_card.get_by_role("button", name="Lock in answer").click()
    expect(phone_card.locator(".feedback")).to_contain_text("Locked in at")
    screenshot(phone, "event-play-back-online")
    control.get_by_role("button", name="Close question").click()
    expect(control.locator(".live-status")).to_contain_text("Closed")
    expect(phone_card.locator(".feedback")).to_contain_text("Correct!")
    control.get_by_role("button", name="Reveal answer").click()
    expect(control.locator(".live-status")).to_have_text("Answer revealed")

    # The pool: claim and answer the text question, open a mystery box, judge some code.
    console.locator(".round-row", has_text="Pub pool").get_by_role("button", name="Start round").click()
    expect(laptop.get_by_role("heading", name="Pub pool")).to_be_visible()
    claim = laptop.get_by_role("button", name="Claim the next question")
    claim.click()
    capital = question_card(laptop, "capital of Australia")
    capital.get_by_label("Your answer", exact=True).fill("canberra")
    capital.get_by_role("button", name="Lock in answer").click()
    expect(capital.locator(".feedback")).to_contain_text("Correct! +100 points.")
    expect(laptop.locator(".score-pill")).to_contain_text("600 pts")

    laptop.get_by_role("button", name="Open for 50 points").click()
    expect(laptop.locator(".shop-message")).to_contain_text("Box opened for 50 points")
    expect(question_card(laptop, "keys has a piano")).to_contain_text("Mystery question")
    expect(laptop.locator(".score-pill")).to_contain_text("550 pts")

    claim.click()
    adder = question_card(laptop, "print a + b")
    adder.get_by_label("Your program").fill(ADD_TWO)
    adder.get_by_role("button", name="Submit for judging").click()
    expect(adder.locator(".attempt .result")).to_contain_text("(AC)", timeout=JUDGE_TIMEOUT_MS)
    expect(adder.locator(".attempt .result")).to_contain_text("2 of 2 tests passed")
    screenshot(laptop, "event-play-pool")

    # The results, as CSV from the console.
    console.get_by_role("link", name="Results", exact=True).click()
    expect(console.locator(".chart")).to_be_visible()
    with console.expect_download() as download:
        console.get_by_role("button", name="Download results (CSV)").click()
    csv = download.value.path().read_text(encoding="utf-8-sig")
    assert TEAM_1 in csv and TEAM_2 in csv, csv
    screenshot(console, "event-console-results")

    assert_no_horizontal_scroll(phone)
    for page in (console, screen, phone, laptop):
        axe_check(page)
