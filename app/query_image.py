"""An uploaded photo turned into query vectors: split by the vision step (both sides, one
side, or a crop), each side encoded with the encoder of the serving index."""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nummus.app.upload import UploadRejected
from nummus.errors import NummusError


class QueryEncoder(Protocol):
    def encode(self, images: list[Any]) -> np.ndarray: ...


@dataclass
class QueryImage:
    layout: str                                   # pair_horizontal | pair_vertical | single | none | …
    crops: dict[str, bytes]                       # side -> JPEG of the crop to encode
    detection: dict = field(default_factory=dict)  # the vision step's detection (coins, status, reasons)

    @property
    def sides(self) -> list[str]:
        return sorted(self.crops)

    def crop_data_urls(self) -> dict[str, str]:
        return {s: "data:image/jpeg;base64," + base64.b64encode(b).decode() for s, b in self.crops.items()}


def _as_jpeg(data: bytes, side: int = 448) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        im.thumbnail((side, side))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=88)
        return out.getvalue()


def split_upload(data: bytes, side: str = "auto") -> QueryImage:
    """Both sides when the vision step finds an obverse/reverse pair; otherwise the one coin
    found, or the whole picture as one side (a crop). `side` (obv|rev) names the side of a
    one-sided upload; auto keeps what the vision step decided (obverse when it cannot tell).
    The crops are cut with the vision batch's settings (`vision_config`, NUMMUS_CROP_* included),
    so they are the bytes the embed job encoded for an indexed coin."""
    try:
        from nummus.ingest.vision.config import vision_config
        from nummus.ingest.vision.splitter import split_photo
    except ImportError:  # the vision step is not installed: the upload is one side
        return QueryImage("unsplit", {"obv" if side == "auto" else side: _as_jpeg(data)}, {})
    try:
        split = split_photo(data, vision_config())
    except NummusError as exc:
        raise UploadRejected(getattr(exc, "reason", "bad_image"), f"the photo cannot be used: {exc}") from exc
    det = split.detection.model_dump(mode="json", exclude={"polygon"})
    for coin in det.get("coins", []):
        coin.pop("polygon", None)
    crops = {s: small for s, (_full, small) in split.crops.items() if s in ("obv", "rev")}
    if len(crops) == 2:
        return QueryImage(split.detection.layout, crops, det)
    if len(crops) == 1:
        (found, jpeg), = crops.items()
        return QueryImage(split.detection.layout, {found if side == "auto" else side: jpeg}, det)
    return QueryImage(split.detection.layout, {"obv" if side == "auto" else side: _as_jpeg(data)}, det)


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-12)


def query_vector(encoder: QueryEncoder, query: QueryImage) -> tuple[str, np.ndarray]:
    """(side to search, vector): 'pair' = unit(obv + rev) for a two-sided query (the pair
    vector's definition in embed/), else the one side's vector."""
    from PIL import Image

    sides = query.sides
    images = [Image.open(io.BytesIO(query.crops[s])).convert("RGB") for s in sides]
    vectors = np.asarray(encoder.encode(images), np.float32)
    by_side = {s: unit(vectors[i]) for i, s in enumerate(sides)}
    if len(by_side) == 2:
        return "pair", unit(by_side["obv"] + by_side["rev"])
    (s, v), = by_side.items()
    return s, v


class EncoderCache:
    """The encoder that matches the serving index's encoder_id, loaded once (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[str, QueryEncoder] = {}

    def get(self, encoder_id: dict) -> QueryEncoder:
        key = f"{encoder_id.get('spec')}|{encoder_id.get('weights_sha256')}"
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = self._load(encoder_id)
            return self._loaded[key]

    @staticmethod
    def _load(encoder_id: dict) -> QueryEncoder:
        spec = encoder_id.get("spec")
        if not spec:
            raise NummusError(f"the serving index records no encoder spec ({encoder_id}); it cannot be queried "
                              "with images (search by coin id still works)")
        from nummus.embed.encoders import load_encoder

        encoder = load_encoder(spec, device="cpu")
        want, got = encoder_id.get("weights_sha256"), encoder.encoder_id.weights_sha256
        if want and want != got:
            raise NummusError(f"the serving index was built with {spec} weights {want[:12]}…, this machine loads "
                              f"{got[:12]}…: the vectors would not be comparable")
        return encoder
