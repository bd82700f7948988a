"""Team authentication: `Authorization: Bearer <team token>`, and the permission for team endpoints."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from rooms.auth import bearer_credentials
from rooms.tokens import token_hash

from .models import Team


class TeamPrincipal:
    """`request.user` for a team's device: authenticated, but never a Django user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False

    def __init__(self, team: Team) -> None:
        self.team = team
        self.pk = f"team:{team.pk}"

    def __str__(self) -> str:
        return f"team {self.team.name}"


class TeamTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        raw = bearer_credentials(request, self.keyword)
        if raw is None:
            return None
        # get(), not first(): a unique lookup needs no ORDER BY, and this runs on every request.
        try:
            team = Team.objects.select_related("contest").get(token_hash=token_hash(raw))
        except Team.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown team token; join the contest again.") from None
        return TeamPrincipal(team), team

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsTeam(permissions.BasePermission):
    message = "This endpoint is for teams: send Authorization: Bearer <team token>."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, TeamPrincipal)


class IsHost(permissions.BasePermission):
    message = "This endpoint is for quizmasters: send Authorization: Token <token>."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not isinstance(user, TeamPrincipal))


def request_team(request: Request) -> Team:
    """The team behind a request that passed IsTeam."""
    user = request.user
    if not isinstance(user, TeamPrincipal):
        raise exceptions.NotAuthenticated()
    return user.team


def request_host(request: Request) -> User:
    """The quizmaster behind a request that passed IsHost."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    return user
