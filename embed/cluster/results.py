"""What a clustering run found, read back for the app's cluster pages and `nummus audit`: the
clusters with a few sample coins, one cluster's members, the audit queue, the 2-D layout.

Data only: dicts of column values (crops as object-store keys, not URLs) and a `Layout` of
arrays; rendering is the app's (app/cluster_pages.py) and drawing the map is `map_image`'s.
Every function reads the active run unless a run is named, over any psycopg AsyncConnection
(the app's read-only pool; the CLI opens one the same way)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from nummus.embed.cluster import store
from nummus.errors import NummusError


async def _rows(conn: AsyncConnection, sql: str, params: tuple = ()) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, params)
        return await cur.fetchall()


async def run(conn: AsyncConnection, run_id: int) -> dict:
    rows = await _rows(conn, store.RUN_SQL, (run_id,))
    if not rows:
        raise NummusError(f"no cluster run {run_id}")
    return rows[0]


async def run_or_active(conn: AsyncConnection, run_id: int | None) -> dict:
    """The named run, else the active one (an error when there is none)."""
    if run_id is None:
        active = await _rows(conn, store.ACTIVE_SQL)
        if not active:
            raise NummusError("no active cluster run: run `nummus cluster` (or `nummus cluster activate N`)")
        run_id = active[0]["run_id"]
    return await run(conn, run_id)


async def clusters(conn: AsyncConnection, run_id: int | None = None, *, samples: int = 6) -> dict:
    """{"run", "noise" (coins left as noise), "clusters": [{cluster, size, labelled, dominant_period,
    purity, pure, samples: [{coin_id, title, obv_small_key}]}]}, largest cluster first."""
    the_run = await run_or_active(conn, run_id)
    run_id = the_run["run_id"]
    rows = await _rows(conn, "SELECT cluster, size, labelled, dominant_period, purity, pure FROM cluster_summaries "
                             "WHERE run_id = %s AND cluster >= 0 ORDER BY size DESC, cluster", (run_id,))
    picks = await _rows(conn, (
        "SELECT cluster, coin_id, title, obv_small_key FROM ("
        " SELECT a.cluster, a.coin_id, c.title, c.obv_small_key,"
        "  row_number() OVER (PARTITION BY a.cluster ORDER BY a.probability DESC NULLS LAST, a.coin_id) AS r"
        " FROM cluster_assignments a JOIN coins c USING (coin_id)"
        " WHERE a.run_id = %s AND a.cluster >= 0 AND a.method = 'hdbscan') s WHERE r <= %s"), (run_id, samples))
    by_cluster: dict[int, list[dict]] = {}
    for p in picks:
        by_cluster.setdefault(p.pop("cluster"), []).append(p)
    noise = await _rows(conn, "SELECT size FROM cluster_summaries WHERE run_id = %s AND cluster = -1", (run_id,))
    return {"run": the_run, "noise": noise[0]["size"] if noise else 0,
            "clusters": [{**r, "samples": by_cluster.get(r["cluster"], [])} for r in rows]}


async def cluster(conn: AsyncConnection, cluster: int, run_id: int | None = None, *, limit: int = 200) -> dict:
    """{"run_id", "summary": {cluster, size, labelled, dominant_period, purity, pure, periods},
    "members": [{coin_id, probability, method, title, period, denomination, house, lot_url,
    obv_small_key, rev_small_key, flagged (in the audit queue)}]}, most certain member first."""
    run_id = (await run_or_active(conn, run_id))["run_id"]
    summary = await _rows(conn, "SELECT cluster, size, labelled, dominant_period, purity, pure, periods "
                                "FROM cluster_summaries WHERE run_id = %s AND cluster = %s", (run_id, cluster))
    if not summary:
        raise NummusError(f"cluster run {run_id} has no cluster {cluster}")
    members = await _rows(conn, (
        "SELECT a.coin_id, a.probability, a.method, c.title, c.period, c.denomination, c.house, c.lot_url,"
        " c.obv_small_key, c.rev_small_key, (q.coin_id IS NOT NULL) AS flagged"
        " FROM cluster_assignments a JOIN coins c USING (coin_id)"
        " LEFT JOIN (SELECT DISTINCT coin_id FROM audit_queue WHERE run_id = %s) q USING (coin_id)"
        " WHERE a.run_id = %s AND a.cluster = %s ORDER BY a.probability DESC NULLS LAST, a.coin_id LIMIT %s"),
        (run_id, run_id, cluster, limit))
    return {"run_id": run_id, "summary": summary[0], "members": members}


async def audit_queue(conn: AsyncConnection, run_id: int | None = None, *, limit: int | None = 50) -> dict:
    """{"run_id", "total", "rows": [{coin_id, reason, period, suggested_period, cluster, purity,
    confidence, title, house, lot_url, obv_small_key}]}, most confident first."""
    run_id = (await run_or_active(conn, run_id))["run_id"]
    total = await _rows(conn, "SELECT count(*) AS n FROM audit_queue WHERE run_id = %s", (run_id,))
    rows = await _rows(conn, (
        "SELECT a.coin_id, a.reason, a.period, a.suggested_period, a.cluster, a.purity, a.confidence, "
        "c.title, c.house, c.lot_url, c.obv_small_key FROM audit_queue a JOIN coins c USING (coin_id) "
        "WHERE a.run_id = %s ORDER BY a.confidence DESC NULLS LAST, a.coin_id LIMIT %s"), (run_id, limit))
    return {"run_id": run_id, "total": total[0]["n"], "rows": rows}


@dataclass
class Layout:
    """A run's 2-D layout: one point per coin (coin_id order), its period ("(none)" when unknown)
    and whether it stayed noise."""

    run_id: int
    xy: np.ndarray          # float32 (n, 2)
    periods: list[str]
    noise: np.ndarray       # bool (n,)


async def layout(conn: AsyncConnection, run_id: int | None = None, *, max_points: int = 200_000) -> Layout:
    run_id = (await run_or_active(conn, run_id))["run_id"]
    rows = await _rows(conn, (
        "SELECT a.x, a.y, coalesce(c.period, '(none)') AS period, a.cluster FROM cluster_assignments a "
        "JOIN coins c USING (coin_id) WHERE a.run_id = %s ORDER BY a.coin_id LIMIT %s"), (run_id, max_points))
    return Layout(run_id=run_id, xy=np.array([(r["x"], r["y"]) for r in rows], dtype=np.float32).reshape(-1, 2),
                  periods=[r["period"] for r in rows], noise=np.array([r["cluster"] < 0 for r in rows], dtype=bool))
