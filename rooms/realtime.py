"""Reads for the WebSocket endpoint: who is connecting, snapshots, missed events, boards.

Every message built here is what the protocol (rooms/protocol.py) describes; the text is
serialised once and then sent as is, to one socket or to a whole group.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Q

from teams.models import Team
from teams.selectors import team_snapshot_get, team_view

from .codes import code_normalize
from .models import Contest, ContestEvent, EventScope, HostToken
from .protocol import PROTOCOL_VERSION
from .selectors import public_contest_get
from .tokens import token_hash

AUDIENCE, TEAM, HOST = "audience", "team", "host"


class SocketRefused(Exception):
    """Why a socket is closed before it gets anything; `close_code` is in docs/PROTOCOL.md."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code


@dataclass(frozen=True)
class Viewer:
    """Who is behind a socket: the contest, the role, and the team for a team's device."""

    contest_id: int
    epoch: int
    role: str
    team_id: int | None = None

    @property
    def streams(self) -> tuple[str, ...]:
        return {AUDIENCE: ("public",), TEAM: ("public", "team"), HOST: ("contest",)}[self.role]

    def positions(self, *, last_seq: int | None, heads: Mapping[Any, int] | None) -> dict[str, int] | None:
        """Where a client stands in each of its streams: its `heads` if it sent them (all
        of its streams), else `last_seq` for every stream; None: it needs a snapshot."""
        if heads is not None and set(self.streams) <= set(heads):
            return {stream: heads[stream] for stream in self.streams}
        if last_seq is not None:
            return dict.fromkeys(self.streams, last_seq)
        return None

    @property
    def team(self) -> int:
        if self.team_id is None:
            raise ValueError("This socket is not a team's.")
        return self.team_id


def viewer_get(*, code: str, token: str | None, user: AbstractBaseUser | AnonymousUser, audience: bool) -> Viewer:
    """Resolve a hello: a team token of this contest, a quizmaster token or session of its
    owner, or nobody (the audience). A token that matches neither is refused, not
    downgraded: a device with a stale token must learn that it has to join again."""
    normalized = code_normalize(code)
    contest = Contest.objects.filter(code=normalized).only("id", "epoch", "owner_id").first() if normalized else None
    if contest is None:
        raise SocketRefused(4404, "No contest has this code.")
    if audience:
        return Viewer(contest.pk, contest.epoch, AUDIENCE)
    if token is None:
        if user.is_authenticated and user.pk == contest.owner_id:
            return Viewer(contest.pk, contest.epoch, HOST)
        return Viewer(contest.pk, contest.epoch, AUDIENCE)
    hashed = token_hash(token)
    team_id = Team.objects.filter(token_hash=hashed, contest=contest).values_list("pk", flat=True).first()
    if team_id is not None:
        return Viewer(contest.pk, contest.epoch, TEAM, team_id)
    if HostToken.objects.filter(key_hash=hashed, user_id=contest.owner_id, user__is_active=True).exists():
        return Viewer(contest.pk, contest.epoch, HOST)
    raise SocketRefused(4401, "This token is not a team of this contest nor its quizmaster's; join again.")


# --- Heads: where each stream stands ----------------------------------------------------


def heads_get(*, viewer: Viewer) -> dict[str, int]:
    return position_get(viewer=viewer)[1]


def position_get(*, viewer: Viewer) -> tuple[int, dict[str, int]]:
    """The contest's seq and where each of the viewer's streams stands, in one read."""
    row = Contest.objects.filter(pk=viewer.contest_id).values("last_seq", "last_public_seq").get()
    if viewer.role == HOST:
        return row["last_seq"], {"contest": row["last_seq"]}
    heads = {"public": row["last_public_seq"]}
    if viewer.role == TEAM:
        heads["team"] = Team.objects.filter(pk=viewer.team).values_list("last_event_seq", flat=True).get()
    return row["last_seq"], heads


def contest_seq_get(*, contest_id: int) -> int:
    return Contest.objects.filter(pk=contest_id).values_list("last_seq", flat=True).get()


# --- Events as each role sees them ------------------------------------------------------


def event_stream(*, event: ContestEvent, role: str) -> str:
    return "contest" if role == HOST else str(event.scope)


def event_text(*, event: ContestEvent, epoch: int, role: str) -> str:
    """One event as `role` receives it. Hosts get the whole log as one stream."""
    stream = event_stream(event=event, role=role)
    prev = event.seq - 1 if stream == "contest" else event.prev
    return json.dumps(
        {
            "type": event.type,
            "seq": event.seq,
            "epoch": epoch,
            "stream": stream,
            "prev": prev,
            "at": event.created_at.isoformat(),
            "data": event.payload,
        },
        separators=(",", ":"),
    )


def _events_after(*, viewer: Viewer, after: dict[str, int]) -> Q:
    if viewer.role == HOST:
        return Q(seq__gt=after["contest"])
    visible = Q(scope=EventScope.PUBLIC, seq__gt=after["public"])
    if viewer.role == TEAM:
        visible |= Q(scope=EventScope.TEAM, team_id=viewer.team, seq__gt=after["team"])
    return visible


