"""A summary's figures as they may leave the service, worked out once per compile.

Protecting a big summary (ten themes, fifteen agencies) takes up to a second, and every board member's and agency
lead's page, API read and briefing needs it, so the result is kept in the cache under the compile it came from
(``compiled_at``), the partnership's threshold and the rule's version. A new compile, a new threshold or a new rule
makes a new key; nothing is ever invalidated by hand. With the cache down (Redis stopped) it is simply worked out
again: slower, never wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

from audits.models import LearningSummary
from audits.summaries.suppression import suppress_content

logger = logging.getLogger(__name__)
RULE_VERSION = 2  # raise when docs/disclosure.md's rule changes, so no figure protected by the old rule is served
KEPT_FOR = 7 * 24 * 3600


def published_content(summary: LearningSummary) -> dict[str, Any]:
    """``suppress_content`` of the summary's compiled content, for its partnership's threshold."""
    threshold = summary.partnership.suppression_threshold
    if not summary.content:
        return summary.content
    stamp = summary.compiled_at.isoformat() if summary.compiled_at else "never"
    key = f"macfa:published:{summary.pk}:{stamp}:{threshold}:{RULE_VERSION}"
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
