"""Search filters: the one data contract for the API, the pages and the command line.
Bad values are rejected here (422 in the API) before anything reaches SQL."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Side = Literal["pair", "obv", "rev"]
VOCAB = r"^[a-z][a-z0-9_]{0,39}$"   # period / denomination ids (docs/contracts.md)


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str | None = Field(None, pattern=VOCAB, description="canonical period id, e.g. roman_imperial")
    denomination: str | None = Field(None, pattern=VOCAB, description="canonical denomination id, e.g. denarius")
    house: str | None = Field(None, min_length=1, max_length=80, description="auction house")
    price_min: float | None = Field(None, ge=0, le=1e12)
    price_max: float | None = Field(None, ge=0, le=1e12)
    sold_from: dt.date | None = Field(None, description="closing date on or after")
    sold_to: dt.date | None = Field(None, description="closing date on or before")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return v

    @field_validator("house")
    @classmethod
    def _printable(cls, v):
        if v is not None and not v.isprintable():
            raise ValueError("house must be printable text")
        return v

    @model_validator(mode="after")
    def _ranges(self):
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min is greater than price_max")
        if self.sold_from and self.sold_to and self.sold_from > self.sold_to:
            raise ValueError("sold_from is after sold_to")
        return self

    def active(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v is not None}
