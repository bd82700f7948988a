"""The WebSocket protocol: every message, both ways, as a strict schema.

docs/PROTOCOL.md describes these messages (and a test checks that it names every one of
them); the consumer parses what clients send with `client_message_parse`, and the test
suite validates everything the server sends with `server_message_validate`. Unknown
fields are refused both ways (`extra="forbid"`): a field that nobody declared is how an
answer key or another team's data would leak, so it fails loudly instead.

Bump PROTOCOL_VERSION, and write the change in docs/PROTOCOL.md, when a message changes
in a way an existing client would misread. Adding a message type or an optional field
is not such a change.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

PROTOCOL_VERSION = 1

Role = Literal["team", "host", "audience"]
Stream = Literal["public", "team", "contest"]
Seq = Annotated[int, Field(ge=0)]
Id = Annotated[int, Field(ge=1)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- Client to server ----------------------------------------------------------------


class Hello(Schema):
    """The first message on every socket: who is connecting, and where it left off."""

    type: Literal["hello"]
    token: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    last_seq: Seq | None = None
    # Or, more precisely, the seq the client holds in each of its streams.
    heads: dict[Stream, Seq] | None = None
    epoch: int | None = None
    # True: watch as the audience whatever the token or session (the projector screen,
    # which must never show a quizmaster's live standings during a freeze).
    audience: bool = False


class Ping(Schema):
    type: Literal["ping"]
    id: Annotated[str, Field(max_length=64)] | None = None


class Resync(Schema):
    """Ask for what was missed after `heads` (or `last_seq` in every stream); with
    neither, a fresh snapshot."""

    type: Literal["resync"]
    last_seq: Seq | None = None
    heads: dict[Stream, Seq] | None = None


ClientMessage = Annotated[Hello | Ping | Resync, Field(discriminator="type")]
_client_adapter: TypeAdapter[Hello | Ping | Resync] = TypeAdapter(ClientMessage)


def client_message_parse(raw: str | bytes) -> Hello | Ping | Resync:
    """Parse one client frame; raises pydantic.ValidationError on anything else."""
    return _client_adapter.validate_json(raw)


# --- Shared parts of server messages -------------------------------------------------


class TeamRef(Schema):
    id: Id
    name: str


class BoardRow(Schema):
    rank: Annotated[int, Field(ge=1)]
    id: Id
    name: str
    score: int


class QuestionPublic(Schema):
    """A question as teams see it before the reveal: the `content` fields, never the key."""

    id: Id
    type: Literal["choice", "numeric", "text", "code", "essay"]
    prompt: str
    points: int
    difficulty: Literal["easy", "medium", "hard"]
    time_limit_s: int | None
    choices: list[str] | None = None
    multiple: bool | None = None
    max_length: int | None = None
    languages: list[str] | None = None
    samples: list[dict[str, str]] | None = None
    time_limit_ms: int | None = None
    memory_mb: int | None = None
    # Code questions' rules of play (docs/JUDGE.md).
    compare: Literal["exact", "whitespace", "float"] | None = None
    tolerance: float | None = None
    all_or_nothing: bool | None = None
    max_attempts: int | None = None
    wrong_attempt_penalty: int | None = None


class ClaimView(Schema):
    id: Id
    round: Id
    kind: Literal["pool", "mystery"]
    status: Literal["held", "answered"]
    cost: int
    reward: int | None
    question: QuestionPublic
    created_at: str


Verdict = Literal["AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "IE"]


class JudgeTestView(Schema):
    """One test of a judged program: verdict (None: skipped), CPU time, peak memory; program
    output only for a sample run."""

    verdict: Verdict | None
    time_ms: int
    memory_kb: int
    stdout: str | None = None
    stderr: str | None = None


class JudgingView(Schema):
    language: Literal["python", "c", "cpp", "java", "javascript"]
    verdict: Verdict | None
    score: int | None
    tests: list[JudgeTestView]
    compile_output: str
    time_ms: int | None
    memory_kb: int | None


class CodeGiven(Schema):
    language: Literal["python", "c", "cpp", "java", "javascript"]
    source: str


# What a team sent, as the server read it: choice indexes, a number, a text or essay, a program.
Given = list[int] | float | str | CodeGiven


class AnswerView(Schema):
    """A team's own answer (to its devices and hosts only). `given` is what the team sent;
    over 16 KiB of JSON, `given_size` (bytes) comes instead and the device reads it from
    GET /api/v1/me/answers/{id}."""

    id: Id
    question: Id
    status: str
    correct: bool | None
    points: int
    received_at: str
    scored_at: str | None
    feedback: str | None = None
    # Code answers: which attempt this is, and what the judge found.
    attempt: int | None = None
    judge: JudgingView | None = None
    given: Given | None = None
    given_size: Annotated[int, Field(ge=0)] | None = None


class SampleRunView(Schema):
    id: Id
    question: Id
    language: Literal["python", "c", "cpp", "java", "javascript"]
    status: Literal["queued", "running", "done"]
    verdict: Verdict | None
    tests: list[JudgeTestView]
    compile_output: str
    created_at: str
    finished_at: str | None


class RoundPublic(Schema):
    id: Id
    position: int
    kind: Literal["live", "pool"]
    title: str
    status: Literal["pending", "active", "closed"]


class Announcement(Schema):
    seq: Seq
    text: str
    at: str


class LiveView(Schema):
    """A live question's state: its timer as the server holds it. `deadline` is when answers
    stop (a team with extra time adds its own `extra_time_s`); `closes_at` when the question
    closes for everyone. Both are null while paused, when `remaining_ms` is the time left."""

    id: Id
    round: Id
    question: Id
    position: int
    status: Literal["open", "paused", "closed", "revealed", "skipped"]
    time_limit_ms: int
    opened_at: str
    deadline: str | None
    closes_at: str | None
    remaining_ms: int | None
    closed_at: str | None
    revealed_at: str | None


class LiveState(Schema):
    """The current live question as everyone may see it; `answer` only once revealed."""

    live: LiveView
    question: QuestionPublic
    answer: dict[str, Any] | None


class RevealStep(Schema):
    """One step of the reveal after a freeze: a team's hidden points shown, lowest first."""

    team: Id
    name: str
    from_score: int
    to_score: int
    from_rank: Annotated[int, Field(ge=1)]
    to_rank: Annotated[int, Field(ge=1)]


