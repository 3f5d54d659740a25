"""`nummus import`: lots from a file export (CSV, JSONL, Parquet) plus a folder of images.

Columns map to `Lot` fields by name, by the built-in names of a MySQL `auction_data` export
(lot_number, title, description, current_bid, image_url, image_path, closing_date,
auction_house, sale_id, currency), by `--map column=field` or by a JSON/YAML mapping file.
A field spec may carry the price kind: `current_bid=price:current`. Images are read from the
path column (relative to `--images`, else to the file's folder) or matched by the file name
of the URL column inside `--images`. Same tables and idempotence as scraping: a rerun adds
nothing unless a row changed (then a new version); bad rows go to the quarantine once."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from nummus.ingest.closing_dates import parse_date
from nummus.ingest.images import ImageRejected, check_image
from nummus.ingest.lot import Lot
from nummus.ingest.money import MoneyError, parse_money, parse_range
from nummus.ingest.raw_writer import RawWriter
from nummus.ingest.rejection import Rejected
from nummus import warehouse
from nummus.errors import NummusError
from nummus.objectstore import get_store
from nummus.progress import Reporter
from nummus.settings import Settings, get_settings

FIELDS = {"house", "sale", "lot", "lot_url", "title", "description", "estimate", "estimate_low",
          "estimate_high", "price", "price_kind", "currency", "closing_date", "image_urls", "image_paths",
          "status"}
DEFAULT_MAPPING = {
    "lot_number": "lot", "lot_no": "lot", "auction_house": "house", "sale_id": "sale", "auction_id": "sale",
    "current_bid": "price:current", "hammer_price": "price:hammer", "hammer": "price:hammer",
    "starting_price": "price:starting", "image_url": "image_urls", "image_path": "image_paths",
    "images": "image_urls", "url": "lot_url", "end_date": "closing_date",
}
BATCH = 200  # rows per transaction
_SPLIT = re.compile(r"[\s;|]+")


class ImportSummary(BaseModel):
    rows: int = 0
    stored: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    images: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = {}


class RowError(Rejected):
    """A row that cannot become a lot."""


def load_mapping(path: Path | None, pairs: list[str]) -> dict[str, str]:
    """The column mapping from a JSON/YAML file and `column=field` pairs (pairs win)."""
    mapping: dict[str, str] = {}
    if path is not None:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yml", ".yaml"):
            import yaml

            mapping.update(yaml.safe_load(text) or {})
        else:
            mapping.update(json.loads(text))
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise NummusError(f"--map wants column=field, not {pair!r}")
        mapping[column.strip()] = target.strip()
    for column, target in mapping.items():
        if target.split(":")[0] not in FIELDS:
            raise NummusError(f"mapping {column}={target}: unknown field; fields: {', '.join(sorted(FIELDS))}")
    return mapping


def read_table(path: Path):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t" if suffix == ".tsv" else ",")
    if suffix in (".jsonl", ".ndjson", ".json"):
        return pd.read_json(path, lines=suffix != ".json", dtype=False)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise NummusError(f"{path}: unknown export format {suffix!r} (CSV, TSV, JSONL or Parquet)")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or \
        (isinstance(value, str) and not value.strip())


def _amount(value: Any, currency: str | None) -> tuple[float | None, str | None, str | None]:
    if isinstance(value, (int, float)):
        return float(value), currency, None
    money = parse_money(str(value), currency)
    return money.amount, money.currency, money.kind


def row_to_lot(row: dict[str, Any], columns: dict[str, str], defaults: dict[str, str | None]) -> tuple[Lot, list[str]]:
    """A Lot and its image paths from one row; raises RowError/ValidationError."""
    values: dict[str, Any] = {k: v for k, v in defaults.items() if v}
    kind = None
    for column, spec in columns.items():
        value = row.get(column)
        if _blank(value):
            continue
        target, _, spec_kind = spec.partition(":")
        values[target] = value.strip() if isinstance(value, str) else value
        if target == "price":
            kind = spec_kind or kind
    for part in ("house", "sale", "lot"):
        if _blank(values.get(part)):
            raise RowError(f"missing_{part}", f"no {part} (map a column to it or pass --{part})")
        value = values[part]
        values[part] = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    currency = values.pop("currency", None)
    currency = str(currency).upper() if currency else None
    try:
        if "estimate" in values:
            rng = parse_range(str(values.pop("estimate")), currency)
            values.setdefault("estimate_low", rng.low)
            values.setdefault("estimate_high", rng.high)
            currency = currency or rng.currency
        for key in ("estimate_low", "estimate_high"):
            if key in values:
                values[key], currency, _ = _amount(values[key], currency)
        if "price" in values:
            values["price"], currency, parsed_kind = _amount(values["price"], currency)
            kind = values.get("price_kind") or parsed_kind or kind
    except MoneyError as exc:
        raise RowError("bad_amount", str(exc)) from None
    values["price_kind"] = kind if values.get("price") is not None or kind == "unsold" else None
    if "closing_date" in values:
        text = str(values["closing_date"])
        values["closing_date"] = parse_date(text)
        if values["closing_date"] is None:
            raise RowError("bad_date", f"unreadable closing date {text!r}")
    urls = _SPLIT.split(str(values.pop("image_urls", "")).strip())
    paths = [p for p in _SPLIT.split(str(values.pop("image_paths", "")).strip()) if p]
    values["image_urls"] = [u for u in urls if u] or paths
    values["status"] = "withdrawn" if str(values.get("status", "ok")).lower() == "withdrawn" else "ok"
    return Lot(currency=currency, **values), paths


def _columns(names: list[str], mapping: dict[str, str], label: str) -> dict[str, str]:
    """column -> field spec: the explicit mapping, then columns named like a field or a known
    export column, unless the explicit mapping already fills that field."""
    unknown = [c for c in mapping if c not in names]
    if unknown:
        raise NummusError(f"{label}: mapped columns not in the file: {', '.join(unknown)}")
    claimed = {spec.split(":")[0] for spec in mapping.values()}
    columns = {}
    for name in names:
        spec = mapping.get(name) or DEFAULT_MAPPING.get(name, name)
        if name in mapping or (spec.split(":")[0] in FIELDS and spec.split(":")[0] not in claimed):
            columns[name] = spec
    return columns


def _find_image(lot: Lot, paths: list[str], n: int, base: Path) -> Path | None:
    if n < len(paths):
        candidate = Path(paths[n])
        candidate = candidate if candidate.is_absolute() else base / candidate
        return candidate if candidate.is_file() else None
    name = lot.image_urls[n].rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    candidate = base / name
    return candidate if name and candidate.is_file() else None


def import_file(path: Path, *, images_dir: Path | None = None, mapping: dict[str, str] | None = None,
                house: str | None = None, sale: str | None = None, currency: str | None = None,
                settings: Settings | None = None, reporter: Reporter | None = None) -> ImportSummary:
    settings = settings or get_settings()
    reporter = reporter or Reporter("lots", enabled=False)
    path = Path(path)
    table = read_table(path)
    columns = _columns(list(table.columns), mapping or {}, path.name)
    defaults = {"house": house, "sale": sale, "currency": currency}
    base = images_dir or path.parent
    warehouse.init_warehouse(settings)
    summary = ImportSummary()
    records = table.to_dict("records")
    seen: set[tuple[str, str, str]] = set()
    reporter.start(f"import {path.name}", len(records))
    try:
        with warehouse.session(settings) as con:
            writer = RawWriter(con, get_store(settings))
            for start in range(0, len(records), BATCH):
                for i, row in enumerate(records[start:start + BATCH], start=start + 2):  # line 1 = header
                    outcome = _import_row(writer, row, columns, defaults, base, seen, f"{path}:{i}", summary)
                    reporter.advance(outcome=outcome)
                writer.commit()
    finally:
        reporter.stop()
    return summary


def _quarantine(writer: RawWriter, summary: ImportSummary, *, stage: str, reason: str, detail: str, ref: str,
                house=None, sale=None, lot=None) -> None:
    """Count the bad input; the writer records it (once per input and reason: nummus.quarantine)."""
    writer.quarantine(stage=stage, reason=reason, detail=detail, house=house, sale=sale, lot=lot, ref=ref)
    summary.quarantined += 1
    summary.reasons[reason] = summary.reasons.get(reason, 0) + 1


def _import_row(writer: RawWriter, row, columns, defaults, base: Path, seen: set, ref: str, summary: ImportSummary) -> str:
    summary.rows += 1
    try:
        lot, paths = row_to_lot(row, columns, defaults)
    except RowError as exc:
        _quarantine(writer, summary, stage="import", reason=exc.reason, detail=f"{ref}: {exc}", ref=ref)
        return "quarantined"
    except ValidationError as exc:
        err = exc.errors()[0]
        _quarantine(writer, summary, stage="import", reason="invalid_row", ref=ref,
                    detail=f"{ref}: {'.'.join(map(str, err['loc']))}: {err['msg']}")
        return "quarantined"
    key = (lot.house, lot.sale, lot.lot)
    if key in seen:
        _quarantine(writer, summary, stage="import", reason="duplicate_key", ref=ref, house=lot.house,
                    sale=lot.sale, lot=lot.lot, detail=f"{ref}: lot {key} appears earlier in the file")
        return "quarantined"
    seen.add(key)
    stored = writer.store_lot(lot, source="import")
    for n, url in enumerate(lot.image_urls if lot.status == "ok" else []):
        if writer.stored_image_url(lot.house, lot.sale, lot.lot, n) is not None:
            continue
        found = _find_image(lot, paths, n, base)
        if found is None:
            _quarantine(writer, summary, stage="image", reason="image_not_found", ref=url, house=lot.house,
                        sale=lot.sale, lot=lot.lot, detail=f"{ref}: no file for image {n} ({url}) under {base}")
            continue
        data = found.read_bytes()
        try:
            image = check_image(data)
        except ImageRejected as exc:
            _quarantine(writer, summary, stage="image", reason=exc.reason, ref=str(found), house=lot.house,
                        sale=lot.sale, lot=lot.lot, detail=f"{found}: {exc}")
            continue
        writer.store_image(lot, n, url, image, data)
        summary.images += 1
    if lot.status == "withdrawn":
        summary.withdrawn += 1
        return "withdrawn"
    outcome = "stored" if stored.new else "unchanged"
    setattr(summary, outcome, getattr(summary, outcome) + 1)
    return outcome
