"""The protocol's schemas, and docs/PROTOCOL.md against them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rooms import consumers
from rooms.protocol import PROTOCOL_VERSION, client_message_parse, message_types, server_message_validate

DOC = (Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md").read_text()


def test_the_document_describes_every_message_type() -> None:
    missing = [kind for kind in message_types() if f"`{kind}`" not in DOC]
    assert not missing, f"docs/PROTOCOL.md does not describe: {missing}"


def test_the_document_lists_every_close_code() -> None:
    codes = [value for name, value in vars(consumers).items() if name.startswith("CLOSE_")]
    assert len(codes) >= 6
    missing = [code for code in codes if not re.search(rf"^\| {code} \|", DOC, re.MULTILINE)]
    assert not missing, f"docs/PROTOCOL.md does not list close codes {missing}"


def test_the_document_has_the_version_and_its_changelog_entry() -> None:
    assert f"Protocol version **{PROTOCOL_VERSION}**" in DOC
    assert f"- **{PROTOCOL_VERSION}** (" in DOC.split("## Changelog", 1)[1]


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "hello", "token": "x", "admin": true}',
        '{"type": "hello", "last_seq": -1}',
        '{"type": "hello", "token": ""}',
        '{"type": "hello", "heads": {"secret": 1}}',
        '{"type": "ping", "id": "' + "x" * 65 + '"}',
        '{"type": "resync", "last_seq": "5"}',
        '{"type": "answer"}',
        '{"token": "x"}',
        "[]",
        "",
    ],
)
def test_client_frames_outside_the_schemas_are_refused(frame: str) -> None:
    with pytest.raises(ValidationError):
        client_message_parse(frame)


def test_a_question_with_a_field_of_its_key_fails_the_server_schema() -> None:
    """The schemas are a leak guard too: a question object may carry only its content."""
    question = {"id": 1, "type": "text", "prompt": "P", "points": 1, "difficulty": "easy", "time_limit_s": None}
    claim = {"id": 1, "round": 1, "kind": "pool", "status": "held", "cost": 0, "reward": None, "created_at": "now"}
    event = {"type": "claim.created", "seq": 3, "epoch": 1, "stream": "team", "prev": 0, "at": "now"}
    server_message_validate(json.dumps({**event, "data": {"team": 1, "claim": {**claim, "question": question}}}))
    leaking = {**question, "answer": ["Secret"]}
    with pytest.raises(ValidationError):
        server_message_validate(json.dumps({**event, "data": {"team": 1, "claim": {**claim, "question": leaking}}}))


def test_a_snapshot_must_have_its_own_roles_shape() -> None:
    board: dict[str, Any] = {"frozen_at": None, "total": 0, "teams": []}
    audience = {
        "contest": {
            "code": "ABCD-EFGH",
            "title": "T",
            "status": "lobby",
            "teams": 0,
            "rounds": [],
            "current_round": None,
            "current_question": None,
            "join": {"code": "ABCD-EFGH", "path": "/play/", "instructions": "Join"},
        },
        "leaderboard": board,
        "announcements": [],
    }
    base = {"type": "snapshot", "seq": 1, "epoch": 1, "protocol": 1, "server_time": 1.0}
    server_message_validate(json.dumps({**base, "role": "audience", "heads": {"public": 0}, "data": audience}))
    with pytest.raises(ValidationError):
        server_message_validate(json.dumps({**base, "role": "team", "heads": {"public": 0}, "data": audience}))
