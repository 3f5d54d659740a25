"""`parse_lot`: lot title and description → `Labels`. Pure: no I/O, no global state besides the
vocabulary loaded once from the package's data files."""

from __future__ import annotations

import re
from types import SimpleNamespace

from nummus.ingest.parse import measures
from nummus.ingest.parse.authority import FAR_YEARS, Choice, choose_ruler, republican_year
from nummus.ingest.parse.clues import Clues, clean, find_clues
from nummus.ingest.parse.labels import NEEDS_REVIEW, Labels
from nummus.ingest.parse.period import (
    GREEK_DENOMINATIONS,
    POST,
    POST_PERIODS,
    ROMAN_DENOMINATIONS,
    W_NONCOIN,
    W_PROVINCIAL,
    W_REGION,
    W_RULER,
    Evidence,
    decide,
    era_periods,
)
from nummus.ingest.parse.references import find_references
from nummus.ingest.parse.ruler_table import post_period
from nummus.ingest.parse.vocab import Hit, load

METAL = re.compile(
    r"(?<!\w)(AV|AR|AE|Æ|EL|BI|PB|Pb)(?!\w)"
    r"|(?<!\w)(gold|silver|bronze|copper|orichalcum|billon|electrum|potin|lead|Silber|Kupfer|Messing|"
    r"Elektron|argent|argento|oro|bronzo|rame|cuivre|laiton)(?!\w)",
    re.IGNORECASE,
)
METALS = {
    "av": "gold", "gold": "gold", "oro": "gold",
    "el": "electrum", "electrum": "electrum", "elektron": "electrum",
    "ar": "silver", "silver": "silver", "silber": "silver", "argent": "silver", "argento": "silver",
    "bi": "billon", "billon": "billon",
    "ae": "bronze", "æ": "bronze", "bronze": "bronze", "bronzo": "bronze", "copper": "bronze",
    "kupfer": "bronze", "cuivre": "bronze", "rame": "bronze", "orichalcum": "bronze", "messing": "bronze",
    "laiton": "bronze",
    "potin": "potin", "pb": "lead", "lead": "lead",
}
REPUBLICAN_DENOMINATIONS = ROMAN_DENOMINATIONS | {"victoriatus", "triens", "sextans", "uncia", "aes_grave"}
MONEYER = re.compile(r"(?<![\w.])(?:C|L|M|P|Q|T|A|D|Cn|Sex|Ti|Ap|Mn|Sp|Pub|Ser)\.\s(?:[A-Z][a-z]+\s?){1,3}")
W_HIJRI = 4.0  # a date in years of the Hijra
HEADING_CHARS = 16  # a clue this close to the start of the title is the catalogue's section heading
MINT_WORD = re.compile(r"\s?(?:mint|Mint)\b")
# The Roman denarius and the medieval denier are one word in German, Italian and Spanish ("Denar")
POST_NAMES = {"denarius": "denier"}
ROMAN_NAMES = {"denier": "denarius"}


def _found(value, confidence: float, text: str, span: tuple[int, int] | None) -> dict:
    """A field as `Found` expects it: `Labels` validates all of them in one call (faster than
    building each model on its own)."""
    return {"value": value, "confidence": round(max(0.0, min(1.0, confidence)), 3), "evidence": text, "span": span}


def _measure(m: measures.Measure | None, kind=float):
    return _found(kind(m.value), 0.95, m.text, (m.start, m.end)) if m else None


def _metal(text: str, tlen: int, denom: dict | None) -> dict | None:
    first = None
    for m in METAL.finditer(text):
        first = m
        break
    if first is not None:
        return _found(METALS[first.group(0).casefold()], 0.9 if first.start() < tlen else 0.75,
                      first.group(0), (first.start(), first.end()))
    if denom is not None and denom["metal"]:
        return _found(denom["metal"], 0.5, denom["id"], None)
    return None


def _grade(hits: list[Hit]) -> dict | None:
    if not hits:
        return None
    h = hits[-1]
    return _found(h.rows[0]["grade"], 0.8, h.text, (h.start, h.end))


