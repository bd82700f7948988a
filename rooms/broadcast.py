"""The one module that sends to channel groups; everything it sends was committed.

Group names come from the functions below. A message to a group is serialised once here
and forwarded as text by each consumer (`{"type": "push", ...}`), so a push to 2,000
sockets costs one `json.dumps`, not 2,000.

Leaderboard pushes are coalesced per contest: the first score change after a push
schedules the next one LEADERBOARD_PUSH_INTERVAL_S later (a shared cache key says one is
pending, so every process together sends at most one per interval), and the push reads
the board when it runs, so the latest state is always what goes out.

A failure to broadcast is logged and counted, never raised: the change is committed and
clients find what they missed through `seq`, `prev` and the heads in `pong`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, transaction
from prometheus_client import Counter

from .models import Contest, ContestEvent, EventScope
from .presence import presence_counts
from .realtime import AUDIENCE, HOST, TEAM, board_top, consistent_read, event_text, leaderboard_text, state_text

logger = logging.getLogger(__name__)

BROADCAST_FAILURES = Counter("quizserver_broadcast_failures_total", "Group sends that failed (clients resync).")
LEADERBOARD_PUSHES = Counter("quizserver_leaderboard_pushes_total", "Coalesced leaderboard pushes.")


def contest_group(contest_id: int) -> str:
    """Every socket of the contest but the hosts': teams' devices and screens."""
    return f"contest.{contest_id}.public"


def audience_group(contest_id: int) -> str:
    """The screens (audience sockets): the top of the board with every push."""
    return f"contest.{contest_id}.audience"


def team_devices_group(contest_id: int) -> str:
    """Every team's devices: the top of the board at most once per standing interval."""
    return f"contest.{contest_id}.teams"


def contest_host_group(contest_id: int) -> str:
    return f"contest.{contest_id}.host"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def push_message(*, text: str, seq: int, stream: str | None = None, state: str | None = None) -> dict[str, Any]:
    """A group message: the frame's text plus what a consumer needs to drop a duplicate
    (events: `stream` and `seq`) or a stale state (`state` names it, `seq` orders it)."""
    return {"type": "push", "text": text, "seq": seq, "stream": stream, "state": state}


Send = tuple[str, dict[str, Any]]
SEND_CONCURRENCY = 64


def _send_all(sends: list[Send]) -> None:
    """Hand the sends to this process's outbox on the server's loop and return: the
    request that committed the change does not wait for the fan-out. The outbox sends
    in the order it was given. Outside a server (a Celery worker, a command) send now."""
    if not sends:
        return
    loop = _loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        loop.call_soon_threadsafe(_outbox_put, sends, context=contextvars.Context())
        return
    try:
        async_to_sync(_group_send_all)(sends)
    except Exception:
        BROADCAST_FAILURES.inc(len(sends))
        logger.exception("Broadcast of %d message(s) failed; clients will resync", len(sends))


async def _group_send_all(sends: list[Send]) -> None:
    """Send a batch, many at once: a batch never names a group twice (one leaderboard
    push holds a message per team), so no group's order depends on it. Batches go one
    after another."""
    layer = get_channel_layer()
    assert layer is not None
    for start in range(0, len(sends), SEND_CONCURRENCY):
        chunk = sends[start : start + SEND_CONCURRENCY]
        # The group's name travels with the message: each process forwards it to its
        # own sockets in that group (rooms.fanout).
        await asyncio.gather(*(layer.group_send(group, {**message, "group": group}) for group, message in chunk))


_outbox: asyncio.Queue[list[Send]] | None = None


def _outbox_put(sends: list[Send]) -> None:
    """On the loop: queue the sends, starting the outbox's sender the first time."""
    global _outbox
    if _outbox is None:
        _outbox = asyncio.Queue()
        task = asyncio.get_running_loop().create_task(_outbox_send(_outbox))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    _outbox.put_nowait(sends)


async def _outbox_send(outbox: asyncio.Queue[list[Send]]) -> None:
    while True:
        sends = await outbox.get()
        try:
            await _group_send_all(sends)
        except Exception:
            BROADCAST_FAILURES.inc(len(sends))
            logger.exception("Broadcast of %d message(s) failed; clients will resync", len(sends))


# --- Events ------------------------------------------------------------------------------


