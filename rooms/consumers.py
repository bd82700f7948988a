"""The contest socket, `/ws/v1/contests/<code>/`: pushes, ping and resync (docs/PROTOCOL.md).

Commands (answers, claims, the quizmaster's actions) stay on HTTP, where they are
idempotent, rate-limited and documented in OpenAPI. This socket only says what changed.

The consumer translates and delegates: it parses frames with the protocol's schemas,
reads through `rooms.realtime` and `rooms.presence` (in threads, never in the loop), and
forwards group messages, which `rooms.broadcast` serialised once for everybody.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from pydantic import ValidationError

from . import broadcast, presence, realtime
from .fanout import fanout
from .models import Contest
from .protocol import Hello, Ping, Resync, client_message_parse
from .realtime import HOST, TEAM, SocketRefused, Viewer

# Close codes (docs/PROTOCOL.md lists them with what a client should do).
CLOSE_BAD_HELLO = 4400
CLOSE_BAD_TOKEN = 4401
CLOSE_TOKEN_IN_URL = 4403
CLOSE_UNKNOWN_CONTEST = 4404
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_TOO_MANY_MESSAGES = 4429


class ContestConsumer(AsyncWebsocketConsumer):
    # No channel of its own: group messages come through this process's fan-out
    # (rooms.fanout), which saves each socket a channel, a subscription and a reader.
    channel_layer_alias = None
    viewer: Viewer | None = None

    async def connect(self) -> None:
        broadcast.loop_bind(asyncio.get_running_loop())
        self.channel_name = f"socket.{uuid.uuid4().hex}"  # this device, in presence
        self.heads: dict[str, int] = {}
        self.state_seq: dict[str, int] = {}
        self.groups_joined: list[str] = []
        self.recent: list[float] = []
        self.tasks: list[asyncio.Task[None]] = []
        # Pushes that arrive while a client message is handled wait here, then go out in
        # order: a snapshot or a replay is sent first, and what it holds is not sent twice.
        self.held: list[dict[str, Any]] | None = None
        await self.accept()
        if b"token=" in self.scope.get("query_string", b""):
            await self._refuse(CLOSE_TOKEN_IN_URL, "Tokens go in the hello message, never in the URL.")
            return
        self.tasks.append(asyncio.create_task(self._hello_deadline()))

    async def disconnect(self, code: int) -> None:
        for task in self.tasks:
            task.cancel()
        for group in self.groups_joined:
            await fanout().leave(group, self)
        self.groups_joined = []
        viewer = self.viewer
        if viewer is not None and viewer.role == TEAM and viewer.team_id is not None:
            await self._presence(presence.presence_leave)

    # --- Client messages --------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.held = []
        try:
            await self._receive(text_data, bytes_data)
        finally:
            while self.held:
                await self._push(self.held.pop(0))
            self.held = None

    async def _receive(self, text_data: str | None, bytes_data: bytes | None) -> None:
        if self._over_rate():
            await self._refuse(CLOSE_TOO_MANY_MESSAGES, "Too many messages; ping at most every few seconds.")
            return
        try:
            message = client_message_parse(text_data if text_data is not None else bytes_data or b"")
        except ValidationError as exc:
            if self.viewer is None:
                await self._refuse(CLOSE_BAD_HELLO, "The first message must be a valid hello.")
            else:
                await self._error("bad_message", _validation_detail(exc))
            return
        if self.viewer is None:
            if not isinstance(message, Hello):
                await self._refuse(CLOSE_BAD_HELLO, "The first message must be a hello.")
                return
            await self._hello(message)
        elif isinstance(message, Ping):
            await self._pong(message)
        elif isinstance(message, Resync):
            await self._resync(self._viewer().positions(last_seq=message.last_seq, heads=message.heads))
        else:
            await self._error("already_hello", "This socket has said hello already; reconnect to change who you are.")

    async def _hello(self, hello: Hello) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        try:
            viewer = await database_sync_to_async(realtime.viewer_get)(
                code=code, token=hello.token, user=self.scope.get("user") or AnonymousUser(), audience=hello.audience
            )
        except SocketRefused as refused:
            await self._refuse(refused.close_code, str(refused))
            return
        self.viewer = viewer
        for task in self.tasks:
            task.cancel()
        # Groups first, then the snapshot: anything committed meanwhile arrives through
        # the group, and what the snapshot already holds is dropped by `seq`.
        for group in self._groups(viewer):
            await fanout().join(group, self)
            self.groups_joined.append(group)
        if viewer.role == TEAM:
            await self._presence(presence.presence_touch)
            self.tasks.append(asyncio.create_task(self._keep_alive()))
        if hello.epoch == viewer.epoch:
            await self._resync(viewer.positions(last_seq=hello.last_seq, heads=hello.heads))
        else:
            await self._snapshot()

    async def _resync(self, after: dict[str, int] | None) -> None:
        """Replay the events after `after` (a position per stream), or send a snapshot.
        A replay is sent even where this socket forwarded an event before: the client
        asks because it did not get it."""
        viewer = self._viewer()
        events = None
        if after is not None:
            events = await database_sync_to_async(realtime.events_since)(viewer=viewer, after=after)
        if events is None:
            await self._snapshot()
            return
        for text, seq, stream in events:
            self.heads[stream] = max(self.heads.get(stream, 0), seq)
            await self.send(text_data=text)
        seq, heads = await database_sync_to_async(realtime.position_get)(viewer=viewer)
        self.heads = {stream: max(self.heads.get(stream, 0), head) for stream, head in heads.items()}
        await self.send(text_data=realtime.state_text(type="synced", seq=seq, epoch=viewer.epoch, heads=heads))
        await self._board_now()

    async def _snapshot(self) -> None:
        viewer = self._viewer()
        devices = (
            await sync_to_async(presence.presence_counts)(contest_id=viewer.contest_id) if viewer.role == HOST else {}
        )
        text, heads, seq = await database_sync_to_async(realtime.snapshot_text)(viewer=viewer, devices=devices)
        self.heads = dict(heads)
        self.state_seq = {"leaderboard": seq, "standing": seq}
        await self.send(text_data=text)

    async def _board_now(self) -> None:
        """After a replay the events are current but the board may not be: send it."""
        for text, state, seq in await database_sync_to_async(realtime.board_texts)(viewer=self._viewer()):
            await self._forward_state(text=text, state=state, seq=seq)

    async def _pong(self, ping: Ping) -> None:
        viewer = self._viewer()
        seq, heads = await database_sync_to_async(realtime.position_get)(viewer=viewer)
        pong = realtime.state_text(
            type="pong", seq=seq, epoch=viewer.epoch, id=ping.id, server_time=time.time(), heads=heads
        )
        await self.send(text_data=pong)

    # --- Group messages -----------------------------------------------------------------

    async def push(self, message: dict[str, Any]) -> None:
        """A message from `rooms.broadcast`, handed over by this process's fan-out (not
        through Channels' dispatch, whose per-message hop to a worker thread would cost
        2,000 hops for a push to 2,000 sockets): forward its text unless this socket has
        it, or hold it until the client message being handled is done."""
        if self.held is not None:
            self.held.append(message)
        else:
            await self._push(message)

    async def _push(self, message: dict[str, Any]) -> None:
        if message.get("stream"):
            await self._forward(text=message["text"], seq=message["seq"], stream=message["stream"])
        elif message.get("state"):
            await self._forward_state(text=message["text"], state=message["state"], seq=message["seq"])
        else:
            await self.send(text_data=message["text"])

    async def _forward(self, *, text: str, seq: int, stream: str) -> None:
        if seq <= self.heads.get(stream, 0):
            return  # the snapshot or a replay had it already
        self.heads[stream] = seq
        await self.send(text_data=text)

    async def _forward_state(self, *, text: str, state: str, seq: int) -> None:
        if seq < self.state_seq.get(state, 0):
            return  # older than what this socket shows
        self.state_seq[state] = seq
        await self.send(text_data=text)

    # --- Helpers ---------------------------------------------------------------------------

    def _viewer(self) -> Viewer:
        assert self.viewer is not None
        return self.viewer

    @staticmethod
    def _groups(viewer: Viewer) -> list[str]:
        if viewer.role == HOST:
            return [broadcast.contest_host_group(viewer.contest_id)]
        groups = [broadcast.contest_group(viewer.contest_id)]
        if viewer.role == TEAM and viewer.team_id is not None:
            groups += [broadcast.team_group(viewer.team_id), broadcast.team_devices_group(viewer.contest_id)]
        else:
            groups.append(broadcast.audience_group(viewer.contest_id))
        return groups

    async def _state(self, type: str, **fields: Any) -> str:
        viewer = self._viewer()
        seq = await database_sync_to_async(realtime.contest_seq_get)(contest_id=viewer.contest_id)
        return realtime.state_text(type=type, seq=seq, epoch=viewer.epoch, **fields)

    async def _error(self, code: str, detail: str) -> None:
        await self.send(text_data=await self._state("error", code=code, detail=detail))

    async def _refuse(self, code: int, reason: str) -> None:
        await self.close(code=code, reason=reason[:120])

    def _over_rate(self) -> bool:
        now = time.monotonic()
        self.recent = [t for t in self.recent if now - t < 10] + [now]
        return len(self.recent) > settings.WS_MESSAGES_PER_10S

    async def _presence(self, change: Any) -> None:
        viewer = self._viewer()
        assert viewer.team_id is not None
        devices = await sync_to_async(change)(
            contest_id=viewer.contest_id, team_id=viewer.team_id, channel=self.channel_name
        )
        try:
            seq = await database_sync_to_async(realtime.contest_seq_get)(contest_id=viewer.contest_id)
        except Contest.DoesNotExist:
            return  # the contest was deleted while this device was connected: nobody to tell
        await sync_to_async(broadcast.presence_publish)(
            contest_id=viewer.contest_id, epoch=viewer.epoch, seq=seq, team_id=viewer.team_id, devices=devices
        )

    async def _hello_deadline(self) -> None:
        await asyncio.sleep(settings.WS_HELLO_TIMEOUT_S)
        if self.viewer is None:
            await self._refuse(CLOSE_HELLO_TIMEOUT, "No hello in time.")

    async def _keep_alive(self) -> None:
        """Renew a team device's presence before it expires (rooms.fanout renews the groups)."""
        viewer = self._viewer()
        assert viewer.team_id is not None
        while True:
            await asyncio.sleep(settings.PRESENCE_REFRESH_S)
            await sync_to_async(presence.presence_touch)(
                contest_id=viewer.contest_id, team_id=viewer.team_id, channel=self.channel_name
            )


def _validation_detail(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "message"
    return f"{where}: {first['msg']}"[:300]
