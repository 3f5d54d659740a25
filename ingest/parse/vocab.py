"""The parser's vocabulary: data files in `vocab/` loaded once into compiled matchers.

Each matcher maps the words of every alias of a table to the rows it may mean (an alias such as
"Philip II" can name more than one ruler) and finds them in a tokenised text."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nummus.ingest.parse.ruler_table import read_rulers

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


def read_table(name: str) -> list[dict[str, str]]:
    with open(VOCAB_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


TOKEN = re.compile(r"\w+|[^\w\s]")
ROMAN_NUMERAL = re.compile(r"^[IVX]+$")


class Tokens:
    """A text cut into words and punctuation once, shared by every matcher."""

    __slots__ = ("text", "raw", "folded", "starts", "ends")

    def __init__(self, text: str):
        self.text = text
        spans = [m.span() for m in TOKEN.finditer(text)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        self.raw = [text[s:e] for s, e in spans]
        low = text.lower()
        if len(low) == len(text):
            self.folded = [low[s:e] for s, e in spans]
        else:  # a few characters change length when lowered ("İ"): lower word by word
            self.folded = [w.lower() for w in self.raw]


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    rows: tuple[dict, ...]


def _variants(alias: str) -> list[str]:
    words = TOKEN.findall(alias)
    out = [alias]
    if len(words) >= 2 and words[-1] == "." and ROMAN_NUMERAL.match(words[-2]):
        out.append(alias.rstrip(". "))  # "Philipp II." is also written "Philipp II"
    elif len(words) >= 2 and ROMAN_NUMERAL.match(words[-1]):
        out.append(alias + ".")  # and "Philip II" as "Philip II." (German, or a sentence's end)
    if len(words) >= 2 and words[-1] == "I":
        out.append(alias + "er")  # French: "Justinien Ier"
    inner = [i for i, w in enumerate(words[1:-1], 1) if ROMAN_NUMERAL.match(w) and words[i + 1] != "."]
    if inner:  # German: "Alexander I. Balas", "Mithradates VI. Eupator"
        i = inner[0]
        out.append(" ".join(words[:i + 1]) + ". " + " ".join(words[i + 1:]))
    return out


class Matcher:
    """Find every alias of a vocabulary table in a text, whole words only, longest alias first
    ("Constantine II" wins over "Constantine"). Works on tokens with a first-word index, so its
    cost grows with the text, not with the size of the vocabulary."""

    def __init__(self, aliases: list[tuple[str, dict]], *, case_sensitive: bool = False,
                 reject_after: re.Pattern | None = None):
        self.case_sensitive = case_sensitive
        self.reject_after = reject_after
        self.lookup: dict[tuple[str, ...], tuple[dict, ...]] = {}
        self.lengths: dict[str, list[int]] = {}
        for alias, row in aliases:
            for variant in _variants(alias.strip()):
                words = TOKEN.findall(variant if case_sensitive else variant.lower())
                if not words:
                    continue
                key = tuple(words)
                rows = self.lookup.get(key, ())
                if not any(r is row for r in rows):
                    self.lookup[key] = rows + (row,)
                lengths = self.lengths.setdefault(words[0], [])
                if len(words) not in lengths:
                    lengths.append(len(words))
                    lengths.sort(reverse=True)

    def match_at(self, tokens: Tokens, words: list[str], i: int) -> tuple[Hit, int] | None:
        """The longest alias starting at word i, and its length in words."""
        sizes = self.lengths.get(words[i])
        if not sizes:
            return None
        n = len(words)
        for size in sizes:
            if i + size > n:
                continue
            rows = self.lookup.get(tuple(words[i:i + size]))
            if rows is None:
                continue
            start, end = tokens.starts[i], tokens.ends[i + size - 1]
            if self.reject_after is not None and self.reject_after.match(tokens.text, end):
                continue
            return Hit(start, end, tokens.text[start:end], rows), size
        return None

    def find(self, tokens: Tokens) -> list[Hit]:
        return MatcherSet({"_": self}).find(tokens)["_"]


class MatcherSet:
    """Several matchers run in one pass over the words (the parser's hot loop)."""

    def __init__(self, matchers: dict[str, Matcher]):
        self.matchers = matchers
        self.insensitive: dict[str, list[tuple[str, Matcher]]] = {}
        self.sensitive: dict[str, list[tuple[str, Matcher]]] = {}
        for name, m in matchers.items():
            index = self.sensitive if m.case_sensitive else self.insensitive
            for first in m.lengths:
                index.setdefault(first, []).append((name, m))

    def find(self, tokens: Tokens) -> dict[str, list[Hit]]:
        out: dict[str, list[Hit]] = {name: [] for name in self.matchers}
        for index, words in ((self.insensitive, tokens.folded), (self.sensitive, tokens.raw)):
            free_from: dict[str, int] = {}
            for i in [i for i, w in enumerate(words) if w in index]:  # most words start no alias
                for name, m in index[words[i]]:
                    if i < free_from.get(name, 0):
                        continue
                    found = m.match_at(tokens, words, i)
                    if found is not None:
                        out[name].append(found[0])
                        free_from[name] = i + found[1]
        return out


def _split(cell: str) -> list[str]:
    return [a for a in cell.split("|") if a.strip()]


def _cased(alias: str) -> list[str]:
    """A proper name as written, in capitals (catalogues print headers in capitals) and, for names
    written with a small article ("al-Andalus"), with a capital at a sentence's start."""
    out = [alias] if alias.upper() == alias else [alias, alias.upper()]
    if alias[:1].islower():
        out.append(alias[0].upper() + alias[1:])
    return out


def _grade_variants(phrase: str) -> list[str]:
    """Grades match case-sensitively ("Fine" the grade, not "fine style"; "ss" not "SS"), but a
    worded grade also opens a sentence: "Sehr schön", "Good very fine"."""
    out = [phrase]
    if len(phrase) > 4 and phrase[0].islower():
        out.append(phrase[0].upper() + phrase[1:])
    if len(phrase) > 4 and " " in phrase and phrase[0].isupper():
        out.append(phrase[0] + phrase[1:].lower())
    return out


@dataclass(frozen=True)
class Vocabulary:
    rulers: Matcher
    denominations: Matcher
    denomination_rows: dict[str, dict]
    mints: Matcher
    regions: Matcher
    states: Matcher  # post-classical realms, duchies, cities: "SPAIN", "Kurfürstentum Sachsen", "Holland"
    state_rows: dict[str, dict]
    period_phrases: Matcher
    grades: Matcher
    noncoin: Matcher
    catalogues: list[dict]
    denomination_suffixes: tuple[tuple[str, dict], ...]  # German compounds: "Glockentaler", "Breitgroschen"

    all: MatcherSet  # the matchers above in one pass

    def ruler_rows(self, name: str) -> tuple[dict, ...]:
        """The rulers a name or alias may mean ("Leopold I" → the emperor, the king of the Belgians)."""
        return self.rulers.lookup.get(tuple(TOKEN.findall(name.lower())), ())


# The coin "as" is also an English word: only "Æ As", "AE as", "As," "As (" "As 10.2 g" count.
AS_COIN = re.compile(
    r"(?:(?<=Æ )|(?<=AE )|(?<=Cu )|(?<=Æ\. )|(?<=bronze )|(?<=Bronze ))[Aa]s(?!\w)"
    r"|(?<!\w)As(?=\s*[(,.:;]|\s+\d|\s*$|\s+(?:of|Rome|Roma|Rom|Lugdunum|mint)\b)"
    r"|(?<!\w)AS(?=\s*[(,.:;])"
    r"|(?<=, )as(?=,)"  # French and Italian lists: "Claude, as, Rome"
)


# The last word of a German compound names the coin: "Ausbeutetaler", "Breitgroschen", "Händleinheller".
SUFFIX_DENOMINATIONS = (("taler", "thaler"), ("thaler", "thaler"), ("groschen", "groschen"), ("gulden", "gulden"),
                        ("pfennig", "pfennig"), ("kreuzer", "kreuzer"), ("dukat", "ducat"), ("heller", "heller"),
                        ("daalder", "daalder"))


@lru_cache(maxsize=1)
def load() -> Vocabulary:
    ruler_aliases = read_rulers(read_table)

    denoms = read_table("denominations.csv")
    for d in denoms:
        d["periods"] = tuple(_split(d["periods"]))
    denom_aliases = [(a, d) for d in denoms if d["id"] != "as" for a in _split(d["synonyms"])]
    denom_aliases += [(a, d) for d in denoms if d["id"] == "as" for a in _split(d["synonyms"]) if a != "as"]

    mints = read_table("mints.csv")
    mint_aliases = [(c, m) for m in mints for a in [m["name"], *_split(m["aliases"])] for c in _cased(a)]

    regions = read_table("regions.csv")
    region_aliases = [(a, r) for r in regions for a in [r["name"], *_split(r["aliases"])]]
    states = read_table("states.csv")
    for s in states:
        s["from"], s["to"] = int(s["from"]), int(s["to"])
    state_aliases = [(a, s) for s in states for a in _split(s["aliases"])]  # names are descriptions

    phrases = read_table("period_phrases.csv")
    for p in phrases:
        p["weight"] = float(p["weight"])
    grades = read_table("grades.csv")
    noncoin = read_table("noncoin.csv")
    matchers = dict(
        rulers=Matcher(ruler_aliases),
        denominations=Matcher(denom_aliases, reject_after=re.compile(r"[.,]\d|\s?mm\b")),
        mints=Matcher(mint_aliases, case_sensitive=True),
        regions=Matcher(region_aliases),
        states=Matcher(state_aliases),
        period_phrases=Matcher([(p["phrase"], p) for p in phrases]),
        grades=Matcher([(p, g) for g in grades for p in _grade_variants(g["phrase"])], case_sensitive=True),
        noncoin=Matcher([(n["phrase"], n) for n in noncoin]),
    )
    by_id = {d["id"]: d for d in denoms}
    return Vocabulary(**matchers, denomination_rows=by_id, state_rows={s["id"]: s for s in states},
                      catalogues=read_table("catalogues.csv"),
                      denomination_suffixes=tuple((suffix, by_id[i]) for suffix, i in SUFFIX_DENOMINATIONS),
                      all=MatcherSet(matchers))

