"""What a judge backend is asked and what it answers, whichever backend it is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # time limit exceeded (CPU or wall clock)
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded
    RE = "RE"  # runtime error: a signal or a non-zero exit
    CE = "CE"  # compilation error (or the compiler ran out of its limits)
    IE = "IE"  # internal error: the judge failed, not the program


# A submission's verdict is the first of these that any of its tests got: the problem a
# team most needs to know about first. Fixed, documented in docs/JUDGE.md.
VERDICT_PRIORITY: tuple[Verdict, ...] = (
    Verdict.IE,
    Verdict.CE,
    Verdict.TLE,
    Verdict.MLE,
    Verdict.OLE,
    Verdict.RE,
    Verdict.WA,
    Verdict.AC,
)

# Attempts that count as wrong for a question's wrong-attempt penalty. A compilation error
# or the judge's own failure costs nothing: the program never ran.
WRONG_VERDICTS = frozenset({Verdict.WA, Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.RE})


SHOWN_BYTES = 8192  # compiler messages and sample output shown to a team, at most


def shown_text(data: bytes) -> str:
    """Output as a team may read it: decoded, and cut at SHOWN_BYTES with a mark."""
    text = data[:SHOWN_BYTES].decode(errors="replace")
    return text + "\n[…]" if len(data) > SHOWN_BYTES else text


def worst_verdict(verdicts: list[Verdict]) -> Verdict:
    ranks = {verdict: i for i, verdict in enumerate(VERDICT_PRIORITY)}
    return min(verdicts, key=ranks.__getitem__) if verdicts else Verdict.AC


class CompareMode(StrEnum):
    EXACT = "exact"  # byte for byte
    WHITESPACE = "whitespace"  # the same tokens; spaces, tabs and line ends do not matter
    FLOAT = "float"  # like whitespace; numbers equal within an absolute or relative tolerance


@dataclass(frozen=True)
class TestCase:
    input: str
    output: str
    weight: int = 1
    sample: bool = False


@dataclass(frozen=True)
class JudgeRequest:
    language: str
    source: str
    tests: list[TestCase]
    time_limit_ms: int
    memory_mb: int
    compare: CompareMode = CompareMode.WHITESPACE
    tolerance: float = 1e-6
    # All-or-nothing questions stop at the first failed test: the rest cannot change the points.
    stop_on_failure: bool = False
    # Sample runs (not scored) show the program's output; judged runs never do, as a program
    # could print a hidden test's input.
    show_output: bool = False


@dataclass
class TestResult:
    verdict: Verdict | None  # None: skipped after an earlier failure
    time_ms: int = 0
    memory_kb: int = 0
    stdout: str | None = None
    stderr: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value if self.verdict else None
        return {k: v for k, v in data.items() if v is not None or k == "verdict"}


@dataclass
class JudgeResult:
    verdict: Verdict
    tests: list[TestResult] = field(default_factory=list)
    compile_output: str = ""
    # For IE: what went wrong, for the quizmaster and the logs (never the program's output).
    detail: str = ""

    def time_ms(self) -> int:
        return max((t.time_ms for t in self.tests), default=0)

    def memory_kb(self) -> int:
        return max((t.memory_kb for t in self.tests), default=0)


class JudgeUnavailableError(Exception):
    """No backend can judge code here; the message says what to configure."""


class JudgeInternalError(Exception):
    """The backend failed (not the program): the judging is retried, then ends as IE."""


class JudgeBackend(Protocol):
    name: str

    def unavailable_reason(self) -> str | None:
        """None when the backend can judge now; else what is missing, for a person to fix."""

    def judge(self, request: JudgeRequest) -> JudgeResult:
        """Compile once, run every test (or up to the first failure), and return the verdicts.
        Raises JudgeInternalError when the backend itself fails."""