def events_since(*, viewer: Viewer, after: dict[str, int]) -> list[tuple[str, int, str]] | None:
    """The events this viewer may see past its position in each stream, as (text, seq,
    stream); None when a snapshot is the better answer (too many, or a position is ahead
    of the log)."""
    limit = settings.WS_RESUME_MAX_EVENTS
    if any(position > head for position, head in _stream_pairs(viewer=viewer, after=after)):
        return None
    events = list(
        ContestEvent.objects.filter(_events_after(viewer=viewer, after=after), contest_id=viewer.contest_id).order_by(
            "seq"
        )[: limit + 1]
    )
    if len(events) > limit:
        return None
    return [
        (event_text(event=e, epoch=viewer.epoch, role=viewer.role), e.seq, event_stream(event=e, role=viewer.role))
        for e in events
    ]


def _stream_pairs(*, viewer: Viewer, after: dict[str, int]) -> list[tuple[int, int]]:
    heads = heads_get(viewer=viewer)
    return [(after[stream], heads[stream]) for stream in viewer.streams]


def state_text(*, type: str, seq: int, epoch: int, **fields: Any) -> str:
    return json.dumps({"type": type, "seq": seq, "epoch": epoch, **fields}, separators=(",", ":"))


# --- Snapshots ------------------------------------------------------------------------


@contextmanager
def consistent_read() -> Iterator[None]:
    """Several reads from one database snapshot (PostgreSQL REPEATABLE READ, read only), so
    that a contest's seq and the state read with it agree: no change can commit between
    them (a freeze, then an answer, would otherwise show newer scores under an older seq)."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def snapshot_text(*, viewer: Viewer, devices: dict[int, int]) -> tuple[str, dict[str, int], int]:
    """A full snapshot for the viewer's role, read in one consistent database snapshot so
    that its heads and its state agree; returns the text, the heads and the seq."""
    with consistent_read():
        contest = Contest.objects.get(pk=viewer.contest_id)
        heads = heads_get(viewer=viewer)
        data = _snapshot_data(contest=contest, viewer=viewer, devices=devices)
    text = state_text(
        type="snapshot",
        seq=contest.last_seq,
        epoch=contest.epoch,
        protocol=PROTOCOL_VERSION,
        role=viewer.role,
        heads=heads,
        server_time=time.time(),
        data=data,
    )
    return text, heads, contest.last_seq


def board_top(*, board: Any, role: str) -> dict[str, Any]:
    """The rows of the board a role is sent: the top for screens and teams, more for hosts."""
    return board.top(settings.LEADERBOARD_HOST_TOP if role == HOST else settings.LEADERBOARD_TOP)


def leaderboard_text(*, seq: int, epoch: int, board: Any, role: str) -> str:
    return state_text(type="leaderboard", seq=seq, epoch=epoch, **board_top(board=board, role=role))


def board_texts(*, viewer: Viewer) -> list[tuple[str, str, int]]:
    """The board messages this viewer gets now, as (text, state, seq)."""
    from scoring.selectors import board_get  # scoring imports rooms: import late

    contest = Contest.objects.get(pk=viewer.contest_id)
    seq = contest.last_seq
    board = board_get(contest=contest, live=viewer.role == HOST)
    texts = [(leaderboard_text(seq=seq, epoch=contest.epoch, board=board, role=viewer.role), "leaderboard", seq)]
    if viewer.role == TEAM and viewer.team_id is not None:
        score = Team.objects.filter(pk=viewer.team_id).values_list("score", flat=True).get()
        standing = board.standing(viewer.team_id, score=score)
        texts.append((state_text(type="standing", seq=seq, epoch=contest.epoch, **standing), "standing", seq))
    return texts


def _snapshot_data(*, contest: Contest, viewer: Viewer, devices: dict[int, int]) -> dict[str, Any]:
    from scoring.selectors import board_get  # scoring imports rooms: import late

    board = board_get(contest=contest, live=viewer.role == HOST)
    common = {"announcements": announcements_recent(contest_id=contest.pk)}
    if viewer.role == HOST:
        return {
            **common,
            "contest": _contest_host(contest),
            "teams": [{**team_view(t), "devices": devices.get(t.pk, 0)} for t in contest.teams.order_by("created_at")],
            "leaderboard": board_top(board=board, role=HOST),
        }
    public = {
        **common,
        "contest": public_contest_get(contest=contest),
        "leaderboard": board_top(board=board, role=viewer.role),
    }
    if viewer.role == AUDIENCE:
        return public
    team = Team.objects.select_related("contest").get(pk=viewer.team)
    own = team_snapshot_get(team=team)
    return {
        **public,
        "team": own["team"],
        "standing": board.standing(team.pk, score=team.score),
        "rounds": own["rounds"],
        "claims": own["claims"],
        "answers": own["answers"],
    }


def _contest_host(contest: Contest) -> dict[str, Any]:
    from .api import contest_body  # the HTTP shape, so the console needs one parser

    return dict(contest_body(contest))


def announcements_recent(*, contest_id: int) -> list[dict[str, Any]]:
    rows = ContestEvent.objects.filter(contest_id=contest_id, type="announcement").order_by("-seq")[
        : settings.WS_SNAPSHOT_ANNOUNCEMENTS
    ]
    return [{"seq": e.seq, "text": e.payload["text"], "at": e.created_at.isoformat()} for e in reversed(rows)]
