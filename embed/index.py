"""Versioned vector tables in PostgreSQL (schema: migrations/versions/0002_vector_index.py).

- `load_index`: one transaction creates index version N (`index_versions` row +
  `nummus_create_index`), loads `coins` metadata and the vectors with binary COPY, builds HNSW
  on pair/obv/rev, records the content hash, seals and serves it.
- `append_delta`: new coins go into `delta_v{N+1}` of the serving version (append-only).
- `merge`: index_v{N+1} = index_vN ∪ delta_v{N+1}, built, sealed and served in one transaction
  when the delta exceeds 10% of the index (or forced).
- `status`: versions and sizes.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import psycopg
from pydantic import BaseModel

from nummus.embed.encoders import EncoderId
from nummus.embed.source import METADATA_COLUMNS
from nummus import postgres
from nummus.errors import NummusError
from nummus.settings import Settings

MERGE_THRESHOLD = 0.10
HALFVEC_MAX_DIM = 4000


class IndexVersion(BaseModel):
    version: int
    freeze_id: str
    encoder: str
    dim: int
    vector_type: str
    rows: int | None
    delta_rows: int
    content_sha256: str | None
    parent_version: int | None
    state: str
    created_at: str
    sealed_at: str | None
    content_verified: bool | None = None   # with verify=True: the stored rows still hash to content_sha256


def vector_type(dim: int) -> str:
    return "halfvec" if dim <= HALFVEC_MAX_DIM else "vector"


def content_sha256(coin_ids: np.ndarray, obv: np.ndarray, rev: np.ndarray, pair: np.ndarray, vtype: str) -> str:
    """sha256 over rows in coin_id order: coin_id (big-endian int64) + obv, rev, pair as stored
    (float16 for halfvec, float32 for vector, little-endian)."""
    dtype = np.dtype("<f2") if vtype == "halfvec" else np.dtype("<f4")
    order = np.argsort(coin_ids, kind="stable")
    h = hashlib.sha256()
    for i in order:
        h.update(int(coin_ids[i]).to_bytes(8, "big", signed=True))
        for arr in (obv, rev, pair):
            h.update(np.ascontiguousarray(arr[i], dtype=dtype).tobytes())
    return h.hexdigest()


def _wrap(vtype: str, row: np.ndarray):
    from pgvector import HalfVector, Vector

    return HalfVector(row) if vtype == "halfvec" else Vector(row)


def _copy_coins(cur: psycopg.Cursor, freeze_id: str, metadata: list[tuple]) -> None:
    """Upsert `coins` (search metadata) through a binary COPY into a temporary table."""
    cols = ", ".join(METADATA_COLUMNS)
    cur.execute(f"CREATE TEMP TABLE _coins_in (LIKE coins INCLUDING DEFAULTS) ON COMMIT DROP")
    with cur.copy(f"COPY _coins_in (freeze_id, {cols}) FROM STDIN") as copy:
        for row in metadata:
            copy.write_row((freeze_id, *[None if v is None else v for v in row]))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("freeze_id",) + METADATA_COLUMNS[1:])
    cur.execute(f"INSERT INTO coins (freeze_id, {cols}) SELECT freeze_id, {cols} FROM _coins_in "
                f"ON CONFLICT (coin_id) DO UPDATE SET {updates}")
    cur.execute("DROP TABLE _coins_in")


def _copy_vectors(cur: psycopg.Cursor, table: str, vtype: str, coin_ids, periods, obv, rev, pair) -> None:
    with cur.copy(f"COPY {table} (coin_id, period, obv, rev, pair) FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.set_types(["bigint", "text", vtype, vtype, vtype])
        for i in range(len(coin_ids)):
            copy.write_row((int(coin_ids[i]), periods[i], _wrap(vtype, obv[i]), _wrap(vtype, rev[i]),
                            _wrap(vtype, pair[i])))


def _hnsw(cur: psycopg.Cursor, table: str, vtype: str) -> None:
    ops = f"{vtype}_cosine_ops"
    for col in ("pair", "obv", "rev"):
        cur.execute(f"CREATE INDEX IF NOT EXISTS {table}_{col}_hnsw ON {table} USING hnsw ({col} {ops})")


def _search_structures(cur: psycopg.Cursor, version: int, vtype: str) -> None:
    """HNSW on pair/obv/rev of index_vN and delta_vN+1: the search step's
    `nummus_prepare_search(N)` when installed (it adds period indexes and partial HNSW), else plain HNSW."""
    if cur.execute("SELECT to_regprocedure('nummus_prepare_search(integer,integer,integer,integer)')"
                   ).fetchone()[0]:
        cur.execute("SELECT * FROM nummus_prepare_search(%s)", (version,))
        return
    _hnsw(cur, f"index_v{version}", vtype)
    _hnsw(cur, f"delta_v{version + 1}", vtype)


def _periods(metadata: list[tuple], coin_ids: np.ndarray) -> list[str | None]:
    pos = METADATA_COLUMNS.index("period")
    by_id = {row[0]: row[pos] for row in metadata}
    return [by_id.get(int(c)) for c in coin_ids]


def find_version(conn: psycopg.Connection, freeze_id: str, encoder_id: EncoderId, sha: str) -> int | None:
    row = conn.execute("SELECT version FROM index_versions WHERE freeze_id = %s AND content_sha256 = %s "
                       "AND encoder_id->>'weights_sha256' = %s ORDER BY version DESC LIMIT 1",
                       (freeze_id, sha, encoder_id.weights_sha256)).fetchone()
    return row[0] if row else None


def load_index(settings: Settings, *, freeze_id: str, encoder_id: EncoderId, coin_ids: np.ndarray,
               obv: np.ndarray, rev: np.ndarray, pair: np.ndarray, metadata: list[tuple],
               serve: bool = True) -> tuple[int, str, bool]:
    """Create, fill, seal (and serve) a new index version in one transaction.
    Returns (version, content_sha256, created); an identical version already there is reused."""
    vtype = vector_type(encoder_id.dim)
    sha = content_sha256(coin_ids, obv, rev, pair, vtype)
    with postgres.session(settings, autocommit=True) as conn:
        existing = find_version(conn, freeze_id, encoder_id, sha)
        if existing is not None:
            return existing, sha, False
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("LOCK TABLE index_versions IN EXCLUSIVE MODE")
            version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM index_versions").fetchone()[0]
            cur.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type) "
                        "VALUES (%s, %s, %s, %s, %s)",
                        (version, freeze_id, encoder_id.model_dump_json(), encoder_id.dim, vtype))
            cur.execute("SELECT nummus_create_index(%s, %s, %s)", (version, encoder_id.dim, vtype))
            _copy_coins(cur, freeze_id, metadata)
            _copy_vectors(cur, f"index_v{version}", vtype, coin_ids, _periods(metadata, coin_ids), obv, rev, pair)
            cur.execute("UPDATE index_versions SET rows = %s, content_sha256 = %s WHERE version = %s",
                        (len(coin_ids), sha, version))
            cur.execute("SELECT nummus_seal_index(%s)", (version,))
            _search_structures(cur, version, vtype)
            if serve:
                cur.execute("SELECT nummus_serve(%s)", (version,))
        return version, sha, True


def serving(conn: psycopg.Connection) -> tuple[int, EncoderId, str] | None:
    """(version, encoder_id, vector_type) of the serving index, or None."""
    row = conn.execute("SELECT version, encoder_id, vector_type FROM index_versions WHERE state = 'serving'"
                       ).fetchone()
    if not row:
        return None
    enc = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return row[0], EncoderId.model_validate(enc), row[2]


def indexed_coin_ids(conn: psycopg.Connection, version: int) -> set[int]:
    rows = conn.execute(f"SELECT coin_id FROM index_v{version} UNION ALL SELECT coin_id FROM delta_v{version + 1}"
                        ).fetchall()
    return {r[0] for r in rows}


def append_delta(settings: Settings, *, version: int, vtype: str, freeze_id: str, coin_ids: np.ndarray,
                 obv: np.ndarray, rev: np.ndarray, pair: np.ndarray, metadata: list[tuple]) -> int:
    """Append coins to delta_v{version+1} (skipping those already in the index or the delta),
    with their `coins` metadata, in one transaction. Returns the rows added."""
    delta = f"delta_v{version + 1}"
    with postgres.session(settings, autocommit=True) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE _delta_in (LIKE {delta}) ON COMMIT DROP")
        present = {r[0] for r in cur.execute(f"SELECT coin_id FROM index_v{version}").fetchall()}
        keep = np.array([int(c) not in present for c in coin_ids], dtype=bool)
        wanted = {int(c) for c in coin_ids[keep]}
        meta = [row for row in metadata if row[0] in wanted]
        _copy_coins(cur, freeze_id, meta)
        _copy_vectors(cur, "_delta_in", vtype, coin_ids[keep], _periods(meta, coin_ids[keep]),
                      obv[keep], rev[keep], pair[keep])
        cur.execute(f"INSERT INTO {delta} SELECT * FROM _delta_in ORDER BY coin_id ON CONFLICT (coin_id) DO NOTHING")
        return cur.rowcount


def _fetch_vectors(cur: psycopg.Cursor, table: str) -> tuple[np.ndarray, list, np.ndarray, np.ndarray, np.ndarray]:
    rows = cur.execute(f"SELECT coin_id, period, obv, rev, pair FROM {table} ORDER BY coin_id").fetchall()
    if not rows:
        return np.zeros(0, np.int64), [], *(np.zeros((0, 0), np.float32),) * 3
    ids = np.array([r[0] for r in rows], np.int64)
    mats = [np.stack([r[k].to_numpy() for r in rows]) for k in (2, 3, 4)]
    return ids, [r[1] for r in rows], *mats


class MergeResult(BaseModel):
    merged: bool
    reason: str
    from_version: int | None = None
    version: int | None = None
    index_rows: int = 0
    delta_rows: int = 0
    rows: int = 0
    content_sha256: str | None = None


def merge(settings: Settings, *, force: bool = False, threshold: float = MERGE_THRESHOLD) -> MergeResult:
    """index_v{N+1} = index_vN ∪ delta_v{N+1}: built, hashed, sealed and served in one transaction."""
    with postgres.session(settings, autocommit=True) as conn:
        current = serving(conn)
        if current is None:
            return MergeResult(merged=False, reason="no serving index version")
        n, encoder_id, vtype = current
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("LOCK TABLE index_versions IN EXCLUSIVE MODE")
            index_rows = cur.execute(f"SELECT count(*) FROM index_v{n}").fetchone()[0]
            delta_rows = cur.execute(f"SELECT count(*) FROM delta_v{n + 1}").fetchone()[0]
            base = MergeResult(merged=False, reason="", from_version=n, index_rows=index_rows, delta_rows=delta_rows)
            if delta_rows == 0:
                return base.model_copy(update={"reason": "the delta is empty"})
            share = delta_rows / max(index_rows, 1)
            if share <= threshold and not force:
                return base.model_copy(update={"reason": f"delta is {share:.1%} of the index "
                                                         f"(merges above {threshold:.0%}; --force to merge now)"})
            new = n + 1
            cur.execute("SELECT freeze_id FROM index_versions WHERE version = %s", (n,))
            freeze_id = cur.fetchone()[0]
            cur.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type, parent_version) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        (new, freeze_id, encoder_id.model_dump_json(), encoder_id.dim, vtype, n))
            cur.execute("SELECT nummus_create_index(%s, %s, %s)", (new, encoder_id.dim, vtype))
            cur.execute(f"INSERT INTO index_v{new} SELECT coin_id, period, obv, rev, pair FROM "
                        f"(SELECT * FROM index_v{n} UNION ALL SELECT * FROM delta_v{n + 1}) u ORDER BY coin_id")
            ids, _, obv, rev, pair = _fetch_vectors(cur, f"index_v{new}")
            sha = content_sha256(ids, obv, rev, pair, vtype)
            cur.execute("UPDATE index_versions SET rows = %s, content_sha256 = %s WHERE version = %s",
                        (len(ids), sha, new))
            cur.execute("SELECT nummus_seal_index(%s)", (new,))
            _search_structures(cur, new, vtype)
            cur.execute("SELECT nummus_serve(%s)", (new,))
        return base.model_copy(update={"merged": True, "reason": f"delta {share:.1%} of the index",
                                       "version": new, "rows": len(ids), "content_sha256": sha})


def verify(settings: Settings, version: int) -> bool:
    """Recompute index_vN's content hash from the rows in PostgreSQL and compare with the registry."""
    ids, _, obv, rev, pair = read_version(settings, version)
    with postgres.session(settings, autocommit=True) as conn:
        stored, vtype = conn.execute("SELECT content_sha256, vector_type FROM index_versions WHERE version = %s",
                                     (version,)).fetchone()
    return stored == content_sha256(ids, obv, rev, pair, vtype)


