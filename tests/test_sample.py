"""The demo auction house (ingest/sample): determinism, ground truth against the pixels, site
structure per docs/contracts.md, serving over real HTTP, resuming."""

from __future__ import annotations

import collections
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from nummus.demo.house import generate
from nummus.demo.house.plan import plan_site
from nummus.demo.house.prices import Pricing, format_estimate, format_hammer, format_money
from nummus.demo.house.serve import serving
from nummus.demo.house.text import GRADES
from nummus.errors import NummusError
from nummus.identity import coin_id

LOTS = 20
SEED = 3
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("house") / "site"
    result = generate(out, lots=LOTS, sales=1, seed=SEED)
    return result


@pytest.fixture(scope="module")
def truth(site):
    return json.loads(site.truth_path.read_text())


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism and resuming ---------------------------------------------------------------------
def test_same_seed_gives_identical_files_in_another_process(site, tmp_path):
    """The CLI in a fresh interpreter (other hash seed) writes byte-identical truth, pages and photos."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "NUMMUS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-m", "nummus", "sample", "--lots", str(LOTS), "--seed", str(SEED),
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "truth" in proc.stdout
    ours, theirs = _files(site.out_dir), _files(out)
    assert ours.keys() == theirs.keys()
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []
    assert sum(name.endswith(".jpg") for name in ours) == site.images > LOTS * 0.8


def test_another_seed_gives_another_auction(truth):
    other = plan_site(lots=LOTS, sales=1, seed=SEED + 1)
    titles = [lp.text.title for lp in other.sales[0].lots]
    assert titles != [lot["title"] for lot in truth["lots"]]


def test_resume_renders_only_what_is_missing(site, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(site.out_dir, copy)
    images = sorted(copy.rglob("*.jpg"))
    removed = images[::4]
    for p in removed:
        p.unlink()
    (copy / "truth.json").unlink()
    (images[1].parent / f".{images[1].name}.tmp").write_bytes(b"half a file")  # a write cut short
    again = generate(copy, lots=LOTS, sales=1, seed=SEED)
    assert again.rendered == len(removed)
    restored = _files(copy)
    restored.pop(f"sales/101/images/.{images[1].name}.tmp")
    assert restored == _files(site.out_dir)


def test_refuses_a_folder_that_is_not_a_sample(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NummusError, match="not empty"):
        generate(tmp_path, lots=3)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_other_arguments_replace_an_older_sample(tmp_path):
    first = generate(tmp_path / "s", lots=4, seed=1)
    second = generate(tmp_path / "s", lots=3, seed=2)
    truth = json.loads(second.truth_path.read_text())
    assert truth["seed"] == 2 and len(truth["lots"]) == 3
    pages = sorted(p.name for p in (tmp_path / "s" / "sales" / "101" / "lots").iterdir())
    assert pages == sorted(f"{lot['lot']}.html" for lot in truth["lots"])
    assert first.out_dir == second.out_dir


@pytest.mark.slow
def test_kill_9_then_rerun_gives_the_same_site(site, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "nummus", "sample", "--lots", str(LOTS), "--seed", str(SEED), "--out", str(out)]
    env = {**os.environ, "NUMMUS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.rglob("*.jpg"))) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "truth.json").exists()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
    got = {k: v for k, v in _files(out).items() if not k.rsplit("/", 1)[-1].startswith(".") or k == ".sample.json"}
    assert got == _files(site.out_dir)


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


def test_sides_layouts_and_images_agree(truth):
    for lot in truth["lots"]:
        main = lot["photos"][0] if lot["photos"] else None
        if lot["status"] == "withdrawn":
            assert lot["images"] == [] and lot["coins"] == []
            continue
        assert main["layout"] == lot["layout"]
        sides = [c["side"] for c in lot["coins"]]
        if lot["layout"].startswith("pair"):
            assert sides == ["obv", "rev"]
            a, b = lot["coins"]
            if lot["layout"] == "pair_horizontal":
                assert a["cx"] < b["cx"]
            else:
                assert a["cy"] < b["cy"]
        elif lot["layout"] == "single":
            assert sides == ["obv"]
        elif lot["layout"] == "group":
            assert 3 <= len(sides) <= 8
        else:
            assert lot["layout"] == "none" and sides == [] and lot["fields"]["period"] == "non_coin"


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
        if lot["style"] == "cng":
            assert re.search(r"\(\d+(\.\d)?mm, \d+\.\d\d g, \d+h\)", lot["title"])
            assert f"({f['diameter_mm']:g}mm, {weight} g, {f['die_axis_h']}h)" in lot["title"]


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


# --- the site -------------------------------------------------------------------------------------
_VOID = {"meta", "link", "img", "br", "hr", "input"}


class _Checker(HTMLParser):
    """Balanced tags, and the elements with their attributes for lookups."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, int]] = []
        self.elements: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text: dict[int, str] = {}

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append((tag, len(self.elements) - 1))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            i = self.stack[-1][1]
            self.text[i] = self.text.get(i, "") + data

    def find(self, tag: str, cls: str | None = None) -> list[tuple[int, dict]]:
        return [(i, a) for i, (t, a) in enumerate(self.elements)
                if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def _parse(path: Path) -> _Checker:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = _Checker()
    c.feed(text)
    c.close()
    assert c.errors == [] and c.stack == [], (path, c.errors, c.stack)
    return c


def test_pages_are_valid_html_with_the_contracted_structure(site, truth):
    root = site.out_dir
    index = _parse(root / "index.html")
    sales = index.find("a", "sale")
    assert [a["data-sale"] for _, a in sales] == site.sales
    by_lot = {(lot["sale"], lot["lot"]): lot for lot in truth["lots"]}
    for _, a in sales:
        sale_page = root / a["href"]
        links = _parse(sale_page).find("a", "lot")
        assert len(links) == LOTS
        for _, link in links:
            lot = by_lot[(a["data-sale"], link["data-lot"])]
            page_path = sale_page.parent / link["href"]
            page = _parse(page_path)
            (_, art), = page.find("article", "lot")
            assert (art["data-house"], art["data-sale"], art["data-lot"]) == ("demo", lot["sale"], lot["lot"])
            assert lot["coin_id"] == coin_id("demo", lot["sale"], lot["lot"])
            (i, _), = page.find("h1", "lot-title")
            assert page.text[i].strip() == lot["title"]
            (i, _), = page.find("div", "lot-description")
            assert page.text[i].strip() == lot["description"]
            (_, t), = page.find("time", "closing")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["datetime"])
            assert page.find("dd", "estimate")
            imgs = page.find("img", "lot-image")
            assert [(page_path.parent / im["src"]).resolve() for _, im in imgs] == \
                   [(root / p).resolve() for p in lot["images"]]
            assert all((page_path.parent / im["src"]).is_file() for _, im in imgs)
            if lot["status"] == "withdrawn":
                assert page.find("p", "lot-withdrawn") and not page.find("dd", "hammer")
            else:
                (i, _), = page.find("dd", "hammer")
                assert (page.text[i] == "Unsold") == (lot["status"] == "unsold")
    gaps = truth["sales"][0]["gaps"]
    assert len(gaps) >= 2
    assert not any((root / "sales" / "101" / "lots" / f"{g}.html").exists() for g in gaps)


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


def test_server_serves_pages_and_images_and_404s_the_gaps(site, truth):
    gap = truth["sales"][0]["gaps"][0]
    lot = next(lot for lot in truth["lots"] if lot["images"])
    with serving(site.out_dir) as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base)
        with httpx.Client(base_url=base, timeout=10) as client:
            r = client.get("index.html")
            assert r.status_code == 200 and 'class="sale"' in r.text
            r = client.get(f"sales/101/lots/{lot['lot']}.html")
            assert r.status_code == 200 and "text/html" in r.headers["content-type"]
            r = client.get(lot["images"][0])
            assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
            assert r.content == (site.out_dir / lot["images"][0]).read_bytes()
            assert client.get(f"sales/101/lots/{gap}.html").status_code == 404
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "index.html", timeout=2)


def test_serving_a_folder_without_a_site_is_a_clear_error(tmp_path):
    with pytest.raises(NummusError, match="nummus sample"):
        with serving(tmp_path):
            pass
