"""The round-trip check of an index version: re-embed 10 known coins, compare with the vectors
stored in PostgreSQL (cosine > 0.95 expected), write meta.embed_roundtrip for gate_embedded."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import numpy as np

from nummus.embed.encoders import Encoder
from nummus.embed.source import CoinCrops
from nummus import postgres, warehouse
from nummus.settings import Settings

N_COINS = 10


def pick_known(coin_ids: list[int], n: int = N_COINS) -> list[int]:
    """n coins spread over the index, chosen by a hash of the id (stable across runs)."""
    key = lambda c: hashlib.sha256(str(c).encode()).hexdigest()  # noqa: E731
    return sorted(sorted(coin_ids, key=key)[:n])


def check_roundtrip(settings: Settings, version: int, coins: list[CoinCrops], encoder: Encoder,
                    n: int = N_COINS) -> list[tuple[int, int, float]]:
    """[(index_version, coin_id, cosine)] for up to n coins of index_v{version}; rows replace any
    earlier check of the same version in meta.embed_roundtrip."""
    from nummus.embed.dataset import CropDataset
    from nummus.objectstore import storage_options

    with postgres.session(settings, autocommit=True) as conn:
        ids = [r[0] for r in conn.execute(f"SELECT coin_id FROM index_v{version}").fetchall()]
        chosen = pick_known(ids, n)
        stored = {r[0]: r[1].to_numpy().astype(np.float32) for r in conn.execute(
            f"SELECT coin_id, pair FROM index_v{version} WHERE coin_id = ANY(%s)", (chosen,)).fetchall()}
    by_id = {c.coin_id: c for c in coins}
    data = CropDataset([by_id[c] for c in chosen if c in by_id], settings.objects_url, storage_options(settings),
                       encoder.preprocessing)
    results = []
    for i in range(len(data)):
        item = data[i]
        obv, rev = encoder.encode_tensor(np.stack([item["obv"], item["rev"]]))
        pair = obv + rev
        pair /= max(np.linalg.norm(pair), 1e-12)
        ref = stored[item["coin_id"]]
        cos = float(pair @ ref / max(np.linalg.norm(ref), 1e-12)) if item["ok"] else 0.0
        results.append((version, int(item["coin_id"]), cos))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with warehouse.session(settings) as con:
        con.execute("DELETE FROM meta.embed_roundtrip WHERE index_version = ?", [version])
        con.executemany("INSERT INTO meta.embed_roundtrip (index_version, coin_id, cosine, checked_at)"
                        " VALUES (?, ?, ?, ?)", [(*r, now) for r in results])
    return results
