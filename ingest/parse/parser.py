"""`parse_lot`: lot title and description → `Labels`. Pure: no I/O, no global state besides the
vocabulary loaded once from the package's data files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import SimpleNamespace

from nummus.ingest.parse import measures
from nummus.ingest.parse.dates import DateRange, bare_year, find_date
from nummus.ingest.parse.labels import NEEDS_REVIEW, Found, Labels
from nummus.ingest.parse.period import (
    GREEK_DENOMINATIONS,
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
from nummus.ingest.parse.vocab import AS_COIN, Hit, Tokens, Vocabulary, load

MAX_CHARS = 10_000  # a lot text longer than this is cut (catalogue entries run to a few thousand)

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
METAL_ABBREV = re.compile(r"(?:AV|AR|AE|Æ|EL|BI|Bronze|Silver|Gold|Billon|Silber)\.?\s$")
GROUP_LOT = re.compile(
    r"(?<!\w)(?:lot|group|collection|set|parcel|Lot|Konvolut)\s+(?:of|von|de|di)\s+"
    r"(?:\(?\d+\)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|several|various|mixed)(?!\w)"
    r"|(?:^|[.,:;\-–]\s)\s*\(?\d{1,4}\)?\s*(?:x\s+)?(?:[\w-]+\s+){0,3}?\w*(?:coins|pieces|bronzes|denarii|antoniniani|"
    r"folles|Münzen|münzen|Stück|monnaies|monete)(?!\w)",
    re.IGNORECASE,
)
REPUBLICAN_DENOMINATIONS = ROMAN_DENOMINATIONS | {"victoriatus", "triens", "sextans", "uncia", "aes_grave"}
MONEYER = re.compile(r"(?<![\w.])(?:C|L|M|P|Q|T|A|D|Cn|Sex|Ti|Ap|Mn|Sp)\.\s(?:[A-Z][a-z]+\s?){1,3}")
PROVENANCE = re.compile(
    r"(?:(?<=[\s.;(])|^)(?:Ex|Provenance:|Provenienz:|Provenance|Aus\s+(?:der\s+)?(?:Sammlung|Slg\.|Auktion)|"
    r"From\s+the|Collection\s+of|Ex-)\s?[\w\"'“„]",
)
_AS_WORDS = frozenset({"As", "as", "AS"})
# "Imitations of Philip II of Macedon": the model's ruler and kingdom are not the issuer's.
IMITATION = re.compile(r"(?:imitations?\s+of|imitating|Nachahmungs?\w*\s+(?:des|der|von)?|nach\s+Vorbild\s+(?:des|der)?"
                       r"|imitation\s+d[e']|imitazione\s+di)\s*", re.IGNORECASE)
IMITATED_CHARS = 45
IMITATED = frozenset({"rulers", "regions", "mints"})  # the clues an imitation copies from its model
HEADING_CHARS = 16  # a clue this close to the start of the title is the catalogue's section heading
MINT_WORD = re.compile(r"\s?(?:mint|Mint)\b")


def _clean(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)[:MAX_CHARS])
    return text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u2013", "-").replace("\u2014", "-")


def _found(value, confidence: float, text: str, span: tuple[int, int] | None) -> Found:
    return Found(value=value, confidence=round(max(0.0, min(1.0, confidence)), 3), evidence=text, span=span)


def _measure(m: measures.Measure | None, kind=float):
    return _found(kind(m.value), 0.95, m.text, (m.start, m.end)) if m else None


def _denomination(v: Vocabulary, tokens: Tokens, hits: list[Hit], tlen: int) -> tuple[Hit, dict, float] | None:
    text = tokens.text
    hits = list(hits)
    as_row = v.denomination_rows["as"]
    for i in [i for i, w in enumerate(tokens.raw) if w in _AS_WORDS]:
        s = tokens.starts[i]
        m = AS_COIN.match(text[max(0, s - 7):s + 40], min(s, 7))
        if m:
            hits.append(Hit(s, s + 2, text[s:s + 2], (as_row,)))
    best = None
    for h in hits:
        score = (3.0 if h.start < tlen else 0.0)
        if METAL_ABBREV.search(text[max(0, h.start - 8): h.start]):
            score += 2.0
        score -= h.start / 100_000
        if best is None or score > best[0]:
            best = (score, h)
    if best is None:
        return None
    score, h = best
    confidence = 0.95 if score >= 3 else (0.8 if score >= 2 else 0.6)
    return h, h.rows[0], confidence


def _metal(text: str, tlen: int, denom: dict | None) -> Found | None:
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


def _noncoin(tokens: Tokens, hits: list[Hit], tlen: int) -> tuple[str, tuple[int, int]] | None:
    m = GROUP_LOT.search(tokens.text[:tlen])
    if m:
        return m.group(0), (m.start(), m.end())
    for h in hits:
        scope = h.rows[0]["scope"]
        in_title = h.start < tlen
        if scope == "any" or (scope == "title" and in_title) or (scope == "title_start" and h.start < min(tlen, 30)):
            return h.text, (h.start, h.end)
    return None


def _grade(hits: list[Hit]) -> Found | None:
    if not hits:
        return None
    h = hits[-1]
    return _found(h.rows[0]["grade"], 0.8, h.text, (h.start, h.end))


def _provenance(text: str, m: re.Match | None) -> Found | None:
    if not m:
        return None
    chain = " ".join(text[m.start():].split())[:400].rstrip(" .;")
    return _found(chain, 0.7, chain, (m.start(), min(len(text), m.start() + 400)))


def _pick_ruler(hits: list[Hit], ev: Evidence, tlen: int) -> tuple[Hit, dict] | None:
    """The lot's authority: the first ruler in the title, else in the description; an alias that
    names several rulers goes to the one whose period the other clues support most."""
    if not hits:
        return None
    in_title = [h for h in hits if h.start < tlen]
    h = (in_title or hits)[0]
    row = max(h.rows, key=lambda r: ev.score(r["period"]))  # max keeps the first on ties
    return h, row


@dataclass
class Clues:
    """What the matchers found in one lot text, before any weighing."""

    text: str
    tlen: int
    found: dict[str, list[Hit]]
    denom: tuple[Hit, dict, float] | None
    date: DateRange | None
    provenance: re.Match | None
    noncoin: tuple[str, tuple[int, int]] | None

    @property
    def denom_id(self) -> str | None:
        return self.denom[1]["id"] if self.denom else None


def _clues(v: Vocabulary, title: str, description: str) -> tuple[Clues, Tokens]:
    text = f"{title}\n{description}"
    tlen = len(title)
    tokens = Tokens(text)
    found = v.all.find(tokens)
    low = text.lower()
    if "imit" in low or "nachahm" in low or "vorbild" in low:
        imitated = [(m.end(), m.end() + IMITATED_CHARS) for m in IMITATION.finditer(text)]
        found = {name: [h for h in hits if name not in IMITATED or not any(s <= h.start < e for s, e in imitated)]
                 for name, hits in found.items()}
    provenance = PROVENANCE.search(text)
    in_description = provenance if provenance is None or provenance.start() >= tlen else PROVENANCE.search(text, tlen)
    date = find_date(text) or bare_year(title) or bare_year(
        description[:(in_description.start() - tlen - 1) if in_description else None], tlen + 1)
    clues = Clues(text=text, tlen=tlen, found=found, denom=_denomination(v, tokens, found["denominations"], tlen),
                  date=date, provenance=provenance, noncoin=_noncoin(tokens, found["noncoin"], tlen))
    return clues, tokens


def _weigh(c: Clues) -> tuple[Evidence, tuple[Hit, dict] | None]:
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
    for h in c.found["mints"]:
        kind = h.rows[0]["kind"]
        if kind == "roman":
            ev.add("roman_imperial", 1.0, h.text, (h.start, h.end))
        elif kind != "both":
            ev.add(kind, 2.0, h.text, (h.start, h.end))
            greek_place = greek_place or kind == "greek"
    if c.denom:
        h, row, _ = c.denom
        for i, p in enumerate(row["periods"]):
            ev.add(p, 2.0 if i == 0 else 1.0, h.text, (h.start, h.end))
    if c.date:
        for p, w in era_periods((c.date.start + c.date.end) / 2):
            ev.add(p, w, c.date.text, c.date.span)
    denom_id = c.denom_id
    moneyer = MONEYER.search(c.text) if denom_id is None or denom_id in REPUBLICAN_DENOMINATIONS else None
    if moneyer:
        ev.add("roman_republican", 2.0, moneyer.group(0).strip(), (moneyer.start(), moneyer.end()))

    ruler = _pick_ruler(c.found["rulers"], ev, c.tlen)
    if ruler:
        h, row = ruler
        period = row["period"]
        # an emperor with a Greek city or region, or on a Greek denomination: Roman provincial
        if period == "roman_imperial" and (
                denom_id in GREEK_DENOMINATIONS or (greek_place and denom_id not in ROMAN_DENOMINATIONS)):
            period = "roman_provincial"
            ev.add(period, W_PROVINCIAL, h.text, (h.start, h.end))
        ev.add(period, W_RULER, h.text, (h.start, h.end))
    if c.noncoin:
        ev.add("non_coin", W_NONCOIN, c.noncoin[0], c.noncoin[1])
    return ev, ruler


def parse_lot(title: str | None, description: str | None = None, house: str | None = None) -> Labels:
    """Parse one lot. `house` is recorded in no field; it is accepted so that a house-specific
    rule can be added without changing callers (none is needed by the houses seen so far)."""
    v = load()
    c, tokens = _clues(v, _clean(title), _clean(description))
    ev, ruler = _weigh(c)
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
        if value == "denier" and period and period.startswith("roman"):
            value = "denarius"
        labels.denomination = _found(value, dconf, h.text, (h.start, h.end))
    labels.metal = _metal(text, tlen, c.denom[1] if c.denom else None)

    if ruler:
        h, row = ruler
        labels.authority = _found(row["name"], 0.9 if len(h.rows) == 1 else 0.7, h.text, (h.start, h.end))
        if row["dynasty"]:
            labels.dynasty = _found(row["dynasty"], 0.8, h.text, (h.start, h.end))
        labels.reign_from, labels.reign_to = row["reign_from"], row["reign_to"]

    mint_hits = c.found["mints"]
    if mint_hits:
        h = next((m for m in mint_hits if MINT_WORD.match(text, m.end)), mint_hits[0])
        labels.mint = _found(h.rows[0]["name"], 0.8, h.text, (h.start, h.end))
    if c.date:
        labels.date = _found((c.date.start, c.date.end), 0.9, c.date.text, c.date.span)
    labels.weight_g = _measure(measures.weight(text))
    labels.diameter_mm = _measure(measures.diameter(text))
    labels.die_axis_h = _measure(measures.die_axis(text), int)
    labels.references = find_references(text, tokens)
    labels.grade = _grade(c.found["grades"])
    labels.provenance = _provenance(text, c.provenance)

    if labels.period is None:
        reasons.append("no period clue")
    elif labels.period.confidence < 0.4:
        reasons.append(f"weak period clues ({labels.period.confidence:g})")
    labels.review_reasons = reasons
    labels.needs_review = bool(reasons)
    return Labels(**vars(labels))
