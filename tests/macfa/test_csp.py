"""The Content-Security-Policy header: the settings' policy (django-csp's), built once a process, on every response."""

from __future__ import annotations

import pytest
from csp.constants import HEADER
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from macfa.middleware import CSPMiddleware

pytestmark = pytest.mark.django_db


def test_pages_and_the_api_carry_the_policy_the_settings_give() -> None:
    client = Client()
    for url in ("/accounts/login/", "/api/v1/findings/"):
        assert client.get(url)[HEADER] == build_policy()
    assert "frame-ancestors 'none'" in build_policy() and "default-src 'self'" in build_policy()


def test_a_changed_setting_changes_the_header() -> None:
    Client().get("/accounts/login/")  # the policy is built and kept
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert Client().get("/accounts/login/")[HEADER] == "default-src 'none'"
    assert Client().get("/accounts/login/")[HEADER] == build_policy()


def test_a_view_that_changes_its_policy_still_gets_its_own() -> None:
    def view(request: object) -> HttpResponse:
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://tiles.example.invalid"]}  # type: ignore[attr-defined]
        return response

    middleware = CSPMiddleware(view)  # type: ignore[arg-type]
    request = RequestFactory().get("/")
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    assert "https://tiles.example.invalid" in response[HEADER]
