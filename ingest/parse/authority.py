"""Which ruler (or Roman moneyer) issued the lot: the first name in the title, else in the
description; a name that fits several people ("Philip II", "Karl V.", "Henry II", "Leopold I") goes
to the one whose reign fits the stated dates and whose state the text names, then to the one the
other period clues support. A ruler whose reign is far from every stated date is a conflict: the
lot needs review, and a ruler centuries away from the date does not count at all ("a Roman
emperor named Philip never wins against a date of 1556")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nummus.ingest.parse.dates import DateRange
from nummus.ingest.parse.labels import MEDIEVAL_FROM
from nummus.ingest.parse.period import Evidence
from nummus.ingest.parse.vocab import TOKEN, Hit, Vocabulary

FIT_YEARS = 25        # a date this close to the reign fits it (posthumous and accession issues)
FAR_YEARS = 300       # a ruler this far from every date is the wrong person
W_DATE_FIT, W_DATE_MISS, W_DATE_FAR, W_STATE = 4.0, -2.0, -8.0, 3.0

_PRAENOMEN = r"(?:C|L|M|P|Q|T|A|D|N|Cn|Sex|Ti|Ap|Mn|Man|Sp|Ser|Pub|Faustus)"
_FILIATION = rf"(?:\s{_PRAENOMEN}\.\s?[fn]\.)"
MONEYER_NAME = re.compile(rf"(?<![\w.]){_PRAENOMEN}\.\s[A-Z][a-z]+(?:{_FILIATION}|\s[A-Z][a-z]+)*")
FILIATION = re.compile(_FILIATION)


@dataclass
class Choice:
    hit: Hit
    row: dict
    gap: int | None          # years between the reign and the nearest stated date (None: no date)
    reasons: list[str]


def gap_years(row: dict, dates: list[DateRange]) -> int | None:
    r1, r2 = row["reign_from"], row["reign_to"]
    if r1 is None or r2 is None or not dates:
        return None
    return min(max(0, d.start - r2, r1 - d.end) for d in dates)


def _row_evidence(ev: Evidence, row: dict) -> float:
    return ev.score(row["period"]) + (ev.score("post") if row["post"] else 0.0)


def _overlap(row: dict, dates: list[DateRange]) -> float:
    """How well the reign matches a printed range (Carlos II, 1665-1700: Spain, not England)."""
    r1, r2 = row["reign_from"], row["reign_to"]
    best = 0.0
    for d in dates:
        inter = min(r2, d.end) - max(r1, d.start)
        if inter >= 0:
            best = max(best, (inter + 1) / (max(r2, d.end) - min(r1, d.start) + 1))
    return best


def _fit(row: dict, dates: list[DateRange], states: set[str]) -> float:
    score = 0.0
    gap = gap_years(row, dates)
    if gap is not None:
        score += W_DATE_FIT if gap <= FIT_YEARS else W_DATE_FAR if gap > FAR_YEARS else W_DATE_MISS
        if gap == 0:
            score += _overlap(row, dates)
    if row["states"] & states:
        score += W_STATE
    return score


def moneyer_hits(v: Vocabulary, text: str, start: int, end: int) -> list[Hit]:
    """Moneyers written with their filiation ("C. Vibius C.f. Pansa", "Mn. Aquillius Mn.f. Mn.n."):
    the filiation is left out and the rest looked up among the ruler aliases."""
    out = []
    for m in MONEYER_NAME.finditer(text, start, end):
        name = m.group(0)
        if not FILIATION.search(name):
            continue
        words = TOKEN.findall(FILIATION.sub("", name).lower())
        for size in range(len(words), 1, -1):
            rows = v.rulers.lookup.get(tuple(words[:size]))
            if rows:
                out.append(Hit(m.start(), m.end(), name, rows))
                break
    return out


def era_class(year: float) -> int:
    """0 before Augustus, 1 the Roman empire, 2 after its end in the West."""
    return 0 if year < -30 else 1 if year < MEDIEVAL_FROM else 2


def _other_era(row: dict, dates: list[DateRange]) -> bool:
    """The reign lies in another age than every stated date (an emperor Galba and "69 BC")."""
    mid = (row["reign_from"] + row["reign_to"]) / 2
    return all(era_class(mid) != era_class((d.start + d.end) / 2) for d in dates)


def _candidates(v: Vocabulary, hits: list[Hit], text: str, tlen: int, support: set[str]) -> list[Hit]:
    """Ruler hits, with filiated moneyer names in place of the shorter names they contain. A name of
    one word ("John", "Anne", "Victoria", "Plaetoria") is weak: it counts in the title only, and only
    when the text also says "post-classical" (a moneyer's gens: "Republican") somewhere else."""
    if ("f." in text or "n." in text) and FILIATION.search(text):
        extra = moneyer_hits(v, text, 0, len(text))
        if extra:
            hits = [h for h in hits if not any(e.start <= h.start < e.end for e in extra)] + extra
            hits.sort(key=lambda h: h.start)
    out = []
    for h in hits:
        if len(TOKEN.findall(h.text)) == 1:
            rows = tuple(r for r in h.rows if not (r["post"] or r["moneyer"]) or (
                h.start < tlen and ("post" if r["post"] else "republic") in support))
            if not rows:
                continue
            h = Hit(h.start, h.end, h.text, rows)
        out.append(h)
    return out


# NAC and others print a Republican year without its era: "Denarius, Rome 47", "Ahenobarbus 41"
REPUBLICAN_YEAR = re.compile(r"(?<=[A-Za-z] )(\d{2,3})(?:\s(?:or|oder|ou|o)\s(\d{2,3}))?(?=\s*[,.]|\s*$)")


def republican_year(row: dict, text: str, tlen: int) -> DateRange | None:
    """A bare number in the title that is the year (BC) in which the named moneyer or imperator struck."""
    if row["period"] != "roman_republican" or row["reign_from"] is None:
        return None
    for m in REPUBLICAN_YEAR.finditer(text, 0, tlen):
        year, other = -int(m.group(1)), -int(m.group(2) or m.group(1))
        if row["reign_from"] - 1 <= year <= row["reign_to"] + 1:
            return DateRange(min(year, other), max(year, other), (m.start(), m.end()), m.group(0))
    return None


def _republican_years(h: Hit, text: str, tlen: int) -> list[DateRange]:
    if len(h.rows) < 2:
        return []
    return [d for d in (republican_year(r, text, tlen) for r in h.rows) if d is not None]


def choose_ruler(v: Vocabulary, hits: list[Hit], ev: Evidence, dates: list[DateRange], states: set[str],
                 text: str, tlen: int, support: set[str] = frozenset()) -> Choice | None:
    """`support`: "post" when some clue besides a ruler's name is post-classical, "republic" when one is
    Roman Republican (they let one-word names count)."""
    cands = _candidates(v, hits, text, tlen, support)
    if not cands:
        return None
    in_title = [h for h in cands if h.start < tlen]
    h = (in_title or cands)[0]
    fit_dates = dates or _republican_years(h, text, tlen)
    # max keeps the first row on ties: the tables list the better-known namesake first
    row = max(h.rows, key=lambda r: (_fit(r, fit_dates, states), _row_evidence(ev, r)))
    gap = gap_years(row, dates)
    reasons = []
    if gap is not None and gap > FIT_YEARS:
        reasons.append(f"ruler {row['name']} ({row['reign_from']}-{row['reign_to']}) does not fit the date "
                       f"{min(d.start for d in dates)}-{max(d.end for d in dates)}")
        if gap <= FAR_YEARS and _other_era(row, dates):
            gap = FAR_YEARS + 1  # as good as centuries away: not counted
    return Choice(h, row, gap, reasons)
