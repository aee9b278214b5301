"""API tokens that expire and can be revoked.

Its own module, apart from the sign-in view in ``macfa.auth``: DRF reads ``DEFAULT_AUTHENTICATION_CLASSES`` while
``rest_framework.views`` is being imported, so this module must not import a view.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from agencies.selectors import scope_of
from macfa.errors import NotAllowed

NEW_TOKEN_HINT = "Get a new one with POST /api/v1/auth/token/ (username and password)."  # noqa: S105 - a message


def token_expired(token: Token) -> bool:
    lifetime = datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    return token.created <= timezone.now() - lifetime


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than the lifetime (401, with WWW-Authenticate)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(f"This token has expired. {NEW_TOKEN_HINT}", code="token_expired")
        return user, token


def may_revoke_token_of(actor: Any, person: Any) -> bool:
    """Your own token; as a business unit, that of anyone holding a role in your partnership."""
    if actor.pk == person.pk:
        return True
    scope = scope_of(actor)
    return scope.superuser or person.memberships.filter(partnership__in=scope.business_unit).exists()


def token_revoke(*, actor: Any, person: Any) -> bool:
    """Delete the person's API token, so it answers 401 from now on; False if they had none."""
    if not may_revoke_token_of(actor, person):
        raise NotAllowed("You may revoke only your own token, or those of people in your partnership.")
    deleted, _ = Token.objects.filter(user=person).delete()
    return bool(deleted)
