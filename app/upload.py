"""What an upload must be before any decoder sees it: size cap, content sniffing (the bytes,
not the file name or the declared type), pixel cap read from the header."""

from __future__ import annotations

import io
import warnings

MAX_BYTES = 20 * 1024 * 1024          # 20 MiB
MAX_PIXELS = 50_000_000               # 50 MP
MIN_SIDE = 32


class UploadRejected(Exception):
    """A 400 (or 413) with a message for the user."""

    def __init__(self, reason: str, message: str, status: int = 400):
        self.reason = reason
        self.message = message
        self.status = status
        super().__init__(message)


def sniff(data: bytes) -> str:
    """The image format from the first bytes (the scraper's formats, plus BMP for uploads);
    UploadRejected for anything else."""
    from nummus.ingest.images import sniff as sniff_image

    head = data[:64]
    fmt = sniff_image(head) or ("bmp" if head.startswith(b"BM") else None)
    if fmt:
        return fmt
    text = head.lstrip().lower()
    if head.startswith(b"%PDF"):
        raise UploadRejected("pdf", "this is a PDF document, not an image: upload a JPEG, PNG or WebP photo")
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<svg", b"<")):
        raise UploadRejected("html", "this is an HTML/XML document, not an image: upload a JPEG, PNG or WebP photo")
    raise UploadRejected("not_an_image", "the upload is not an image (JPEG, PNG, WebP, GIF, BMP or TIFF)")


def check_upload(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of an acceptable upload; UploadRejected otherwise."""
    if not data:
        raise UploadRejected("empty", "the upload is empty")
    if len(data) > MAX_BYTES:
        raise UploadRejected("too_large", f"the upload has {len(data) / 2**20:.1f} MiB; the limit is "
                             f"{MAX_BYTES / 2**20:.0f} MiB", status=413)
    fmt = sniff(data)
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Exception as exc:  # noqa: BLE001 - any header failure means a broken image
        raise UploadRejected("corrupt_image", f"the {fmt} image cannot be read ({exc.__class__.__name__})") from exc
    if w * h > MAX_PIXELS:
        raise UploadRejected("too_many_pixels", f"the image has {w}×{h} = {w * h / 1e6:.0f} MP; "
                             f"the limit is {MAX_PIXELS / 1e6:.0f} MP", status=413)
    if min(w, h) < MIN_SIDE:
        raise UploadRejected("too_small", f"the image is {w}×{h} px; at least {MIN_SIDE} px per side are needed")
    return fmt, w, h
