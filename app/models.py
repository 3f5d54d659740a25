"""What the API answers (pydantic; also the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class CoinHit(BaseModel):
    coin_id: int
    cosine: float | None = Field(None, description="cosine similarity to the query (1 = identical)")
    period: str | None = None
    denomination: str | None = None
    ruler: str | None = None
    mint: str | None = None
    metal: str | None = None
    house: str | None = None
    sale: str | None = None
    lot: str | None = None
    title: str | None = None
    price: float | None = None
    currency: str | None = None
    closing_date: dt.date | None = None
    lot_url: str | None = None
    obv_url: str | None = Field(None, description="obverse crop (served from the object store)")
    rev_url: str | None = None
    obv_small_url: str | None = None
    rev_small_url: str | None = None
    cluster: int | None = Field(None, description="cluster of the latest clustering run, when present")


class CoinDetail(CoinHit):
    date_from: int | None = None
    date_to: int | None = None
    freeze_id: str | None = None
    index_version: int | None = Field(None, description="serving index version holding its vectors")
    in_delta: bool | None = None
    predicted_period: str | None = Field(None, description="the period classifier's latest prediction")
    predicted_confidence: float | None = Field(None, description="its calibrated confidence")
    prediction_model: str | None = Field(None, description="the model version that predicted it")


class QueryDetection(BaseModel):
    layout: str = Field(description="the vision step's layout: pair_horizontal, pair_vertical, single, none, …")
    sides: list[str] = Field(description="the sides that were encoded")
    searched: str = Field(description="which vectors were compared: pair, obv or rev")
    crops: dict[str, str] = Field(default_factory=dict, description="the query's own crops (data URLs)")
    detection: dict = Field(default_factory=dict, description="coins found (centre, radius, side), status, reasons")


class SearchResponse(BaseModel):
    query: QueryDetection
    k: int
    filters: dict
    index_version: int
    results: list[CoinHit]
    timings_ms: dict[str, float]


class SimilarResponse(BaseModel):
    coin_id: int
    side: str
    k: int
    filters: dict
    index_version: int
    results: list[CoinHit]
    timings_ms: dict[str, float]


class PeriodCoverage(BaseModel):
    period: str
    coins: int
    with_vectors: int
    pct_with_vectors: float
    in_delta: int


class Stats(BaseModel):
    serving: dict | None
    coins: int
    vectors: int
    in_delta: int
    coverage: list[PeriodCoverage]
    houses: list[dict]
    denominations: list[dict]
