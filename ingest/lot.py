"""The `Lot`: one auction lot as an adapter or an importer reads it, before it is stored.

A lot's natural key is (house, sale, lot); `content_sha256` hashes what was read from the
page (never the raw HTML), so a page that changes only in markup does not make a new version."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nummus.identity import coin_id

PriceKind = Literal["hammer", "current", "starting", "unsold"]


class Lot(BaseModel):
    house: str
    sale: str
    lot: str
    lot_url: str | None = None
    title: str | None = None
    description: str | None = None
    estimate_low: float | None = Field(default=None, ge=0)
    estimate_high: float | None = Field(default=None, ge=0)
    price: float | None = Field(default=None, ge=0)
    price_kind: PriceKind | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    closing_date: date | None = None
    image_urls: list[str] = Field(default_factory=list)
    status: Literal["ok", "withdrawn"] = "ok"
    raw_html: str | None = Field(default=None, repr=False)

    @field_validator("house", "sale", "lot")
    @classmethod
    def _key_part(cls, value: str) -> str:
        value = " ".join(str(value).split())
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value):
        return value.strip().upper() or None if isinstance(value, str) else value

    @field_validator("title", "description")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None

    @model_validator(mode="after")
    def _estimates_ordered(self) -> "Lot":
        if self.estimate_low is not None and self.estimate_high is not None \
                and self.estimate_low > self.estimate_high:
            raise ValueError(f"estimate low {self.estimate_low} exceeds high {self.estimate_high}")
        return self

    @property
    def coin_id(self) -> int:
        return coin_id(self.house, self.sale, self.lot)

    def content_sha256(self) -> str:
        """Hash of the parsed content (not the markup): decides whether a new version is stored."""
        content = self.model_dump(mode="json", exclude={"raw_html"})
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
