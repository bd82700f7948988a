"""This process's sockets by group: the process joins each group on the channel layer
once and hands every group message to its own sockets.

If each socket joined its groups itself, a message to a group of 2,000 sockets would be
2,000 deliveries through the channel layer: a copy into each socket's channel, a wake-up
of each socket's task and Channels' dispatch machinery for each, before any frame is
written (the fan-out benchmark found most of the server's time there). Here the layer
delivers one copy per process, to the process's own channel, and one task forwards it to
the sockets of its group, in the order the group's messages came.

Nothing here is trusted to deliver, as before: a message lost on the way (a full channel,
a Redis reconnect) is a gap in `seq` that the client repairs by resyncing.

One `Fanout` per event loop (a server process has one; tests make one per test's loop).
Members are held weakly, so a socket whose consumer died without leaving is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# Forward to this many sockets, then let the loop run other work (requests, reads) before
# the rest: a board to 2,000 sockets is otherwise one long stretch without a pause.
YIELD_EVERY = 200


class Member(Protocol):
    async def push(self, message: dict[str, Any]) -> None: ...


class Fanout:
    def __init__(self) -> None:
        self.groups: dict[str, weakref.WeakSet[Any]] = {}
        self.channel: str | None = None
        self.tasks: list[asyncio.Task[None]] = []
        # Joining or leaving the layer happens one at a time: a socket joining a group
        # the process is still subscribing to waits until messages to it can arrive.
        self.lock = asyncio.Lock()

    async def join(self, group: str, member: Member) -> None:
        """Once this returns, every message sent to `group` reaches `member`."""
        async with self.lock:
            if group not in self.groups:
                layer = get_channel_layer()
                assert layer is not None
                if self.channel is None:
                    self.channel = await layer.new_channel("fanout.")
                    self.tasks = [
                        asyncio.create_task(self._receive(self.channel)),
                        asyncio.create_task(self._renew()),
                    ]
                await layer.group_add(group, self.channel)
                self.groups[group] = weakref.WeakSet()
            self.groups[group].add(member)

    async def leave(self, group: str, member: Member) -> None:
        async with self.lock:
            members = self.groups.get(group)
            if members is None or member not in members:
                return
            members.discard(member)
            if members:
                return
            del self.groups[group]
            layer = get_channel_layer()
            assert layer is not None and self.channel is not None
            await layer.group_discard(group, self.channel)
            if not self.groups:  # no socket left: stop listening (and unsubscribe)
                for task in self.tasks:
                    task.cancel()
                self.tasks, self.channel = [], None

    async def _receive(self, channel: str) -> None:
        layer = get_channel_layer()
        assert layer is not None
        while True:
            message = await layer.receive(channel)
            members = self.groups.get(message.get("group", ""))
            if not members:
                continue
            for count, member in enumerate(list(members), start=1):
                try:
                    await member.push(message)
                except Exception:
                    logger.exception("A socket failed to take a push; it will resync")
                if count % YIELD_EVERY == 0:
                    await asyncio.sleep(0)

    async def _renew(self) -> None:
        """The core layer forgets group members after CHANNEL_GROUP_EXPIRY_S: renew them."""
        layer = get_channel_layer()
        assert layer is not None
        while True:
            await asyncio.sleep(settings.PRESENCE_REFRESH_S)
            for group in list(self.groups):
                if self.channel is not None:
                    await layer.group_add(group, self.channel)


_fanouts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout] = weakref.WeakKeyDictionary()


def fanout() -> Fanout:
    """This event loop's fan-out."""
    loop = asyncio.get_running_loop()
    found = _fanouts.get(loop)
    if found is None:
        found = _fanouts[loop] = Fanout()
    return found
