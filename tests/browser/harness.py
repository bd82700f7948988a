"""What the page tests do to a page: open it at a screen size with its errors watched, take
screenshots, check that it never scrolls sideways, and run axe-core on it.

    def test_the_team_page(page_for: PageFactory, live_server_url: str) -> None:
        page = page_for("phone")            # 390x844, touch; "desktop" is 1920x1080
        page.goto("/play/")                 # relative to the live server
        screenshot(page, "play-join")       # var/screenshots/play-join-390x844.png
        assert_no_horizontal_scroll(page)
        axe_check(page)                     # fails on serious or critical violations

A test fails when any of its pages logged a console error, threw an uncaught error, loaded
anything from another origin than the server's, or got a failed or 4xx/5xx response from
it (conftest.py checks after the test body). A test that provokes one on purpose says so:
`page_for.watch(page).allow(r"/api/v1/join")` forgives the lines that pattern matches.

Playwright's sync API marks its event loop as running in the test's thread. There, Django's
ORM works only because conftest.py allows it, and asgiref refuses `async_to_sync`, so a
service that broadcasts would lose its pushes (rooms/broadcast.py logs and goes on). Set up
data and act as the server with `in_thread(fn, ...)`, or through the HTTP API.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit

from django.db import connections
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, WebSocket

from tests.worker import ROOT

P = ParamSpec("P")
T = TypeVar("T")
Size = Literal["desktop", "phone"]
VIEWPORTS: dict[Size, dict[str, int]] = {
    "desktop": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844},
}
SIZES: tuple[Size, ...] = ("desktop", "phone")

CHROMIUM = "/usr/bin/chromium"  # Debian's; `make system-deps` installs it
# Without the background-networking flags Chromium calls home, and this network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_FAILING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 10_000  # Playwright's 30 s default makes a missing element slow to report


def in_thread(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a thread without Playwright's event loop, for factories and
    services (their broadcasts reach the live server's sockets through Redis); its
    database connection is closed after."""

    def call() -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


