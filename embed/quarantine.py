"""Coins the embedding job skipped go to raw.quarantine (stage 'embed') once per coin and reason:
reruns, resumes, the sample dry run and later freezes with the same bad crop add nothing."""

from __future__ import annotations

from embed.checkpoint import Chunk
from nummus import warehouse
from nummus.settings import Settings

DETAIL = {
    "red_crop": "vision marked the crops red (no usable obverse/reverse); not embedded",
    "crop_missing": "a crop key is empty or the object is missing from the store; not embedded",
    "crop_unreadable": "a crop could not be decoded as an image; not embedded",
}


def record_skipped(settings: Settings, chunk: Chunk, *, run_name: str) -> int:
    """Insert one quarantine row per skipped coin and reason unless one is there already.
    Returns the rows added."""
    rows = [(int(c), str(ref), str(reason), f"{DETAIL.get(str(reason), str(reason))} (run {run_name})")
            for c, reason, ref in zip(chunk.skipped_coin_id, chunk.skipped_reason, chunk.skipped_ref)]
    if not rows:
        return 0
    with warehouse.session(settings) as con:
        before = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
        con.execute("CREATE TEMP TABLE _skipped (coin_id BIGINT, ref VARCHAR, reason VARCHAR, detail VARCHAR)")
        con.executemany("INSERT INTO _skipped VALUES (?, ?, ?, ?)", rows)
        con.execute("INSERT INTO raw.quarantine (stage, coin_id, ref, reason, detail) "
                    "SELECT 'embed', s.coin_id, s.ref, s.reason, s.detail FROM _skipped s WHERE NOT EXISTS ("
                    " SELECT 1 FROM raw.quarantine q WHERE q.stage = 'embed' AND q.coin_id = s.coin_id"
                    " AND q.reason = s.reason)")
        return con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] - before
