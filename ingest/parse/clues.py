"""What the matchers find in one lot text, before any weighing: vocabulary hits (with the names an
imitation copies and the words of a heading taken out), the dates, the denomination, a non-coin
word and where the provenance starts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nummus.ingest.parse.dates import DateRange, best_date, lot_dates
from nummus.ingest.parse.period import POST
from nummus.ingest.parse.vocab import AS_COIN, Hit, Tokens, Vocabulary

MAX_CHARS = 10_000  # a lot text longer than this is cut (catalogue entries run to a few thousand)

METAL_ABBREV = re.compile(r"(?:AV|AR|AE|Æ|EL|BI|Bronze|Silver|Gold|Billon|Silber)\.?\s$")
GROUP_LOT = re.compile(
    r"(?<!\w)(?:lot|group|collection|set|parcel|Lot|Konvolut)\s+(?:of|von|de|di)\s+"
    r"(?:\(?\d+\)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|several|various|mixed)(?!\w)"
    r"|(?:^|[.,:;\-–]\s)\s*\(?\d{1,4}\)?\s*(?:x\s+)?(?:[\w-]+\s+){0,3}?\w*"
    r"(?:coins|pieces|bronzes|denarii|antoniniani|folles|Münzen|münzen|Stück|monnaies|monete)(?!\w)",
    re.IGNORECASE,
)
PROVENANCE = re.compile(
    r"(?:(?<=[\s.;(])|^)(?:Ex|Provenance:|Provenienz:|Provenance|Aus\s+(?:der\s+)?(?:Sammlung|Slg\.|Auktion)|"
    r"From\s+the|Collection\s+of|Ex-)\s?[\w\"'“„]",
)
_AS_WORDS = frozenset({"As", "as", "AS"})
AE_SIZES = frozenset({"ae1", "ae2", "ae3", "ae4"})
# "Imitations of Philip II of Macedon", "in the name of Justinian I", "mit Titel Ferdinands II.":
# the ruler, kingdom and mint named there are the model's or the overlord's, not the issuer's.
IMITATION = re.compile(r"(?:imitations?\s+of|imitating|Nachahmungs?\w*\s+(?:des|der|von)?|nach\s+Vorbild\s+(?:des|der)?"
                       r"|imitation\s+d[e']|imitazione\s+di|in\s+the\s+name\s+of|im\s+Namen\s+(?:des|von)?"
                       r"|in\s+Namen\s+und\s+Typ\s+des|au\s+nom\s+d[e']|in\s+nome\s+di|a\s+nombre\s+de"
                       r"|(?:mit|met)\s+(?:de\s+)?titel\s+(?:van\s+)?|with\s+(?:the\s+)?title\s+of|Typ\s+(?=[A-Z]))\s*",
                       re.IGNORECASE)
IMITATED_CHARS = 45
IMITATED = frozenset({"rulers", "regions", "mints", "states"})  # the clues an imitation copies from its model
MASKED_BY_HEADINGS = ("denominations", "period_phrases")  # "Ducato di Milano", "Republik Venedig"


def clean(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)[:MAX_CHARS])
    return text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u2013", "-").replace("\u2014", "-")


@dataclass
class Clues:
    """What the matchers found in one lot text, before any weighing."""

    text: str
    tlen: int
    found: dict[str, list[Hit]]
    denom: tuple[Hit, dict, float] | None
    dates: list[DateRange]
    date: DateRange | None
    provenance: re.Match | None
    noncoin: tuple[str, tuple[int, int]] | None

    @property
    def denom_id(self) -> str | None:
        return self.denom[1]["id"] if self.denom else None


def _suffix_hits(v: Vocabulary, tokens: Tokens, taken: list[Hit]) -> list[Hit]:
    """German compounds not in the table ("Ausbeutetaler", "Händleinheller"), in the title only."""
    out = []
    for i, w in enumerate(tokens.folded):
        if len(w) < 7 or w[-4:] not in ("aler", "chen", "lden", "nnig", "uzer", "ller", "ukat", "lder"):
            continue
        for suffix, row in v.denomination_suffixes:
            if w.endswith(suffix) and w != suffix:
                s = tokens.starts[i]
                if not any(h.start <= s < h.end for h in taken):
                    out.append(Hit(s, tokens.ends[i], tokens.raw[i], (row,)))
                break
    return out


def _denomination(v: Vocabulary, tokens: Tokens, hits: list[Hit], tlen: int) -> tuple[Hit, dict, float] | None:
    text = tokens.text
    hits = list(hits)
    as_row = v.denomination_rows["as"]
    for i in [i for i, w in enumerate(tokens.raw) if w in _AS_WORDS]:
        s = tokens.starts[i]
        m = AS_COIN.match(text[max(0, s - 7):s + 40], min(s, 7))
        if m:
            hits.append(Hit(s, s + 2, text[s:s + 2], (as_row,)))
    if not any(h.start < tlen for h in hits):
        hits += [h for h in _suffix_hits(v, tokens, hits) if h.start < tlen]
    # "Æ 1 Öre", "AE 2 Kopeks": the metal and a count of the unit that follows, not an Æ1/Æ2
    hits = [h for h in hits if not (h.rows[0]["id"] in AE_SIZES and any(0 <= o.start - h.end <= 2 for o in hits))]
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


NONCOIN_SUFFIXES = ("medaille", "medaillen", "plakette", "penning")  # "Schützenmedaille", "gedenkpenning"


def _noncoin(tokens: Tokens, hits: list[Hit], tlen: int) -> tuple[str, tuple[int, int]] | None:
    m = GROUP_LOT.search(tokens.text[:tlen])
    if m:
        return m.group(0), (m.start(), m.end())
    for i, w in enumerate(tokens.folded):
        if tokens.starts[i] >= tlen:
            break
        if len(w) > 9 and w.endswith(NONCOIN_SUFFIXES):
            return tokens.raw[i], (tokens.starts[i], tokens.ends[i])
    for h in hits:
        scope = h.rows[0]["scope"]
        in_title = h.start < tlen
        if scope == "any" or (scope == "title" and in_title) or (scope == "title_start" and h.start < min(tlen, 30)):
            return h.text, (h.start, h.end)
    return None


def _mask(found: dict[str, list[Hit]], text: str) -> dict[str, list[Hit]]:
    low = text.lower()
    if "imit" in low or "nachahm" in low or "vorbild" in low or "name" in low or "nom d" in low or "nome" in low \
            or "nombre" in low or "titel" in low or "title" in low or "Typ " in text:
        imitated = [(m.end(), m.end() + IMITATED_CHARS) for m in IMITATION.finditer(text)]
        if imitated:
            found = {name: [h for h in hits if name not in IMITATED or not any(s <= h.start < e for s, e in imitated)]
                     for name, hits in found.items()}
    headings = [(h.start, h.end) for h in found["states"]]
    headings += [(h.start, h.end) for h in found["period_phrases"] if h.rows[0]["period"] == POST]
    if headings:
        for name in MASKED_BY_HEADINGS:
            found[name] = [h for h in found[name] if not any(s <= h.start and h.end <= e and (s, e) != (h.start, h.end)
                                                               or (name == "denominations" and s <= h.start < e)
                                                               for s, e in headings)]
    return found


def find_clues(v: Vocabulary, title: str, description: str) -> tuple[Clues, Tokens]:
    text = f"{title}\n{description}"
    tlen = len(title)
    tokens = Tokens(text)
    found = _mask(v.all.find(tokens), text)
    provenance = PROVENANCE.search(text)
    in_description = provenance if provenance is None or provenance.start() >= tlen else PROVENANCE.search(text, tlen)
    dates = lot_dates(tokens, tlen, in_description.start() if in_description else None)
    clues = Clues(text=text, tlen=tlen, found=found, denom=_denomination(v, tokens, found["denominations"], tlen),
                  dates=dates, date=best_date(dates), provenance=provenance,
                  noncoin=_noncoin(tokens, found["noncoin"], tlen))
    return clues, tokens
