"""Catalogue references as (catalogue, number[, collection]): "RIC II 123", "RSC 45a",
"Crawford 494/23", "SNG Copenhagen 123", "SNG ANS 6, 45", "HGC 3.2, 1010", "BMC Ionia 12",
"DOC III.2 12a", "Sear 1234", "RPC I 4567"."""

from __future__ import annotations

import re
from functools import lru_cache

from nummus.ingest.parse.labels import Reference
from nummus.ingest.parse.vocab import TOKEN, Tokens, load

_VOLUME = r"(?:(?:[IVX]{1,5}|\d{1,2})(?:[.\-/](?:\d{1,2}|[IVX]{1,4}))?,?\s)"
_NUMBER = r"\d{1,5}[a-z]?(?:[/.]\d{1,4}[a-z]?)?(?:\s?\([a-z0-9]{1,3}\))?(?:\s?(?:var\.|corr\.|cf\.))?"
_COLLECTION = r"((?:(?:von|der|de|di)\s)?[A-ZÄÖÜ][\w.\-']*(?:\s(?:von\s)?[A-ZÄÖÜ][\w.\-']*){0,2})\s(?=[\dIVX])"
_MINT_WORD = r"(?:[A-Z][a-z]+\s)?"


@lru_cache(maxsize=1)
def _regex() -> tuple[re.Pattern, dict[str, dict], frozenset[str]]:
    rows = {r["abbrev"]: r for r in load().catalogues}
    names = sorted(rows, key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s") for n in names)
    regex = re.compile(
        rf"(?<![\w.])({body})(?!\w)\.?\s?(?:{_COLLECTION})?(?:#\s?)?({_VOLUME}?{_MINT_WORD}{_NUMBER})(?!\w)")
    first_words = frozenset(TOKEN.findall(n)[0] for n in names)
    return regex, rows, first_words


def _matches(regex: re.Pattern, text: str, tokens: Tokens | None, first_words: frozenset[str]):
    if tokens is None:
        yield from regex.finditer(text)
        return
    end = 0
    for i, word in enumerate(tokens.raw):  # try the pattern only where a catalogue name starts
        if word in first_words and tokens.starts[i] >= end:
            m = regex.match(text, tokens.starts[i])
            if m:
                end = m.end()
                yield m


def find_references(text: str, tokens: Tokens | None = None) -> list[Reference]:
    """Every catalogue reference in the text; `tokens` (the parser's word list) makes it faster."""
    regex, rows, first_words = _regex()
    out: list[Reference] = []
    seen = set()
    for m in _matches(regex, text, tokens, first_words):
        abbrev, collection, number = m.group(1), m.group(2), m.group(3)
        row = rows.get(abbrev) or rows.get(abbrev.replace("\n", " "))
        if row is None:
            continue
        if collection and row["pattern"] != "collection":
            # "RIC VII Siscia 45": a mint name inside the number, not a collection
            number = f"{collection} {number}"
            collection = None
        key = (row["catalogue"], number, collection)
        if key in seen:
            continue
        seen.add(key)
        out.append(Reference(catalogue=row["catalogue"], number=" ".join(number.split()),
                             collection=collection, evidence=m.group(0)))
    return out