def _provenance(text: str, m: re.Match | None) -> dict | None:
    if not m:
        return None
    chain = " ".join(text[m.start():].split())[:400].rstrip(" .;")
    return _found(chain, 0.7, chain, (m.start(), min(len(text), m.start() + 400)))


def _lot_year(c: Clues, choice: Choice | None) -> float | None:
    """The year that sends post-classical clues to medieval or modern: the coin's date, else the
    ruler's reign (unless it was dropped for being centuries from the date)."""
    if c.date is not None:
        return (c.date.start + c.date.end) / 2
    if choice is not None and choice.row["reign_from"] is not None:
        return (choice.row["reign_from"] + choice.row["reign_to"]) / 2
    return None


def _default_era(v, c: Clues) -> str:
    """Without a year: a denomination of one age (a thaler is modern, a gros medieval), else the first
    state's (the middle of its years), else the denomination's first age."""
    periods = c.denom[1]["periods"] if c.denom else ()
    if len(periods) == 1 and periods[0] in POST_PERIODS:
        return periods[0]
    for h in c.found["states"]:
        s = h.rows[0]
        return post_period((s["from"] + s["to"]) / 2)
    return periods[0] if periods and periods[0] in POST_PERIODS else "medieval"


def _support(ev: Evidence, c: Clues) -> set[str]:
    """Which ages the clues other than rulers' names speak for (see `choose_ruler`)."""
    out = set()
    if ev.score(POST) > 0 or ev.score("medieval") > 0 or ev.score("modern") > 0:
        out.add("post")
    if ev.score("roman_republican") > 0:
        out.add("republic")
    return out


def _weigh(v, c: Clues) -> tuple[Evidence, Choice | None]:
    """The period evidence, and the lot's ruler (settled by that evidence when its name is ambiguous)."""
    ev = Evidence()

    def where(start: int) -> float:  # section heading > title > description
        return 1.5 if start < min(c.tlen, HEADING_CHARS) else 1.0 if start < c.tlen else 0.5

    for h in c.found["period_phrases"]:
        row = h.rows[0]
        ev.add(row["period"], row["weight"] * where(h.start), h.text, (h.start, h.end))
    greek_place = False
    for h in c.found["regions"]:
        period = h.rows[0]["period"]
        ev.add(period, W_REGION * where(h.start), h.text, (h.start, h.end))
        greek_place = greek_place or period == "greek"
    for h in c.found["states"]:
        ev.add(POST, W_REGION * where(h.start), h.text, (h.start, h.end))
    for h in c.found["mints"]:
        kind = h.rows[0]["kind"]
        if kind == "roman":
            ev.add("roman_imperial", 1.0, h.text, (h.start, h.end))
        elif kind != "both":
            ev.add(kind, 2.0, h.text, (h.start, h.end))
            greek_place = greek_place or kind == "greek"
    if c.denom:
        h, row, _ = c.denom
        if set(row["periods"]) <= POST_PERIODS:
            ev.add(POST, 2.0, h.text, (h.start, h.end))
        else:
            for i, p in enumerate(row["periods"]):
                ev.add(p, 2.0 if i == 0 else 1.0, h.text, (h.start, h.end))
    if c.date:
        for p, w in era_periods((c.date.start + c.date.end) / 2):
            ev.add(p, w, c.date.text, c.date.span)
    if any(d.hijri for d in c.dates):
        d = next(d for d in c.dates if d.hijri)
        ev.add("islamic", W_HIJRI, d.text, d.span)
    denom_id = c.denom_id
    moneyer = MONEYER.search(c.text) if denom_id is None or denom_id in REPUBLICAN_DENOMINATIONS else None
    if moneyer:
        ev.add("roman_republican", 2.0, moneyer.group(0).strip(), (moneyer.start(), moneyer.end()))

    states = {h.rows[0]["id"] for name in ("states", "regions") for h in c.found[name]}
    choice = choose_ruler(v, c.found["rulers"], ev, c.dates, states, c.text, c.tlen, _support(ev, c))
    if choice is not None and choice.gap is not None and choice.gap > FAR_YEARS:
        choice.reasons[-1] += "; not counted"
    elif choice is not None:
        h, row = choice.hit, choice.row
        period = POST if row["post"] else row["period"]
        # an emperor with a Greek city or region, or on a Greek denomination: Roman provincial
        if period == "roman_imperial" and (
                denom_id in GREEK_DENOMINATIONS or (greek_place and denom_id not in ROMAN_DENOMINATIONS)):
            period = "roman_provincial"
            ev.add(period, W_PROVINCIAL, h.text, (h.start, h.end))
        ev.add(period, W_RULER, h.text, (h.start, h.end))
    if c.noncoin:
        ev.add("non_coin", W_NONCOIN, c.noncoin[0], c.noncoin[1])
    counted = choice if choice is not None and not (choice.gap is not None and choice.gap > FAR_YEARS) else None
    ev.resolve_post(_lot_year(c, counted), _default_era(v, c))
    return ev, choice


