"""PostgreSQL side of clustering (schema: migrations/versions/0005_cluster.py): read the
vectors of an index version, create a run, write its results in one transaction, choose the
active run, list runs (reading a run's results back: `results`).

Reading takes one short snapshot of index_vN ∪ delta_vN+1 (ACCESS SHARE only, committed at
once); all the computing happens outside any transaction; writing touches only the cluster
tables, which search never reads — so a run never makes search wait."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass

import numpy as np
import psycopg

from nummus.errors import NummusError


@dataclass
class IndexVectors:
    version: int
    coin_ids: np.ndarray       # int64
    periods: list[str | None]
    vectors: np.ndarray        # float32 (n, dim)


def resolve_version(conn: psycopg.Connection, version: int | None) -> int:
    """The given version (it must exist and be sealed or serving), else the serving one."""
    if version is None:
        row = conn.execute("SELECT version FROM index_versions WHERE state = 'serving'").fetchone()
        if row is None:
            row = conn.execute("SELECT max(version) FROM index_versions WHERE state IN ('sealed', 'serving')"
                               ).fetchone()
        if row is None or row[0] is None:
            raise NummusError("no sealed index version to cluster: load one first (`nummus embed` / `nummus index`)")
        return int(row[0])
    row = conn.execute("SELECT state FROM index_versions WHERE version = %s", (version,)).fetchone()
    if row is None:
        raise NummusError(f"no index version {version}")
    if row[0] not in ("sealed", "serving"):
        raise NummusError(f"index version {version} is {row[0]}; only sealed versions are clustered")
    return version


def read_vectors(conn: psycopg.Connection, version: int, vector: str) -> IndexVectors:
    """index_vN ∪ delta_vN+1 (what serving that version shows), in coin_id order."""
    if vector not in ("pair", "obv", "rev"):
        raise NummusError(f"--vector must be pair, obv or rev, not {vector!r}")
    with conn.transaction():
        delta = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"delta_v{version + 1}",)).fetchone()[0]
        union = f" UNION ALL SELECT coin_id, period, {vector} FROM delta_v{version + 1}" if delta else ""
        with conn.cursor(binary=True) as cur:
            rows = cur.execute(f"SELECT coin_id, period, {vector} FROM index_v{version}{union} ORDER BY 1"
                               ).fetchall()
    if not rows:
        return IndexVectors(version, np.zeros(0, np.int64), [], np.zeros((0, 0), np.float32))
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    mat = np.stack([r[2].to_numpy() for r in rows]).astype(np.float32)
    return IndexVectors(version, ids, [r[1] for r in rows], mat)


def create_run(conn: psycopg.Connection, *, version: int, vector: str, backend: str, params: dict,
               versions: dict) -> int:
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO cluster_runs (index_version, vector, backend, params, versions, host, pid) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING run_id",
            (version, vector, backend, json.dumps(params), json.dumps(versions), socket.gethostname(),
             os.getpid())).fetchone()
    return int(row[0])


def resumable_run(conn: psycopg.Connection, *, version: int, vector: str, params: dict) -> int | None:
    """A `running` run of the same index, vector and parameters whose process is gone
    (killed): the new process takes it over and reuses its cached stages."""
    rows = conn.execute(
        "SELECT run_id, host, pid FROM cluster_runs WHERE state = 'running' AND index_version = %s "
        "AND vector = %s AND params = %s::jsonb ORDER BY run_id DESC",
        (version, vector, json.dumps(params))).fetchall()
    for run_id, host, pid in rows:
        if host == socket.gethostname() and pid and _alive(pid):
            continue
        with conn.transaction():
            conn.execute("UPDATE cluster_runs SET pid = %s, host = %s WHERE run_id = %s",
                         (os.getpid(), socket.gethostname(), run_id))
        return int(run_id)
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_run(conn: psycopg.Connection, run_id: int, error: str) -> None:
    with conn.transaction():
        conn.execute("UPDATE cluster_runs SET state = 'failed', error = %s, finished_at = now() "
                     "WHERE run_id = %s AND state = 'running'", (error[:2000], run_id))


def write_results(conn: psycopg.Connection, run_id: int, *, coin_ids: np.ndarray, labels: np.ndarray,
                  probability: np.ndarray, method: np.ndarray, xy: np.ndarray, summaries: list[dict],
                  audit: list[dict], timings: dict, stats: dict) -> None:
    """Everything of a finished run in one transaction (binary COPY), then state = done."""
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy("COPY cluster_assignments (run_id, coin_id, cluster, probability, method, x, y) "
                      "FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int8", "int4", "float4", "text", "float4", "float4"])
            for i in range(len(coin_ids)):
                copy.write_row((run_id, int(coin_ids[i]), int(labels[i]), float(probability[i]),
                                str(method[i]), float(xy[i, 0]), float(xy[i, 1])))
        cur.executemany(
            "INSERT INTO cluster_summaries (run_id, cluster, size, labelled, dominant_period, purity, pure, periods) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(run_id, s["cluster"], s["size"], s["labelled"], s["dominant_period"], s["purity"], s["pure"],
              json.dumps(s["periods"])) for s in summaries])
        cur.executemany(
            "INSERT INTO audit_queue (run_id, coin_id, reason, period, suggested_period, cluster, purity, confidence) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(run_id, a["coin_id"], a["reason"], a["period"], a["suggested_period"], a["cluster"],
              a["purity"], a["confidence"]) for a in audit])
        cur.execute(
            "UPDATE cluster_runs SET state = 'done', finished_at = now(), timings = %s, stats = %s, "
            "n_coins = %s, n_clusters = %s, noise_share = %s WHERE run_id = %s",
            (json.dumps(timings), json.dumps(stats), stats["n_coins"], stats["n_clusters"],
             stats["noise_share"], run_id))


def activate(conn: psycopg.Connection, run_id: int) -> None:
    try:
        with conn.transaction():
            conn.execute("SELECT nummus_activate_cluster_run(%s)", (run_id,))
    except psycopg.errors.RaiseException as exc:
        raise NummusError(str(exc).splitlines()[0]) from exc


RUN_COLUMNS = ("run_id", "index_version", "vector", "state", "backend", "n_coins", "n_clusters",
               "noise_share", "params", "timings", "stats", "versions", "error", "started_at", "finished_at")
RUN_SQL = f"SELECT {', '.join(RUN_COLUMNS)} FROM cluster_runs WHERE run_id = %s"
ACTIVE_SQL = "SELECT run_id FROM cluster_active"


def active_run(conn: psycopg.Connection) -> int | None:
    row = conn.execute(ACTIVE_SQL).fetchone()
    return int(row[0]) if row else None


def list_runs(conn: psycopg.Connection) -> list[dict]:
    rows = conn.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM cluster_runs ORDER BY run_id").fetchall()
    return [dict(zip(RUN_COLUMNS, r)) for r in rows]
