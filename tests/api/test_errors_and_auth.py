"""One error shape, clear messages, token sign-in, and the documentation served without any outside network."""

from __future__ import annotations

import datetime
import io

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import World, client_for
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_saying_so(world: World) -> None:
    response = client_for(world.parties.auditor).post(
        reverse("api:case-list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "JSON parse error" in response.json()["message"]


def test_wrong_types_unknown_enums_and_long_text_get_a_message_per_field(world: World) -> None:
    response = client_for(world.parties.auditor).post(
        reverse("api:case-list"),
        {"audit": "seven", "reference": "C" + "1" * 40, "age_band": "teen", "level_of_need": "high", "plan_type": 3},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"status", "code", "message", "errors"}
    assert body["errors"]["audit"] == ["Give the record's id as a whole number, not str."]
    assert body["errors"]["age_band"] == ['"teen" is not a valid choice.']
    assert "no more than 30 characters" in body["errors"]["reference"][0]
    assert set(body["errors"]) == {"audit", "reference", "age_band", "level_of_need", "plan_type"}


def test_unknown_id_is_a_404_in_the_same_shape(world: World) -> None:
    response = client_for(world.parties.auditor).get(reverse("api:audit-detail", args=[999999]))
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "message": "Not found.", "errors": {}}


def test_page_size_is_bounded(world: World) -> None:
    response = client_for(world.parties.business_unit).get(reverse("api:theme-list"), {"page_size": 10000})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 100


def test_token_sign_in_and_use(parties: Parties) -> None:
    client = APIClient()
    response = client.post(
        reverse("api-token"), {"username": parties.lead.username, "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:partnership-list")).status_code == 200
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get(reverse("api:partnership-list")).status_code == 401


def test_wrong_password_is_400_and_sign_in_is_throttled(parties: Parties, settings: object) -> None:
    from django.core.cache import cache

    cache.clear()
    client = APIClient()
    statuses = [
        client.post(
            reverse("api-token"), {"username": parties.lead.username, "password": "wrong"}, format="json"
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    cache.clear()


def test_issue_token_command_prints_a_working_token(parties: Parties) -> None:
    out = io.StringIO()
    call_command("issue_token", parties.auditor.username, stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert Token.objects.get(user=parties.auditor).key == key
    # An expired token is replaced, not printed: it would only answer 401.
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=365))
    call_command("issue_token", parties.auditor.username, stdout=out)
    fresh = out.getvalue().strip().splitlines()[-1]
    assert fresh != key and Token.objects.get(user=parties.auditor).key == fresh


def test_schema_validates_and_documents_every_route() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert "/api/v1/actions/{id}/complete/" in schema["paths"]
    assert "/api/v1/summaries/{id}/compile/" in schema["paths"]
    assert (
        "TokenAuth" in str(schema["components"]["securitySchemes"])
        or "tokenAuth" in schema["components"]["securitySchemes"]
    )


def test_interactive_docs_are_served_from_this_service(parties: Parties) -> None:
    client = client_for(parties.business_unit)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html  # nothing fetched from outside
    assert client.get(reverse("schema")).status_code == 200


def test_unknown_api_paths_answer_in_the_error_shape(parties: Parties) -> None:
    response = client_for(parties.business_unit).get("/api/v1/audits/not.a.number/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "message": "No such API endpoint or record.",
        "errors": {},
    }


def test_every_operation_documents_the_error_shape() -> None:
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/"):
            for method, operation in operations.items():
                assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path)
