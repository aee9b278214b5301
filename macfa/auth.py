"""Token sign-in for integrators: POST a username and password, get the token for `Authorization: Token <key>`.

A token lasts ``API_TOKEN_LIFETIME_DAYS`` from when it was made; signing in after that replaces it with a new one.
Its owner revokes it with DELETE on the same URL (``macfa.authentication`` holds the rules).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import CharField, Serializer
from rest_framework.throttling import ScopedRateThrottle

from macfa.authentication import token_expired, token_revoke


class TokenSerializer(Serializer):
    token = CharField()


class TokenView(ObtainAuthToken):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke your own token (the one you send, or yours when signed in): from then on it answers 401."""
        token_revoke(actor=request.user, person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
