"""The summary page's document is kept once per version of the summary, in bounded memory."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.models import LearningSummary
from audits.views import summary_document
from tests.audits.test_summary_pages import compiled
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def reread(summary: LearningSummary) -> LearningSummary:
    """The summary as the page reads it: without its figures."""
    return (
        LearningSummary.objects.select_related("partnership").defer(*summary_document.FIGURE_FIELDS).get(pk=summary.pk)
    )


def test_the_document_is_kept_per_version_and_the_oldest_goes_when_memory_is_full(
    parties: Parties, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary_document.forget_documents()
    summary = compiled(parties)
    first = summary_document.rendered_document(reread(summary), exact=False)
    assert summary_document.rendered_document(reread(summary), exact=False) is first  # kept, not rendered again
    assert first.html and b"[c]" in first.html and not first.candidate_quotes  # protected: no quotes either

    monkeypatch.setattr(summary_document, "KEPT_SIZE", len(first.html) + 10)
    LearningSummary.objects.filter(pk=summary.pk).update(key_messages="A new message.", updated_at=timezone.now())
    second = summary_document.rendered_document(reread(summary), exact=False)
    assert b"A new message." in (second.html or b"")
    assert summary_document.document_key(reread(summary), exact=False) in summary_document._kept
    assert len(summary_document._kept) == 1  # the earlier version made room


def test_figures_that_changed_while_the_page_was_being_made_are_not_kept_under_the_old_version(
    parties: Parties,
) -> None:
    summary_document.forget_documents()
    summary = compiled(parties)
    read_before = reread(summary)
    LearningSummary.objects.filter(pk=summary.pk).update(key_messages="Changed meanwhile.", updated_at=timezone.now())
    summary_document.rendered_document(read_before, exact=True)
    assert summary_document.document_key(read_before, exact=True) not in summary_document._kept
