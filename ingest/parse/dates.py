"""Issue dates as signed years (BC negative): "27 BC-AD 14", "circa 363-338 BC",
"ca. 430-404 v. Chr.", "AD 98-117", "98-117 n. Chr.", "3rd century BC", "AD 1185"."""

from __future__ import annotations

import re
from typing import NamedTuple

_BC = r"(?:BCE|BC|B\.C\.|v\.\s?Chr\.?|av\.\s?J\.?-?C\.?|a\.\s?C\.|avant\s+J\.-C\.)"
_AD = r"(?:AD|A\.D\.|CE|n\.\s?Chr\.?|ap\.\s?J\.?-?C\.?|apr\.\s?J\.-C\.|d\.\s?C\.)"
_Y = r"(\d{1,4})"
_SEP = r"\s?[-–/]\s?"
_ORD = r"(\d{1,2})(?:st|nd|rd|th|\.)"

PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"(?<![\d.,]){_Y}\s?{_BC}{_SEP}(?:{_AD}\s?)?{_Y}(?:\s?{_AD})?(?!\d)"), "bc_ad"),
    (re.compile(rf"(?<![\d.,]){_Y}(?:{_SEP}{_Y})?\s?{_BC}"), "bc"),
    (re.compile(rf"(?<!\w){_AD}\s?{_Y}(?:{_SEP}{_Y})?(?!\d)"), "ad"),
    (re.compile(rf"(?<![\d.,]){_Y}(?:{_SEP}{_Y})?\s?{_AD}"), "ad"),
    (re.compile(rf"(?<!\d){_ORD}(?:{_SEP}{_ORD})?\s?(?:century|centuries|Jh\.|Jahrhundert|siècle|secolo)\s?{_BC}",
                re.IGNORECASE), "century_bc"),
    (re.compile(rf"(?<!\d){_ORD}(?:{_SEP}{_ORD})?\s?(?:century|centuries|Jh\.|Jahrhundert|siècle|secolo)"
                rf"(?:\s?{_AD})?", re.IGNORECASE), "century_ad"),
]


class DateRange(NamedTuple):
    start: int
    end: int
    span: tuple[int, int]
    text: str


def _range(kind: str, groups: tuple) -> tuple[int, int] | None:
    nums = [int(g) for g in groups if g]
    if not nums:
        return None
    if kind == "bc_ad":
        return -nums[0], nums[1]
    if kind == "bc":
        return -max(nums), -min(nums)
    if kind == "ad":
        a, b = nums[0], nums[-1]
        if b < a and len(str(b)) < len(str(a)):  # "AD 1185-95"
            b = int(str(a)[: len(str(a)) - len(str(b))] + str(b))
        return min(a, b), max(a, b)
    first, last = nums[0], nums[-1]
    if kind == "century_bc":
        return -first * 100, -(last - 1) * 100 - 1
    return (first - 1) * 100 + 1, last * 100


# Every date names its era: the patterns only run in windows around these marks.
ERA_MARK = re.compile(r"(?<!\w)(?:BCE?|B\.C\.|AD|A\.D\.|CE|v\.\s?Chr|n\.\s?Chr|av\.\s?J|ap\.\s?J|apr\.\s?J"
                      r"|a\.\s?C\.|d\.\s?C\.|avant\s+J)|[Cc]entur|CENTUR|Jh\.|Jahrhundert|siècle|secolo")


def _windows(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in ERA_MARK.finditer(text):
        start, end = max(0, m.start() - 32), min(len(text), m.end() + 24)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def find_date(text: str) -> DateRange | None:
    """The narrowest stated date range (a struck date is narrower than a reign)."""
    best: DateRange | None = None
    for w_start, w_end in _windows(text):
        window = text[w_start:w_end]
        taken: list[tuple[int, int]] = []
        for regex, kind in PATTERNS:
            for m in regex.finditer(window):
                if any(s <= m.start() < e for s, e in taken):
                    continue
                years = _range(kind, m.groups())
                if years is None or not (-3000 <= years[0] <= years[1] <= 2100):
                    continue
                taken.append((m.start(), m.end()))
                cand = DateRange(years[0], years[1], (w_start + m.start(), w_start + m.end()), m.group(0))
                if best is None or (cand.end - cand.start) < (best.end - best.start):
                    best = cand
    return best


# Modern and late medieval coins print the year alone: "Sovereign 1887", "Reichstaler 1785 A".
BARE_YEAR = re.compile(r"(?<![\d.,/#-])(1[2-9]\d\d|20[0-2]\d)(?:\s?[-–/]\s?(\d{2,4}))?(?!\d|[.,]\d|\s?(?:g|mm|gm)\b)")


def bare_year(text: str, offset: int = 0) -> DateRange | None:
    """The narrowest year or range printed alone ("Dukat, Utrecht, 1849"; "Friedrich II., 1740-1786.
    Reichstaler 1785"), not one in brackets ("CNG 102 (2016)"):
    callers pass only the title, or the description before its provenance (sales are cited by year)."""
    best: DateRange | None = None
    for m in BARE_YEAR.finditer(text):
        if text[max(0, m.start() - 1):m.start()] == "(":
            continue
        years = _range("ad", m.groups())  # "1740-1786", "1351-61"
        if years is None or years[1] - years[0] > 200:
            continue
        if best is None or years[1] - years[0] < best.end - best.start:  # the coin's year, not the reign
            best = DateRange(years[0], years[1], (offset + m.start(), offset + m.end()), m.group(0))
    return best
