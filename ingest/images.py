"""Lot photos: validated by magic bytes AND by decoding before anything is stored.

Rejected (reason): `empty`, `html_not_image` (an error page served as a photo), `not_an_image`,
`decompression_bomb` (more pixels than the limit, checked from the header before decoding),
`truncated_image`, `undecodable`."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from nummus.ingest.rejection import Rejected

MAX_PIXELS = 50_000_000  # 50 megapixels

_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "tiff": "tif"}
_PIL_FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "TIFF": "tiff", "MPO": "jpeg"}


class ImageRejected(Rejected):
    """Bytes that are not a complete, decodable photo within the pixel limit."""


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int
    sha256: str
    bytes: int

    @property
    def ext(self) -> str:
        return EXTENSIONS[self.format]


def sniff(data: bytes) -> str | None:
    """The image format from the first bytes, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((fmt for magic, fmt in _MAGIC if data.startswith(magic)), None)


def _complete(data: bytes, fmt: str) -> bool:
    """Whether the file reaches its format's end marker (a cut download does not)."""
    tail = data[-64:].rstrip(b"\x00\r\n ")
    if fmt == "jpeg":
        return tail.endswith(b"\xff\xd9")
    if fmt == "png":
        return b"IEND" in tail
    if fmt == "gif":
        return tail.endswith(b";")
    return True


def check_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> CheckedImage:
    """Accept a photo only when its bytes say image and it decodes completely within the pixel limit."""
    from PIL import Image

    if not data:
        raise ImageRejected("empty", "empty body")
    fmt = sniff(data)
    if fmt is None:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
            raise ImageRejected("html_not_image", f"an HTML page, not an image: {data[:60]!r}")
        raise ImageRejected("not_an_image", f"unknown image signature {data[:8]!r}")
    if not _complete(data, fmt):
        raise ImageRejected("truncated_image", f"{fmt} of {len(data)} bytes ends before its end marker")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ImageRejected("decompression_bomb", str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - PIL raises many kinds for a bad header
            reason = "truncated_image" if "truncat" in str(exc).lower() else "undecodable"
            raise ImageRejected(reason, f"{fmt} header unreadable: {exc}") from exc
        width, height = img.size
        if width * height > max_pixels:
            raise ImageRejected("decompression_bomb",
                                f"{width}x{height} = {width * height / 1e6:.1f} MP exceeds {max_pixels / 1e6:.0f} MP")
        try:
            img.load()
        except Exception as exc:  # noqa: BLE001
            reason = "truncated_image" if "truncat" in str(exc).lower() or isinstance(exc, EOFError) \
                else "undecodable"
            raise ImageRejected(reason, f"{fmt} does not decode: {exc}") from exc
    fmt = _PIL_FORMATS.get(img.format or "", fmt)
    return CheckedImage(fmt, width, height, hashlib.sha256(data).hexdigest(), len(data))


def _segment(part: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", str(part)).strip("._") or "_"


def image_key(house: str, sale: str, lot: str, n: int, ext: str) -> str:
    return f"raw/{_segment(house)}/{_segment(sale)}/{_segment(lot)}/{n}.{ext}"


def page_key(house: str, sale: str, lot: str, version: int) -> str:
    suffix = "" if version == 1 else f".v{version}"
    return f"pages/{_segment(house)}/{_segment(sale)}/{_segment(lot)}{suffix}.html.gz"
