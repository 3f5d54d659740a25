"""The batch step: parse every lot whose labels are missing, made by an older parser, or made
from an older snapshot of the lot, and write them to `raw.labels`.

Resumable and idempotent: the work list is computed from the tables, and each chunk is written
in one transaction, so a run killed at any point loses at most the chunk in flight and the next
run carries on. Bad input goes to `raw.quarantine` (stage `parse`) and the run goes on."""

from __future__ import annotations

import time
from typing import Callable

import pyarrow as pa
from pydantic import BaseModel

from nummus.ingest.parse.labels import PARSER_VERSION
from nummus.ingest.parse.parser import parse_lot
from nummus import warehouse
from nummus.errors import StoreUnavailable
from nummus.quarantine import Entry, record_many
from nummus.settings import Settings, get_settings

STAGE = "parse"

# The newest snapshot of each lot (one coin_id per natural key) that has no label row from this
# parser version made from that snapshot.
PENDING_SQL = """
WITH latest AS (SELECT coin_id, max(version) AS version FROM raw.lots GROUP BY coin_id)
SELECT m.coin_id, m.version FROM latest m
WHERE NOT EXISTS (SELECT 1 FROM raw.labels b
                  WHERE b.coin_id = m.coin_id AND b.parser_version = ? AND b.lot_version = m.version)
ORDER BY m.coin_id
"""

CHUNK_SQL = """
SELECT l.coin_id, l.version, l.house, l.sale, l.lot, l.title, l.description
FROM raw.lots l
JOIN (SELECT unnest(?::BIGINT[]) AS coin_id, unnest(?::INTEGER[]) AS version) k
  USING (coin_id, version)
ORDER BY l.coin_id
"""

LABEL_COLUMNS = [
    "coin_id", "parser_version", "lot_version", "period", "period_conf", "denomination",
    "denomination_conf", "metal", "authority", "dynasty", "reign_from", "reign_to", "mint",
    "date_from", "date_to", "weight_g", "diameter_mm", "die_axis_h", "references", "grade",
    "provenance", "needs_review", "evidence",
]
_TYPES = {
    "coin_id": pa.int64(), "lot_version": pa.int32(), "period_conf": pa.float64(),
    "denomination_conf": pa.float64(), "reign_from": pa.int32(), "reign_to": pa.int32(),
    "date_from": pa.int32(), "date_to": pa.int32(), "weight_g": pa.float64(),
    "diameter_mm": pa.float64(), "die_axis_h": pa.int32(), "needs_review": pa.bool_(),
}
_JSON = ("references", "evidence")


class ParseSummary(BaseModel):
    parser_version: str
    pending: int            # lots that needed parsing when the run started
    parsed: int             # label rows written
    quarantined: int        # lots sent to raw.quarantine (no text, or the parser failed)
    needs_review: int       # written rows flagged for review
    chunks: int
    seconds: float

    @property
    def lots_per_s(self) -> float:
        return self.parsed / self.seconds if self.seconds else 0.0


def pending_lots(con) -> list[tuple[int, int]]:
    """(coin_id, version) of every lot whose newest snapshot lacks labels from this parser."""
    rows = con.execute(PENDING_SQL, [PARSER_VERSION]).fetchall()
    return [(int(c), int(v)) for c, v in rows]


def _label_table(rows: list[dict]) -> pa.Table:
    columns = {}
    for name in LABEL_COLUMNS:
        values = [r[name] for r in rows]
        columns[name] = pa.array(values, type=_TYPES.get(name, pa.string()))
    return pa.table(columns)


def _write_chunk(con, rows: list[dict], bad: list[dict]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        if rows:
            con.register("parsed_chunk", _label_table(rows))
            select = ", ".join(f'"{c}"::JSON' if c in _JSON else f'"{c}"' for c in LABEL_COLUMNS)
            cols = ", ".join(f'"{c}"' for c in LABEL_COLUMNS)
            con.execute(f"INSERT OR REPLACE INTO raw.labels ({cols}) SELECT {select} FROM parsed_chunk")
            con.unregister("parsed_chunk")
        record_many(con, [Entry(STAGE, **q) for q in bad])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _parse_one(coin_id, version, house, sale, lot, title, description) -> tuple[dict | None, dict | None]:
    """(label row, quarantine row): a lot without text still gets a row (flagged for review) so
    that it is not parsed again on every run; a parser failure gets only the quarantine row."""
    where = dict(house=house, sale=sale, lot=lot, coin_id=coin_id, ref=f"raw.lots version {version}")
    try:
        labels = parse_lot(title, description, house)
    except Exception as exc:  # noqa: BLE001 - one bad lot must not stop the batch
        return None, dict(where, reason="parse_error", detail=f"{exc.__class__.__name__}: {exc}"[:500])
    row = labels.to_row()
    row.update(coin_id=coin_id, lot_version=version)
    if not (title or "").strip() and not (description or "").strip():
        row["needs_review"] = True
        return row, dict(where, reason="no_text", detail="the lot has neither a title nor a description")
    return row, None


def parse_pending(settings: Settings | None = None, *, chunk_size: int = 5000, progress: bool = True,
                  limit: int | None = None, on_chunk: Callable[[int], None] | None = None) -> ParseSummary:
    """Parse every pending lot into `raw.labels`. `limit` stops after that many lots (the rest stay
    pending); `on_chunk(done)` is called after each committed chunk."""
    from nummus.progress import job_progress

    settings = settings or get_settings()
    started = time.perf_counter()
    parsed = quarantined = review = chunks = 0
    with warehouse.session(settings) as con:
        missing = {"lots", "labels", "quarantine"} - {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}
        if missing:
            raise StoreUnavailable(f"the warehouse {settings.warehouse_path} has no raw.{sorted(missing)[0]} table: "
                                   "run `nummus init`", setting="NUMMUS_DUCKDB_PATH")
        todo = pending_lots(con)
        pending = len(todo)
        if limit is not None:
            todo = todo[:limit]
        with job_progress("lots", enabled=progress) as bar:
            task = bar.add_task("parse", total=len(todo))
            for start in range(0, len(todo), chunk_size):
                keys = todo[start:start + chunk_size]
                lots = con.execute(CHUNK_SQL, [[k[0] for k in keys], [k[1] for k in keys]]).fetchall()
                rows, bad = [], []
                for lot in lots:
                    row, q = _parse_one(*lot)
                    if row is not None:
                        rows.append(row)
                        review += bool(row["needs_review"])
                    if q is not None:
                        bad.append(q)
                _write_chunk(con, rows, bad)
                parsed += len(rows)
                quarantined += len(bad)
                chunks += 1
                bar.update(task, advance=len(keys))
                if on_chunk is not None:
                    on_chunk(start + len(keys))
    return ParseSummary(parser_version=PARSER_VERSION, pending=pending, parsed=parsed, quarantined=quarantined,
                        needs_review=review, chunks=chunks, seconds=round(time.perf_counter() - started, 3))