def status(settings: Settings, *, verify_content: bool = False) -> list[IndexVersion]:
    """Every index version with its delta size; verify_content recomputes each content hash."""
    with postgres.session(settings, autocommit=True) as conn:
        rows = conn.execute("SELECT version, freeze_id, encoder_id, dim, vector_type, rows, content_sha256, "
                            "parent_version, state, created_at, sealed_at FROM index_versions ORDER BY version"
                            ).fetchall()
        out = []
        for r in rows:
            enc = r[2] if isinstance(r[2], dict) else json.loads(r[2])
            delta = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"delta_v{r[0] + 1}",)).fetchone()[0]
            delta_rows = conn.execute(f"SELECT count(*) FROM delta_v{r[0] + 1}").fetchone()[0] if delta else 0
            out.append(IndexVersion(version=r[0], freeze_id=r[1], encoder=enc.get("spec", enc.get("model", "?")),
                                    dim=r[3], vector_type=r[4], rows=r[5], delta_rows=delta_rows,
                                    content_sha256=r[6], parent_version=r[7], state=r[8],
                                    created_at=r[9].isoformat(), sealed_at=r[10].isoformat() if r[10] else None))
    if verify_content:
        for v in out:
            v.content_verified = verify(settings, v.version) if v.state != "building" else None
    return out


def read_version(settings: Settings, version: int, *, table: str | None = None):
    """(coin_ids, periods, obv, rev, pair) of index_vN (float32), in coin_id order."""
    with postgres.session(settings, autocommit=True) as conn, conn.cursor() as cur:
        exists = cur.execute("SELECT 1 FROM index_versions WHERE version = %s", (version,)).fetchone()
        if not exists:
            raise NummusError(f"no index version {version} (see `nummus index status`)")
        ids, periods, obv, rev, pair = _fetch_vectors(cur, table or f"index_v{version}")
    return ids, periods, *(m.astype(np.float32) for m in (obv, rev, pair))
