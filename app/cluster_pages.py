"""The cluster pages of app2 (issue 9): the clusters grid, one cluster, the 2-D map image and
the audit queue. The data and templates live with the clustering step (`embed/cluster/pages.py`);
this router serves them over a read-only connection, in a worker thread."""

from __future__ import annotations

from html import escape

import psycopg
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from nummus.errors import NummusError

router = APIRouter(include_in_schema=False)


def _call(request: Request, function, *args):
    with psycopg.connect(request.app.state.database_url, autocommit=True,
                         options="-c default_transaction_read_only=on -c statement_timeout=30000") as conn:
        return function(conn, *args)


async def _page(request: Request, template: str, function, *args) -> HTMLResponse:
    from nummus.embed.cluster import pages

    try:
        data = await run_in_threadpool(_call, request, function, *args)
    except (NummusError, psycopg.errors.UndefinedTable) as exc:
        message = str(exc) if isinstance(exc, NummusError) else "no clustering has run yet: run `nummus cluster`"
        return HTMLResponse(f"<!doctype html><title>nummus · clusters</title><p>{escape(message)}</p>"
                            '<p><a href="/">search</a></p>', status_code=404)
    return HTMLResponse(pages.render(template, **data))


@router.get("/clusters", response_class=HTMLResponse)
async def clusters(request: Request):
    from nummus.embed.cluster.pages import clusters_page

    return await _page(request, "clusters.html", clusters_page)


@router.get("/clusters/map.png")
async def cluster_map(request: Request):
    from nummus.embed.cluster.pages import map_png

    try:
        png = await run_in_threadpool(_call, request, map_png)
    except (NummusError, psycopg.errors.UndefinedTable):
        return Response(status_code=404)
    return Response(png, media_type="image/png")


@router.get("/clusters/{cluster}", response_class=HTMLResponse)
async def cluster(request: Request, cluster: int = Path(ge=-1, le=1_000_000)):
    from nummus.embed.cluster.pages import cluster_page

    return await _page(request, "cluster.html", cluster_page, cluster)


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request):
    from nummus.embed.cluster.pages import audit_page

    return await _page(request, "audit.html", audit_page)
