"""Search structures for a sealed index version (the embed step calls `prepare` after
`nummus_seal_index(N)` and before `nummus_serve(N)`)."""

from __future__ import annotations

import psycopg
from psycopg import sql

EXACT_MAX = 500           # filtered sets up to this many rows are scanned exactly (sql/README.md)
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128


def prepare(conn: psycopg.Connection, version: int, *, exact_max: int = EXACT_MAX, m: int = HNSW_M,
            ef_construction: int = HNSW_EF_CONSTRUCTION) -> list[tuple]:
    """Build the btree, HNSW and per-period partial HNSW indexes of index_v{version} (and its
    delta), count rows per period, then VACUUM ANALYZE. Idempotent. Commits.
    Returns [(period, rows, partial_hnsw), …]."""
    rows = conn.execute("SELECT * FROM nummus_prepare_search(%s, %s, %s, %s)",
                        (version, exact_max, m, ef_construction)).fetchall()
    conn.commit()
    autocommit = conn.autocommit
    conn.autocommit = True
    try:  # the visibility map lets the period count run as an index-only scan
        for table in (f"index_v{int(version)}", f"delta_v{int(version) + 1}"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    finally:
        conn.autocommit = autocommit
    return rows


def watch_index_builds(url: str, report, stop, every: float = 1.0) -> None:
    """Until `stop` (a threading.Event) is set: report(phase, done, total) of the index build
    running in that database (pg_stat_progress_create_index), for progress displays."""
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.wait(every):
            row = conn.execute("SELECT phase, blocks_done, blocks_total FROM pg_stat_progress_create_index"
                               " WHERE datname = current_database() LIMIT 1").fetchone()
            if row:
                report(*row)
