"""Writing the raw tables: lot versions (a changed lot adds version+1, never overwrites),
images, and the quarantine.

`RawWriter` buffers rows and writes them with one statement per table in `flush()`, which the
caller runs inside its transaction just before COMMIT: a batch of lots commits together or not
at all, so a kill loses only the open batch and a rerun redoes it. Objects (snapshots, photos)
are written at once under keys that depend only on the lot and version, so a redo rewrites the
same keys. Latest versions and stored photos are read once per (house, sale) and kept current."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import duckdb

from nummus import quarantine
from nummus.ingest.images import CheckedImage, image_key, page_key
from nummus.ingest.lot import Lot
from nummus.objectstore import ObjectStore

_LOT_COLUMNS = ("coin_id", "house", "sale", "lot", "version", "lot_url", "title", "description", "estimate_low",
                "estimate_high", "price", "price_kind", "currency", "closing_date", "image_urls", "lot_status",
                "page_key", "content_sha256", "source")
_IMAGE_COLUMNS = ("coin_id", "house", "sale", "lot", "n", "url", "sha256", "object_key", "format", "width",
                  "height", "bytes")
_CHUNK = 400  # rows per INSERT statement


@dataclass(frozen=True)
class StoredLot:
    version: int
    new: bool          # False: the latest stored version already had this content
    page_key: str | None


def snapshot_bytes(html: str) -> bytes:
    return gzip.compress(html.encode("utf-8"), mtime=0)


def read_snapshot(store: ObjectStore, key: str) -> str:
    return gzip.decompress(store.get(key)).decode("utf-8")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list[list],
                suffix: str = "") -> None:
    """INSERT many rows with one statement per chunk (DuckDB's executemany runs one per row)."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))} {suffix}",
                    [v for row in chunk for v in row])


class RawWriter:
    def __init__(self, con: duckdb.DuckDBPyConnection, store: ObjectStore | None):
        self.con, self.store = con, store
        self._latest: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
        self._images: dict[tuple[str, str], dict[tuple[str, int], str]] = {}
        self._lots: list[list] = []
        self._image_rows: list[list] = []
        self._quarantine: list[quarantine.Entry] = []

    # what is stored already (committed or buffered) ----------------------------------------
    def latest_version(self, house: str, sale: str, lot: str) -> tuple[int, str | None]:
        if (house, sale) not in self._latest:
            self._latest[(house, sale)] = {lot_: (v, sha) for lot_, v, sha in self.con.execute(
                "SELECT lot, max(version), arg_max(content_sha256, version) FROM raw.lots "
                "WHERE house = ? AND sale = ? GROUP BY lot", [house, sale]).fetchall()}
        return self._latest[(house, sale)].get(lot, (0, None))

    def stored_image_url(self, house: str, sale: str, lot: str, n: int) -> str | None:
        """The URL stored at position n ('' when stored without one), or None when no photo is."""
        if (house, sale) not in self._images:
            self._images[(house, sale)] = {(lot_, n_): url for lot_, n_, url in self.con.execute(
                "SELECT lot, n, coalesce(url, '') FROM raw.images WHERE house = ? AND sale = ?",
                [house, sale]).fetchall()}
        return self._images[(house, sale)].get((lot, n))

    # writes ------------------------------------------------------------------------------
    def store_lot(self, lot: Lot, *, source: str, snapshot_key: str | None = None) -> StoredLot:
        """Add the lot as a new version when its content differs from the latest stored one.
        With a store and raw HTML, the page snapshot is written first (its key is per version)."""
        version, sha = self.latest_version(lot.house, lot.sale, lot.lot)
        content = lot.content_sha256()
        if sha == content:
            return StoredLot(version, False, None)
        version += 1
        key = snapshot_key
        if key is None and self.store is not None and lot.raw_html is not None:
            key = self.store.put(page_key(lot.house, lot.sale, lot.lot, version), snapshot_bytes(lot.raw_html))
        self._lots.append([lot.coin_id, lot.house, lot.sale, lot.lot, version, lot.lot_url, lot.title,
                           lot.description, lot.estimate_low, lot.estimate_high, lot.price, lot.price_kind,
                           lot.currency, lot.closing_date, lot.image_urls, lot.status, key, content, source])
        self._latest[(lot.house, lot.sale)][lot.lot] = (version, content)
        return StoredLot(version, True, key)

    def store_image(self, lot: Lot, n: int, url: str | None, image: CheckedImage, data: bytes) -> str:
        self.stored_image_url(lot.house, lot.sale, lot.lot, n)  # loads the sale's photos once
        key = self.store.put(image_key(lot.house, lot.sale, lot.lot, n, image.ext), data)
        self._image_rows.append([lot.coin_id, lot.house, lot.sale, lot.lot, n, url, image.sha256, key, image.format,
                                 image.width, image.height, image.bytes])
        self._images[(lot.house, lot.sale)][(lot.lot, n)] = url or ""
        return key

    def quarantine(self, *, stage: str, reason: str, detail: str, house: str | None = None,
                   sale: str | None = None, lot: str | None = None, ref: str | None = None,
                   coin: int | None = None) -> None:
        """Bad input, written with the batch by nummus.quarantine (one row per input and reason)."""
        self._quarantine.append(quarantine.Entry(stage, reason, detail, house, sale, lot, coin, ref))

    def flush(self) -> None:
        """Write the buffered rows (inside the caller's transaction, before COMMIT)."""
        insert_rows(self.con, "raw.lots", _LOT_COLUMNS, self._lots)
        insert_rows(self.con, "raw.images", _IMAGE_COLUMNS, self._image_rows, "ON CONFLICT DO NOTHING")
        quarantine.record_many(self.con, self._quarantine)
        self._lots, self._image_rows, self._quarantine = [], [], []

    def commit(self, *also) -> None:
        """Flush the buffered rows, then each callable in `also` (e.g. the crawl queue's marks),
        in one transaction; roll it back when anything fails."""
        self.con.begin()
        try:
            self.flush()
            for flush in also:
                flush()
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def forget(self) -> None:
        """After a rollback: drop the buffers and re-read what is stored."""
        self._lots, self._image_rows, self._quarantine = [], [], []
        self._latest.clear()
        self._images.clear()
