"""The briefing as a tagged PDF (PDF/UA-1), from the same template partial as the summary page.

WeasyPrint lays out templates/briefing/briefing.html with the print stylesheet templates/briefing/briefing.css, read
from disk beside the template (so it ships wherever the templates do). It may fetch nothing: the url fetcher
refuses every address but inline data, so a stray link cannot reach the network or the file system.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

# A line per layout step at INFO (from the import on) would drown the web's and the export task's own logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from audits.summaries.briefing.content import Briefing  # noqa: E402

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "briefing" / "briefing.css"


def offline_fetcher() -> URLFetcher:
    """Only data: URLs; http(s), file and everything else are refused."""
    return URLFetcher(allowed_protocols={"data"})


def render_html(briefing: Briefing) -> str:
    return render_to_string("briefing/briefing.html", {"document": briefing})


def render_pdf(briefing: Briefing) -> bytes:
    fetcher = offline_fetcher()
    document = HTML(string=render_html(briefing), base_url=None, url_fetcher=fetcher)
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1", custom_metadata=True)
    assert pdf is not None
    return pdf
