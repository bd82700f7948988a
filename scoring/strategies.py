"""Scoring rules, as strategies chosen per round (`round.settings["scoring"]`).

A strategy turns one graded answer into ledger lines. It reads only stored data (the
answer, its question, claim and contest settings), so any score can be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rooms.models import Round
from teams.models import ClaimKind

from .models import Answer, LedgerReason


@dataclass(frozen=True)
class LedgerLine:
    reason: str
    points: int


class ScoringStrategy:
    name: ClassVar[str]

    def lines(self, *, answer: Answer, round_: Round) -> list[LedgerLine]:
        raise NotImplementedError


class StandardScoring(ScoringStrategy):
    """Full points for a correct answer (a mystery box's reward for a mystery question);
    the contest's wrong-answer penalty, if any, for a wrong one."""

    name = "standard"

    def lines(self, *, answer: Answer, round_: Round) -> list[LedgerLine]:
        claim = answer.claim
        if answer.correct:
            if claim is not None and claim.kind == ClaimKind.MYSTERY and claim.reward is not None:
                return [LedgerLine(LedgerReason.MYSTERY_REWARD, claim.reward)]
            return [LedgerLine(LedgerReason.ANSWER, answer.question.points)]
        penalty = int(round_.contest.settings.get("wrong_answer_penalty") or 0)
        return [LedgerLine(LedgerReason.WRONG_ANSWER, -penalty)] if penalty else []


STRATEGIES: dict[str, ScoringStrategy] = {s.name: s for s in (StandardScoring(),)}


def strategy_for(round_: Round) -> ScoringStrategy:
    return STRATEGIES[round_.settings.get("scoring", StandardScoring.name)]