# --- Events: the contest event log, as each role receives it ---------------------------


class Event(Schema):
    """An entry of the contest event log. `prev` is the `seq` of the previous event of the
    same `stream` (0 for the first); a client holding another value for that stream has
    missed something and sends `resync`."""

    seq: Seq
    epoch: int
    stream: Stream
    prev: Seq
    at: str


class _StatusData(Schema):
    status: str


class ContestCreated(Event):
    type: Literal["contest.created"]
    data: _StatusData


class _TitleData(Schema):
    title: str


class ContestUpdated(Event):
    type: Literal["contest.updated"]
    data: _TitleData


class _StatusChangeData(Schema):
    status: Literal["draft", "lobby", "running", "paused", "finished"]
    previous: Literal["draft", "lobby", "running", "paused", "finished"]


class ContestStatus(Event):
    type: Literal["contest.status"]
    data: _StatusChangeData


class _RoundCreatedData(Schema):
    round: Id
    kind: Literal["live", "pool"]
    title: str
    position: int


class RoundCreated(Event):
    type: Literal["round.created"]
    data: _RoundCreatedData


class _RoundStatusData(Schema):
    round: Id
    status: Literal["pending", "active", "closed"]


class RoundStatusChanged(Event):
    type: Literal["round.status"]
    data: _RoundStatusData


class _QuestionsAddedData(Schema):
    round: Id
    count: int


class RoundQuestionsAdded(Event):
    type: Literal["round.questions_added"]
    data: _QuestionsAddedData


class _TeamData(Schema):
    team: TeamRef


class _QuestionUpdatedData(Schema):
    round: Id
    question: Id
    fields: list[str]


class QuestionUpdated(Event):
    """A quizmaster changed a question's definition: to hosts only (it may hold the answer)."""

    type: Literal["question.updated"]
    data: _QuestionUpdatedData


class TeamJoined(Event):
    type: Literal["team.joined"]
    data: _TeamData


class _DisqualifiedData(Schema):
    team: TeamRef
    reason: str


class TeamDisqualified(Event):
    type: Literal["team.disqualified"]
    data: _DisqualifiedData


class _AnnouncementData(Schema):
    text: str


class AnnouncementPosted(Event):
    type: Literal["announcement"]
    data: _AnnouncementData


class _ClaimData(Schema):
    team: Id
    claim: ClaimView


class ClaimCreated(Event):
    type: Literal["claim.created"]
    data: _ClaimData


class _AnswerData(Schema):
    team: Id
    answer: AnswerView
    score: int
    rank: int | None


class AnswerRecorded(Event):
    type: Literal["answer.recorded"]
    data: _AnswerData


class _MysteryData(Schema):
    team: Id
    claim: ClaimView
    difficulty: Literal["easy", "medium", "hard"]
    cost: int
    score: int


