"""Quizmaster authentication: `Authorization: Token <token>`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import HostToken
from .tokens import token_hash


def bearer_credentials(request: Request, keyword: str) -> str | None:
    """The secret after `keyword` in the Authorization header, or None for another scheme."""
    parts = authentication.get_authorization_header(request).split()
    if not parts or parts[0].lower() != keyword.lower().encode():
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed(f"Malformed Authorization header; send '{keyword} <token>'.")
    try:
        return parts[1].decode()
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed("The token contains invalid characters.") from None


class HostTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Any] | None:
        raw = bearer_credentials(request, self.keyword)
        if raw is None:
            return None
        try:
            token = HostToken.objects.select_related("user").get(key_hash=token_hash(raw))
        except HostToken.DoesNotExist:
            token = None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked quizmaster token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
