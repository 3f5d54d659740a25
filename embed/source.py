"""What the embedding job reads from the DuckDB warehouse: the coins of a freeze
(`frozen.coins_vN`) or of another table (`marts.coins` for a delta), in coin_id order."""

from __future__ import annotations

import re

from pydantic import BaseModel

from nummus import warehouse
from nummus.errors import NummusError
from nummus.settings import Settings

# The columns the PostgreSQL `coins` table takes from the freeze (docs/contracts.md): a freeze
# without one of them is refused, never loaded with NULLs.
METADATA_COLUMNS = ("coin_id", "house", "sale", "lot", "lot_url", "title", "period", "denomination",
                    "authority", "mint", "metal", "date_from", "date_to", "price", "currency",
                    "closing_date", "obv_key", "rev_key", "obv_small_key", "rev_small_key")


class CoinCrops(BaseModel):
    coin_id: int
    obv_key: str | None
    rev_key: str | None
    crop_status: str | None = None


def freeze_table(freeze: str) -> tuple[str, str]:
    """'v3' | '3' | 'coins_v3' | 'frozen.coins_v3' -> ('v3', 'frozen.coins_v3'); other
    qualified names (marts.coins) are returned as they are."""
    text = freeze.strip()
    m = re.fullmatch(r"(?:frozen\.)?(?:coins_)?v?(\d+)", text)
    if m:
        return f"v{m.group(1)}", f"frozen.coins_v{m.group(1)}"
    if re.fullmatch(r"[A-Za-z_][\w]*\.[A-Za-z_][\w]*", text):
        return text, text
    raise NummusError(f"not a freeze: {freeze!r} (expected vN, e.g. v1)", setting="--freeze")


def columns(con, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                       "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()
    if not rows:
        raise NummusError(f"no table {table} in the warehouse (run `nummus freeze` first?)", setting="--freeze")
    return [r[0] for r in rows]


def read_crops(settings: Settings, table: str) -> list[CoinCrops]:
    """Every coin of `table` with its 224 px crop keys, ordered by coin_id."""
    with warehouse.session(settings, read_only=True) as con:
        cols = set(columns(con, table))
        status = "crop_status" if "crop_status" in cols else "NULL"
        rows = con.execute(f"SELECT coin_id, obv_small_key, rev_small_key, {status} FROM {table} "
                           "ORDER BY coin_id").fetchall()
    return [CoinCrops(coin_id=r[0], obv_key=r[1], rev_key=r[2], crop_status=r[3]) for r in rows]


def read_metadata(settings: Settings, table: str, coin_ids: list[int] | None = None) -> list[tuple]:
    """Rows of METADATA_COLUMNS for the given coins (all when None), ordered by coin_id."""
    with warehouse.session(settings, read_only=True) as con:
        missing = [c for c in METADATA_COLUMNS if c not in set(columns(con, table))]
        if missing:
            raise NummusError(f"{table} lacks the column(s) {', '.join(missing)} that search needs "
                              "(docs/contracts.md: marts.coins); rebuild and freeze again", setting="--freeze")
        select = ", ".join(f'"{c}"' for c in METADATA_COLUMNS)
        if coin_ids is None:
            return con.execute(f"SELECT {select} FROM {table} ORDER BY coin_id").fetchall()
        con.execute("CREATE TEMP TABLE _wanted (coin_id BIGINT)")
        con.executemany("INSERT INTO _wanted VALUES (?)", [[c] for c in coin_ids])
        return con.execute(f"SELECT {select} FROM {table} WHERE coin_id IN (SELECT coin_id FROM _wanted) "
                           "ORDER BY coin_id").fetchall()