def parse_lot(title: str | None, description: str | None = None, house: str | None = None) -> Labels:
    """Parse one lot. `house` is recorded in no field; it is accepted so that a house-specific
    rule can be added without changing callers (none is needed by the houses seen so far)."""
    v = load()
    c, tokens = find_clues(v, clean(title), clean(description))
    ev, choice = _weigh(v, c)
    text, tlen = c.text, c.tlen
    labels = SimpleNamespace(period=None)  # the fields, filled below
    reasons: list[str] = []

    period, conf, contradictory, ev_text, ev_span = decide(ev)
    if period:
        if contradictory:
            reasons.append("period clues contradict: " + ", ".join(f"{p} {w:g}" for p, w in ev.ranked()[:2]))
            period = NEEDS_REVIEW
        labels.period = _found(period, conf, ev_text, ev_span)

    if c.denom:
        h, row, dconf = c.denom
        value = row["id"]
        if period and period.startswith("roman"):
            value = ROMAN_NAMES.get(value, value)
        elif period in POST_PERIODS:
            value = POST_NAMES.get(value, value)
        labels.denomination = _found(value, dconf, h.text, (h.start, h.end))
    labels.metal = _metal(text, tlen, c.denom[1] if c.denom else None)

    if choice is not None:
        reasons += choice.reasons
        if choice.gap is None or choice.gap <= FAR_YEARS:
            h, row = choice.hit, choice.row
            labels.authority = _found(row["name"], 0.9 if len(h.rows) == 1 else 0.7, h.text, (h.start, h.end))
            if row["dynasty"]:
                labels.dynasty = _found(row["dynasty"], 0.8, h.text, (h.start, h.end))
            labels.reign_from, labels.reign_to = row["reign_from"], row["reign_to"]

    mint_hits = c.found["mints"]
    if mint_hits:
        h = next((m for m in mint_hits if MINT_WORD.match(text, m.end)), mint_hits[0])
        labels.mint = _found(h.rows[0]["name"], 0.8, h.text, (h.start, h.end))
    date = c.date or (republican_year(choice.row, text, tlen) if choice else None)
    if date:
        labels.date = _found((date.start, date.end), 0.9, date.text, date.span)
    labels.weight_g = _measure(measures.weight(text))
    labels.diameter_mm = _measure(measures.diameter(text))
    labels.die_axis_h = _measure(measures.die_axis(text), int)
    labels.references = find_references(text, tokens)
    labels.grade = _grade(c.found["grades"])
    labels.provenance = _provenance(text, c.provenance)

    if labels.period is None:
        reasons.append("no period clue")
    elif labels.period["confidence"] < 0.4:
        reasons.append(f"weak period clues ({labels.period['confidence']:g})")
    labels.review_reasons = reasons
    labels.needs_review = bool(reasons)
    return Labels(**vars(labels))
