"""Data and HTML for the app's cluster pages (the app mounts them; see `ROUTES`):
a grid of clusters with sample crops, size and purity; one cluster's members; the 2-D map
image coloured by period; the audit queue. Every function reads the active run unless a run
is named, over a read-only connection."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import psycopg

from nummus.embed.cluster import store
from nummus.errors import NummusError

ROUTES = {
    "/clusters": "clusters_page → clusters.html",
    "/clusters/map.png": "map_png (image/png)",
    "/clusters/{cluster}": "cluster_page → cluster.html",
    "/audit": "audit_page → audit.html",
}
TEMPLATES = Path(__file__).resolve().parent / "templates"


def crop_url(key: str | None) -> str | None:
    """The app's crops route (app/api.py: /crops/{key})."""
    return f"/crops/{quote(key)}" if key else None


def _run_id(conn: psycopg.Connection, run_id: int | None) -> int:
    if run_id is not None:
        store.get_run(conn, run_id)
        return run_id
    active = store.active_run(conn)
    if active is None:
        raise NummusError("no active cluster run: run `nummus cluster` (or `nummus cluster activate N`)")
    return active


def clusters_page(conn: psycopg.Connection, run_id: int | None = None, *, samples: int = 6,
                  url: Callable[[str | None], str | None] = crop_url) -> dict:
    run_id = _run_id(conn, run_id)
    rows = conn.execute(
        "SELECT cluster, size, labelled, dominant_period, purity, pure FROM cluster_summaries "
        "WHERE run_id = %s AND cluster >= 0 ORDER BY size DESC, cluster", (run_id,)).fetchall()
    picks = conn.execute(
        "SELECT cluster, coin_id, title, obv_small_key FROM ("
        " SELECT a.cluster, a.coin_id, c.title, c.obv_small_key,"
        "  row_number() OVER (PARTITION BY a.cluster ORDER BY a.probability DESC NULLS LAST, a.coin_id) AS r"
        " FROM cluster_assignments a JOIN coins c USING (coin_id)"
        " WHERE a.run_id = %s AND a.cluster >= 0 AND a.method = 'hdbscan') s WHERE r <= %s",
        (run_id, samples)).fetchall()
    by_cluster: dict[int, list[dict]] = {}
    for cluster, coin_id, title, key in picks:
        by_cluster.setdefault(cluster, []).append({"coin_id": coin_id, "title": title, "image_url": url(key)})
    noise = conn.execute("SELECT size FROM cluster_summaries WHERE run_id = %s AND cluster = -1",
                         (run_id,)).fetchone()
    return {"run": store.get_run(conn, run_id), "noise": noise[0] if noise else 0,
            "clusters": [{"cluster": r[0], "size": r[1], "labelled": r[2], "dominant_period": r[3],
                          "purity": r[4], "pure": r[5], "samples": by_cluster.get(r[0], [])} for r in rows]}


def cluster_page(conn: psycopg.Connection, cluster: int, run_id: int | None = None, *, limit: int = 200,
                 url: Callable[[str | None], str | None] = crop_url) -> dict:
    run_id = _run_id(conn, run_id)
    summary = conn.execute(
        "SELECT cluster, size, labelled, dominant_period, purity, pure, periods FROM cluster_summaries "
        "WHERE run_id = %s AND cluster = %s", (run_id, cluster)).fetchone()
    if summary is None:
        raise NummusError(f"cluster run {run_id} has no cluster {cluster}")
    members = conn.execute(
        "SELECT a.coin_id, a.probability, a.method, c.title, c.period, c.denomination, c.house, c.lot_url,"
        " c.obv_small_key, c.rev_small_key, (q.coin_id IS NOT NULL) AS flagged"
        " FROM cluster_assignments a JOIN coins c USING (coin_id)"
        " LEFT JOIN (SELECT DISTINCT coin_id FROM audit_queue WHERE run_id = %s) q USING (coin_id)"
        " WHERE a.run_id = %s AND a.cluster = %s ORDER BY a.probability DESC NULLS LAST, a.coin_id LIMIT %s",
        (run_id, run_id, cluster, limit)).fetchall()
    keys = ("coin_id", "probability", "method", "title", "period", "denomination", "house", "lot_url")
    return {"run_id": run_id,
            "summary": dict(zip(("cluster", "size", "labelled", "dominant_period", "purity", "pure", "periods"),
                                summary)),
            "members": [dict(zip(keys, m[:8]), obv_url=url(m[8]), rev_url=url(m[9]), flagged=m[10])
                        for m in members]}


def audit_page(conn: psycopg.Connection, run_id: int | None = None, *, limit: int = 50,
               url: Callable[[str | None], str | None] = crop_url) -> dict:
    run_id = _run_id(conn, run_id)
    total = conn.execute("SELECT count(*) FROM audit_queue WHERE run_id = %s", (run_id,)).fetchone()[0]
    rows = store.audit_rows(conn, run_id, limit=limit)
    for r in rows:
        r["image_url"] = url(r.pop("obv_small_key"))
    return {"run_id": run_id, "total": total, "rows": rows}


def map_png(conn: psycopg.Connection, run_id: int | None = None, *, size: int = 900,
            max_points: int = 200_000) -> bytes:
    """The 2-D layout as a PNG, one colour per period (grey: none); noise drawn smaller."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    run_id = _run_id(conn, run_id)
    rows = conn.execute(
        "SELECT a.x, a.y, coalesce(c.period, '(none)'), a.cluster FROM cluster_assignments a "
        "JOIN coins c USING (coin_id) WHERE a.run_id = %s ORDER BY a.coin_id LIMIT %s",
        (run_id, max_points)).fetchall()
    fig, ax = plt.subplots(figsize=(size / 100, size / 100), dpi=100)
    if rows:
        xy = np.array([(r[0], r[1]) for r in rows], dtype=np.float32)
        periods = np.array([r[2] for r in rows])
        noise = np.array([r[3] < 0 for r in rows])
        names = sorted(set(periods.tolist()), key=lambda p: (p == "(none)", p))
        cmap = plt.get_cmap("tab20")
        dot = max(0.5, min(12.0, 4000 / len(rows)))
        for i, name in enumerate(names):
            m = periods == name
            colour = (0.6, 0.6, 0.6, 0.6) if name == "(none)" else cmap(i % 20)
            ax.scatter(xy[m & ~noise, 0], xy[m & ~noise, 1], s=dot, color=colour, label=name, linewidths=0)
            ax.scatter(xy[m & noise, 0], xy[m & noise, 1], s=dot / 3, color=colour, linewidths=0)
        ax.legend(markerscale=max(1.0, 6 / dot), fontsize=8, loc="best", frameon=False)
    ax.set_title(f"cluster run {run_id}: 2-D layout, coloured by period")
    ax.set_xticks([])
    ax.set_yticks([])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def render(template: str, **context) -> str:
    """HTML of one of templates/*.html (clusters.html, cluster.html, audit.html)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return env.get_template(template).render(**context)
