"""Decoding lot photos into 8-bit BGR, with every odd input handled or rejected with a reason.

Handled (noted in `Photo.notes`): CMYK JPEG, 16-bit PNG, alpha channel (composited on white),
grayscale, palette images, very large photos (decoded reduced). Rejected (`PhotoRejected`
with a machine-readable reason): not an image / corrupt, too small, absurdly large."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np

from nummus.errors import NummusError

MIN_SIDE = 32                   # below this there is no coin to cut
MAX_PIXELS = 250_000_000        # a decompression bomb, not a photo
DECODE_PIXELS = 24_000_000      # bigger JPEGs are decoded reduced by 2, 4 or 8


class PhotoRejected(NummusError):
    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass
class Photo:
    bgr: np.ndarray
    format: str | None
    width: int                  # of the encoded photo
    height: int
    reduced: int = 1            # decoded at 1/reduced of the encoded size
    notes: list[str] = field(default_factory=list)


def normalise(img: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Any decoded array -> 8-bit 3-channel BGR, with notes on what was converted."""
    notes: list[str] = []
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
        notes.append("16bit_scaled")
    elif img.dtype != np.uint8:
        img = np.clip(img.astype(np.float32) * (255.0 if img.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        notes.append(f"{img.dtype}_scaled")
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        notes.append("grayscale")
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), notes
    channels = img.shape[2]
    if channels == 2:  # gray + alpha
        img = cv2.cvtColor(img[..., 0], cv2.COLOR_GRAY2BGR)
        notes += ["grayscale", "alpha_dropped"]
        return img, notes
    if channels == 4:
        alpha = img[..., 3:4].astype(np.float32) / 255.0
        if alpha.min() < 1.0:
            img = (img[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
            notes.append("alpha_composited_on_white")
        else:
            img = np.ascontiguousarray(img[..., :3])
            notes.append("alpha_opaque_dropped")
    return img, notes


def _header(data: bytes) -> tuple[str | None, str | None, int, int]:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                return im.format, im.mode, int(im.size[0]), int(im.size[1])
    except Image.DecompressionBombError as exc:
        raise PhotoRejected("image_too_large", str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any failure to read a header means "not an image"
        raise PhotoRejected("corrupt_image", f"not a readable image ({exc.__class__.__name__}: {exc})") from exc


def load_photo(data: bytes) -> Photo:
    if not data:
        raise PhotoRejected("corrupt_image", "empty file")
    fmt, mode, w, h = _header(data)
    if w * h > MAX_PIXELS:
        raise PhotoRejected("image_too_large", f"{w}×{h} = {w * h / 1e6:.0f} MP exceeds {MAX_PIXELS / 1e6:.0f} MP")
    if min(w, h) < MIN_SIDE:
        raise PhotoRejected("image_too_small", f"{w}×{h} px: no coin can be cut from under {MIN_SIDE} px")
    notes: list[str] = []
    reduced = 1
    buf = np.frombuffer(data, np.uint8)
    if fmt == "JPEG":
        flags = cv2.IMREAD_COLOR
        for factor, flag in ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4),
                             (8, cv2.IMREAD_REDUCED_COLOR_8)):
            if w * h / (reduced * reduced) > DECODE_PIXELS:
                reduced, flags = factor, flag
        img = cv2.imdecode(buf, flags)
        if mode == "CMYK":
            notes.append("cmyk_converted")
        elif mode == "L":
            notes.append("grayscale")
    else:
        img = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        if img is None and fmt is not None:  # formats OpenCV lacks (e.g. some palette/GIF files)
            img = _decode_with_pillow(data)
            notes.append(f"decoded_by_pillow_{fmt.lower()}")
    if img is None:
        raise PhotoRejected("corrupt_image", f"{fmt or 'unknown'} data could not be decoded")
    if reduced > 1:
        notes.append(f"decoded_reduced_{reduced}x ({w}×{h} px)")
    img, more = normalise(img)
    notes += [n for n in more if n not in notes]
    if reduced == 1 and img.shape[0] * img.shape[1] > DECODE_PIXELS:
        f = (DECODE_PIXELS / (img.shape[0] * img.shape[1])) ** 0.5
        img = cv2.resize(img, (int(img.shape[1] * f), int(img.shape[0] * f)), interpolation=cv2.INTER_AREA)
        reduced = round(1 / f, 3)
        notes.append(f"downscaled_{reduced}x ({w}×{h} px)")
    return Photo(bgr=img, format=fmt.lower() if fmt else None, width=w, height=h, reduced=reduced, notes=notes)


def _decode_with_pillow(data: bytes) -> np.ndarray | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = np.asarray(im.convert("RGB"))
    except Exception:  # noqa: BLE001
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
