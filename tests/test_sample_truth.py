"""The demo auction house's ground truth (demo/house): the truth circles against the pixels,
sides and layouts, what a full auction contains, texts and money as dealers write them, and the
contracted fields of truth.json."""

from __future__ import annotations

import collections
import json
import math
import re

import cv2
import numpy as np
import pytest

from nummus.demo.house.plan import plan_site
from nummus.demo.house.prices import Pricing, format_estimate, format_hammer, format_money
from nummus.demo.house.text import GRADES
from test_sample_support import LOTS, SEED, sample_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def truth(site):
    return json.loads(site.truth_path.read_text())


# --- ground truth against the pixels --------------------------------------------------------------
def _patch(img: np.ndarray, x: float, y: float) -> np.ndarray:
    xi, yi = int(round(x)), int(round(y))
    return img[max(0, yi - 2):yi + 3, max(0, xi - 2):xi + 3].reshape(-1, 3).astype(np.float32).mean(axis=0)


def _coin_check(img: np.ndarray, coin: dict, others: list[dict]) -> tuple[float, float, float]:
    """Along 72 rays from the circle's centre, compare the pixels at 0.55-0.95 r (coin) with the one
    at 1.25 r (background next to it), and 1.25 r with 1.4 r (background with background).
    Returns (mean coin-background difference, mean background-background difference, fraction
    of rays where the coin differs from the background clearly more than the background varies)."""
    h, w = img.shape[:2]
    cx, cy, r = coin["cx"], coin["cy"], coin["r"]

    def usable(x: float, y: float) -> bool:
        return 2 <= x < w - 2 and 2 <= y < h - 2 and all(
            math.hypot(x - o["cx"], y - o["cy"]) > 1.15 * o["r"] for o in others)

    inside, outside, hits, total = [], [], 0, 0
    for k in range(72):
        a = 2 * math.pi * k / 72
        at = {f: (cx + f * r * math.cos(a), cy + f * r * math.sin(a)) for f in (0.55, 0.7, 0.85, 0.95, 1.25, 1.4)}
        if not (usable(*at[1.25]) and usable(*at[1.4])):
            continue
        total += 1
        px = {f: _patch(img, *xy) for f, xy in at.items()}
        coin_bg = max(float(np.abs(px[f] - px[1.25]).max()) for f in (0.55, 0.7, 0.85, 0.95))
        bg_bg = float(np.abs(px[1.25] - px[1.4]).max())
        inside.append(coin_bg)
        outside.append(bg_bg)
        hits += coin_bg > 12 and coin_bg > 2 * bg_bg
    assert total >= 12, "too little background visible around the coin"
    return float(np.mean(inside)), float(np.mean(outside)), hits / total


def _edge_ratio(img: np.ndarray, coin: dict, others: list[dict]) -> float:
    """Where the coin's edge is, in units of r: the median over rays of the outermost strong
    intensity step between 0.8 r and 1.2 r."""
    grey = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.5)
    h, w = grey.shape
    cx, cy, r = coin["cx"], coin["cy"], coin["r"]
    fs = np.linspace(0.8, 1.2, 81)
    found = []
    for k in range(72):
        a = 2 * math.pi * k / 72
        xs, ys = cx + fs * r * math.cos(a), cy + fs * r * math.sin(a)
        if xs.min() < 0 or ys.min() < 0 or xs.max() >= w - 1 or ys.max() >= h - 1:
            continue
        if any(np.hypot(xs - o["cx"], ys - o["cy"]).min() < 1.05 * o["r"] for o in others):
            continue
        profile = grey[np.round(ys).astype(int), np.round(xs).astype(int)]
        step = np.abs(np.diff(profile))
        found.append(fs[int(np.nonzero(step >= 0.5 * step.max())[0][-1])])  # the outermost strong step
    assert len(found) >= 12
    return float(np.median(found))


