"""The labelled coins of the serving index (index_vN ∪ delta_vN+1) with their vectors and crop keys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nummus import postgres
from nummus.errors import NummusError
from nummus.settings import Settings

UNUSABLE = {None, "", "needs_review", "unknown"}


@dataclass
class IndexData:
    version: int
    coin_ids: np.ndarray          # (n,) int64, ascending
    periods: list[str | None]     # parsed period per coin (None/'' = unlabelled)
    obv: np.ndarray               # (n, d) float32
    rev: np.ndarray
    pair: np.ndarray
    obv_keys: list[str | None]    # 224 px crop keys in the object store
    rev_keys: list[str | None]

    def __len__(self) -> int:
        return len(self.coin_ids)

    def features(self, kind: str) -> np.ndarray:
        if kind == "pair":
            return self.pair
        if kind == "obvrev":
            return np.concatenate([self.obv, self.rev], axis=1)
        raise NummusError(f"features must be pair or obvrev, not {kind!r}", setting="--features")

    def labelled(self) -> np.ndarray:
        return np.array([p not in UNUSABLE for p in self.periods], dtype=bool)


def serving_version(conn) -> int:
    row = conn.execute("SELECT version FROM index_versions WHERE state = 'serving'").fetchone()
    if not row:
        raise NummusError("no serving index (run `nummus embed --freeze vN` first)", setting="--index")
    return int(row[0])


def load_index_data(settings: Settings, version: int | None = None) -> IndexData:
    """Every coin of index_vN and its delta, ordered by coin_id (the serving version by default)."""
    with postgres.session(settings, autocommit=True) as conn:
        version = version or serving_version(conn)
        if not conn.execute("SELECT 1 FROM index_versions WHERE version = %s", (version,)).fetchone():
            raise NummusError(f"no index version v{version}", setting="--index")
        rows = conn.execute(
            f"SELECT v.coin_id, v.period, v.obv, v.rev, v.pair, c.obv_small_key, c.rev_small_key "
            f"FROM (SELECT * FROM index_v{version} UNION ALL SELECT * FROM delta_v{version + 1}) v "
            f"LEFT JOIN coins c USING (coin_id) ORDER BY v.coin_id").fetchall()
    if not rows:
        raise NummusError(f"index v{version} is empty", setting="--index")
    mats = [np.stack([r[k].to_numpy() for r in rows]).astype(np.float32) for k in (2, 3, 4)]
    return IndexData(version=version, coin_ids=np.array([r[0] for r in rows], np.int64),
                     periods=[r[1] for r in rows], obv=mats[0], rev=mats[1], pair=mats[2],
                     obv_keys=[r[5] for r in rows], rev_keys=[r[6] for r in rows])
