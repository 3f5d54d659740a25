"""Writing the raw tables: lot versions (a changed lot adds version+1, never overwrites),
images, and the quarantine. Callers group these in one DuckDB transaction per lot, so a kill
leaves either all of a lot or none of it."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import duckdb

from ingest.images import CheckedImage, image_key, page_key
from ingest.lot import Lot
from nummus.objectstore import ObjectStore


@dataclass(frozen=True)
class StoredLot:
    version: int
    new: bool          # False: the latest stored version already had this content
    page_key: str | None


def latest_version(con: duckdb.DuckDBPyConnection, house: str, sale: str, lot: str) -> tuple[int, str | None]:
    row = con.execute("SELECT version, content_sha256 FROM raw.lots WHERE house = ? AND sale = ? AND lot = ? "
                      "ORDER BY version DESC LIMIT 1", [house, sale, lot]).fetchone()
    return (row[0], row[1]) if row else (0, None)


def snapshot_bytes(html: str) -> bytes:
    return gzip.compress(html.encode("utf-8"), mtime=0)


def read_snapshot(store: ObjectStore, key: str) -> str:
    return gzip.decompress(store.get(key)).decode("utf-8")


def store_lot(con: duckdb.DuckDBPyConnection, store: ObjectStore | None, lot: Lot, *, source: str,
              snapshot_key: str | None = None) -> StoredLot:
    """Add the lot as a new version when its content differs from the latest stored one.
    With a store and raw HTML, the page snapshot is written first (its key is per version)."""
    version, sha = latest_version(con, lot.house, lot.sale, lot.lot)
    content = lot.content_sha256()
    if sha == content:
        return StoredLot(version, False, None)
    version += 1
    key = snapshot_key
    if key is None and store is not None and lot.raw_html is not None:
        key = store.put(page_key(lot.house, lot.sale, lot.lot, version), snapshot_bytes(lot.raw_html))
    con.execute(
        "INSERT INTO raw.lots (coin_id, house, sale, lot, version, lot_url, title, description, estimate_low, "
        "estimate_high, price, price_kind, currency, closing_date, image_urls, lot_status, page_key, "
        "content_sha256, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [lot.coin_id, lot.house, lot.sale, lot.lot, version, lot.lot_url, lot.title, lot.description,
         lot.estimate_low, lot.estimate_high, lot.price, lot.price_kind, lot.currency, lot.closing_date,
         lot.image_urls, lot.status, key, content, source])
    return StoredLot(version, True, key)


def stored_image_url(con: duckdb.DuckDBPyConnection, house: str, sale: str, lot: str, n: int) -> str | None:
    """The URL already stored at position n ('' when stored without a URL), or None when none is."""
    row = con.execute("SELECT coalesce(url, '') FROM raw.images WHERE house = ? AND sale = ? AND lot = ? AND n = ?",
                      [house, sale, lot, n]).fetchone()
    return row[0] if row else None


def store_image(con: duckdb.DuckDBPyConnection, store: ObjectStore, lot: Lot, n: int, url: str | None,
                image: CheckedImage, data: bytes) -> str:
    key = store.put(image_key(lot.house, lot.sale, lot.lot, n, image.ext), data)
    con.execute(
        "INSERT INTO raw.images (coin_id, house, sale, lot, n, url, sha256, object_key, format, width, height, bytes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [lot.coin_id, lot.house, lot.sale, lot.lot, n, url, image.sha256, key, image.format, image.width,
         image.height, image.bytes])
    return key


def quarantine(con: duckdb.DuckDBPyConnection, *, stage: str, reason: str, detail: str,
               house: str | None = None, sale: str | None = None, lot: str | None = None,
               ref: str | None = None, coin: int | None = None) -> None:
    con.execute("INSERT INTO raw.quarantine (stage, house, sale, lot, coin_id, ref, reason, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [stage, house, sale, lot, coin, ref, reason, detail[:2000]])
