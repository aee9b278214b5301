"""Evidence downloads: only through a view that finds the action in what the person may read, never at a media URL.

The page (``/actions/<id>/evidence/<update_id>/``) and the API (``/api/v1/action-updates/<id>/evidence/``) both
answer with ``evidence_response``: an attachment under the uploaded name, the content type detected from the stored
bytes, ``nosniff`` so no browser second-guesses it, and ``no-store`` so no shared cache keeps a child's records.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path

from audits.models import ActionUpdate
from audits.selectors import action_updates_for
from audits.services.evidence import detect_content_type, download_name


def evidence_update_for(actor: Any, **lookup: Any) -> ActionUpdate:
    """The trail entry with evidence, among those the actor may read (404 otherwise)."""
    return get_object_or_404(action_updates_for(actor).exclude(evidence=""), **lookup)


def evidence_response(update: ActionUpdate) -> FileResponse:
    try:
        stored = update.evidence.open("rb")
    except FileNotFoundError as missing:
        raise Http404("This evidence file is no longer stored.") from missing
    # Files stored before content checking existed are still served, as bytes nothing will open in place.
    content_type = detect_content_type(stored) or "application/octet-stream"
    name = download_name(name=update.evidence_name, content_type=content_type)
    response = FileResponse(stored, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def action_evidence(request: HttpRequest, pk: int, update_id: int) -> FileResponse:
    return evidence_response(evidence_update_for(request.user, action_id=pk, pk=update_id))


urlpatterns = [
    path("actions/<int:pk>/evidence/<int:update_id>/", action_evidence, name="action-evidence"),
]