class MysteryOpened(Event):
    type: Literal["mystery.opened"]
    data: _MysteryData


class _MysteryRemainingData(Schema):
    round: Id
    difficulty: Literal["easy", "medium", "hard"]
    remaining: Annotated[int, Field(ge=0)]


class MysteryRemaining(Event):
    """How many mystery questions of a difficulty are left in a round, after a box was
    opened: to everyone, naming no team."""

    type: Literal["mystery.remaining"]
    data: _MysteryRemainingData


class _AdjustedData(Schema):
    team: Id
    points: int
    reason: str
    score: int


class ScoreAdjusted(Event):
    type: Literal["score.adjusted"]
    data: _AdjustedData


class _QuestionOpenedData(Schema):
    live: LiveView
    question: QuestionPublic


class QuestionOpened(Event):
    type: Literal["question.opened"]
    data: _QuestionOpenedData


class _QuestionStatusData(Schema):
    live: LiveView
    action: Literal["pause", "resume", "extend", "close", "skip"]
    # What moved it: a quizmaster, or the timer at the deadline.
    by: Literal["host", "timer"]


class QuestionStatus(Event):
    type: Literal["question.status"]
    data: _QuestionStatusData


class _QuestionRevealedData(Schema):
    live: LiveView
    question: QuestionPublic
    answer: dict[str, Any]


class QuestionRevealed(Event):
    type: Literal["question.revealed"]
    data: _QuestionRevealedData


class _AnswerScoredData(Schema):
    team: Id
    answer: AnswerView
    score: int


class AnswerScored(Event):
    """A team's answer scored after it was recorded: a live question at its close, an essay
    graded by hand, a code answer judged or rejudged, a regrade."""

    type: Literal["answer.scored"]
    data: _AnswerScoredData


class _AccommodatedData(Schema):
    team: Id
    extra_time_s: int
    speed_exempt: bool


class TeamAccommodated(Event):
    type: Literal["team.accommodated"]
    data: _AccommodatedData


class _FrozenData(Schema):
    frozen_at: str


class ContestFrozen(Event):
    type: Literal["contest.frozen"]
    data: _FrozenData


class _UnfrozenData(Schema):
    frozen_at: str
    steps: list[RevealStep]


class ContestUnfrozen(Event):
    type: Literal["contest.unfrozen"]
    data: _UnfrozenData


class _RegradeData(Schema):
    regrade: Id
    question: Id | None
    changes: dict[str, int]


class RegradeDone(Event):
    type: Literal["regrade.done"]
    data: _RegradeData


class _FocusData(Schema):
    team: Id
    device: str
    kind: Literal["hidden", "blur"]
    away_ms: int


class TeamFocus(Event):
    """A team device left the quiz page for `away_ms` (a fair-play signal): hosts only."""

    type: Literal["team.focus"]
    data: _FocusData


class _RunData(Schema):
    team: Id
    run: SampleRunView


class SampleRunDone(Event):
    """A team's sample run finished (not scored): to that team's devices and hosts."""

    type: Literal["run.done"]
    data: _RunData


EVENT_MESSAGES: tuple[type[Event], ...] = (
    ContestCreated,
    ContestUpdated,
    ContestStatus,
    RoundCreated,
    RoundStatusChanged,
    RoundQuestionsAdded,
    QuestionUpdated,
    TeamJoined,
    TeamDisqualified,
    AnnouncementPosted,
    ClaimCreated,
    AnswerRecorded,
    MysteryOpened,
    MysteryRemaining,
    ScoreAdjusted,
    QuestionOpened,
    QuestionStatus,
    QuestionRevealed,
    AnswerScored,
    TeamAccommodated,
    ContestFrozen,
    ContestUnfrozen,
    RegradeDone,
    SampleRunDone,
    TeamFocus,
)
EVENT_TYPES = frozenset(m.model_fields["type"].annotation.__args__[0] for m in EVENT_MESSAGES)  # type: ignore[union-attr]


# --- State messages: not in the log, so not checked for gaps -----------------------------


class State(Schema):
    """`seq` here is the contest position the state reflects: every event up to it."""

    seq: Seq
    epoch: int


class Leaderboard(State):
    """The top of the board: to screens and teams (frozen during a freeze), and live to hosts."""

    type: Literal["leaderboard"]
    frozen_at: str | None
    total: int
    teams: list[BoardRow]


class Standing(State):
    """A team's own place, with the teams just above and below it."""

    type: Literal["standing"]
    frozen_at: str | None
    total: int
    rank: int | None
    score: int
    neighbours: list[BoardRow]


