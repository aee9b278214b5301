"""Evidence on actions: only safe document and image types, by content; downloaded only by those who may read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse

from audits.models import ActionUpdate
from audits.services.actions import action_add_update
from macfa.errors import ApplicationError
from tests.audits import evidence_samples as sample
from tests.audits.factories import ActionFactory, AuditFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(parties: Parties) -> Any:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    return ActionFactory(audit=audit, owner_agency=parties.agency)


def attach(parties: Parties, action: Any, data: bytes, name: str) -> ActionUpdate:
    return action_add_update(actor=parties.lead, action=action, evidence=ContentFile(data, name=name))


def refusal(parties: Parties, action: Any, data: bytes, name: str) -> str:
    with pytest.raises(ApplicationError) as refused:
        attach(parties, action, data, name)
    assert refused.value.field == "evidence"
    assert not action.updates.exists(), "a refused file leaves nothing in the trail"
    return refused.value.message


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- What is accepted ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (sample.PDF, "Training plan.pdf"),
        (sample.docx(), "Supervision audit.docx"),
        (sample.xlsx(), "attendance.xlsx"),
        (sample.pptx(), "briefing.pptx"),
        (sample.DOC, "old-policy.doc"),
        (sample.XLS, "old-register.xls"),
        (sample.TEXT, "notes.txt"),
        (sample.PNG, "poster.png"),
        (sample.JPEG, "poster.JPG"),
    ],
)
def test_lead_attaches_documents_and_images(parties: Parties, action: Any, data: bytes, name: str) -> None:
    update = attach(parties, action, data, name)
    assert (update.evidence_name, update.evidence_size) == (name, len(data))
    assert update.evidence.read() == data
    assert name not in update.evidence.name, "stored under a random name, not the uploaded one"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (sample.EXE, "report.pdf"),  # a program renamed
        (sample.HTML, "notes.txt"),  # a web page named as text
        (sample.SVG, "poster.svg"),
        (sample.SVG, "poster.png"),
        (sample.SHELL, "cleanup.txt"),
        (sample.plain_zip(), "report.docx"),  # a zip without [Content_Types].xml is not a Word document
        (sample.docm(), "report.docx"),  # macros
        (b"\x00\x01binary\x00", "data.txt"),
        (b"caf\xe9 latin-1", "notes.txt"),
    ],
)
def test_anything_else_is_refused_by_its_content(parties: Parties, action: Any, data: bytes, name: str) -> None:
    assert refusal(parties, action, data, name).startswith("Evidence must be a PDF, a Word, Excel or PowerPoint")


@pytest.mark.parametrize("name", ["cleanup.sh", "page.html", "report", "report.exe"])
def test_a_name_that_disguises_the_content_is_refused(parties: Parties, action: Any, name: str) -> None:
    message = refusal(parties, action, sample.TEXT, name)
    assert "rename it to end in .txt" in message


@pytest.mark.parametrize("name", ["../notes.txt", "a/b.txt", "..\\notes.txt", "notes\x07.txt", "evil\u202etxt.exe"])
def test_names_with_folders_or_hidden_characters_are_refused(parties: Parties, action: Any, name: str) -> None:
    refusal(parties, action, sample.TEXT, name)


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused_with_the_limit(parties: Parties, action: Any) -> None:
    message = refusal(parties, action, sample.PDF + b"%" * 2000, "big.pdf")
    assert message == "The file is 2 KB: evidence can be at most 1 KB."
    assert attach(parties, action, sample.PDF, "small.pdf").evidence_size == len(sample.PDF)


def test_an_empty_file_is_refused(parties: Parties, action: Any) -> None:
    assert refusal(parties, action, b"", "empty.txt") == "The file is empty."


@override_settings(EVIDENCE_SCANNER="tests.audits.evidence_samples.scanner_refusing_everything")
def test_the_virus_scanner_can_refuse_a_file(parties: Parties, action: Any) -> None:
    assert refusal(parties, action, sample.PDF, "plan.pdf") == "The virus scanner found something in this file."


@override_settings(EVIDENCE_SCANNER="tests.audits.evidence_samples.scanner_that_fails")
def test_a_scanner_that_fails_refuses_rather_than_passes(parties: Parties, action: Any) -> None:
    assert "could not be checked for viruses" in refusal(parties, action, sample.PDF, "plan.pdf")


@override_settings(EVIDENCE_SCANNER="tests.audits.evidence_samples.scanner_passing_everything")
def test_a_clean_file_is_scanned_then_stored_whole(parties: Parties, action: Any) -> None:
    sample.SCANNED.clear()
    update = attach(parties, action, sample.PDF, "plan.pdf")
    assert sample.SCANNED == ["plan.pdf"]
    assert update.evidence.read() == sample.PDF


# --- Downloads from the action's page ------------------------------------------------------------------------


def evidence_url(update: ActionUpdate) -> str:
    return reverse("pages:action-evidence", args=[update.action_id, update.pk])


@pytest.mark.parametrize("who", ["lead", "auditor", "business_unit", "board_member"])
def test_those_who_may_read_the_action_download_its_evidence_as_an_attachment(
    parties: Parties, action: Any, who: str
) -> None:
    update = attach(parties, action, sample.PDF, "Plan für Schulung.pdf")
    response = signed_in(getattr(parties, who)).get(evidence_url(update))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Plan%20f%C3%BCr%20Schulung.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["other_lead", "outsider", "outsider_lead", "outsider_auditor"])
def test_evidence_is_404_to_anyone_who_may_not_read_the_action(parties: Parties, action: Any, who: str) -> None:
    update = attach(parties, action, sample.PDF, "plan.pdf")
    assert signed_in(getattr(parties, who)).get(evidence_url(update)).status_code == 404


def test_evidence_is_found_only_under_its_own_action(parties: Parties, action: Any) -> None:
    update = attach(parties, action, sample.PDF, "plan.pdf")
    visible = ActionFactory(audit=action.audit, owner_agency=parties.agency)
    url = reverse("pages:action-evidence", args=[visible.pk, update.pk])
    assert signed_in(parties.lead).get(url).status_code == 404


def test_evidence_is_not_served_at_a_media_url(parties: Parties, action: Any, client: Client) -> None:
    update = attach(parties, action, sample.PDF, "plan.pdf")
    client.force_login(parties.lead)
    assert client.get(update.evidence.url).status_code == 404


def test_the_trail_links_to_the_evidence_with_its_name_and_size(parties: Parties, action: Any) -> None:
    update = attach(parties, action, sample.PDF, "Training <plan>.pdf")
    page = signed_in(parties.lead).get(reverse("pages:action", args=[action.pk])).content.decode()
    assert f'href="{evidence_url(update)}"' in page
    assert f"Training &lt;plan&gt;.pdf</a> ({len(sample.PDF)}\xa0bytes)" in page


def test_a_refused_upload_on_the_page_says_why_next_to_the_field(parties: Parties, action: Any) -> None:
    upload = ContentFile(sample.EXE, name="report.pdf")
    response = signed_in(parties.lead).post(reverse("pages:action", args=[action.pk]), {"move": "", "evidence": upload})
    assert response.status_code == 400
    assert "Evidence must be a PDF" in response.content.decode()
    assert not action.updates.exists()
