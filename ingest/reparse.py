"""Re-parsing stored page snapshots with the current adapters (`nummus reparse`): when
selectors improve, lots get a new version only where the parsed content changed."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from nummus.ingest.adapters import HOUSES, ParseError, get_adapter
from nummus.ingest.raw_writer import RawWriter, read_snapshot
from nummus import warehouse
from nummus.objectstore import get_store
from nummus.progress import Reporter
from nummus.settings import Settings, get_settings


class ReparseSummary(BaseModel):
    checked: int = 0
    new_versions: int = 0
    unchanged: int = 0
    failed: int = 0


BATCH = 500  # lots per transaction
_LATEST = """
SELECT house, sale, lot, lot_url, page_key, source FROM raw.lots
WHERE page_key IS NOT NULL AND (? IS NULL OR house = ?)
QUALIFY row_number() OVER (PARTITION BY house, sale, lot ORDER BY version DESC) = 1
ORDER BY house, sale, lot
"""


def reparse(house: str | None = None, *, settings: Settings | None = None,
            reporter: Reporter | None = None) -> ReparseSummary:
    settings = settings or get_settings()
    reporter = reporter or Reporter("lots", enabled=False)
    if house is not None:
        get_adapter(house)  # unknown house: a clear error before any work
    warehouse.init_warehouse(settings)
    store = get_store(settings)
    summary = ReparseSummary()
    with warehouse.session(settings) as con:
        rows = con.execute(_LATEST, [house, house]).fetchall()
        writer = RawWriter(con, None)
        reporter.start(f"reparse {house or 'all houses'}", len(rows))
        try:
            for i, (h, sale, lot, url, key, source) in enumerate(rows, start=1):
                summary.checked += 1
                outcome = _one(writer, store, h, sale, lot, url, key, source)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                reporter.advance(outcome=outcome)
                if i % BATCH == 0 or i == len(rows):
                    writer.commit()
        finally:
            reporter.stop()
    return summary


def _one(writer: RawWriter, store, house, sale, lot, url, key, source) -> str:
    try:
        if house not in HOUSES:
            raise ParseError("no_adapter", f"no adapter for house {house!r}")
        parsed = get_adapter(house).parse(read_snapshot(store, key), url)
        # the natural key is the stored one: a snapshot belongs to its lot
        parsed = parsed.model_copy(update={"house": house, "sale": sale, "lot": lot})
    except (ParseError, ValidationError, OSError, EOFError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__.lower()
        writer.quarantine(stage="scrape", reason=f"reparse_{reason}", detail=f"{key}: {exc}",
                          house=house, sale=sale, lot=lot, ref=key)
        return "failed"
    stored = writer.store_lot(parsed, source=source, snapshot_key=key)
    return "new_versions" if stored.new else "unchanged"
