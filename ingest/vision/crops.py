"""Square crops centred on a coin: margin × diameter on each side, padded with the estimated
background colour where the margin leaves the photo; a capped full-resolution JPEG and a
small variant for embedding."""

from __future__ import annotations

import cv2
import numpy as np

from nummus.ingest.vision.config import VisionConfig
from nummus.ingest.vision.detection import Coin


def cut_crop(bgr: np.ndarray, coin: Coin, margin: float, fill_bgr: tuple[int, int, int],
             scale: float = 1.0) -> np.ndarray:
    """The square crop of `coin` (coordinates in photo pixels × `scale` = this array's pixels)."""
    cx, cy, r = coin.cx * scale, coin.cy * scale, coin.r * scale
    half = r * (1.0 + 2.0 * margin)
    side = max(2, int(round(2 * half)))
    x0 = int(round(cx - side / 2.0 + 0.5))
    y0 = int(round(cy - side / 2.0 + 0.5))
    h, w = bgr.shape[:2]
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + side), min(h, y0 + side)
    out = np.empty((side, side, 3), np.uint8)
    out[:] = np.array(fill_bgr, np.uint8)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = bgr[sy0:sy1, sx0:sx1]
    return out


def encode_jpeg(img: np.ndarray, side: int, quality: int) -> bytes:
    """JPEG of a square image resized to `side` (area when shrinking, cubic when enlarging)."""
    if img.shape[0] != side:
        interp = cv2.INTER_AREA if img.shape[0] > side else cv2.INTER_CUBIC
        img = cv2.resize(img, (side, side), interpolation=interp)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def crop_images(bgr: np.ndarray, coin: Coin, config: VisionConfig, fill_bgr: tuple[int, int, int],
                scale: float = 1.0) -> tuple[bytes, bytes]:
    """(full-resolution JPEG capped at config.full_max, small JPEG of config.small_size)."""
    crop = cut_crop(bgr, coin, config.margin, fill_bgr, scale)
    full = encode_jpeg(crop, min(crop.shape[0], config.full_max), config.jpeg_quality)
    small = encode_jpeg(crop, config.small_size, config.jpeg_quality)
    return full, small
