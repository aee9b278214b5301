"""API tokens that expire and can be revoked.

Its own module, apart from the sign-in view in ``macfa.auth``: DRF reads ``DEFAULT_AUTHENTICATION_CLASSES`` while
``rest_framework.views`` is being imported, so this module must not import a view.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from agencies.selectors import remember_scope, scope_of
from macfa.errors import NotAllowed
from macfa.statements import compiled, one_value

NEW_TOKEN_HINT = "Get a new one with POST /api/v1/auth/token/ (username and password)."  # noqa: S105 - a message


def token_expired(token: Token) -> bool:
    lifetime = datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    return token.created <= timezone.now() - lifetime


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than the lifetime (401, with WWW-Authenticate).

    The token, its user and the user's memberships come in one query (a row per membership), compiled once
    (``macfa.statements``), and the memberships become the request's scope (``agencies.selectors.remember_scope``):
    no second query for who may see what, and no ORM query built per request.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        rows = _token_rows(key) if "\x00" not in key else []  # PostgreSQL text holds no NUL
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token_columns = len(_token_fields())
        token_values, user_values = rows[0][:token_columns], rows[0][token_columns:_MEMBERSHIP]
        token = Token.from_db(_db(), _token_fields(), token_values)
        user = get_user_model().from_db(_db(), _user_fields(), user_values)
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise exceptions.AuthenticationFailed(f"This token has expired. {NEW_TOKEN_HINT}", code="token_expired")
        remember_scope(user, (row[_MEMBERSHIP:] for row in rows))
        return user, token


@functools.cache
def _token_fields() -> list[str]:
    return [field.attname for field in Token._meta.concrete_fields]


@functools.cache
def _user_fields() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


def _db() -> str:
    return Token.objects.db


_MEMBERSHIP = -3  # the last three columns: partnership, role, agency (None, None, None for a user with no role)


def _token_rows(key: str) -> list[tuple[Any, ...]]:
    """The token's columns, its user's and a row per membership, in one statement compiled once (macfa.statements)."""
    slots = one_value(key)
    a, b = slots.pairs[0]

    def build(which: int) -> Any:
        return Token.objects.filter(key=(a, b)[which]).values_list(
            *_token_fields(),
            *(f"user__{name}" for name in _user_fields()),
            "user__memberships__partnership_id",
            "user__memberships__role",
            "user__memberships__agency_id",
        )

    statement = compiled("token authentication", build, slots)
    assert statement is not None  # a key is always a possible match
    return statement.rows(key)


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
