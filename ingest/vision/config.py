"""The settings that change crop pixels, and `crop_version` derived from them.

Every crop row and object key carries the crop_version; changing the margin, the sizes, the
JPEG quality, the detection resolution or the resolver code gives a new version, and the batch
re-cuts every coin whose crops are older."""

from __future__ import annotations

import hashlib
import json
import os

from pydantic import BaseModel, ConfigDict, Field

# Bump when the detector or the crop code changes what pixels come out.
RESOLVER_VERSION = 1

_ENV = {  # field -> environment variable (Settings ignores unknown NUMMUS_* variables)
    "margin": "NUMMUS_CROP_MARGIN",
    "full_max": "NUMMUS_CROP_FULL_MAX",
    "small_size": "NUMMUS_CROP_SMALL_SIZE",
    "jpeg_quality": "NUMMUS_CROP_JPEG_QUALITY",
    "detect_side": "NUMMUS_VISION_DETECT_SIDE",
}


class VisionConfig(BaseModel):
    """Pixel-changing vision settings (all part of crop_version)."""

    model_config = ConfigDict(frozen=True)

    margin: float = Field(0.12, ge=0.0, le=1.0, description="margin on each side, × coin diameter")
    full_max: int = Field(1024, ge=64, le=8192, description="full-resolution crops are capped at this side")
    small_size: int = Field(224, ge=32, le=1024, description="side of the embedding variant")
    jpeg_quality: int = Field(92, ge=50, le=100)
    detect_side: int = Field(448, ge=128, le=2048, description="long side of the detection image")

    @property
    def crop_version(self) -> str:
        payload = json.dumps({"resolver": RESOLVER_VERSION, **self.model_dump()}, sort_keys=True)
        return f"{RESOLVER_VERSION}-{hashlib.sha256(payload.encode()).hexdigest()[:8]}"


def vision_config(settings: object | None = None) -> VisionConfig:
    """The config from settings attributes `crop_margin`, `crop_full_max`, … when the Settings
    class has them, else from the environment (`NUMMUS_CROP_MARGIN`, …), else defaults."""
    values: dict[str, str | float | int] = {}
    for field, env in _ENV.items():
        attr = env.removeprefix("NUMMUS_").lower()
        value = getattr(settings, attr, None) if settings is not None else None
        if value is None:
            value = os.environ.get(env)
        if value is not None:
            values[field] = value
    return VisionConfig(**values)


def crop_version(settings: object | None = None) -> str:
    """The current crop_version, e.g. `1-3fa9c2d1` (other steps import this)."""
    return vision_config(settings).crop_version


def crop_key(version: str, coin_id: int, side: str, small_size: int | None = None) -> str:
    """`crops/v{version}/{coin_id}_{side}.jpg`; the embedding variant lies under
    `crops/v{version}/{small_size}/` (e.g. `.../224/{coin_id}_obv.jpg`)."""
    if side not in ("obv", "rev"):
        raise ValueError(f"side must be obv or rev, not {side!r}")
    folder = f"crops/v{version}/{int(small_size)}" if small_size else f"crops/v{version}"
    return f"{folder}/{coin_id}_{side}.jpg"