def event_publish(*, event: ContestEvent, epoch: int) -> None:
    """Send a committed event to the groups that may see it, each in its own projection."""
    host_text = event_text(event=event, epoch=epoch, role=HOST)
    sends: list[Send] = [
        (contest_host_group(event.contest_id), push_message(text=host_text, seq=event.seq, stream="contest"))
    ]
    if event.scope == EventScope.PUBLIC:
        text = event_text(event=event, epoch=epoch, role=AUDIENCE)
        sends.append((contest_group(event.contest_id), push_message(text=text, seq=event.seq, stream="public")))
    elif event.scope == EventScope.TEAM and event.team_id is not None:
        text = event_text(event=event, epoch=epoch, role=TEAM)
        sends.append((team_group(event.team_id), push_message(text=text, seq=event.seq, stream="team")))
    _send_all(sends)


def presence_publish(*, contest_id: int, epoch: int, seq: int, team_id: int, devices: int) -> None:
    text = state_text(type="presence", seq=seq, epoch=epoch, team=team_id, devices=devices)
    _send_all([(contest_host_group(contest_id), push_message(text=text, seq=seq))])


# --- Leaderboard -------------------------------------------------------------------------


def board_touch_on_commit(*, contest_id: int) -> None:
    """The board of this contest may have changed: push it once the transaction commits."""
    transaction.on_commit(lambda: board_touch(contest_id=contest_id))


# Contests whose next push this process has scheduled, and when: until that push starts,
# their changes need no round trip to the shared key (under load, most answers find one
# scheduled). Trusted for as long as the shared key lives, in case the push never ran.
_scheduled: dict[int, float] = {}
PENDING_TTL_S = 30


def board_touch(*, contest_id: int) -> None:
    since = _scheduled.get(contest_id)
    if since is not None and time.monotonic() - since < PENDING_TTL_S:
        return
    if cache.add(f"board:pending:{contest_id}", 1, timeout=PENDING_TTL_S):
        _scheduled[contest_id] = time.monotonic()
        later(settings.LEADERBOARD_PUSH_INTERVAL_S, board_flush, contest_id=contest_id)


def board_flush(*, contest_id: int) -> None:
    """Push the board: the top to screens and teams (frozen during a freeze) and, live, to
    hosts; to each team its standing, if it changed since the last push."""
    if not cache.add(f"board:flushing:{contest_id}", 1, timeout=30):
        later(settings.LEADERBOARD_PUSH_INTERVAL_S, board_flush, contest_id=contest_id)
        return
    try:
        # Cleared before the board is read: a change committed after this point
        # schedules a push of its own, so none is left out.
        _scheduled.pop(contest_id, None)
        cache.delete(f"board:pending:{contest_id}")
        _board_send(contest_id=contest_id)
    finally:
        cache.delete(f"board:flushing:{contest_id}")


def _board_send(*, contest_id: int) -> None:
    from scoring.selectors import board_get  # scoring imports rooms: import late

    # The contest row and both boards from one snapshot: the boards reflect exactly the
    # events up to its seq, under the freeze setting of that same moment.
    with consistent_read():
        contest = Contest.objects.filter(pk=contest_id).first()
        if contest is None:
            return
        seq, epoch = contest.last_seq, contest.epoch
        live = board_get(contest=contest, live=True)
        visible = board_get(contest=contest) if contest.settings.get("freeze_at") else live
    sent_key = f"board:sent:{contest_id}"
    sent: dict[str, Any] = cache.get(sent_key) or {"public": None, "standings": {}}

    sends: list[Send] = [
        (
            contest_host_group(contest_id),
            push_message(
                text=leaderboard_text(seq=seq, epoch=epoch, board=live, role=HOST), seq=seq, state="leaderboard"
            ),
        )
    ]
    # Live, the top goes to the screens with every push (every push follows a change).
    # Frozen, only when it differs from the last one sent: a team that joins after the
    # freeze still shows.
    public_top = board_top(board=visible, role=AUDIENCE)
    public = state_text(type="leaderboard", seq=seq, epoch=epoch, **public_top)
    if visible.frozen_at is None or public_top != sent.get("public"):
        sends.append((audience_group(contest_id), push_message(text=public, seq=seq, state="leaderboard")))
    # Team devices show their own standing first and the top folded away: they get the
    # top with the same cadence as their standings, at most once per interval, and
    # always the latest (a later push is scheduled when one is not due yet). At 2,000
    # sockets this is most of a push's frames.
    teams_due_in = sent.get("teams_at", 0.0) + settings.STANDING_PUSH_INTERVAL_S - time.time()
    if teams_due_in <= 0:
        if visible.frozen_at is None or public_top != sent.get("teams"):
            sends.append((team_devices_group(contest_id), push_message(text=public, seq=seq, state="leaderboard")))
            sent["teams"], sent["teams_at"] = public_top, time.time()
        teams_due_in = None
    standings, due_in = _standing_sends(contest_id=contest_id, seq=seq, epoch=epoch, board=visible, sent=sent)
    sends += standings
    cache.set(sent_key, {**sent, "public": public_top}, timeout=86400)
    waits = [wait for wait in (due_in, teams_due_in) if wait is not None]
    if waits:
        later(min(waits), board_touch, contest_id=contest_id)
    LEADERBOARD_PUSHES.inc()
    _send_all(sends)


