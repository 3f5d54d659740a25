"""Photo validation: magic bytes and a full decode, within a pixel limit."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from nummus.bench.synthetic.site import constant_png
from nummus.ingest.images import ImageRejected, check_image, image_key, page_key, sniff


def _jpeg(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (180, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def test_good_images_are_accepted_with_their_format_and_size():
    img = check_image(_jpeg())
    assert (img.format, img.width, img.height, img.ext) == ("jpeg", 64, 48, "jpg")
    buf = io.BytesIO()
    Image.new("RGBA", (10, 20)).save(buf, "WEBP")
    assert check_image(buf.getvalue()).format == "webp"
    assert sniff(constant_png(3, 3)) == "png"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "html_not_image"),
    (b"  <html><head><title>Error</title>", "html_not_image"),
    (b"GIF8 garbage bytes", "not_an_image"),
    (b"\x89PNG\r\n\x1a\n not really a png IEND", "undecodable"),
    (b"\xff\xd8\xff\xe0 cut short", "truncated_image"),
])
def test_non_images_are_rejected_with_a_reason(data, reason):
    with pytest.raises(ImageRejected) as err:
        check_image(data)
    assert err.value.reason == reason


def test_truncated_image_is_rejected():
    data = _jpeg((400, 300))
    with pytest.raises(ImageRejected) as err:
        check_image(data[: len(data) // 2])
    assert err.value.reason == "truncated_image"


def test_decompression_bomb_is_rejected_before_decoding():
    bomb = constant_png(7746, 7746)  # 60 megapixels in a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected) as err:
        check_image(bomb)
    assert err.value.reason == "decompression_bomb"
    assert "60.0 MP" in str(err.value)
    assert check_image(constant_png(100, 100), max_pixels=10_000).width == 100


def test_object_keys():
    assert image_key("demo", "s1", "12", 0, "jpg") == "raw/demo/s1/12/0.jpg"
    assert image_key("cng", "Triton XXVII", "455", 1, "png") == "raw/cng/Triton_XXVII/455/1.png"
    assert image_key("x", "../..", "a/b", 0, "jpg") == "raw/x/_/a_b/0.jpg"
    assert page_key("demo", "s1", "12", 1) == "pages/demo/s1/12.html.gz"
    assert page_key("demo", "s1", "12", 3) == "pages/demo/s1/12.v3.html.gz"
