"""Schemathesis over the whole OpenAPI schema, in-process, as each role: no 5xx, and answers match the schema.

Bounded (a few examples an operation) so the suite stays fast; run with MACFA_FUZZ_EXAMPLES=100 for a deeper pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from macfa.wsgi import application
from tests.api.conftest import World

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The coverage phase sends hundreds of boundary cases an operation; the fuzzing phase, bounded below, is enough here.
schema.config.phases.coverage.enabled = False
EXAMPLES = int(os.environ.get("MACFA_FUZZ_EXAMPLES", "4"))
ROLES = ["business_unit", "auditor", "lead", "board_member"]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Django closes 'old' connections around each WSGI request; in a test transaction that would end the test's."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    return {role: Token.objects.get_or_create(user=world.user(role))[0].key for role in ROLES}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_never_errors_and_answers_as_documented(
    case: schemathesis.Case, tokens: dict[str, str], in_test_transaction: None
) -> None:
    for role in ROLES:
        case.call_and_validate(
            headers={"Authorization": f"Token {tokens[role]}", "Host": "127.0.0.1"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
