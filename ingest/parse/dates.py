"""Issue dates as signed years (BC negative): "27 BC-AD 14", "circa 363-338 BC", "137/6 BC",
"ca. 430-404 v. Chr.", "c. 146-145 AC", "98-117 n. Chr.", "3rd century BC", "XVIIe siècle", "XII secolo",
"siglo XV", "13e eeuw", "17. Jh.", "AH 696", "Dated MDXLIX", "05/12/1360", and years printed alone
("Reichstaler 1785 A", "Louis IX (1226-1270)", "Charles le Chauve 840-877", "Ptolemy II, 285-246").

`lot_dates` returns every date it finds and the one that dates the coin: a date introduced by
"struck", "dated", "Date :" ... comes first, then the narrowest (a struck year is narrower than a reign)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from nummus.ingest.parse.vocab import Tokens

_BC = r"(?:BCE|BC|B\.C\.|v\.\s?Chr\.?|av\.\s?J\.?-?C\.?|a\.\s?C\.|avant\s+J\.-C\.|AC(?!\w))"
_AD = r"(?:AD|A\.D\.|CE|n\.\s?Chr\.?|ap\.\s?J\.?-?C\.?|apr\.\s?J\.-C\.|d\.\s?C\.)"
_Y = r"(\d{1,4}(?:/\d{1,4})?)"  # "342/1": a year that runs over two of ours
_SEP = r"(?:\s?[-–/]\s?|\s(?:or|oder|ou|o|of|y)\s)"  # "113 or 112 BC" is a range too
_ORD = r"(\d{1,2})(?:st|nd|rd|th|\.|e|de|er|°|º)?"
_ROM = r"([IVX]{1,5})(?:e|er|ème|\.)?"
_CENT = r"(?:century|centuries|cent\.|Jh\.|Jhdt\.?|Jahrhunderts?|siècles?|secolo|secoli|sec\.|eeuw)"
_CENT_ROM = r"(?:century|Jh\.|Jhdt\.?|Jahrhunderts?|siècles?|s\.|secolo|secoli|sec\.|eeuw)"

PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"(?<![\d.,]){_Y}\s?{_BC}{_SEP}(?:{_AD}\s?)?{_Y}(?:\s?{_AD})?(?!\d)"), "bc_ad"),
    (re.compile(rf"(?<![\d.,/]){_Y}(?:{_SEP}{_Y})?\s?{_BC}"), "bc"),
    (re.compile(rf"(?<!\w){_AD}\s?{_Y}(?:{_SEP}{_Y})?(?!\d)"), "ad"),
    (re.compile(rf"(?<![\d.,/]){_Y}(?:{_SEP}{_Y})?\s?{_AD}"), "ad"),
    (re.compile(rf"(?<![\d\w]){_ORD}(?:{_SEP}{_ORD})?\s?{_CENT}\s?{_BC}", re.IGNORECASE), "century_bc"),
    (re.compile(rf"(?<![\d\w]){_ORD}(?:{_SEP}{_ORD})?\s?{_CENT}(?:\s?{_AD})?", re.IGNORECASE), "century_ad"),
    (re.compile(rf"(?<!\w){_ROM}(?:{_SEP}{_ROM})?\s?{_CENT_ROM}\s?{_BC}"), "roman_century_bc"),
    (re.compile(rf"(?<!\w){_ROM}(?:{_SEP}{_ROM})?\s?{_CENT_ROM}(?:\s?{_AD})?"), "roman_century_ad"),
    (re.compile(rf"(?<!\w)(?:[Ss]iglo|SIGLO|[Ss]ec\.|[Ss]ecolo|s\.)\s?([IVX]{{1,5}})(?:{_SEP}([IVX]{{1,5}}))?(?!\w)"
                rf"(?:\s?({_BC}))?"), "roman_century_pre"),
    (re.compile(r"(?<!\w)(?:AH|A\.H\.)\s?(\d{1,4})(?:\s?[-–/]\s?(\d{1,4}))?(?!\d)"), "ah"),
    (re.compile(r"(?<![\d.,/])(\d{1,4})\s?(?:AH|A\.H\.)(?!\w)"), "ah"),
]


class DateRange(NamedTuple):
    start: int
    end: int
    span: tuple[int, int]
    text: str
    marked: bool = False  # introduced by "struck", "dated", "Date :" ...: the coin's own date
    hijri: bool = False   # converted from an AH year (an Islamic coin)


ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(s: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(s):
        v = ROMAN.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def _pair(cell: str, later: bool) -> int:
    """"342/1" is 342 when it starts a range and 341 when it ends one ("76/5" ends at 75)."""
    if "/" not in cell:
        return int(cell)
    a, b = cell.split("/", 1)
    if len(b) < len(a):
        b = a[: len(a) - len(b)] + b
    return int(b) if later else int(a)


def _expand(a: int, b: int, bc: bool) -> int:
    """The abbreviated end of a range: "AD 1185-95" → 1195, "1603-25" → 1625, "137-6 BC" → 136."""
    sa, sb = str(a), str(b)
    if len(sb) < len(sa) and ((not bc and b < a) or (bc and b < a % 10 ** len(sb) + 1)):
        full = int(sa[: len(sa) - len(sb)] + sb)
        if (not bc and full >= a) or (bc and full <= a):
            return full
    return b


def _ah(n: int) -> int:
    return int(622.54 + (n - 1) * 0.970224)


def _range(kind: str, groups: tuple) -> tuple[int, int] | None:
    cells = [g for g in groups if g]
    if not cells:
        return None
    if kind.startswith("roman"):
        bc = kind.endswith("_bc")
        if kind == "roman_century_pre":
            bc, cells = groups[2] is not None, [g for g in groups[:2] if g]
        nums = [roman_value(c) for c in cells]
        if any(n is None or not 1 <= n <= 21 for n in nums):
            return None
        first, last = nums[0], nums[-1]
        if bc:
            return -first * 100, -(last - 1) * 100 - 1
        return (first - 1) * 100 + 1, last * 100
    if kind == "ah":
        a, b = int(cells[0]), int(cells[-1])
        b = _expand(a, b, False)
        return _ah(a), _ah(b + 1)
    if kind.startswith("century"):
        first, last = int(cells[0]), int(cells[-1])
        if not (1 <= first <= 21 and 1 <= last <= 21):
            return None
        if kind == "century_bc":
            return -first * 100, -(last - 1) * 100 - 1
        return (first - 1) * 100 + 1, last * 100
    a = _pair(cells[0], later=False)
    b = _pair(cells[-1], later=True) if len(cells) > 1 else _pair(cells[0], later=True)
    if kind == "bc_ad":
        return -a, b
    if kind == "bc":
        if len(cells) > 1:
            b = _expand(a, b, True)
        return -max(a, b), -min(a, b)
    b = _expand(a, b, False)
    return min(a, b), max(a, b)


# Every era-marked date names its era: the patterns only run in windows around these words.
ERA_WORDS = frozenset({"BC", "BCE", "AD", "CE", "AC", "AH", "Chr", "century", "centuries", "Century", "CENTURY",
                       "cent", "Jh", "Jhdt", "Jahrhundert", "Jahrhunderts", "siècle", "siècles", "SIÈCLE", "secolo",
                       "secoli", "SECOLO", "sec", "Sec", "siglo", "Siglo", "SIGLO", "eeuw",
                       "s", "B", "C", "D", "H", "J"})  # one-letter ones only in context: see _era_kinds
MARKER = re.compile(r"(?:[Ss]truck|STRUCK|[Dd]ated|DATED|[Dd]atiert|Date\s?:|[Dd]atum|[Dd]ata|[Ff]echa|geprägt|"
                    r"emissione(?:\sdel)?|coniato|frappée?|[Ee]mission|[Rr]esello\s+de|[Jj]ahr|[Aa]nno|[Dd]ate)"
                    r"[\s:.,]*(?:(?:n\.\s?d\.|o\.\s?J\.|ND|s\.\s?d\.|z\.\s?j\.)\s?)?"
                    r"(?:(?:circa|c\.|ca\.|um|vers|verso|hacia)\s)?[(]?$")


MARKER_WORDS = frozenset({"struck", "dated", "datiert", "date", "datum", "data", "fecha", "geprägt", "emissione",
                          "coniato", "frappé", "frappée", "emission", "émission", "resello", "jahr", "anno"})


BC_WORDS = frozenset({"BC", "BCE", "AC"})
AD_WORDS = frozenset({"AD", "CE"})


def _era_kinds(raw: list[str], i: int) -> str:
    """What the era word at i says: "b" (before Christ), "a" (after), "c" (a century word), "h" (AH),
    "" when it is no era at all (a "C." that is a praenomen, the "s." of "s.l.")."""
    w = raw[i]
    b1, b2 = raw[i - 1] if i >= 1 else "", raw[i - 2] if i >= 2 else ""
    if w in BC_WORDS:
        return "b"
    if w in AD_WORDS:
        return "a"
    if w == "AH":
        return "h"
    if w == "B":
        return ""  # "B.C.": its "C" decides
    if w == "Chr":
        return "b" if b2 == "v" else "a" if b2 == "n" else ""
    if w == "H":
        return "h" if b2 == "A" else ""
    if w == "D":
        return "a" if b2 == "A" else ""
    if w == "C":
        if b1 == "-":  # "J.-C.": the word before "J" says which side
            b4 = raw[i - 4] if i >= 4 else ""
            b5 = raw[i - 5] if i >= 5 else ""
            return "b" if "av" in (b4, b5) or "avant" in (b4, b5) else "a"
        return "b" if b2 in ("a", "B") else "a" if b2 == "d" else ""
    if w == "J":
        return "b" if b1 == "avant" or b2 == "av" else "a" if b2 in ("ap", "apr") else ""
    if w == "s":
        return "c" if b1 and b1 != "e" and b1.rstrip("e").strip("IVX") == "" else ""
    return "c"


def _windows(tokens: Tokens) -> list[tuple[int, int, str]]:
    """(start, end, kinds of era words in it) around every era word."""
    out: list[list] = []
    n = len(tokens.text)
    raw = tokens.raw
    for i, w in enumerate(raw):
        if w not in ERA_WORDS:
            continue
        kind = _era_kinds(raw, i)
        if not kind:
            continue
        s, e = tokens.starts[i], tokens.ends[i]
        start, end = max(0, s - 32), min(n, e + 24)
        if out and start <= out[-1][1]:
            out[-1][1] = end
            out[-1][2] += kind
        else:
            out.append([start, end, kind])
    return [tuple(w) for w in out]


# the era words a pattern needs in its window
NEEDS = {"bc_ad": "ba", "bc": "b", "ad": "a", "century_bc": "cb", "century_ad": "c", "roman_century_bc": "cb",
         "roman_century_ad": "c", "roman_century_pre": "c", "ah": "h"}


def _marked(text: str, start: int) -> bool:
    return bool(MARKER.search(text[max(0, start - 24):start]))


def era_dates(text: str, tokens: Tokens | None = None) -> list[DateRange]:
    """Every date that names its era (or is a century, an AH year)."""
    found: list[DateRange] = []
    for w_start, w_end, kinds in _windows(tokens or Tokens(text)):
        window = text[w_start:w_end]
        taken: list[tuple[int, int]] = []
        for regex, kind in PATTERNS:
            if any(k not in kinds for k in NEEDS[kind]):
                continue
            for m in regex.finditer(window):
                if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                    continue
                years = _range(kind, m.groups())
                if years is None or not (-3000 <= years[0] <= years[1] <= 2100):
                    continue
                if text[max(0, w_start + m.start() - 2):w_start + m.start()].strip() == "†":
                    continue  # a death date: "M. Antonius, †30 v. Chr."
                taken.append((m.start(), m.end()))
                s = w_start + m.start()
                found.append(DateRange(years[0], years[1], (s, w_start + m.end()), m.group(0), _marked(text, s),
                                       kind == "ah"))
    return found


# Modern and late medieval coins print the year alone: "Sovereign 1887", "Reichstaler 1785 A".
BARE_YEAR = re.compile(r"(?<![\d.,/#-])(1[2-9]\d\d|20[0-2]\d)(?:\s?[-–/]\s?(\d{2,4}))?(?!\d|[.,]\d|\s?(?:g|mm|gm)\b)")
# ... and a ruler's reign is printed as a bare range: "Charles le Chauve 840-877", "Witigis, 536-540"
BARE_RANGE = re.compile(r"(?<![\d.,/#-])(\d{3,4})\s?[-–]\s?(\d{2,4})(?!\d|[.,]\d|\s?(?:g|gr|mm|gm|h)\b)")
DAY_MONTH = re.compile(r"(?<!\d)\d{1,2}/\d{1,2}/$")  # "Date : 05/12/1360"
# A number after a catalogue's name is a catalogue number, not a year: "(S 2577; N 1985)", "Gamberini 1695"
CATALOGUE_WORDS = (
    "Dav|Fr|Gad|Cal|Her|KM|Kahnt|AKS|Thun|Sch|Verk|Delm|Munt|Pag|MIR|CNI|Friedberg|Spink|ESC|SCBI|Bitkin|Huszár|"
    "Kop|Kopicki|Hede|Ahlström|Dy|Gomes|Purmer|Vanhoudt|Noss|Probszt|Zöttl|Eypelt|Voglhuber|Dietiker|MzA|Donebauer|"
    "Smolík|Cast|Raff|HMZ|Mitch|Neumann|Olding|Feuardent|Withers|Williamson|Dugniolle|Loon|Miselli|Berman|Crippa|"
    "Paolucci|Bernocchi|Gamberini|Montenegro|Spahr|Rizzolli|Welter|Gaed|Kellner|Hahn|Schütz|North|Seaby|Sear|Crawford|"
    "Cr|Craw|Syd|Sydenham|Cohen|Price|Newell|Svoronos|Mazard|Hendin|Meshorer|Bopearachchi|Album|Goodwin|Metcalf|"
    "Malloy|Duplessy|Dupl|Sombart|Depeyrot|Ciani|Lafaurie|Elias|Burns|Krusy|Jaeger|Divo|Delmonte|Gumowski|Grishin|"
    "Diakov|Plage|Pohl|Réthy|Unger|Fb|Ffc|Cayón|Calicó|Scholten|Verkade|Fonrobert|Ahl|Nr|No|Kat|Lot|lot|Los")
CATALOGUE_BEFORE = re.compile(rf"(?:(?<![\w.])([A-Z]{{1,5}})|(?<![\w.])(?:{CATALOGUE_WORDS})\.?|#|n°)\s?$")
NOT_THE_COIN = re.compile(r"(?:\bab|\bseit|\bsince|\bfrom|\bdepuis|\bdal|\bdesde|†|\bd\.|\bgest\.)\s?$",
                          re.IGNORECASE)


def _catalogue_number(text: str, start: int, single: bool = True) -> bool:
    """A year right after a catalogue's name; a range only after an abbreviation in capitals ("RIC 231-233")."""
    m = CATALOGUE_BEFORE.search(text[max(0, start - 16):start])
    if not m or (m.group(1) and roman_value(m.group(1)) is not None):
        return False
    return single or bool(m.group(1))


