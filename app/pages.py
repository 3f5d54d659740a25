"""The HTML pages (server-rendered with jinja2): upload, results, coin, stats. `templates` is the
app's one template set (templates/, one base.html; the cluster pages use it too)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from nummus.app.api import CoinId, filters_or_422, get_encoder, get_service, read_upload
from nummus.app.queries import OTHER_SALES_MIN_COSINE
from nummus.app.query_image import QueryEncoder
from nummus.app.service import BadQuery, NoIndex, NotFound, SearchService, crop_url
from nummus.app.upload import UploadRejected

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
templates.env.filters["crop_url"] = crop_url  # an object-store key → the app's /crops/… URL
router = APIRouter(include_in_schema=False)


async def _choices(service: SearchService) -> dict:
    try:
        return {"periods": await service.periods(), "denominations": await service.denominations()}
    except Exception:  # noqa: BLE001 - the form still works without the lists
        return {"periods": [], "denominations": []}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, service: Annotated[SearchService, Depends(get_service)]):
    return templates.TemplateResponse(request, "index.html", {**await _choices(service), "form": {}})


@router.post("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    service: Annotated[SearchService, Depends(get_service)],
    image: Annotated[UploadFile, File()],
    side: Annotated[str, Form()] = "auto",
    k: Annotated[int, Form(ge=1, le=100)] = 12,
    period: Annotated[str | None, Form()] = None,
    denomination: Annotated[str | None, Form()] = None,
    encoder: QueryEncoder = Depends(get_encoder),
):
    form = {"side": side, "k": k, "period": period or "", "denomination": denomination or ""}
    choices = await _choices(service)
    try:
        if side not in ("auto", "obv", "rev"):
            raise UploadRejected("bad_side", "side must be auto, obv or rev", 422)
        filters = filters_or_422(period=period, denomination=denomination)
        data = await read_upload(image)
        result = await service.search_upload(data, encoder, side=side, k=k, filters=filters)
    except UploadRejected as exc:
        return templates.TemplateResponse(request, "index.html", {**choices, "form": form, "error": exc.message},
                                          status_code=exc.status)
    except RequestValidationError as exc:
        msg = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return templates.TemplateResponse(request, "index.html", {**choices, "form": form, "error": msg},
                                          status_code=422)
    except NoIndex as exc:
        return error_page(request, 503, str(exc))
    except BadQuery as exc:
        return error_page(request, 422, str(exc))
    return templates.TemplateResponse(request, "results.html", {**choices, "form": form, "r": result})


@router.get("/coins/{coin_id}", response_class=HTMLResponse)
async def coin_page(request: Request, coin_id: CoinId, service: Annotated[SearchService, Depends(get_service)]):
    try:
        coin = await service.coin(coin_id)
    except NotFound as exc:
        return error_page(request, 404, str(exc))
    neighbours, other_sales, note = [], [], None
    try:
        neighbours = (await service.similar(coin_id, k=12))["results"]
        other_sales = await service.other_sales(coin_id)
    except (NotFound, NoIndex) as exc:
        note = str(exc)
    return templates.TemplateResponse(request, "coin.html", {"coin": coin, "neighbours": neighbours,
                                                             "other_sales": other_sales, "note": note,
                                                             "min_cosine": OTHER_SALES_MIN_COSINE})


@router.get("/stats", response_class=HTMLResponse)
async def stats_page(request: Request, service: Annotated[SearchService, Depends(get_service)]):
    stats = await service.stats()
    return templates.TemplateResponse(request, "stats.html", {"s": stats})