def _standing_sends(
    *, contest_id: int, seq: int, epoch: int, board: Any, sent: dict[str, Any]
) -> tuple[list[Send], float | None]:
    """Standings that changed since the last push, to teams with a device connected (one
    that connects later gets its standing in its snapshot). They go at most once per
    STANDING_PUSH_INTERVAL_MS: ranks shift for most teams with every answer, and a
    team sees its own score at once in its answer's event. Before they are due, returns
    in how many seconds to look again. Updates `sent` in place."""
    from scoring.selectors import team_scores  # scoring imports rooms: import late

    wait = sent.get("standings_at", 0.0) + settings.STANDING_PUSH_INTERVAL_S - time.time()
    if wait > 0:
        # Not due yet: look again when it is, without reading presence or comparing
        # standings on every push in between (under load, pushes come 4 times a second).
        return [], wait
    online = presence_counts(contest_id=contest_id)
    previous: dict[int, Any] = sent.get("standings", {})
    current = {row["id"]: board.standing(row["id"]) for row in board.rows if row["id"] in online}
    for team_id, score in team_scores(contest_id=contest_id, exclude=current.keys(), among=previous):
        if team_id in online:
            current[team_id] = board.standing(team_id, score=score)
    changed = {team_id: standing for team_id, standing in current.items() if previous.get(team_id) != standing}
    if not changed:
        return [], None
    sent["standings"], sent["standings_at"] = current, time.time()
    return [
        (
            team_group(team_id),
            push_message(text=state_text(type="standing", seq=seq, epoch=epoch, **standing), seq=seq, state="standing"),
        )
        for team_id, standing in changed.items()
    ], None


# --- Running later -----------------------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None
_tasks: set[asyncio.Task[None]] = set()


def loop_bind(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the server's event loop, so that sends and delayed pushes run on it (the
    in-memory channel layer lives there, and a thread per push would be wasteful)."""
    global _loop, _outbox
    if loop is not _loop:
        _loop, _outbox = loop, None
        _scheduled.clear()  # pushes scheduled on the old loop will not run


def later(delay: float, fn: Callable[..., object], **kwargs: Any) -> None:
    """Run `fn(**kwargs)` in `delay` seconds: on the server's loop in an ASGI process, on a
    timer thread elsewhere (a Celery worker, a management command)."""
    loop = _loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        # A fresh context: the caller's belongs to its thread (asgiref marks the thread a
        # sync view runs in), and a task that inherited it would wait on that thread.
        loop.call_soon_threadsafe(_start_task, loop, delay, fn, kwargs, context=contextvars.Context())
        return
    timer = threading.Timer(delay, _run_in_thread, args=(fn, kwargs))
    timer.daemon = True
    with _timers_lock:
        _timers.add(timer)
    timer.start()


_timers: set[threading.Timer] = set()
_timers_lock = threading.Lock()


def timers_settle(*, timeout: float = 10) -> None:
    """Cancel the delayed pushes of this process's timer threads that have not started and
    wait for those running (a worker shutting down; tests, before the database is reset
    under them). A push dropped here is not lost: clients find the latest board on their
    next push, snapshot or resync."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _timers_lock:
            timers = list(_timers)
        if not timers:
            break
        for timer in timers:
            timer.cancel()
            timer.join(max(0.0, deadline - time.monotonic()))
            with _timers_lock:
                _timers.discard(timer)
    _scheduled.clear()  # their pushes will not run


def _start_task(loop: asyncio.AbstractEventLoop, delay: float, fn: Callable[..., object], kwargs: Any) -> None:
    task = loop.create_task(_run_later(delay, fn, kwargs))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _run_later(delay: float, fn: Callable[..., object], kwargs: Any) -> None:
    await asyncio.sleep(delay)
    try:
        await database_sync_to_async(fn)(**kwargs)
    except Exception:
        logger.exception("Delayed broadcast %s failed", getattr(fn, "__name__", fn))


def _run_in_thread(fn: Callable[..., object], kwargs: Any) -> None:
    try:
        fn(**kwargs)
    except Exception:
        logger.exception("Delayed broadcast %s failed", getattr(fn, "__name__", fn))
    finally:
        close_old_connections()
        with _timers_lock:
            _timers.discard(threading.current_thread())  # type: ignore[arg-type]