def test_truth_circles_lie_inside_the_photo_and_match_the_drawn_coins(site, truth):
    checked = 0
    for lot in truth["lots"]:
        for photo in lot["photos"]:
            img = cv2.imread(str(site.out_dir / photo["image"]))
            assert img is not None and img.shape[:2] == (photo["height"], photo["width"])
            for coin in photo["coins"]:
                assert coin["r"] > 20
                assert coin["r"] <= coin["cx"] <= photo["width"] - coin["r"]
                assert coin["r"] <= coin["cy"] <= photo["height"] - coin["r"]
                others = [o for o in photo["coins"] if o is not coin]
                inside, outside, rays = _coin_check(img, coin, others)
                where = f"{photo['image']} {coin}: {inside:.1f} {outside:.1f} {rays:.2f}"
                assert inside > 15 and inside > 3 * outside, where
                assert rays > 0.75, where
                assert 0.9 < _edge_ratio(img, coin, others) < 1.06, where
                checked += 1
    assert checked >= LOTS


def test_truth_circle_of_the_wrong_place_fails_the_check(site, truth):
    """The pixel checks can fail: a circle moved off the coin, or too large or too small, does not pass."""
    lot = next(lot for lot in truth["lots"] if lot["layout"] == "pair_horizontal")
    photo = lot["photos"][0]
    img = cv2.imread(str(site.out_dir / photo["image"]))
    obv, rev = photo["coins"]
    shifted = {**obv, "cy": obv["cy"] - 0.6 * obv["r"]}
    inside, outside, rays = _coin_check(img, shifted, [rev])
    assert not (inside > 3 * outside and rays > 0.75)
    for factor in (1.2, 0.87):
        assert not 0.9 < _edge_ratio(img, {**obv, "r": obv["r"] * factor}, [rev]) < 1.06


def check_layout(layout: str, coins: list[dict], period: str) -> None:
    """What a photo of each layout holds: a pair's obverse left of (or above) its reverse, one
    obverse, a group of 3 to 8 coins, or no coin at all (a non-coin lot)."""
    sides = [c["side"] for c in coins]
    if layout.startswith("pair"):
        assert sides == ["obv", "rev"]
        a, b = coins
        assert a["cx"] < b["cx"] if layout == "pair_horizontal" else a["cy"] < b["cy"]
    elif layout == "single":
        assert sides == ["obv"]
    elif layout == "group":
        assert 3 <= len(sides) <= 8
    else:
        assert layout == "none" and sides == [] and period == "non_coin"


def test_sides_layouts_and_images_agree(truth):
    seen = collections.Counter()
    for lot in truth["lots"]:
        if lot["status"] == "withdrawn":
            assert lot["images"] == [] and lot["coins"] == []
            seen["withdrawn"] += 1
            continue
        assert lot["photos"][0]["layout"] == lot["layout"]
        check_layout(lot["layout"], lot["coins"], lot["fields"]["period"])
        seen[lot["layout"]] += 1
    # the branches above that this site exercises (groups and non-coins: the full auction below)
    assert set(seen) == {"pair_horizontal", "pair_vertical", "single", "withdrawn"}, seen


# --- what the auction contains --------------------------------------------------------------------
def test_a_full_auction_has_every_layout_language_currency_and_status():
    plan = plan_site(lots=300, sales=2, seed=0)
    lots = [lp for s in plan.sales for lp in s.lots]
    assert len(lots) == 300
    layouts = collections.Counter(lp.layout for lp in lots)
    assert set(layouts) == {"pair_horizontal", "pair_vertical", "single", "group", "none"}
    assert layouts.most_common(1)[0][0] == "pair_horizontal"
    assert layouts["group"] + layouts["none"] < 0.15 * len(lots)
    assert {lp.text.language for lp in lots} == {"en", "de"}
    assert {lp.pricing.currency for lp in lots} == {"CHF", "EUR", "USD", "GBP"}
    statuses = collections.Counter(lp.status for lp in lots)
    assert statuses["sold"] > statuses["unsold"] > 0 and statuses["withdrawn"] >= 2
    assert all(len(s.gaps) >= 2 for s in plan.sales)
    periods = {lp.fields["period"] for lp in lots}
    assert {"greek", "roman_republican", "roman_imperial", "byzantine", "islamic", "medieval", "modern",
            "non_coin"} <= periods
    assert sum(len(lp.photos) > 1 for lp in lots) > 10
    for lp in lots:               # every layout's photo holds what the layout says
        if lp.photos:
            check_layout(lp.layout, [c.model_dump() for c in lp.photos[0].coins], lp.fields["period"])
    # each coin type keeps its attributes; each specimen varies
    by_type = collections.defaultdict(list)
    for lp in lots:
        if lp.fields.get("type_id") and lp.fields["period"] != "non_coin" and lp.photos:
            by_type[lp.fields["type_id"]].append(lp)
    tid, same = max(by_type.items(), key=lambda kv: len(kv[1]))
    assert len(same) >= 3
    assert len({lp.fields["denomination"] for lp in same}) == 1
    assert len({lp.photos[0].coins[0].spec.seed for lp in same}) == len(same)
    assert len({lp.fields["weight_g"] for lp in same}) > 1


