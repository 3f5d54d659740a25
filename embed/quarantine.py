"""Coins the embedding job skipped go to raw.quarantine (stage 'embed') once per coin and reason:
reruns, resumes, the sample dry run and later freezes with the same bad crop add nothing."""

from __future__ import annotations

from nummus.embed.checkpoint import Chunk
from nummus.embed.source import columns
from nummus import warehouse
from nummus.settings import Settings

DETAIL = {
    "red_crop": "vision marked the crops red (no usable obverse/reverse); not embedded",
    "crop_missing": "a crop key is empty or the object is missing from the store; not embedded",
    "crop_unreadable": "a crop could not be decoded as an image; not embedded",
}


def record_skipped(settings: Settings, chunk: Chunk, *, run_name: str, table: str | None = None) -> int:
    """Insert one quarantine row per skipped coin and reason unless one is there already; house,
    sale and lot come from `table` (the freeze) when it has them. Returns the rows added."""
    rows = [(int(c), str(ref), str(reason), f"{DETAIL.get(str(reason), str(reason))} (run {run_name})")
            for c, reason, ref in zip(chunk.skipped_coin_id, chunk.skipped_reason, chunk.skipped_ref)]
    if not rows:
        return 0
    with warehouse.session(settings) as con:
        before = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
        con.execute("CREATE TEMP TABLE _skipped (coin_id BIGINT, ref VARCHAR, reason VARCHAR, detail VARCHAR)")
        con.executemany("INSERT INTO _skipped VALUES (?, ?, ?, ?)", rows)
        lot = "NULL, NULL, NULL"
        if table and {"house", "sale", "lot"} <= set(columns(con, table)):
            lot = f"(SELECT t.house FROM {table} t WHERE t.coin_id = s.coin_id), " \
                  f"(SELECT t.sale FROM {table} t WHERE t.coin_id = s.coin_id), " \
                  f"(SELECT t.lot::VARCHAR FROM {table} t WHERE t.coin_id = s.coin_id)"
        con.execute("INSERT INTO raw.quarantine (stage, coin_id, ref, reason, detail, house, sale, lot) "
                    f"SELECT 'embed', s.coin_id, s.ref, s.reason, s.detail, {lot} FROM _skipped s WHERE NOT EXISTS ("
                    " SELECT 1 FROM raw.quarantine q WHERE q.stage = 'embed' AND q.coin_id = s.coin_id"
                    " AND q.reason = s.reason)")
        return con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] - before
