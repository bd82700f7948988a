"""Fixtures for the browser tests: the live server, Chromium, and watched pages.

- `live_server_url`: daphne + a Celery worker (`default`, `judge`) on the test database and
  the tests' Redis, started once for tests/browser/ and stopped after its last test. Using
  it makes the test transactional (the server sees only committed rows; rows are emptied
  after each test).
- `browser`: Debian's Chromium, headless, through Playwright.
- `page_for(size)`: a watched page (see harness.py); relative URLs go to the live server
  when the test uses it.

A test fails when one of its pages had problems (harness.PageWatch) or when code in the
test's own process logged an error, and a failing test's report ends with what its pages
and the server's processes said meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from pytest_django import DjangoDbBlocker

from tests.worker import database_url

from .harness import CHROMIUM, CHROMIUM_ARGS, ErrorLog, PageFactory
from .stack import LiveStack, stack_running

PAGES = pytest.StashKey[PageFactory]()
ERRORS = pytest.StashKey[ErrorLog]()
SERVER_LOGS = pytest.StashKey[tuple[LiveStack, dict[Path, int]]]()


# Package scope: the stack stops after the last test here, before any other test runs a
# worker of its own on the same queues (tests/worker.py, tests/scoring/test_judge_worker.py).
@pytest.fixture(scope="package")
def live_stack(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveStack]:
    with django_db_blocker.unblock():
        url = database_url()
    with stack_running(database_url=url, log_dir=tmp_path_factory.mktemp("browser-stack")) as stack:
        yield stack


@pytest.fixture
def live_server_url(live_stack: LiveStack, transactional_db: None, request: pytest.FixtureRequest) -> str:
    """The live server's base URL, e.g. http://127.0.0.1:40123 (no trailing slash)."""
    request.node.stash[SERVER_LOGS] = (live_stack, live_stack.log_marks())
    return live_stack.url


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system-deps` installs Debian's chromium")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API marks its event loop as running in this thread between
        # calls, and Django then refuses the ORM here (SynchronousOnlyOperation). These
        # tests are synchronous; the rest of the suite keeps the check.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def logged_errors(request: pytest.FixtureRequest) -> Iterator[ErrorLog]:
    """Errors logged in this process (by any thread) while the test runs; any fails it."""
    errors = ErrorLog()
    request.node.stash[ERRORS] = errors
    logging.getLogger().addHandler(errors)
    yield errors
    logging.getLogger().removeHandler(errors)


@pytest.fixture
def page_for(browser: Browser, request: pytest.FixtureRequest) -> Iterator[PageFactory]:
    # The live server first, when the test has it: then the pages close before its rows go.
    base_url = request.getfixturevalue("live_server_url") if "live_server_url" in request.fixturenames else None
    pages = PageFactory(browser=browser, base_url=base_url)
    request.node.stash[PAGES] = pages
    yield pages
    pages.close()


def _report(item: pytest.Item, *, with_pages: bool) -> str:
    """What the test's pages and the server said, for a failing test."""
    parts = []
    pages = item.stash.get(PAGES, None)
    problems = [line for watch in pages.watches for line in watch.problems()] if pages and with_pages else []
    if problems:
        parts.append("browser problems during the test:\n- " + "\n- ".join(problems))
    stack_marks = item.stash.get(SERVER_LOGS, None)
    if stack_marks is not None:
        stack, marks = stack_marks
        parts.append(stack.logs_since(marks))
    return "\n".join(part for part in parts if part)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After the test body: fail it on its pages' problems and on errors logged in this
    process; on any failure, tell what the pages and the server said."""
    __tracebackhide__ = True
    try:
        yield
    except (Exception, pytest.fail.Exception) as exc:
        _note(exc, _report(item, with_pages=True))
        raise
    try:
        item.stash[ERRORS].assert_none()
        pages = item.stash.get(PAGES, None)
        if pages is not None:
            pages.assert_clean()
    except AssertionError as exc:
        _note(exc, _report(item, with_pages=False))
        raise


def _note(exc: BaseException, report: str) -> None:
    if report:
        exc.add_note(report)