class Presence(State):
    """Hosts only: how many devices of a team are connected now."""

    type: Literal["presence"]
    team: Id
    devices: Annotated[int, Field(ge=0)]


class Pong(State):
    type: Literal["pong"]
    id: str | None
    server_time: float
    heads: dict[Stream, Seq]


class Synced(State):
    """Sent after the events that a resume or resync replayed: the client is up to date."""

    type: Literal["synced"]
    heads: dict[Stream, Seq]


class Error(State):
    type: Literal["error"]
    code: str
    detail: str


# --- Snapshots -----------------------------------------------------------------------------


class JoinInfo(Schema):
    code: str
    path: str
    instructions: str


class ContestPublic(Schema):
    code: str
    title: str
    status: Literal["draft", "lobby", "running", "paused", "finished"]
    teams: int
    rounds: list[RoundPublic]
    current_round: RoundPublic | None
    current_question: QuestionPublic | None
    live: LiveState | None = None
    join: JoinInfo


class BoardState(Schema):
    frozen_at: str | None
    total: int
    teams: list[BoardRow]


class StandingState(Schema):
    frozen_at: str | None
    total: int
    rank: int | None
    score: int
    neighbours: list[BoardRow]


class MysteryBoxState(Schema):
    difficulty: Literal["easy", "medium", "hard"]
    cost: int
    reward: int
    remaining: int


class TeamRound(Schema):
    id: Id
    kind: Literal["live", "pool"]
    title: str
    status: Literal["pending", "active", "closed"]
    # Pool rounds: the most unanswered questions a team may hold at once (null: no limit;
    # always null for live rounds), and whether a question goes to one team only.
    claim_limit: Annotated[int, Field(ge=1)] | None
    exclusive: bool
    mystery_boxes: list[MysteryBoxState]


class OwnTeam(Schema):
    id: Id
    name: str
    members: list[str]
    score: int
    status: Literal["active", "disqualified"]
    extra_time_s: int = 0
    speed_exempt: bool = False


class HostTeam(OwnTeam):
    devices: int


class AudienceData(Schema):
    contest: ContestPublic
    leaderboard: BoardState
    announcements: list[Announcement]


class TeamData(AudienceData):
    team: OwnTeam
    standing: StandingState
    rounds: list[TeamRound]
    claims: list[ClaimView]
    answers: list[AnswerView]


class HostData(Schema):
    contest: dict[str, Any]
    teams: list[HostTeam]
    leaderboard: BoardState
    announcements: list[Announcement]


class Snapshot(State):
    type: Literal["snapshot"]
    protocol: Literal[1]
    role: Role
    heads: dict[Stream, Seq]
    server_time: float
    data: TeamData | HostData | AudienceData


STATE_MESSAGES: tuple[type[State], ...] = (Snapshot, Leaderboard, Standing, Presence, Pong, Synced, Error)

ServerMessage = Annotated[
    ContestCreated
    | ContestUpdated
    | ContestStatus
    | RoundCreated
    | RoundStatusChanged
    | RoundQuestionsAdded
    | QuestionUpdated
    | TeamJoined
    | TeamDisqualified
    | AnnouncementPosted
    | ClaimCreated
    | AnswerRecorded
    | MysteryOpened
    | MysteryRemaining
    | ScoreAdjusted
    | QuestionOpened
    | QuestionStatus
    | QuestionRevealed
    | AnswerScored
    | TeamAccommodated
    | ContestFrozen
    | ContestUnfrozen
    | RegradeDone
    | SampleRunDone
    | TeamFocus
    | Snapshot
    | Leaderboard
    | Standing
    | Presence
    | Pong
    | Synced
    | Error,
    Field(discriminator="type"),
]
_server_adapter: TypeAdapter[Any] = TypeAdapter(ServerMessage)

_SNAPSHOT_DATA: dict[str, type[Schema]] = {"team": TeamData, "host": HostData, "audience": AudienceData}


def server_message_validate(raw: str | bytes) -> Schema:
    """Check one server frame against the schemas; raises pydantic.ValidationError."""
    message = _server_adapter.validate_json(raw)
    if isinstance(message, Snapshot):
        # A snapshot's data must be its own role's shape, not merely some role's.
        expected = _SNAPSHOT_DATA[message.role]
        if type(message.data) is not expected:
            expected.model_validate(message.data.model_dump())
    return message


def message_types() -> list[str]:
    """Every message type the protocol defines, both ways."""
    client = [m.model_fields["type"].annotation.__args__[0] for m in (Hello, Ping, Resync)]  # type: ignore[union-attr]
    server = sorted(EVENT_TYPES) + [
        m.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
        for m in STATE_MESSAGES
    ]
    return client + server
