"""One lot photo in, detection and crop JPEGs out: decode, find the coins, cut the crops.
Used by the batch (in worker processes) and by `nummus vision split`."""

from __future__ import annotations

from dataclasses import dataclass, field

from nummus.ingest.vision.config import VisionConfig
from nummus.ingest.vision.crops import crop_images
from nummus.ingest.vision.decode import load_photo
from nummus.ingest.vision.detection import Detection
from nummus.ingest.vision.finder import find_coins


@dataclass
class Split:
    detection: Detection
    crops: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # side -> (full, small)


def split_photo(data: bytes, config: VisionConfig | None = None) -> Split:
    """Raises `PhotoRejected` for input that cannot be a lot photo."""
    config = config or VisionConfig()
    photo = load_photo(data)
    det = find_coins(photo.bgr, config)
    det.input_notes = photo.notes
    if photo.reduced != 1:  # report in the encoded photo's pixels
        f = photo.reduced
        det.width, det.height = photo.width, photo.height
        for coin in det.coins:
            coin.cx, coin.cy = (coin.cx + 0.5) * f - 0.5, (coin.cy + 0.5) * f - 0.5
            coin.r, coin.inscribed_r = coin.r * f, coin.inscribed_r * f
            coin.polygon = [(int(round(x * f)), int(round(y * f))) for x, y in coin.polygon]
    split = Split(detection=det)
    if det.layout in ("single", "pair_horizontal", "pair_vertical"):
        for coin in det.coins:
            split.crops[coin.side] = crop_images(photo.bgr, coin, config, det.background_bgr,
                                                 scale=1.0 / photo.reduced)
    return split
