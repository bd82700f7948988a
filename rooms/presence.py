"""Which team devices are connected: counted across every server process.

With Redis, each connected team socket is a member of a sorted set per team, scored by
when it last showed it was alive; the consumer refreshes its entry every
PRESENCE_REFRESH_S. Counting only entries newer than PRESENCE_TTL_S means a process
that died without saying goodbye stops counting within that time. Without Redis (the
embedded default, one process) a dictionary does the same.
"""

from __future__ import annotations

import threading
import time

import redis
from django.conf import settings


def _team_key(contest_id: int, team_id: int) -> str:
    return f"presence:{contest_id}:team:{team_id}"


def _teams_key(contest_id: int) -> str:
    return f"presence:{contest_id}:teams"


_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url)
    return _clients[url]


_local: dict[tuple[int, int], dict[str, float]] = {}
_local_lock = threading.Lock()


def presence_touch(*, contest_id: int, team_id: int, channel: str) -> int:
    """Mark one device of a team alive now; returns the team's device count."""
    now = time.time()
    client = _redis()
    if client is None:
        with _local_lock:
            _local.setdefault((contest_id, team_id), {})[channel] = now
        return presence_devices(contest_id=contest_id, team_id=team_id)
    key = _team_key(contest_id, team_id)
    pipe = client.pipeline()
    pipe.zadd(key, {channel: now})
    pipe.expire(key, settings.PRESENCE_TTL_S * 4)
    pipe.sadd(_teams_key(contest_id), team_id)
    pipe.expire(_teams_key(contest_id), 86400)
    pipe.zcount(key, now - settings.PRESENCE_TTL_S, "+inf")
    return int(pipe.execute()[-1])


def presence_leave(*, contest_id: int, team_id: int, channel: str) -> int:
    """Forget one device; returns how many of the team's devices are still connected."""
    client = _redis()
    if client is None:
        with _local_lock:
            _local.get((contest_id, team_id), {}).pop(channel, None)
        return presence_devices(contest_id=contest_id, team_id=team_id)
    key = _team_key(contest_id, team_id)
    pipe = client.pipeline()
    pipe.zrem(key, channel)
    pipe.zcount(key, time.time() - settings.PRESENCE_TTL_S, "+inf")
    return int(pipe.execute()[-1])


def presence_devices(*, contest_id: int, team_id: int) -> int:
    since = time.time() - settings.PRESENCE_TTL_S
    client = _redis()
    if client is None:
        with _local_lock:
            return sum(1 for seen in _local.get((contest_id, team_id), {}).values() if seen >= since)
    return int(client.zcount(_team_key(contest_id, team_id), since, "+inf"))


def presence_counts(*, contest_id: int) -> dict[int, int]:
    """Devices connected per team of the contest (teams with none are left out)."""
    since = time.time() - settings.PRESENCE_TTL_S
    client = _redis()
    if client is None:
        with _local_lock:
            counts = {
                team: sum(1 for seen in devices.values() if seen >= since)
                for (contest, team), devices in _local.items()
                if contest == contest_id
            }
        return {team: n for team, n in counts.items() if n}
    teams = sorted(int(t) for t in client.smembers(_teams_key(contest_id)))  # type: ignore[union-attr]
    pipe = client.pipeline()
    for team in teams:
        pipe.zcount(_team_key(contest_id, team), since, "+inf")
    return {team: int(n) for team, n in zip(teams, pipe.execute(), strict=True) if n}
