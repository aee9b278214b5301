"""Evidence through the API: a clear 400 on the evidence field, a scoped download URL in the trail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from audits.models import ActionUpdate
from audits.services.evidence import DOCX
from tests.api.conftest import World, client_for
from tests.audits import evidence_samples as sample

pytestmark = pytest.mark.django_db


def post_note(world: World, data: bytes, name: str, content_type: str = "application/pdf") -> object:
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client_for(world.parties.lead).post(
        reverse("api:action-updates", args=[world.own.action.pk]),
        {"note": "Evidence attached.", "evidence": upload},
        format="multipart",
    )


def test_lead_posts_evidence_and_the_trail_gives_its_download_url(world: World) -> None:
    posted = post_note(world, sample.PDF, "plan.pdf")
    assert posted.status_code == 201, posted.json()
    body = posted.json()
    url = reverse("api:action-update-evidence", args=[body["id"]])
    assert (body["evidence"], body["evidence_name"], body["evidence_size"]) == (
        f"http://testserver{url}",
        "plan.pdf",
        len(sample.PDF),
    )
    trail = client_for(world.parties.auditor).get(reverse("api:action-updates", args=[world.own.action.pk])).json()
    assert trail["results"][-1]["evidence"] == body["evidence"]


def test_a_mislabelled_program_is_refused_on_the_evidence_field(world: World) -> None:
    posted = post_note(world, sample.EXE, "report.pdf", content_type="application/pdf")
    assert posted.status_code == 400
    assert list(posted.json()["errors"]) == ["evidence"]
    assert posted.json()["errors"]["evidence"][0].startswith("Evidence must be a PDF")
    assert not ActionUpdate.objects.filter(action=world.own.action).exists()


@pytest.mark.parametrize(("data", "name"), [(sample.SVG, "poster.svg"), (sample.HTML, "page.txt")])
def test_markup_is_refused_whatever_it_is_called(world: World, data: bytes, name: str) -> None:
    assert post_note(world, data, name, content_type="text/plain").status_code == 400


@override_settings(EVIDENCE_MAX_BYTES=100)
def test_a_file_over_the_limit_gets_a_400_naming_the_field(world: World) -> None:
    posted = post_note(world, sample.PDF + b"%" * 2000, "big.pdf")
    assert posted.status_code == 400
    assert posted.json()["errors"] == {"evidence": ["The file is 2 KB: evidence can be at most 1 KB."]}


def test_a_name_with_folders_keeps_only_its_last_part(world: World) -> None:
    posted = post_note(world, sample.PDF, "../../etc/plan.pdf")
    assert posted.status_code == 201
    assert posted.json()["evidence_name"] == "plan.pdf"


def test_moves_take_evidence_through_the_same_checks(world: World) -> None:
    lead = client_for(world.parties.lead)
    url = reverse("api:action-start", args=[world.own.action.pk])
    etag = lead.get(reverse("api:action-detail", args=[world.own.action.pk]))["ETag"]
    upload = SimpleUploadedFile("run.pdf", sample.EXE, content_type="application/pdf")
    moved = lead.post(url, {"note": "Started.", "evidence": upload}, format="multipart", HTTP_IF_MATCH=etag)
    assert moved.status_code == 400
    assert "evidence" in moved.json()["errors"]
    assert (
        client_for(world.parties.lead).get(reverse("api:action-detail", args=[world.own.action.pk])).json()["status"]
        == "open"
    ), "a refused file leaves the action where it was"


@pytest.mark.parametrize("who", ["lead", "auditor", "business_unit", "board_member"])
def test_download_is_an_attachment_for_those_who_may_read_the_action(world: World, who: str) -> None:
    document = sample.docx()
    update_id = post_note(world, document, "Supervision audit.docx").json()["id"]
    response = client_for(world.user(who)).get(reverse("api:action-update-evidence", args=[update_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == 'attachment; filename="Supervision audit.docx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["other_lead", "outsider", "outsider_lead", "outsider_board_member"])
def test_download_is_404_to_other_agencies_and_partnerships(world: World, who: str) -> None:
    update_id = post_note(world, sample.PDF, "plan.pdf").json()["id"]
    response = client_for(world.user(who)).get(reverse("api:action-update-evidence", args=[update_id]))
    assert response.status_code == 404


def test_an_update_without_evidence_has_no_download(world: World) -> None:
    lead = client_for(world.parties.lead)
    posted = lead.post(reverse("api:action-updates", args=[world.own.action.pk]), {"note": "Booked."}, format="json")
    assert posted.json()["evidence"] is None
    assert lead.get(reverse("api:action-update-evidence", args=[posted.json()["id"]])).status_code == 404
