"""Vision: find the coins in a lot photo, cut obverse and reverse crops, flag bad crops.

Library API: `find_coins(image) -> Detection`, `split_photo(bytes) -> Split`,
`crop_version(settings)`, and the batch `nummus.ingest.vision.batch.run_vision(settings)`.
`crop_version` and `crop_key` import no OpenCV, so other steps can use them cheaply."""

from nummus.ingest.vision.config import VisionConfig, crop_key, crop_version, vision_config

_LAZY = {"find_coins": "nummus.ingest.vision.finder", "Coin": "nummus.ingest.vision.detection",
         "Detection": "nummus.ingest.vision.detection", "split_photo": "nummus.ingest.vision.splitter"}

__all__ = ["Coin", "Detection", "VisionConfig", "crop_key", "crop_version", "find_coins", "split_photo",
           "vision_config"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nummus.ingest.vision' has no attribute {name!r}")
