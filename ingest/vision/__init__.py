"""Vision: find the coins in a lot photo, cut obverse and reverse crops, flag bad crops.

Library API: `find_coins(image) -> Detection`, `split_photo(bytes) -> Split`,
`crop_version(settings)`, and the batch `ingest.vision.batch.run_vision(settings)`."""

from ingest.vision.config import VisionConfig, crop_key, crop_version, vision_config
from ingest.vision.detection import Coin, Detection
from ingest.vision.finder import find_coins

__all__ = ["Coin", "Detection", "VisionConfig", "crop_key", "crop_version", "find_coins", "vision_config"]
