"""The data contract of the vision step: what `find_coins` returns (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Layout = Literal["pair_horizontal", "pair_vertical", "single", "group", "none"]
Side = Literal["obv", "rev"]
Status = Literal["green", "yellow", "red"]

# Quality flags of one crop; the status rules live in ingest/vision/quality.py.
FLAGS = ("edge_clipped", "off_centre", "low_contrast", "not_round", "tiny", "group_lot", "no_coin")


class Coin(BaseModel):
    """One coin found in a photo, in the photo's pixel coordinates."""

    cx: float
    cy: float
    r: float = Field(description="radius of the circle that encloses the flan")
    side: Side | None = None
    inscribed_r: float = Field(description="radius of the largest circle inside the flan")
    fill: float = Field(description="share of the circle covered by the flan mask")
    ring_clear: float = Field(description="share of the ring just outside the circle that is background")
    rim_fit: float = Field(0.0, description="share of the visible rim whose edge lies on the circle")
    excess: float = Field(0.0, description="flan pixels outside 1.1 × the circle, × circle area")
    contrast: float = Field(description="median colour distance of the flan from the background (Lab)")
    texture: float = Field(description="mean gradient magnitude inside the flan")
    polygon: list[tuple[int, int]] = Field(default_factory=list, description="simplified flan outline")
    flags: list[str] = Field(default_factory=list)

    @property
    def roundness(self) -> float:
        return self.inscribed_r / self.r if self.r else 0.0


class Detection(BaseModel):
    """The coins of one lot photo, the layout, the side rule, quality status and reasons."""

    width: int
    height: int
    layout: Layout
    side_rule: str | None = None
    coins: list[Coin] = Field(default_factory=list)
    confidence: float = 0.0
    status: Status = "red"
    reasons: list[str] = Field(default_factory=list)
    background_bgr: tuple[int, int, int] = (255, 255, 255)
    background_noise: float = 0.0
    candidates_rejected: int = 0
    detect_scale: float = 1.0
    input_notes: list[str] = Field(default_factory=list, description="conversions applied on decode")
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def side(self, side: Side) -> Coin | None:
        return next((c for c in self.coins if c.side == side), None)
