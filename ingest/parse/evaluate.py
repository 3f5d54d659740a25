"""How well the parser reads lot texts whose answers are known: the labelled corpus
(`tests/fixtures/parse_corpus.jsonl`) or a demo auction's `truth.json`. Used by
`nummus bench parse` and the acceptance tests."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, Field

from nummus.ingest.parse.labels import NEEDS_REVIEW
from nummus.ingest.parse.parser import parse_lot
from nummus.ingest.parse.vocab import load

MEASURES = ("weight_g", "diameter_mm", "die_axis_h")


class Truth(BaseModel):
    period: str | None = None
    denomination: str | None = None
    authority: str | None = None
    weight_g: float | None = None
    diameter_mm: float | None = None
    die_axis_h: int | None = None
    date_from: int | None = None  # the narrowest date the text states for the coin (signed years)
    date_to: int | None = None


class LabelledLot(BaseModel):
    id: str
    split: str = "dev"  # "holdout": set aside before the rules were tuned, to estimate unseen accuracy
    house: str | None = None
    language: str | None = None
    group: str | None = None  # the series a lot belongs to (post_classical, hellenistic, moneyer, date_only ...)
    note: str | None = None   # "conflict": the ruler and the date disagree (truth: what a numismatist would say)
    title: str
    description: str = ""
    truth: Truth


class Miss(BaseModel):
    id: str
    field: str
    expected: str | float | int | None
    got: str | float | int | None
    title: str


class Evaluation(BaseModel):
    lots: int
    period_accuracy: float
    period_coverage: float
    denomination_accuracy: float          # on lots whose text names a denomination
    denomination_named: int
    denomination_coverage: float
    authority_accuracy: float | None      # on lots whose truth names an authority
    authority_named: int
    date_accuracy: float | None           # exact (from, to) on lots whose truth states a date
    date_stated: int
    # field -> stated (truth has it), found (the parser has one), exact, accuracy (exact / stated),
    # precision (exact / found: a demo truth.json holds measures that its texts do not print)
    measures: dict[str, dict[str, float | int]]
    confusion: dict[str, dict[str, int]]  # true period -> parsed period -> count
    misses: list[Miss] = Field(default_factory=list)


def load_corpus(path: str | Path) -> list[LabelledLot]:
    with open(path, encoding="utf-8") as fh:
        return [LabelledLot.model_validate_json(line) for line in fh if line.strip()]


def load_truth_json(path: str | Path) -> list[LabelledLot]:
    """A demo house's `truth.json` (docs/contracts.md) as labelled lots."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for lot in data.get("lots", []):
        fields = lot.get("fields") or {}
        out.append(LabelledLot(
            id=f"{lot.get('sale')}/{lot.get('lot')}", house=data.get("house"), language=lot.get("language"),
            title=lot.get("title") or "", description=lot.get("description") or "",
            truth=Truth(**{k: fields.get(k) for k in Truth.model_fields})))
    return out


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def _same_measure(expected: float, got: float | None) -> bool:
    return got is not None and abs(float(expected) - float(got)) < 1e-6


def same_authority(expected: str, got: str | None) -> bool:
    """The parsed authority (a vocabulary name) is the expected one when the names are equal, when
    the expected name is an alias of that ruler ("Maria Theresia", "Antiochos III the Great"), or
    when the vocabulary adds the realm ("Victoria" → "Victoria of Great Britain")."""
    if not got:
        return False
    e, g = expected.casefold().strip(), got.casefold()
    if e == g or g.startswith(e + " of ") or g.startswith(e + " ("):
        return True
    return any(r["name"].casefold() == g for r in load().ruler_rows(expected))


def evaluate(lots: Iterable[LabelledLot], *, keep_misses: int = 200) -> Evaluation:
    lots = list(lots)
    confusion: dict[str, Counter] = {}
    period_ok = period_cov = denom_ok = denom_named = denom_cov = auth_ok = auth_n = date_ok = date_n = 0
    stated = Counter()
    found = Counter()
    exact = Counter()
    misses: list[Miss] = []

    def miss(lot: LabelledLot, name: str, expected, got) -> None:
        if len(misses) < keep_misses:
            misses.append(Miss(id=lot.id, field=name, expected=expected, got=got, title=lot.title[:120]))

    for lot in lots:
        labels = parse_lot(lot.title, lot.description, lot.house)
        t = lot.truth
        period = labels.value("period")
        confusion.setdefault(str(t.period), Counter())[str(period)] += 1
        if period not in (None, NEEDS_REVIEW):
            period_cov += 1
        if period == t.period:
            period_ok += 1
        else:
            miss(lot, "period", t.period, period)
        denom = labels.value("denomination")
        denom_cov += denom is not None
        if t.denomination:
            denom_named += 1
            if denom == t.denomination:
                denom_ok += 1
            else:
                miss(lot, "denomination", t.denomination, denom)
        if t.authority:
            auth_n += 1
            if same_authority(t.authority, labels.value("authority")):
                auth_ok += 1
            else:
                miss(lot, "authority", t.authority, labels.value("authority"))
        if t.date_from is not None:
            date_n += 1
            if (labels.date_from, labels.date_to) == (t.date_from, t.date_to):
                date_ok += 1
            else:
                miss(lot, "date", f"{t.date_from}..{t.date_to}", f"{labels.date_from}..{labels.date_to}")
        for name in MEASURES:
            expected = getattr(t, name)
            if expected is None:
                continue
            stated[name] += 1
            got = labels.value(name)
            found[name] += got is not None
            if _same_measure(expected, got):
                exact[name] += 1
            else:
                miss(lot, name, expected, got)
    n = len(lots)
    return Evaluation(
        lots=n,
        period_accuracy=_ratio(period_ok, n),
        period_coverage=_ratio(period_cov, n),
        denomination_accuracy=_ratio(denom_ok, denom_named),
        denomination_named=denom_named,
        denomination_coverage=_ratio(denom_cov, n),
        authority_accuracy=_ratio(auth_ok, auth_n) if auth_n else None,
        authority_named=auth_n,
        date_accuracy=_ratio(date_ok, date_n) if date_n else None,
        date_stated=date_n,
        measures={name: {"stated": stated[name], "found": found[name], "exact": exact[name],
                         "accuracy": _ratio(exact[name], stated[name]),
                         "precision": _ratio(exact[name], found[name])} for name in MEASURES},
        confusion={k: dict(v) for k, v in sorted(confusion.items())},
        misses=misses,
    )


class Speed(BaseModel):
    lots: int
    seconds_wall: float
    seconds_cpu: float
    lots_per_s_wall: float
    lots_per_s_cpu: float  # per core: the parser is single-threaded


def measure_speed(lots: list[LabelledLot], *, min_seconds: float = 2.0) -> Speed:
    """Parse the lots over and over for at least `min_seconds` (the vocabulary loads first)."""
    parse_lot("warm-up", "")
    count = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while True:
        for lot in lots:
            parse_lot(lot.title, lot.description, lot.house)
        count += len(lots)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if wall >= min_seconds or not lots:
            break
    return Speed(lots=count, seconds_wall=round(wall, 3), seconds_cpu=round(cpu, 3),
                 lots_per_s_wall=round(count / wall, 1) if wall else 0.0,
                 lots_per_s_cpu=round(count / cpu, 1) if cpu else 0.0)
