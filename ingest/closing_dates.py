"""Closing dates (the calendar day a sale closed) as auction pages and exports write them: ISO,
"12.05.2024", "May 12, 2024", "12 May 2024", "12. Mai 2024", "Mon, 12 May 2024 14:00".
(A coin's issue date in signed years, "27 BC-AD 14", is the parser's: nummus.ingest.parse.dates.)"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1, "januar": 1, "january": 1, "jän": 1, "feb": 2, "februar": 2, "february": 2,
    "mar": 3, "mär": 3, "märz": 3, "march": 3, "apr": 4, "april": 4, "may": 5, "mai": 5,
    "jun": 6, "june": 6, "juni": 6, "jul": 7, "july": 7, "juli": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "okt": 10, "october": 10, "oktober": 10,
    "nov": 11, "november": 11, "dec": 12, "dez": 12, "december": 12, "dezember": 12,
}
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zäÄ]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([A-Za-zäÄ]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def _month(name: str) -> int | None:
    return _MONTHS.get(name.lower())


def parse_date(text: str | None) -> date | None:
    """The first date in text, or None (an unreadable date is not an error: it stays empty)."""
    if not text:
        return None
    candidates: list[tuple[int, int, int]] = []
    if m := _ISO.search(text):
        candidates.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    if m := _DOTTED.search(text):
        candidates.append((int(m.group(3)), int(m.group(2)), int(m.group(1))))
    if (m := _DAY_MONTH.search(text)) and _month(m.group(2)):
        candidates.append((int(m.group(3)), _month(m.group(2)), int(m.group(1))))
    if (m := _MONTH_DAY.search(text)) and _month(m.group(1)):
        candidates.append((int(m.group(3)), _month(m.group(1)), int(m.group(2))))
    for y, mo, d in candidates:
        try:
            return date(y, mo, d)
        except ValueError:
            continue
    return None
