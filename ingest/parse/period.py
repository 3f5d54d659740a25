"""Deciding the period from the evidence the other matchers found.

Every clue adds a weight to one or more periods: an explicit heading ("ROMAN REPUBLIC",
"Römische Kaiserzeit", "Byzanz") counts most, then a non-coin word in the title, a region or
kingdom ("Kings of Syria", "Phrygia", "Ambiani"), a ruler, the denomination, the mint and the
era of the stated date. Two rules combine clues: an emperor named with a Greek city or region
or on a Greek denomination is Roman provincial; a ruler's alias that fits several people
(Philip II) is settled by the other clues before it counts.

Post-classical clues (a state such as "SPAIN" or "Kurfürstentum Sachsen", a ruler of 600-1900, a
thaler or a denier) say "medieval or modern": they gather under POST and go to one of the two by
the lot's year (`Evidence.resolve_post`); before MEDIEVAL_FROM they count for nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from nummus.ingest.parse.labels import MEDIEVAL_FROM, MODERN_FROM

POST = "post"  # medieval or modern, decided by the year
POST_PERIODS = frozenset({"medieval", "modern"})

ROMAN_DENOMINATIONS = frozenset({
    "aureus", "quinarius_aureus", "denarius", "quinarius", "sestertius", "dupondius", "as", "semis",
    "quadrans", "antoninianus", "argenteus", "siliqua", "miliarense", "solidus", "semissis",
    "tremissis", "follis", "nummus", "centenionalis", "ae1", "ae2", "ae3", "ae4",
})
GREEK_DENOMINATIONS = frozenset({
    "tetradrachm", "didrachm", "drachm", "hemidrachm", "tetrobol", "triobol", "diobol", "obol",
    "hemiobol", "assarion", "cistophorus", "litra", "tridrachm",
})

W_RULER = 6.0
W_REGION = 5.0
W_NONCOIN = 30.0
W_PROVINCIAL = 7.0


@dataclass
class Evidence:
    """Weights per period, and the span that gave the strongest clue for each."""

    scores: dict[str, float] = field(default_factory=dict)
    spans: dict[str, tuple[float, str, tuple[int, int]]] = field(default_factory=dict)

    def add(self, period: str, weight: float, text: str, span: tuple[int, int]) -> None:
        self.scores[period] = self.scores.get(period, 0.0) + weight
        best = self.spans.get(period)
        if best is None or weight > best[0]:
            self.spans[period] = (weight, text, span)

    def score(self, period: str) -> float:
        return self.scores.get(period, 0.0)

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: kv[1], reverse=True)

    def resolve_post(self, year: float | None, default: str = "medieval") -> None:
        """Give the post-classical weight to medieval or modern by the year (`default` without one)."""
        weight = self.scores.pop(POST, None)
        best = self.spans.pop(POST, None)
        if weight is None or (year is not None and year < MEDIEVAL_FROM):
            return
        period = default if year is None else "modern" if year >= MODERN_FROM else "medieval"
        self.add(period, weight, best[1], best[2])


def era_periods(year: float) -> list[tuple[str, float]]:
    """Which periods a (mid) year points to, with small weights: a tie-breaker, not a verdict."""
    if year < -30:  # before Augustus: no imperial coin
        return [("greek", 1.5), ("roman_republican", 1.5), ("celtic", 0.5), ("persian", 0.5),
                ("roman_imperial", -3.0), ("roman_provincial", -3.0)]
    if year < 14:
        return [("roman_republican", 1.0), ("roman_imperial", 1.0), ("greek", 0.5)]
    if year < 491:
        return [("roman_imperial", 1.5), ("roman_provincial", 0.5)]
    if year < 1453:  # after Anastasius' reform no coin is Roman imperial
        return [("medieval", 1.5), ("byzantine", 1.0), ("islamic", 0.5), ("roman_imperial", -3.0)]
    if year < MODERN_FROM:
        return [("medieval", 2.0)]
    return [("modern", 3.0)]


def decide(ev: Evidence) -> tuple[str | None, float, bool, str | None, tuple[int, int] | None]:
    """(period, confidence, contradictory, evidence text, span) from the accumulated weights."""
    ranked = ev.ranked()
    if not ranked or ranked[0][1] <= 0:
        return None, 0.0, False, None, None
    top, top_w = ranked[0]
    second_w = ranked[1][1] if len(ranked) > 1 else 0.0
    contradictory = second_w >= 5.0 and (top_w - second_w) < 1.0
    confidence = round(min(1.0, top_w / 8.0) * top_w / (top_w + second_w), 3)
    _, text, span = ev.spans[top]
    return top, confidence, contradictory, text, span