class ErrorLog(logging.Handler):
    """Records logged at ERROR or above (the `logged_errors` fixture, on the root logger)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def clear(self) -> None:
        self.records.clear()

    def assert_none(self) -> None:
        __tracebackhide__ = True
        if not self.records:
            return
        lines = [f"{record.name}: {record.getMessage()}" for record in self.records]
        if any("AsyncToSync in the same thread" in str(record.exc_info) for record in self.records):
            lines.append("code that broadcasts ran in the test's thread, where Playwright's loop runs: use in_thread()")
        raise AssertionError("The test's process logged errors:\n- " + "\n- ".join(lines))


def screenshot_dir() -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "var" / "screenshots")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


def _is_network(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https", "ws", "wss")


@dataclass
class PageWatch:
    """Everything wrong that one page did, as readable lines; `own_origin` is the server's."""

    page: Page
    own_origin: str | None
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def attach(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.lines.append(f"uncaught error: {error}"))
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("websocket", self._on_websocket)

    def allow(self, *patterns: str) -> None:
        """Forgive the problem lines these regular expressions match (`re.search`)."""
        self.allowed.extend(re.compile(pattern) for pattern in patterns)

    def problems(self) -> list[str]:
        return [line for line in self.lines if not any(pattern.search(line) for pattern in self.allowed)]

    def clear(self) -> None:
        self.lines.clear()

    def assert_clean(self) -> None:
        __tracebackhide__ = True
        self._flush()
        problems = self.problems()
        if problems:
            where = self.page.url if not self.page.is_closed() else "a closed page"
            raise AssertionError(
                f"The page at {where} (viewport {self.page.viewport_size}) had:\n- " + "\n- ".join(problems)
            )

    def _flush(self) -> None:
        """Events the browser sent are delivered during Playwright calls: make one."""
        if not self.page.is_closed():
            self.page.evaluate("0")

    def _ours(self, url: str) -> bool:
        return self.own_origin is not None and _origin(url) == self.own_origin

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.location.get("url")
            self.lines.append(f"console error: {message.text}" + (f" [{url}]" if url else ""))

    def _on_request(self, request: Request) -> None:
        if _is_network(request.url) and not self._ours(request.url):
            self.lines.append(f"loaded from another origin: {request.method} {request.url}")

    def _on_websocket(self, socket: WebSocket) -> None:
        if not self._ours(socket.url):
            self.lines.append(f"socket to another origin: {socket.url}")

    def _on_request_failed(self, request: Request) -> None:
        # ERR_ABORTED: a load the page itself cancelled (it navigated on), or a 4xx/5xx
        # already reported from its response.
        failure = request.failure or ""
        if self._ours(request.url) and "ERR_ABORTED" not in failure:
            self.lines.append(f"request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response: Response) -> None:
        if self._ours(response.url) and response.status >= 400:
            self.lines.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@dataclass
class PageFactory:
    """`page_for(size)`: a new page, in a browser context of its own (a device of its own:
    own cookies and storage), at that screen size, watched by a `PageWatch`."""

    browser: Browser = field(repr=False)
    base_url: str | None
    watches: list[PageWatch] = field(default_factory=list, repr=False)
    contexts: list[BrowserContext] = field(default_factory=list, repr=False)

    def __call__(self, size: Size, *, allow: Iterable[str] = ()) -> Page:
        options: dict[str, Any] = {"viewport": VIEWPORTS[size], "locale": "en-US", "timezone_id": "UTC"}
        if size == "phone":
            options |= {"is_mobile": True, "has_touch": True}
        if self.base_url:
            options["base_url"] = self.base_url
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page=page, own_origin=_origin(self.base_url) if self.base_url else None)
        watch.allow(*allow)
        watch.attach()
        self.watches.append(watch)
        return page

    def watch(self, page: Page) -> PageWatch:
        return next(watch for watch in self.watches if watch.page is page)

    def assert_clean(self) -> None:
        """Every page's problems, all in one failure."""
        __tracebackhide__ = True
        failures = []
        for watch in self.watches:
            try:
                watch.assert_clean()
            except AssertionError as exc:
                failures.append(str(exc))
        if failures:
            raise AssertionError("\n".join(failures))

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _viewport(page: Page) -> tuple[int, int]:
    size = page.viewport_size
    assert size is not None, "pages from page_for() have a viewport"
    return size["width"], size["height"]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves `<SCREENSHOT_DIR or var/screenshots>/<name>-<width>x<height>.png`; returns its path."""
    width, height = _viewport(page)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = screenshot_dir() / f"{safe}-{width}x{height}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=full_page, animations="disabled")
    return path


_WIDTHS_JS = """
() => {
  const doc = document.documentElement, body = document.body;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > doc.clientWidth + 0.5 && box.width > 0) {
      const id = el.id ? "#" + el.id : "";
      const names = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const cls = names.filter(Boolean).map(name => "." + name).join("");
      wide.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge at ${Math.round(box.right)} px)`);
      if (wide.length === 8) break;
    }
  }
  return {
    docScroll: doc.scrollWidth, docClient: doc.clientWidth,
    bodyScroll: body ? body.scrollWidth : 0, bodyClient: body ? body.clientWidth : 0, wide,
  };
}
"""


def assert_no_horizontal_scroll(page: Page) -> None:
    """Nothing is wider than the screen: the page (and its body) never scroll sideways, and
    a phone lays it out at the phone's width (a page without a viewport meta tag is laid
    out 980 px wide and shrunk)."""
    __tracebackhide__ = True
    widths = page.evaluate(_WIDTHS_JS)
    width, height = _viewport(page)
    problems = []
    if widths["docClient"] > width:
        problems.append(
            f"laid out {widths['docClient']} px wide on a {width} px screen: "
            'add <meta name="viewport" content="width=device-width, initial-scale=1">'
        )
    if widths["docScroll"] > widths["docClient"]:
        problems.append(f"the page scrolls sideways: {widths['docScroll']} px of content in {widths['docClient']} px")
    if widths["bodyScroll"] > widths["bodyClient"]:
        problems.append(f"the body scrolls sideways: {widths['bodyScroll']} px of content in {widths['bodyClient']} px")
    if problems:
        wide = "".join(f"\n    {element}" for element in widths["wide"])
        raise AssertionError(
            f"{page.url} at {width}x{height}: "
            + "; ".join(problems)
            + (f"\n  elements past the right edge:{wide}" if wide else "")
        )


def axe_run(page: Page, *, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """axe-core's full results for the page as it is now."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: `make pytest` installs it (npm ci in tests/browser)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_JS)
    run_options = {"resultTypes": ["violations"], **(options or {})}
    results: dict[str, Any] = page.evaluate("options => window.axe.run(document, options)", run_options)
    return results


def axe_violations_format(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def axe_check(
    page: Page, *, impacts: Iterable[str] = AXE_FAILING_IMPACTS, options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Runs axe-core and fails on violations of these impacts; returns all violations."""
    __tracebackhide__ = True
    wanted = tuple(impacts)
    violations: list[dict[str, Any]] = axe_run(page, options=options)["violations"]
    failing = [violation for violation in violations if violation["impact"] in wanted]
    if failing:
        width, height = _viewport(page)
        raise AssertionError(
            f"axe-core found {len(failing)} {' or '.join(wanted)} violation(s) on {page.url} at "
            f"{width}x{height}:\n{axe_violations_format(failing)}"
        )
    return violations
