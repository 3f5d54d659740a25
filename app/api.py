"""The JSON API: /api/search, /api/coins/{coin_id}, /api/coins/{coin_id}/similar, /api/stats,
/healthz, and the crops route that streams objects from the store."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import ValidationError

from nummus.app.filters import SearchFilters
from nummus.app.models import CoinDetail, SearchResponse, SimilarResponse, Stats
from nummus.app.query_image import QueryEncoder
from nummus.app.service import SearchService
from nummus.app.upload import MAX_BYTES, UploadRejected, check_upload

router = APIRouter()
CoinId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the coin's id")]
K = Annotated[int, Query(ge=1, le=100)]


def get_service(request: Request) -> SearchService:
    return request.app.state.service


async def get_encoder(service: Annotated[SearchService, Depends(get_service)]) -> QueryEncoder:
    """The encoder of the serving index (tests override this dependency with a small one)."""
    return await service.encoder_for_serving()


def filters_or_422(**values) -> SearchFilters:
    try:
        return SearchFilters(**values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from exc


def query_filters(period: str | None = None, denomination: str | None = None, house: str | None = None,
                  price_min: float | None = None, price_max: float | None = None,
                  sold_from: str | None = None, sold_to: str | None = None) -> SearchFilters:
    return filters_or_422(period=period, denomination=denomination, house=house, price_min=price_min,
                          price_max=price_max, sold_from=sold_from, sold_to=sold_to)


async def read_upload(image: UploadFile) -> bytes:
    data = await image.read(MAX_BYTES + 1)
    check_upload(data)
    return data


@router.post("/api/search", response_model=SearchResponse, tags=["search"],
             responses={400: {"description": "not an image (PDF, HTML, corrupt)"},
                        413: {"description": "too large"}, 422: {"description": "bad filter value"}})
async def api_search(
    service: Annotated[SearchService, Depends(get_service)],
    image: Annotated[UploadFile, File(description="lot photo (both sides), one side, or a crop")],
    side: Annotated[Literal["auto", "obv", "rev"], Form()] = "auto",
    k: Annotated[int, Form(ge=1, le=100)] = 10,
    period: Annotated[str | None, Form()] = None,
    denomination: Annotated[str | None, Form()] = None,
    house: Annotated[str | None, Form()] = None,
    price_min: Annotated[float | None, Form()] = None,
    price_max: Annotated[float | None, Form()] = None,
    sold_from: Annotated[str | None, Form()] = None,
    sold_to: Annotated[str | None, Form()] = None,
    encoder: QueryEncoder = Depends(get_encoder),
):
    """Split the photo, encode each side, answer with the k most similar coins."""
    filters = filters_or_422(period=period, denomination=denomination, house=house, price_min=price_min,
                             price_max=price_max, sold_from=sold_from, sold_to=sold_to)
    data = await read_upload(image)
    return await service.search_upload(data, encoder, side=side, k=k, filters=filters)


@router.get("/api/coins/{coin_id}", response_model=CoinDetail, tags=["coins"])
async def api_coin(coin_id: CoinId, service: Annotated[SearchService, Depends(get_service)]):
    return await service.coin(coin_id)


@router.get("/api/coins/{coin_id}/similar", response_model=SimilarResponse, tags=["coins"])
async def api_similar(coin_id: CoinId, service: Annotated[SearchService, Depends(get_service)],
                      filters: Annotated[SearchFilters, Depends(query_filters)],
                      side: Literal["pair", "obv", "rev"] = "pair", k: K = 10):
    """More like this coin (the coin itself left out)."""
    return await service.similar(coin_id, side=side, k=k, filters=filters)


@router.get("/api/stats", response_model=Stats, tags=["stats"])
async def api_stats(service: Annotated[SearchService, Depends(get_service)]):
    return await service.stats()


@router.get("/healthz", tags=["health"])
async def healthz(service: Annotated[SearchService, Depends(get_service)]):
    rows = await service._fetch("SELECT 1 AS ok")
    try:
        serving = (await service.serving())["version"]
    except Exception:  # noqa: BLE001 - healthy without an index, just not searchable
        serving = None
    return {"ok": rows[0]["ok"] == 1, "serving_version": serving}


@router.get("/crops/{key:path}", tags=["crops"], response_class=StreamingResponse)
async def crop(key: str, request: Request):
    """A crop image from the object store (only keys under crops/)."""
    store = request.app.state.store
    if not key.startswith("crops/") or ".." in key.split("/"):
        raise HTTPException(404, "no such crop")
    media = mimetypes.guess_type(key)[0] or "application/octet-stream"
    headers = {"Cache-Control": "public, max-age=86400"}
    local = store.local_path(key)
    if local is not None:
        import os

        if not os.path.isfile(local):
            raise HTTPException(404, "no such crop")
        return FileResponse(local, media_type=media, headers=headers)
    if not store.exists(key):
        raise HTTPException(404, "no such crop")

    def chunks():
        with store.fs.open(store._full(key), "rb") as fh:
            while block := fh.read(1 << 16):
                yield block

    return StreamingResponse(chunks(), media_type=media, headers=headers)


def register_errors(app) -> None:
    from fastapi.responses import JSONResponse

    from nummus.app.service import BadQuery, NoIndex, NotFound
    from nummus.errors import NummusError

    def handler(status: int):
        async def handle(request, exc):
            body = {"detail": getattr(exc, "message", None) or str(exc)}
            code = exc.status if isinstance(exc, UploadRejected) else status
            if not request.url.path.startswith(("/api/", "/healthz", "/crops/")):  # a page: an HTML answer
                from nummus.app.pages import templates

                return templates.TemplateResponse(request, "error.html", {"status": code, "message": body["detail"]},
                                                  status_code=code)
            if isinstance(exc, UploadRejected):
                body["reason"] = exc.reason
            return JSONResponse(body, status_code=code)
        return handle

    # most specific first: NotFound, BadQuery and NoIndex are NummusErrors too
    for exc_class, status in ((UploadRejected, 400), (NotFound, 404), (BadQuery, 422), (NoIndex, 503),
                              (NummusError, 503)):
        app.add_exception_handler(exc_class, handler(status))
