from rooms.errors import DomainError


class UnknownContest(DomainError):
    code = "unknown_contest"
    status = 404
    message = "No contest has this code; check the code on the screen (like ABCD-EFGH)."


class NotAccepting(DomainError):
    code = "not_accepting"
    status = 403
    message = "This contest is not accepting new teams right now."


class NameTaken(DomainError):
    code = "name_taken"
    status = 409
    message = "Another team in this contest already has this name; choose another."


class TeamDisqualified(DomainError):
    code = "team_disqualified"
    status = 403
    message = "Your team has been disqualified; speak to the quizmaster."


class PoolEmpty(DomainError):
    code = "pool_empty"
    status = 409
    message = "No question is left in this round's pool."


class ClaimLimitReached(DomainError):
    code = "claim_limit_reached"
    status = 409
    message = "Answer a question you hold before claiming another."
