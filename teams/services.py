"""Writes on teams: joining, disqualifying, claiming pool questions."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rooms.broadcast import board_touch_on_commit
from rooms.codes import code_normalize
from rooms.errors import ContestNotRunning, NotFound, RoundNotActive, WrongRoundKind
from rooms.events import event_append
from rooms.models import Contest, ContestStatus, EventScope, Question, Round, RoundKind, RoundStatus
from rooms.tokens import token_new
from scoring.ledger import ledger_append
from scoring.models import LedgerReason

from .errors import ClaimLimitReached, NameTaken, NotAccepting, PoolEmpty, TeamDisqualified, UnknownContest
from .models import Claim, ClaimKind, ClaimStatus, Team, TeamStatus
from .selectors import claim_view

_JOINABLE = {ContestStatus.LOBBY}
_LATE_JOINABLE = {ContestStatus.RUNNING, ContestStatus.PAUSED}


def team_name_clean(name: str) -> str:
    return " ".join(name.split())


def team_join(*, code: str, team_name: str, members: list[str]) -> tuple[Team, str]:
    """Register a team; return it with its token, which is shown this once only.

    Locks: the contest row at the end (event seq). The team-name rule is the database's
    case-insensitive unique constraint, so two devices racing for one name get one team.
    """
    normalized = code_normalize(code)
    contest = Contest.objects.filter(code=normalized).first() if normalized else None
    if contest is None:
        raise UnknownContest()
    if not (
        contest.status in _JOINABLE
        or (contest.status in _LATE_JOINABLE and contest.settings.get("allow_late_join", True))
    ):
        raise NotAccepting(f"This contest is {contest.status} and not accepting new teams.")
    name = team_name_clean(team_name)
    raw_token, hashed = token_new()
    try:
        with transaction.atomic():
            team = Team.objects.create(
                contest=contest,
                name=name,
                members=[" ".join(m.split()) for m in members],
                token_hash=hashed,
                score_reached_at=timezone.now(),
            )
            ledger_append(
                team=team,
                reason=LedgerReason.STARTING_POINTS,
                source=f"team:{team.pk}",
                points=int(contest.settings.get("starting_points", 0)),
            )
            event_append(
                contest_id=contest.pk, type="team.joined", payload={"team": {"id": team.pk, "name": team.name}}
            )
    except IntegrityError:
        if Team.objects.filter(contest=contest, name__iexact=name).exists():
            raise NameTaken(f"A team called {name!r} is already in this contest; choose another name.") from None
        raise
    return team, raw_token


def team_disqualify(*, team: Team, reason: str = "") -> Team:
    """Take a team off the board; it can no longer act. Repeating it changes nothing."""
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        if team.status == TeamStatus.DISQUALIFIED:
            return team
        team.status = TeamStatus.DISQUALIFIED
        team.save(update_fields=["status"])
        board_touch_on_commit(contest_id=team.contest_id)
        event_append(
            contest_id=team.contest_id,
            type="team.disqualified",
            payload={"team": {"id": team.pk, "name": team.name}, "reason": reason},
        )
    return team


def team_accommodate(*, team: Team, extra_time_s: int | None = None, speed_exempt: bool | None = None) -> Team:
    """Set a team's accommodations: extra time on live questions (from the next question
    opened) and exemption from speed scoring (from its next answer). No other team's game
    changes. Told to the team's devices and hosts. Locks: the team row, then the contest
    row (event seq)."""
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        if extra_time_s is not None:
            team.extra_time_s = extra_time_s
        if speed_exempt is not None:
            team.speed_exempt = speed_exempt
        team.save(update_fields=["extra_time_s", "speed_exempt"])
        event_append(
            contest_id=team.contest_id,
            type="team.accommodated",
            payload={"team": team.pk, "extra_time_s": team.extra_time_s, "speed_exempt": team.speed_exempt},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return team


def team_playable_round(*, team: Team, round_id: int, kind: str | None = None) -> Round:
    """The team's contest's round `round_id`, if the team may play in it now."""
    round_ = Round.objects.select_related("contest").filter(pk=round_id, contest_id=team.contest_id).first()
    if round_ is None:
        raise NotFound("This contest has no such round.")
    team_can_play_round(team=team, round_=round_, kind=kind)
    return round_


def team_can_play_round(*, team: Team, round_: Round, kind: str | None = None) -> None:
    """Refuse unless the team may act in this round of its contest now.

    `round_.contest` must be freshly read: it is the contest whose status is checked.
    """
    team_can_play(team=team, contest=round_.contest)
    if kind is not None and round_.kind != kind:
        raise WrongRoundKind(f"This is a {round_.kind} round; the action needs a {kind} round.")
    if round_.status != RoundStatus.ACTIVE:
        raise RoundNotActive(f"This round is {round_.status}.")


def team_can_play(*, team: Team, contest: Contest) -> None:
    if team.status != TeamStatus.ACTIVE:
        raise TeamDisqualified()
    if contest.status != ContestStatus.RUNNING:
        raise ContestNotRunning(f"The contest is {contest.status}.")


def claim_next(*, team: Team, round_id: int) -> Claim:
    """Give the team the next pool question it may take.

    Locks, in order: the team row (claim limit), then one question row with
    `FOR UPDATE SKIP LOCKED` (exclusive rounds), then the contest row (event seq).
    In an exclusive round the question is marked `taken` in the same transaction, and the
    partial unique index on claims backs this up: no question goes to two teams.
    """
    round_ = team_playable_round(team=team, round_id=round_id, kind=RoundKind.POOL)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        held = Claim.objects.filter(team=team, round=round_, kind=ClaimKind.POOL, status=ClaimStatus.HELD).count()
        if round_.claim_limit is not None and held >= round_.claim_limit:
            raise ClaimLimitReached(f"Your team holds {held} unanswered question(s); answer one first.")
        question = _next_pool_question(team=team, round_=round_)
        if question is None:
            raise PoolEmpty()
        claim = Claim.objects.create(
            team=team, question=question, round=round_, kind=ClaimKind.POOL, exclusive=round_.exclusive
        )
        event_append(
            contest_id=team.contest_id,
            type="claim.created",
            payload={"team": team.pk, "claim": claim_view(claim)},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return claim


def _next_pool_question(*, team: Team, round_: Round) -> Question | None:
    candidates = Question.objects.filter(round=round_, mystery=False).order_by("position")
    if not round_.exclusive:
        mine = Claim.objects.filter(team=team, question=OuterRef("pk"))
        return candidates.exclude(Exists(mine)).first()
    question = candidates.filter(taken=False).select_for_update(skip_locked=True, of=("self",)).first()
    if question is not None:
        Question.objects.filter(pk=question.pk).update(taken=True)
    return question
