"""A summary's figures as they may leave the service, worked out once per compile.

Protecting a big summary (ten themes, fifteen agencies) can take from a second to minutes, and every board
member's and agency lead's page, API read and briefing needs it. So the compile task works it out in the background
and stores it with the summary, under the compile it came from (``compiled_at``), the partnership's threshold and the
rule's version; readers find it there. After a change of threshold or rule it is worked out on the first read and kept
in the cache under the same kind of key. Nothing is ever invalidated by hand; with the cache down (Redis stopped) it is
simply worked out again: slower, never wrong.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.cache import cache

from audits.models import LearningSummary
from audits.summaries.suppression import suppress_content

logger = logging.getLogger(__name__)
RULE_VERSION = 3  # raise when docs/disclosure.md's rule changes, so no figure protected by the old rule is served
KEPT_FOR = 7 * 24 * 3600


def published_key(summary_id: int, compiled_at: datetime.datetime | None, threshold: int) -> str:
    """Which compile, threshold and rule a set of published figures belongs to."""
    stamp = compiled_at.isoformat() if compiled_at else "never"
    return f"macfa:published:{summary_id}:{stamp}:{threshold}:{RULE_VERSION}"


def published_content(summary: LearningSummary) -> dict[str, Any]:
    """``suppress_content`` of the summary's compiled content, for its partnership's threshold.

    The compile task works it out and stores it with the summary (``summary.published``), so a reader never waits
    for it; after a change of threshold or rule it is worked out here once and kept in the cache.
    """
    threshold = summary.partnership.suppression_threshold
    if not summary.content:
        return summary.content
    key = published_key(summary.pk, summary.compiled_at, threshold)
    if summary.published.get("key") == key:
        stored: dict[str, Any] = summary.published["content"]
        return stored
    try:
        kept = cache.get(key)
    except Exception:  # a cache that fails must not fail the page
        logger.warning("The cache could not be read; working out the published figures again")
        kept = None
    if kept is not None:
        return kept
    published = suppress_content(summary.content, threshold)
    try:
        cache.set(key, published, KEPT_FOR)
    except Exception:
        logger.warning("The cache could not be written; the published figures will be worked out again")
    return published
