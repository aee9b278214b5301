"""Token sign-in for integrators: POST a username and password, get the token for `Authorization: Token <key>`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.serializers import CharField, Serializer
from rest_framework.throttling import ScopedRateThrottle


class TokenSerializer(Serializer):
    token = CharField()


class TokenView(ObtainAuthToken):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
