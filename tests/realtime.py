"""Socket test helpers: connecting through the real ASGI stack, and a reference client.

`ProtocolClient` follows docs/PROTOCOL.md the way a browser app must: it applies events
in `prev` order per stream, drops duplicates, asks for a resync on a gap or when `pong`
shows a head it has not seen, and starts over from a snapshot. Tests use it to check
that a client ends in the server's state whatever the channel layer dropped.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.testing import WebsocketCommunicator

from quizserver.asgi import application

ORIGIN = (b"origin", b"http://localhost")


def communicator(code: str, *, query: str = "", headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    path = f"/ws/v1/contests/{code}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=[ORIGIN, *(headers or [])])


async def socket_open(
    code: str,
    *,
    token: str | None = None,
    last_seq: int | None = None,
    heads: dict[str, int] | None = None,
    epoch: int | None = None,
    audience: bool = False,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> Any:
    """Connect and say hello; the caller reads what comes back."""
    comm = communicator(code, headers=headers)
    connected, _ = await comm.connect()
    assert connected
    hello: dict[str, Any] = {"type": "hello", "token": token, "last_seq": last_seq, "epoch": epoch}
    if heads is not None:
        hello["heads"] = heads
    if audience:
        hello["audience"] = True
    await comm.send_to(text_data=json.dumps(hello))
    return comm


async def receive(comm: Any, timeout: float = 10) -> dict[str, Any]:
    output = await comm.receive_output(timeout)
    if output["type"] == "websocket.close":
        raise AssertionError(f"the server closed the socket with {output.get('code')}: {output.get('reason')}")
    return json.loads(output["text"])


async def receive_type(comm: Any, type: str, timeout: float = 10) -> dict[str, Any]:
    """The next message of `type`, skipping others."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"no {type!r} message within {timeout} s")
        message = await receive(comm, left)
        if message["type"] == type:
            return message


async def drain(comm: Any, quiet: float = 0.4) -> list[dict[str, Any]]:
    """Everything that arrives until the socket has been quiet for `quiet` seconds."""
    messages = []
    # receive_nothing waits without cancelling the application, as a timed-out receive does.
    while not await comm.receive_nothing(quiet):
        messages.append(await receive(comm))
    return messages


async def closed_with(comm: Any, timeout: float = 10) -> int:
    """Wait for the server to close the socket; return the close code."""
    output = await comm.receive_output(timeout)
    while output["type"] != "websocket.close":
        output = await comm.receive_output(timeout)
    return int(output.get("code", 1000))


class ProtocolClient:
    """A client that keeps a contest's state from a socket, as PROTOCOL.md says to."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm
        self.heads: dict[str, int] = {}
        self.epoch: int | None = None
        self.events: dict[int, dict[str, Any]] = {}  # applied since the last snapshot
        self.states: dict[str, dict[str, Any]] = {}
        # What a team app draws, kept from the snapshot and the events after it.
        self.announcements: dict[int, str] = {}
        self.answers: dict[int, dict[str, Any]] = {}
        self.claims: dict[int, dict[str, Any]] = {}
        self.score: tuple[int, int] | None = None  # (seq, score)
        self.snapshots = 0
        self.gaps = 0
        self.resyncing = False

    async def pump(self, quiet: float = 0.5) -> None:
        """Handle messages until the socket is quiet and no resync is outstanding."""
        while True:
            if await self.comm.receive_nothing(quiet):
                if not self.resyncing:
                    return
                raise AssertionError("a resync was never answered")
            await self.handle(await receive(self.comm))

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "snapshot":
            self.heads, self.epoch, self.events = dict(message["heads"]), message["epoch"], {}
            self.states = {"snapshot": message}
            self._apply_snapshot(message)
            self.snapshots += 1
            self.resyncing = False
        elif "stream" in message:
            await self._event(message)
        elif kind in ("synced", "pong"):
            self.resyncing = False if kind == "synced" else self.resyncing
            if any(head > self.heads.get(stream, 0) for stream, head in message["heads"].items()):
                self.gaps += 1  # the server is ahead: the last messages never came
                await self.resync()
        else:
            self.states[kind] = message

    async def _event(self, message: dict[str, Any]) -> None:
        stream, seq = message["stream"], message["seq"]
        if seq <= self.heads.get(stream, 0):
            return
        if message["prev"] != self.heads.get(stream, 0):
            self.gaps += 1
            await self.resync()
            return
        self.heads[stream] = seq
        self.events[seq] = message
        self._apply_event(message)

    def _apply_snapshot(self, message: dict[str, Any]) -> None:
        data = message["data"]
        self.announcements = {a["seq"]: a["text"] for a in data.get("announcements", [])}
        self.answers = {a["id"]: a for a in data.get("answers", [])}
        self.claims = {c["id"]: c for c in data.get("claims", [])}
        self.score = (message["seq"], data["team"]["score"]) if "team" in data else None

    def _apply_event(self, message: dict[str, Any]) -> None:
        kind, data = message["type"], message["data"]
        if kind == "announcement":
            self.announcements[message["seq"]] = data["text"]
        elif kind == "answer.recorded":
            self.answers[data["answer"]["id"]] = data["answer"]
        elif kind in ("claim.created", "mystery.opened"):
            self.claims[data["claim"]["id"]] = data["claim"]
        if "score" in data and message["stream"] == "team":
            self.score = (message["seq"], data["score"])

    async def resync(self) -> None:
        if self.resyncing:
            return
        self.resyncing = True
        await self.comm.send_to(text_data=json.dumps({"type": "resync", "heads": self.heads}))

    async def ping(self) -> None:
        await self.comm.send_to(text_data=json.dumps({"type": "ping", "id": "check"}))
