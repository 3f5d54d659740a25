"""The cluster pages of app2: the clusters grid, one cluster, the 2-D map image and the audit
queue. The clustering step returns the data (`nummus.embed.cluster.results`) and draws the
map (`map_image`); these routes read it over the app's pool (the read-only role) and render
it with the app's templates."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from nummus.app.pages import error_page, templates
from nummus.errors import NummusError

router = APIRouter(include_in_schema=False)
_NOT_YET = "no clustering has run yet: run `nummus cluster`"


async def _read(request: Request, function, *args):
    async with request.app.state.service.pool.connection() as conn:
        return await function(conn, *args)


async def _page(request: Request, template: str, function, *args) -> HTMLResponse:
    try:
        data = await _read(request, function, *args)
    except NummusError as exc:
        return error_page(request, 404, str(exc))
    except psycopg.errors.UndefinedTable:
        return error_page(request, 404, _NOT_YET)
    return templates.TemplateResponse(request, template, data)


@router.get("/clusters", response_class=HTMLResponse)
async def clusters(request: Request):
    from nummus.embed.cluster import results

    return await _page(request, "clusters.html", results.clusters)


@router.get("/clusters/map.png")
async def cluster_map(request: Request):
    from nummus.embed.cluster import map_image, results

    try:
        layout = await _read(request, results.layout)
    except (NummusError, psycopg.errors.UndefinedTable):
        return Response(status_code=404)
    return Response(await run_in_threadpool(map_image.draw, layout), media_type="image/png")


@router.get("/clusters/{cluster}", response_class=HTMLResponse)
async def cluster(request: Request, cluster: int = Path(ge=-1, le=1_000_000)):
    from nummus.embed.cluster import results

    return await _page(request, "cluster.html", results.cluster, cluster)


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request):
    from nummus.embed.cluster import results

    return await _page(request, "audit.html", results.audit_queue)
