from rooms.errors import DomainError


class NotEnoughPoints(DomainError):
    code = "not_enough_points"
    status = 409
    message = "Your team does not have enough points for this box; nothing was taken."


class NoMysteryLeft(DomainError):
    code = "no_mystery_left"
    status = 409
    message = "No mystery question of this difficulty is left; nothing was taken."


class UnknownBox(DomainError):
    code = "unknown_box"
    status = 404
    message = "This round has no mystery box of that difficulty."


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    message = "This Idempotency-Key was already used with a different request; use a new key."


class AlreadyAnswered(DomainError):
    code = "already_answered"
    status = 409
    message = "Your team has already answered this question."


class QuestionNotClaimed(DomainError):
    code = "question_not_claimed"
    status = 409
    message = "Claim this question before answering it."


class QuestionNotOpen(DomainError):
    code = "question_not_open"
    status = 409
    message = "This question is not open for answers."


class QuestionClosed(DomainError):
    code = "question_closed"
    status = 409
    message = "This question is closed: answers are no longer taken."


class NotGradable(DomainError):
    code = "not_gradable"
    status = 409
    message = "Only essay answers are graded by hand; this answer is scored automatically."


class PointsOutOfRange(DomainError):
    code = "points_out_of_range"
    status = 400
    message = "Give between 0 and the points the question is worth."


class JudgeUnavailable(DomainError):
    code = "judge_unavailable"
    status = 503
    message = "Code cannot be judged on this server right now; ask the quizmaster."


class AttemptsExhausted(DomainError):
    code = "attempts_exhausted"
    status = 409
    message = "Your team has used every attempt this question allows."


class NotCode(DomainError):
    code = "not_code"
    status = 409
    message = "Only code questions are judged; this question is not one."


class RunInProgress(DomainError):
    code = "run_in_progress"
    status = 409
    message = "Your team's last sample run has not finished yet; wait for its result."