def test_texts_read_like_dealer_texts(truth):
    langs = collections.Counter(lot["language"] for lot in truth["lots"])
    assert set(langs) == {"en", "de"}
    styled = collections.Counter()
    for lot in truth["lots"]:
        f = lot["fields"]
        if f["period"] == "non_coin" or f.get("group_size"):
            continue
        text = lot["description"]
        weight = f"{f['weight_g']:.2f}"
        assert (weight if lot["language"] == "en" else weight.replace(".", ",")) in text
        ref = f["references"][0]
        assert f"{ref['catalogue']} {ref['number']}" in text
        (grade,) = [g for g in GRADES if g[1] == f["grade"]]
        assert (grade[2] if lot["language"] == "de" else grade[0 if lot["style"] == "cng" else 1]) in text
        styled[lot["style"]] += 1
        if lot["style"] == "cng":
            assert re.search(r"\(\d+(\.\d)?mm, \d+\.\d\d g, \d+h\)", lot["title"])
            assert f"({f['diameter_mm']:g}mm, {weight} g, {f['die_axis_h']}h)" in lot["title"]
    assert styled["cng"] >= 1 and len(styled) >= 2, styled     # the CNG title format was checked


@pytest.mark.parametrize("amount,currency,variant,expected", [
    (1500, "CHF", 0, "CHF 1'500"),
    (1500, "CHF", 1, "1'500 CHF"),
    (1200.5, "EUR", 0, "1.200,50 EUR"),
    (2500, "EUR", 1, "€ 2.500"),
    (1200, "GBP", 0, "£1,200"),
    (3000, "USD", 1, "USD 3,000"),
    (75, "USD", 0, "$75"),
    (1234567, "CHF", 0, "CHF 1'234'567"),
])
def test_money_is_written_like_the_houses_write_it(amount, currency, variant, expected):
    assert format_money(amount, currency, variant) == expected


def test_estimates_and_unsold():
    p = Pricing(currency="GBP", estimate_low=1200, estimate_high=1500, price=None, status="unsold")
    assert format_estimate(p) == "£1,200 - £1,500"
    assert format_hammer(p) == "Unsold"


def test_truth_has_the_contracted_fields(truth):
    assert truth["house"] == "demo" and truth["seed"] == SEED
    assert len(truth["lots"]) == LOTS
    keys = {"sale", "lot", "coin_id", "title", "description", "language", "status", "images", "layout", "coins",
            "fields", "estimate_low", "estimate_high", "price", "currency"}
    field_keys = {"period", "denomination", "authority", "dynasty", "mint", "metal", "date_from", "date_to",
                  "weight_g", "diameter_mm", "die_axis_h", "references", "type_id"}
    for lot in truth["lots"]:
        assert keys <= lot.keys() and field_keys <= lot["fields"].keys()
        assert lot["status"] in ("sold", "unsold", "withdrawn")
        assert (lot["price"] is not None) == (lot["status"] == "sold")
    assert {lot["status"] for lot in truth["lots"]} >= {"sold", "withdrawn"}