def _bare(text: str, s: int, w: str, title: bool, marked: bool) -> DateRange | None:
    """The bare year or range that starts with the number `w` at `s`, if it is one."""
    if len(w) == 4 and "1200" <= w <= "2029":
        m = BARE_YEAR.match(text, s)
        if m is None:
            return None
        if text[s - 1:s] == "(" and not m.group(2) and (not title or text[max(0, s - 3):s - 1].strip()[-1:].isdigit()):
            return None  # "CNG 102 (2016)": a sale, not the coin
        if not m.group(2) and NOT_THE_COIN.search(text[max(0, s - 8):s]):
            return None  # "(ab 1742 Kaiser Karl VII.)"
        if _catalogue_number(text, s, single=not m.group(2)):
            return None  # "(S 2577; N 1985)"
        years = _range("ad", m.groups())
        if years is None or years[1] - years[0] > 200:
            return None
        return DateRange(years[0], years[1], (s, m.end()), m.group(0), marked)
    m = BARE_RANGE.match(text, s)
    if m is None or len(m.group(2)) < 2 or _catalogue_number(text, s, False):
        return None
    a, b = int(m.group(1)), int(m.group(2))
    if b < a and len(m.group(2)) == len(m.group(1)) and a - b <= 120:
        years = (-a, -b)  # a falling range is BC: "Ptolemy II Philadelphos, 285-246"
    elif b > a and b - a <= 120:
        years = (a, b)
    else:
        return None
    return DateRange(years[0], years[1], (s, m.end()), m.group(0), marked)


