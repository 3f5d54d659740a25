"""The data contract of the parser: what `parse_lot` returns and what `raw.labels` stores."""

from __future__ import annotations

import json
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

# Bump on every change that can change a parsed field: `nummus parse` then re-parses every lot.
PARSER_VERSION = "parse-2.0.0"

PERIODS = (
    "greek", "roman_republican", "roman_imperial", "roman_provincial", "byzantine", "celtic",
    "persian", "central_asian", "islamic", "medieval", "modern", "non_coin",
)
NEEDS_REVIEW = "needs_review"
# Post-classical coins: medieval before this year, modern from it (the coin's date, else the reign's middle);
# before MEDIEVAL_FROM a post-classical clue (a state, a ruler of the 600-1900 tables) does not count.
MODERN_FROM = 1500
MEDIEVAL_FROM = 476

T = TypeVar("T")


class Found(BaseModel, Generic[T]):
    """One parsed field: its value, how sure the parser is (0..1) and the text that says so."""

    value: T
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: str
    span: tuple[int, int] | None = None  # offsets in `title + "\n" + description` (NFKC-normalised)


class Reference(BaseModel):
    catalogue: str          # canonical abbreviation: RIC, RSC, Crawford, SNG, HGC, ...
    number: str             # as printed, volume included: "II 123", "494/23", "3.2, 1010"
    collection: str | None = None  # SNG/BMC collection or volume name: "Copenhagen", "ANS 6", "Ionia"
    evidence: str


class Labels(BaseModel):
    parser_version: str = PARSER_VERSION
    period: Found[str] | None = None
    denomination: Found[str] | None = None
    metal: Found[str] | None = None
    authority: Found[str] | None = None
    dynasty: Found[str] | None = None
    reign_from: int | None = None
    reign_to: int | None = None
    mint: Found[str] | None = None
    date: Found[tuple[int, int]] | None = None  # signed years, BC negative
    weight_g: Found[float] | None = None
    diameter_mm: Found[float] | None = None
    die_axis_h: Found[int] | None = None
    references: list[Reference] = Field(default_factory=list)
    grade: Found[str] | None = None
    provenance: Found[str] | None = None
    needs_review: bool = False
    review_reasons: list[str] = Field(default_factory=list)

    @property
    def date_from(self) -> int | None:
        return self.date.value[0] if self.date else None

    @property
    def date_to(self) -> int | None:
        return self.date.value[1] if self.date else None

    def value(self, name: str):
        """The bare value of a field (None when not found)."""
        found = getattr(self, name)
        return found.value if found is not None else None

    def to_row(self) -> dict:
        """The columns of `raw.labels` (without coin_id, lot_version, parsed_at)."""
        fields = ("period", "denomination", "metal", "authority", "dynasty", "mint", "weight_g",
                  "diameter_mm", "die_axis_h", "grade", "provenance", "date")
        evidence = {name: getattr(self, name).evidence for name in fields if getattr(self, name)}
        evidence["references"] = [r.evidence for r in self.references]
        if self.review_reasons:
            evidence["review_reasons"] = self.review_reasons
        return {
            "parser_version": self.parser_version,
            "period": self.value("period"),
            "period_conf": self.period.confidence if self.period else None,
            "denomination": self.value("denomination"),
            "denomination_conf": self.denomination.confidence if self.denomination else None,
            "metal": self.value("metal"),
            "authority": self.value("authority"),
            "dynasty": self.value("dynasty"),
            "reign_from": self.reign_from,
            "reign_to": self.reign_to,
            "mint": self.value("mint"),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "weight_g": self.value("weight_g"),
            "diameter_mm": self.value("diameter_mm"),
            "die_axis_h": self.value("die_axis_h"),
            "references": json.dumps([r.model_dump(exclude={"evidence"}) for r in self.references],
                                     ensure_ascii=False),
            "grade": self.value("grade"),
            "provenance": self.value("provenance"),
            "needs_review": self.needs_review,
            "evidence": json.dumps(evidence, ensure_ascii=False),
        }
