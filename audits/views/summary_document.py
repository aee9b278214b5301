"""The summary page's document (figures, charts, tables), rendered once per version of the summary and kept in the
web process.

A national summary holds eighteen themes with a hundred trend rows each: parsing its stored figures, drawing its
charts and printing its tables takes a hundred milliseconds or more, and every reader of the same version would get
the same markup. So the rendered markup is kept, keyed on everything it is made from:

- the summary and its version (``updated_at``: every save, compile, claim, progress and retention write moves it;
  ``compiled_at`` too, for safety), so an edit, a recompile or a review is never shown stale;
- whether the figures are exact (business unit and auditors) or protected (everyone else): the two are never
  mixed, as they are two keys;
- the partnership's threshold and the disclosure rule's version, which decide the protected figures.

It is kept in the process, not the shared cache: the exact working view stays out of Redis, a deploy (with changed
templates) starts empty, and there is nothing to invalidate by hand. Memory is bounded by ``KEPT_SIZE``; the
oldest entries go first.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from audits.models import LearningSummary
from audits.summaries.briefing import Briefing
from audits.summaries.published import RULE_VERSION

KEPT_SIZE = 12_000_000  # bytes of markup: about eight national summaries in each web process, the latest read
FIGURE_FIELDS = ("content", "published")  # the big JSON columns, read only when the document is rendered


# What the page's template prints where the document goes; put_document puts the kept bytes in its place. Random, so
# no text anyone writes can stand in for it.
PLACEHOLDER = mark_safe(f"<!-- the summary document {secrets.token_hex(16)} -->")  # noqa: S308 - no outside text


@dataclass(frozen=True)
class RenderedDocument:
    """What the page shows of the compiled content: the document's markup, encoded as the response is (None before
    the first compile), and for the working view only the compile's suggested quotes (empty when there are none)."""

    html: bytes | None
    candidate_quotes: SafeString = field(default_factory=SafeString)

    @property
    def size(self) -> int:
        return len(self.html or b"") + len(self.candidate_quotes)


def put_document(response: HttpResponse, document: RenderedDocument) -> HttpResponse:
    """The page with the document's bytes where its template printed PLACEHOLDER.

    A national summary's document is over a megabyte. Printed through the page's template it would be copied at
    every level of the layout (and widened to two bytes a character, as the layout has non-ASCII text) and encoded
    again on every read; put in as bytes, it is copied once.
    """
    if document.html is not None:
        before, found, after = response.content.partition(PLACEHOLDER.encode(response.charset))
        if found:
            response.content = b"".join((before, document.html, after))
    return response


_kept: OrderedDict[tuple[Any, ...], RenderedDocument] = OrderedDict()
_kept_size = 0
_lock = threading.Lock()


def document_key(summary: LearningSummary, *, exact: bool) -> tuple[Any, ...]:
    """Which version of the summary, for which kind of reader, under which threshold and rule."""
    threshold = summary.partnership.suppression_threshold
    return (summary.pk, summary.updated_at, summary.compiled_at, exact, threshold, RULE_VERSION)


def rendered_document(summary: LearningSummary, *, exact: bool) -> RenderedDocument:
    """The document for this version of the summary: kept from an earlier read, or rendered now and kept."""
    key = document_key(summary, exact=exact)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    unchanged = _read_figures(summary)
    document = _render(summary, exact=exact)
    if unchanged:  # figures that arrived with a later version are shown to this reader but never kept under this key
        _keep(key, document)
    return document


def forget_documents() -> None:
    """Empty what the process keeps (for tests)."""
    global _kept_size
    with _lock:
        _kept.clear()
        _kept_size = 0


def _read_figures(summary: LearningSummary) -> bool:
    """Read the figures the page deferred, of the version the page read; False when the summary changed since."""
    deferred = [name for name in FIGURE_FIELDS if name in summary.get_deferred_fields()]
    if not deferred:
        return True
    same_version = LearningSummary.objects.filter(pk=summary.pk, updated_at=summary.updated_at)
    found = same_version.values_list(*deferred).first()
    if found is None:
        summary.refresh_from_db(fields=deferred)
        return False
    for name, value in zip(deferred, found, strict=True):
        setattr(summary, name, value)
    return True


def _render(summary: LearningSummary, *, exact: bool) -> RenderedDocument:
    if not summary.content:
        return RenderedDocument(html=None)
    briefing = Briefing.of(summary, exact=exact)
    candidates = _candidates(summary) if exact else []
    # Both rendered by the autoescaping template engine; the document as the bytes the page will carry.
    return RenderedDocument(
        html=render_to_string("audits/_summary_document.html", {"document": briefing}).encode(settings.DEFAULT_CHARSET),
        candidate_quotes=mark_safe(  # noqa: S308
            render_to_string("audits/_candidate_quotes.html", {"candidate_quotes": candidates}) if candidates else ""
        ),
    )


def _candidates(summary: LearningSummary) -> list[tuple[str, str, list[str]]]:
    """The compile's suggested quotes (agreed findings' narratives) for the working view only, to rewrite."""
    kinds = (("strength", "Strengths"), ("area_for_improvement", "Areas for improvement"))
    return [
        (theme["name"], label, list(theme.get("quotes", {}).get(kind, [])))
        for theme in summary.content.get("themes", [])
        for kind, label in kinds
        if theme.get("quotes", {}).get(kind)
    ]


def _keep(key: tuple[Any, ...], document: RenderedDocument) -> None:
    global _kept_size
    with _lock:
        if key in _kept:
            return
        _kept[key] = document
        _kept_size += document.size
        while _kept_size > KEPT_SIZE and len(_kept) > 1:
            _, oldest = _kept.popitem(last=False)
            _kept_size -= oldest.size
