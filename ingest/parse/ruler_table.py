"""The rulers the parser knows, read from three tables of `vocab/`:

- `rulers.csv`: antiquity, Byzantium and the Islamic world (period given per row);
- `rulers_postclassical.csv`: Europe and its colonies 600-1900, with the states they ruled
  (ids of `states.csv`); their period is medieval or modern, decided by the lot's date;
- `moneyers.csv`: Roman Republican moneyers (RRC number and year), so that "L. Marcius Philippus"
  is a moneyer of 56 BC and not the emperor Philip.

An alias may hold a given-name placeholder: "{philip} II" stands for every form of the name in
`given_names.csv` (Philip II, Philipp II., Philippe II, Filippo II, Felipe II, Filips II, Philippus II ...)."""

from __future__ import annotations

import re

from nummus.ingest.parse.labels import MODERN_FROM

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _split(cell: str) -> list[str]:
    return [a.strip() for a in cell.split("|") if a.strip()]


def _year(cell: str) -> int | None:
    return int(cell) if cell not in (None, "") else None


def expand(alias: str, given: dict[str, list[str]]) -> list[str]:
    """"{louis} XIV" → "Louis XIV", "Ludwig XIV", "Luigi XIV", "Luis XIV", "Lodewijk XIV" ... (the
    matcher adds the German "Ludwig XIV.")."""
    m = PLACEHOLDER.search(alias)
    if m is None:
        return [alias]
    forms = given.get(m.group(1))
    if forms is None:
        raise ValueError(f"unknown given name {m.group(0)} in ruler alias {alias!r}")
    out = []
    for form in forms:
        out.append(alias[:m.start()] + form + alias[m.end():])
    return out


# gentes whose name is also an empress's or a common name: not taken alone as a moneyer's heading
GENS_AMBIGUOUS = frozenset({"Julia", "Antonia", "Claudia", "Maria", "Valeria", "Cornelia", "Aelia", "Flavia"})


def _gens(name: str) -> str | None:
    """The gens a dealer heads a moneyer's lot with: "M. Plaetorius Cestianus" → "Plaetoria"."""
    words = name.split()
    if len(words) < 2 or not words[0].endswith(".") or not words[1].endswith("us"):
        return None
    gens = words[1][:-2] + "a"
    return None if gens in GENS_AMBIGUOUS else gens


def post_period(year: float) -> str:
    """Medieval before 1500, modern from then on (the lot's date, else the middle of the reign)."""
    return "modern" if year >= MODERN_FROM else "medieval"


def _finish(row: dict) -> dict:
    row["reign_from"] = _year(row.get("reign_from"))
    row["reign_to"] = _year(row.get("reign_to"))
    row["states"] = frozenset(_split(row.get("states") or ""))
    row.setdefault("post", False)
    row.setdefault("moneyer", False)
    return row


def read_rulers(read_table) -> list[tuple[str, dict]]:
    """(alias, row) for every alias of every ruler, placeholders expanded."""
    given = {g["key"]: _split(g["forms"]) for g in read_table("given_names.csv")}
    rows = []
    for r in read_table("rulers.csv"):
        rows.append(_finish(r))
    for r in read_table("rulers_postclassical.csv"):
        r = _finish(r)
        r["post"] = True
        r["period"] = post_period((r["reign_from"] + r["reign_to"]) / 2)
        rows.append(r)
    for r in read_table("moneyers.csv"):
        r = _finish(r)
        r.update(period="roman_republican", dynasty="Moneyer", moneyer=True)
        gens = _gens(r["name"])
        if gens:
            r["aliases"] += "|" + gens
        rows.append(r)
    out = []
    for r in rows:
        seen = set()
        for alias in [r["name"], *_split(r["aliases"])]:
            for text in expand(alias, given):
                if text not in seen:
                    seen.add(text)
                    out.append((text, r))
    return out
