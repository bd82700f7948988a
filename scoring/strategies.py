"""Scoring rules, as strategies chosen per round (`round.settings["scoring"]`).

A strategy turns one graded answer into ledger lines. It reads only stored data (the
answer, its question, claim, the round's and contest's settings, and the team's streak
before it), so any score can be recomputed from scratch: see scoring/rescoring.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rooms.models import Round, RoundKind
from teams.models import ClaimKind

from .models import Answer, LedgerReason

SPEED_CURVES = ("linear", "quadratic", "none")


@dataclass(frozen=True)
class LedgerLine:
    reason: str
    points: int


@dataclass(frozen=True)
class ScoringContext:
    """What a rule may know beyond the answer: the team's run of correct answers in this
    round just before it (live rounds, in the order the questions were played)."""

    streak: int = 0


@dataclass(frozen=True)
class ScoringOptions:
    """A round's scoring settings, with their defaults (validated by RoundScoringSerializer)."""

    strategy: str
    # The most a speed bonus adds, in percent of the question's points.
    speed_bonus: int = 50
    speed_curve: str = "linear"
    # Points per correct answer in a row after the first, up to streak_cap in total.
    streak_bonus: int = 0
    streak_cap: int = 0
    # A wrong answer's penalty; None: the contest's `wrong_answer_penalty`.
    wrong_answer_penalty: int | None = None
    # Scales the points a correct answer earns (not penalties).
    multiplier: float = 1.0

    @classmethod
    def of(cls, round_: Round) -> ScoringOptions:
        raw: Any = round_.settings.get("scoring")
        if isinstance(raw, str):
            return cls(strategy=raw)
        default = SpeedScoring.name if round_.kind == RoundKind.LIVE else StandardScoring.name
        if not raw:
            return cls(strategy=default)
        return cls(**{"strategy": default, **raw})


class ScoringStrategy:
    name: ClassVar[str]

    def lines(self, *, answer: Answer, round_: Round, context: ScoringContext) -> list[LedgerLine]:
        raise NotImplementedError

    @staticmethod
    def penalty(*, round_: Round, options: ScoringOptions) -> list[LedgerLine]:
        penalty = options.wrong_answer_penalty
        if penalty is None:
            penalty = int(round_.contest.settings.get("wrong_answer_penalty") or 0)
        return [LedgerLine(LedgerReason.WRONG_ANSWER, -penalty)] if penalty else []


class StandardScoring(ScoringStrategy):
    """Full points for a correct answer (a mystery box's reward for a mystery question);
    the wrong-answer penalty, if any, for a wrong one."""

    name = "standard"

    def lines(self, *, answer: Answer, round_: Round, context: ScoringContext) -> list[LedgerLine]:
        options = ScoringOptions.of(round_)
        if not answer.correct:
            return self.penalty(round_=round_, options=options)
        claim = answer.claim
        if claim is not None and claim.kind == ClaimKind.MYSTERY and claim.reward is not None:
            return [LedgerLine(LedgerReason.MYSTERY_REWARD, claim.reward)]
        return [LedgerLine(LedgerReason.ANSWER, round(answer.question.points * options.multiplier))]


class SpeedScoring(ScoringStrategy):
    """Live rounds: base points, a speed bonus by how early the server received the answer
    within the team's time, a streak bonus, the round's multiplier; a penalty when wrong.

    The bonus is `speed_bonus`% of the points at the opening instant, falling to 0 at the
    deadline along `speed_curve`. A team exempt from speed scoring gets no bonus, so its
    score does not depend on its speed at all.
    """

    name = "speed"

    def lines(self, *, answer: Answer, round_: Round, context: ScoringContext) -> list[LedgerLine]:
        options = ScoringOptions.of(round_)
        if not answer.correct:
            return self.penalty(round_=round_, options=options)
        points = answer.question.points
        lines = [LedgerLine(LedgerReason.ANSWER, round(points * options.multiplier))]
        bonus = round(points * options.speed_bonus / 100 * self.speed_share(answer, options) * options.multiplier)
        if bonus:
            lines.append(LedgerLine(LedgerReason.SPEED_BONUS, bonus))
        streak = min(options.streak_bonus * context.streak, options.streak_cap)
        if streak > 0:
            lines.append(LedgerLine(LedgerReason.STREAK_BONUS, round(streak * options.multiplier)))
        return lines

    @staticmethod
    def speed_share(answer: Answer, options: ScoringOptions) -> float:
        """1.0 for an answer at the opening instant, 0.0 at the deadline."""
        if answer.speed_exempt or answer.elapsed_ms is None or not answer.time_limit_ms:
            return 0.0
        left = max(0.0, 1.0 - answer.elapsed_ms / answer.time_limit_ms)
        if options.speed_curve == "quadratic":
            return left * left
        if options.speed_curve == "none":
            return 0.0
        return left


STRATEGIES: dict[str, ScoringStrategy] = {s.name: s for s in (StandardScoring(), SpeedScoring())}


def strategy_for(round_: Round) -> ScoringStrategy:
    return STRATEGIES[ScoringOptions.of(round_).strategy]