NUMBER_WORD = re.compile(r"(?<!\w)(?:\d{3,4}|M[MDCLXVI]{3,})(?!\w)")  # where a bare date may start


def _marked_at(tokens: Tokens, i: int) -> bool:
    """`_marked` for the date that token i starts: a marker word among the few tokens before it."""
    if MARKER_WORDS.isdisjoint(tokens.folded[max(0, i - 6):i]):
        return False
    return _marked(tokens.text, tokens.starts[i])


def _bare_at(tokens: Tokens, i: int, tlen: int, out: list[DateRange], bracketed_only: bool = False) -> None:
    """The bare date, day-month-year or Roman-numeral year that token i starts, if any, onto `out`."""
    text, raw, w = tokens.text, tokens.raw, tokens.raw[i]
    s = tokens.starts[i]
    if w.isdigit():
        if not 3 <= len(w) <= 4:
            return
        if bracketed_only:
            if text[s - 1:s] == "(" and raw[i + 1:i + 2] in (["-"], ["–"]):
                d = _bare(text, s, w, False, False)
                if d is not None:
                    out.append(d)
            return
        title = s < tlen
        marked = not title and _marked_at(tokens, i)
        if i >= 2 and raw[i - 1] == "/" and len(w) == 4:
            m = DAY_MONTH.search(text[max(0, s - 6):s])
            if m:
                y, b = int(w), s - len(m.group(0))
                out.append(DateRange(y, y, (b, s + 4), text[b:s + 4], True))
                return
        if title or marked or (text[s - 1:s] == "(" and raw[i + 1:i + 2] in (["-"], ["–"])):
            d = _bare(text, s, w, title, marked)
            if d is not None:
                out.append(d._replace(marked=True) if title and _marked_at(tokens, i) else d)
    elif len(w) >= 4 and w[0] == "M" and w.isupper() and not w.strip("MDCLXVI") and not bracketed_only:
        y = roman_value(w)
        if y and 1000 <= y <= 1999 and roman_word(y) == w:
            out.append(DateRange(y, y, (s, s + len(w)), w, True))


