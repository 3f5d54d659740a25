"""Vision on generated photos with exact truth: coins drawn here with OpenCV (textured discs)
on varied backgrounds — pairs apart and touching, vertical, single, group, no coin — plus
the crops, flags and crop_version."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from nummus.ingest.vision import VisionConfig, crop_key, crop_version, find_coins
from nummus.bench.vision import circle_iou, rim_clipped
from nummus.ingest.vision.crops import cut_crop
from nummus.ingest.vision.splitter import split_photo
from nummus.bench.synthetic import photos as synthetic


def draw_coin(canvas: np.ndarray, cx: int, cy: int, r: int, seed: int, metal=(170, 175, 185)) -> dict:
    """A textured disc: shaded metal, a device of strokes, a ring of legend dots, a border."""
    rng = np.random.default_rng(seed)
    layer = np.zeros_like(canvas)
    cv2.circle(layer, (cx, cy), r, metal, -1, cv2.LINE_AA)
    for _ in range(14):
        p1 = tuple(int(v) for v in (cx + rng.uniform(-0.55, 0.55) * r, cy + rng.uniform(-0.55, 0.55) * r))
        p2 = tuple(int(v) for v in (cx + rng.uniform(-0.55, 0.55) * r, cy + rng.uniform(-0.55, 0.55) * r))
        shade = tuple(int(np.clip(m + rng.uniform(-70, 50), 0, 255)) for m in metal)
        cv2.line(layer, p1, p2, shade, max(1, r // 20), cv2.LINE_AA)
    for k in range(24):
        a = 2 * np.pi * k / 24
        cv2.circle(layer, (int(cx + 0.8 * r * np.cos(a)), int(cy + 0.8 * r * np.sin(a))), max(1, r // 16),
                   tuple(max(0, m - 60) for m in metal), -1)
    cv2.circle(layer, (cx, cy), int(0.93 * r), tuple(max(0, m - 45) for m in metal), max(1, r // 30))
    mask = np.zeros(canvas.shape[:2], np.uint8)
    cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    a = (mask.astype(np.float32) / 255.0)[..., None]
    canvas[:] = (canvas * (1 - a) + layer * a).astype(np.uint8)
    return {"cx": cx, "cy": cy, "r": r}


def photo(h: int, w: int, bg: str) -> np.ndarray:
    if bg == "white":
        return np.full((h, w, 3), 248, np.uint8)
    if bg == "black":
        return np.full((h, w, 3), 12, np.uint8)
    if bg == "grey":
        return np.full((h, w, 3), 128, np.uint8)
    if bg == "gradient":
        ramp = np.linspace(60, 230, w, dtype=np.float32)
        return np.repeat(np.stack([ramp, ramp * 0.9, ramp * 0.7], axis=1)[None], h, axis=0).astype(np.uint8)
    raise ValueError(bg)


def best_iou(det, truth: dict) -> float:
    return max((circle_iou((c.cx, c.cy, c.r), (truth["cx"] + 0.0, truth["cy"] + 0.0, truth["r"] + 0.5))
                for c in det.coins), default=0.0)


@pytest.mark.parametrize("bg", ["white", "black", "grey", "gradient"])
def test_pair_side_by_side(bg):
    img = photo(500, 1000, bg)
    left = draw_coin(img, 250, 250, 200, seed=1)
    right = draw_coin(img, 740, 255, 190, seed=2, metal=(60, 150, 200))
    det = find_coins(img)
    assert det.layout == "pair_horizontal"
    assert det.side_rule == "left_is_obverse"
    assert [c.side for c in det.coins] == ["obv", "rev"]
    assert det.coins[0].cx < det.coins[1].cx
    assert best_iou(det, left) > 0.92 and best_iou(det, right) > 0.92
    assert det.status == "green", det.reasons


def test_touching_pair_is_separated():
    img = photo(440, 900, "black")
    a = draw_coin(img, 230, 220, 200, seed=3)
    b = draw_coin(img, 630, 220, 200, seed=4)  # centres 2r apart: the rims touch
    det = find_coins(img)
    assert det.layout == "pair_horizontal"
    assert best_iou(det, a) > 0.9 and best_iou(det, b) > 0.9


def test_vertical_pair_top_is_obverse():
    img = photo(900, 420, "white")
    top = draw_coin(img, 210, 220, 180, seed=5)
    bottom = draw_coin(img, 212, 660, 180, seed=6)
    det = find_coins(img)
    assert det.layout == "pair_vertical"
    assert det.side_rule == "top_is_obverse"
    obv, rev = det.side("obv"), det.side("rev")
    assert circle_iou((obv.cx, obv.cy, obv.r), (top["cx"], top["cy"], top["r"])) > 0.9
    assert circle_iou((rev.cx, rev.cy, rev.r), (bottom["cx"], bottom["cy"], bottom["r"])) > 0.9


def test_single_coin_is_yellow_obverse_only():
    img = photo(600, 600, "grey")
    truth = draw_coin(img, 300, 310, 220, seed=7)
    det = find_coins(img)
    assert det.layout == "single"
    assert det.coins[0].side == "obv"
    assert best_iou(det, truth) > 0.92
    assert det.status == "yellow"
    assert any(r.startswith("single") for r in det.reasons)


def test_group_lot_is_red():
    img = photo(700, 1000, "white")
    for k, (x, y) in enumerate([(180, 180), (500, 180), (820, 180), (340, 520)]):
        draw_coin(img, x, y, 130, seed=10 + k)
    det = find_coins(img)
    assert det.layout == "group"
    assert len(det.coins) == 4
    assert det.status == "red"
    assert all("group_lot" in c.flags for c in det.coins)


@pytest.mark.parametrize("kind", ["blank", "landscape", "painting", "text_page"])
def test_no_coin_photos_answer_none(kind):
    rng = np.random.default_rng(42)
    if kind == "blank":
        img = photo(600, 900, "white")
    elif kind == "landscape":
        img = synthetic.landscape(rng, 700, 1000, sun=True)
    else:
        img = synthetic.NON_COIN[kind](rng, 700, 1000)
    det = find_coins(img)
    assert det.layout == "none", [c.model_dump(exclude={"polygon"}) for c in det.coins]
    assert det.coins == []
    assert det.status == "red"
    assert det.reasons[0].startswith("no_coin")


def test_coin_cut_by_the_photo_border_is_flagged():
    img = photo(400, 800, "white")
    draw_coin(img, 200, 200, 150, seed=20)
    draw_coin(img, 700, 200, 150, seed=21)  # runs 50 px past the right border
    det = find_coins(img)
    assert det.layout == "pair_horizontal"
    assert "edge_clipped" in det.side("rev").flags
    assert "edge_clipped" not in det.side("obv").flags
    assert det.status == "yellow"


def test_irregular_flans_are_enclosed():
    rng = np.random.default_rng(3)
    sprites = [synthetic.drawn_coin(rng, 160, irregular=0.06) for _ in range(2)]
    img, truth = synthetic.lot_photo(rng, sprites, "pair_horizontal", 1200, "grey", gap=0.3)
    det = find_coins(img)
    assert det.layout == "pair_horizontal"
    for t in truth.coins:
        coin = det.side(t["side"])
        assert circle_iou((coin.cx, coin.cy, coin.r), (t["cx"], t["cy"], t["r"])) > 0.88
        assert not rim_clipped(t, coin, VisionConfig().margin)  # the crop holds the whole flan


def test_crops_are_square_with_margin_and_background_padding():
    img = photo(420, 900, "gradient")
    draw_coin(img, 215, 210, 195, seed=30)  # the margin leaves the photo on the left
    draw_coin(img, 680, 210, 195, seed=31)
    config = VisionConfig(margin=0.12)
    result = split_photo(cv2.imencode(".png", img)[1].tobytes(), config)
    det = result.detection
    assert set(result.crops) == {"obv", "rev"}
    full, small = result.crops["obv"]
    full_img = cv2.imdecode(np.frombuffer(full, np.uint8), cv2.IMREAD_COLOR)
    small_img = cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR)
    obv = det.side("obv")
    expected = round(2 * obv.r * (1 + 2 * 0.12))
    assert full_img.shape[0] == full_img.shape[1] and abs(full_img.shape[0] - expected) <= 2
    assert small_img.shape == (224, 224, 3)
    # the padded strip left of the photo carries the estimated background colour
    crop = cut_crop(img, obv, 0.12, det.background_bgr)
    pad = crop[crop.shape[0] // 2, :5].astype(int)
    assert np.abs(pad - np.array(det.background_bgr)).max() <= 1
    # the coin is centred in its crop
    assert abs(crop.shape[0] / 2 - (obv.cx - (obv.cx - crop.shape[0] / 2))) < 1


def test_full_resolution_crop_is_capped():
    img = photo(1600, 3200, "white")
    draw_coin(img, 800, 800, 700, seed=40)
    draw_coin(img, 2400, 800, 700, seed=41)
    result = split_photo(cv2.imencode(".jpg", img)[1].tobytes(), VisionConfig(full_max=512))
    full = cv2.imdecode(np.frombuffer(result.crops["obv"][0], np.uint8), cv2.IMREAD_COLOR)
    assert full.shape == (512, 512, 3)


def test_crop_version_follows_the_pixel_settings(monkeypatch):
    monkeypatch.delenv("NUMMUS_CROP_MARGIN", raising=False)
    base = crop_version()
    assert base == crop_version() == VisionConfig().crop_version
    assert VisionConfig(margin=0.2).crop_version != base
    assert VisionConfig(small_size=256).crop_version != base
    monkeypatch.setenv("NUMMUS_CROP_MARGIN", "0.2")
    assert crop_version() == VisionConfig(margin=0.2).crop_version
    assert crop_key(base, 7, "obv") == f"crops/v{base}/7_obv.jpg"
    assert crop_key(base, 7, "rev", 224) == f"crops/v{base}/224/7_rev.jpg"
    with pytest.raises(ValueError):
        crop_key(base, 7, "edge")


def test_detection_is_deterministic_and_serialisable():
    img = photo(500, 1000, "white")
    draw_coin(img, 250, 250, 200, seed=1)
    draw_coin(img, 740, 250, 200, seed=2)
    a, b = find_coins(img), find_coins(img.copy())
    dump = a.model_dump(mode="json")
    dump.pop("timings_ms")
    other = b.model_dump(mode="json")
    other.pop("timings_ms")
    assert dump == other
    assert a.model_validate_json(a.model_dump_json()).layout == "pair_horizontal"
    assert 0.5 < a.confidence <= 1.0
