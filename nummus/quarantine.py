"""`raw.quarantine`, bad input of any step with its reason: written here and nowhere else.

The duplicate rule: **one row per bad input and reason** — per (stage, reason, house, sale, lot,
coin_id, ref), NULLs counting as equal. Recording the same input again for the same reason (a
rerun, a resume, a retry, the next freeze) adds nothing; another reason, stage or object (a new
snapshot version, another crop key) adds a row. A stored row is never updated or deleted: its
detail and created_at are those of the first time. Within one call the first entry of equal
ones wins.

`record`/`record_many` take an open DuckDB connection (the rows join the caller's transaction,
as the crawl, import, vision and parse batches need) or Settings (a session of its own, for the
steps that do not hold the warehouse open). They raise what the warehouse raises: a busy or
missing warehouse is the caller's to report (StoreUnavailable), never swallowed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from nummus.errors import StoreUnavailable
from nummus.settings import Settings

if TYPE_CHECKING:
    import duckdb

STAGES = ("scrape", "image", "import", "vision", "parse", "embed", "classify", "cluster", "search")
DETAIL_MAX = 2000   # characters of detail kept
_KEY = ("stage", "reason", "house", "sale", "lot", "coin_id", "ref")
_COLUMNS = (*_KEY, "detail")


@dataclass(frozen=True)
class Entry:
    """One bad input: where it was seen (stage), why (reason, detail) and what it is."""

    stage: str
    reason: str
    detail: str = ""
    house: str | None = None
    sale: str | None = None
    lot: str | None = None
    coin_id: int | None = None
    ref: str | None = None   # URL, file path, object key or table the input came from

    def row(self) -> list:
        if self.stage not in STAGES:
            raise ValueError(f"unknown quarantine stage {self.stage!r} (one of {', '.join(STAGES)})")
        coin = None if self.coin_id is None else int(self.coin_id)
        return [self.stage, self.reason, _text(self.house), _text(self.sale), _text(self.lot), coin,
                _text(self.ref), (self.detail or "")[:DETAIL_MAX]]


def _text(value) -> str | None:
    return None if value is None else str(value)


_INSERT = """
INSERT INTO raw.quarantine ({columns})
SELECT {columns} FROM (
    SELECT {key}, arg_min(detail, n) AS detail, min(n) AS n FROM {entries} GROUP BY {key}
) AS e
WHERE NOT EXISTS (SELECT 1 FROM raw.quarantine q WHERE {same})
ORDER BY e.n
RETURNING id
"""


def record_many(target: duckdb.DuckDBPyConnection | Settings, entries: Iterable[Entry]) -> int:
    """Write the entries under the duplicate rule; returns how many rows were added."""
    rows = [[n, *e.row()] for n, e in enumerate(entries)]
    if not rows:
        return 0
    if isinstance(target, Settings):
        from nummus import warehouse

        if not target.warehouse_path.exists():
            raise StoreUnavailable(f"no warehouse at {target.warehouse_path}: run `nummus init`",
                                   setting="NUMMUS_DUCKDB_PATH")
        with warehouse.session(target) as con:
            return _insert(con, rows)
    return _insert(target, rows)


def record(target: duckdb.DuckDBPyConnection | Settings, stage: str, reason: str, detail: str, *,
           house: str | None = None, sale: str | None = None, lot: str | None = None,
           coin_id: int | None = None, ref: str | None = None) -> int:
    """One bad input (see `record_many`); 1 when a row was added, 0 when it was there already."""
    return record_many(target, [Entry(stage, reason, detail, house, sale, lot, coin_id, ref)])


def _insert(con: duckdb.DuckDBPyConnection, rows: list[list]) -> int:
    import pyarrow as pa

    types = {"n": pa.int64(), "coin_id": pa.int64()}
    names = ("n", *_COLUMNS)
    table = pa.table({c: pa.array([r[i] for r in rows], types.get(c, pa.string())) for i, c in enumerate(names)})
    view = "_nummus_quarantine_entries"
    con.register(view, table)
    try:
        sql = _INSERT.format(columns=", ".join(_COLUMNS), key=", ".join(_KEY), entries=view,
                             same=" AND ".join(f"q.{c} IS NOT DISTINCT FROM e.{c}" for c in _KEY))
        return len(con.execute(sql).fetchall())
    finally:
        con.unregister(view)