def bare_dates(tokens: Tokens, tlen: int, cut: int | None = None) -> list[DateRange]:
    """Years and ranges printed without an era: in the title; in the description up to `cut` (its
    provenance: sales are cited by year) only after a date marker ("Date : n.d. (1285-1314)", "Resello
    de 1641") or as a range in brackets ("Classe 4 (822-840)"): catalogue numbers look like years."""
    text, starts = tokens.text, tokens.starts
    cut = len(text) if cut is None else cut
    out: list[DateRange] = []
    first, last = bisect_left(starts, tlen), bisect_left(starts, cut)
    marked = not MARKER_WORDS.isdisjoint(tokens.folded[first:last])
    for m in NUMBER_WORD.finditer(text, 0, cut if marked else tlen):
        _bare_at(tokens, bisect_left(starts, m.start()), tlen, out)
    if not marked:
        p = text.find("(", tlen, cut)
        while p >= 0:
            i = bisect_left(starts, p + 1)
            if i < last:
                _bare_at(tokens, i, tlen, out, bracketed_only=True)
            p = text.find("(", p + 1, cut)
    return out


def roman_word(n: int) -> str:
    out = []
    for v, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                   (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)


def best_date(dates: list[DateRange]) -> DateRange | None:
    """The coin's date: a marked one first, then the narrowest (the first of equals)."""
    best = None
    for d in dates:
        key = (not d.marked, d.end - d.start)
        if best is None or key < (not best.marked, best.end - best.start):
            best = d
    return best


def lot_dates(tokens: Tokens, tlen: int, cut: int | None = None) -> list[DateRange]:
    """Every date of a lot text (title + "\n" + description, already tokenised): era-marked ones
    anywhere, bare ones in the title, and bare ones in the description before `cut` after a marker."""
    return era_dates(tokens.text, tokens) + bare_dates(tokens, tlen, cut)


def find_date(text: str) -> DateRange | None:
    """The coin's date among the era-marked dates of a text."""
    return best_date(era_dates(text))


def bare_year(text: str) -> DateRange | None:
    """The coin's date among the bare years of a title."""
    return best_date(bare_dates(Tokens(text), len(text)))
