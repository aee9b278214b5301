"""What every page module shares."""

from __future__ import annotations

PAGE_LIMIT = 200  # longest list a page shows before asking the reader to narrow it
DUE_SOON_DAYS = 7
