"""The vision batch over a real DuckDB warehouse and object store: raw.images rows and photo
objects inserted here, including every kind of bad input; crops, quarantine, resume,
idempotence and re-cutting at a new crop_version."""

from __future__ import annotations

import functools
import hashlib
import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from nummus.ingest.vision import crop_version
from nummus.ingest.vision.batch import run_vision
from nummus.identity import coin_id


def pair_photo(w: int = 800, h: int = 400, bg: int = 245) -> np.ndarray:
    img = np.full((h, w, 3), bg, np.uint8)
    rng = np.random.default_rng(w)
    r = int(w * 0.2)
    for cx in (w // 4, 3 * w // 4):
        cv2.circle(img, (cx, h // 2), r, (150, 160, 175), -1, cv2.LINE_AA)
        for _ in range(12):
            p1 = (int(cx + rng.uniform(-0.5, 0.5) * r), int(h // 2 + rng.uniform(-0.5, 0.5) * r))
            p2 = (int(cx + rng.uniform(-0.5, 0.5) * r), int(h // 2 + rng.uniform(-0.5, 0.5) * r))
            cv2.line(img, p1, p2, (70, 80, 90), max(1, r // 18), cv2.LINE_AA)
        cv2.circle(img, (cx, h // 2), int(0.9 * r), (90, 95, 105), max(1, r // 25), cv2.LINE_AA)
    return img


def jpeg(img: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def png(img: np.ndarray) -> bytes:
    return cv2.imencode(".png", img)[1].tobytes()


def pil_bytes(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def _photos() -> tuple[tuple[str, bytes], ...]:
    good = pair_photo()
    rgb = Image.fromarray(cv2.cvtColor(good, cv2.COLOR_BGR2RGB))
    rgba = cv2.cvtColor(good, cv2.COLOR_BGR2BGRA)
    rgba[:40, :, 3] = 0  # a transparent strip
    huge = cv2.resize(pair_photo(1000, 500), (11000, 5500), interpolation=cv2.INTER_NEAREST)  # 60 MP
    return tuple({
        "good": jpeg(good),
        "corrupt": jpeg(good)[:200] + b"\x00garbage" * 10,
        "not_an_image": b"<html>404 not found</html>",
        "cmyk": pil_bytes(rgb.convert("CMYK"), "JPEG"),
        "png16": png(good.astype(np.uint16) * 257),
        "alpha": png(rgba),
        "gray": jpeg(cv2.cvtColor(good, cv2.COLOR_BGR2GRAY)),
        "one_pixel": png(np.zeros((1, 1, 3), np.uint8)),
        "thumb120": jpeg(cv2.resize(good, (120, 60), interpolation=cv2.INTER_AREA)),
        "mp60": jpeg(huge),
    }.items())


def photos() -> dict[str, bytes]:
    """Every kind of input the batch meets (encoded once per test session)."""
    return dict(_photos())


def add_lots(con, store, items: dict[str, bytes], sale: str = "s1") -> dict[str, int]:
    ids = {}
    for lot, data in items.items():
        cid = coin_id("testhouse", sale, lot)
        key = f"raw/testhouse/{sale}/{lot}/0.img"
        if data is not None:
            store.put(key, data)
        con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key, bytes) "
                    "VALUES (?, 'testhouse', ?, ?, 0, ?, ?, ?)",
                    [cid, sale, lot, hashlib.sha256(data or b"").hexdigest(), key, len(data or b"")])
        ids[lot] = cid
    return ids


def crops_by_lot(con, ids: dict[str, int], version: str) -> dict[str, dict]:
    rows = con.execute("SELECT * FROM raw.crops WHERE crop_version = ?", [version]).fetchall()
    cols = [d[0] for d in con.description]
    by_id = {r[0]: dict(zip(cols, r)) for r in rows}
    return {lot: by_id[cid] for lot, cid in ids.items() if cid in by_id}


@pytest.fixture
def loaded(settings, warehouse_con, store):
    items = photos()
    items["missing"] = None  # a raw.images row whose object never arrived
    ids = add_lots(warehouse_con, store, items)
    warehouse_con.close()  # the batch opens the warehouse itself (one writer)
    return settings, store, ids


def test_batch_cuts_crops_and_quarantines_bad_input(loaded):
    from nummus import warehouse

    settings, store, ids = loaded
    summary = run_vision(settings, workers=1, progress=False)
    version = crop_version(settings)
    assert summary.crop_version == version
    assert summary.todo == len(ids) and summary.processed == len(ids)
    with warehouse.session(settings, read_only=True) as con:
        rows = crops_by_lot(con, ids, version)
        quarantine = con.execute("SELECT lot, reason, detail, ref FROM raw.quarantine WHERE stage = 'vision'"
                                 ).fetchall()
    reasons = {lot: reason for lot, reason, _, _ in quarantine}
    # bad input: a red row (so the batch does not retry it forever) and a quarantine reason
    assert reasons == {"corrupt": "corrupt_image", "not_an_image": "corrupt_image",
                       "one_pixel": "image_too_small", "missing": "missing_object"}
    for lot in ("corrupt", "not_an_image", "one_pixel"):
        assert rows[lot]["status"] == "red" and rows[lot]["layout"] == "none"
        assert rows[lot]["reasons"][0].startswith(reasons[lot])
    assert "missing" not in rows  # retried on the next run, once the object is there
    # handled input: converted, found, cropped
    notes = {lot: json.loads(rows[lot]["detection"]).get("input_notes") for lot in rows}
    assert "cmyk_converted" in notes["cmyk"]
    assert "16bit_scaled" in notes["png16"]
    assert "alpha_composited_on_white" in notes["alpha"]
    assert "grayscale" in notes["gray"]
    assert any(n.startswith("decoded_reduced_") for n in notes["mp60"])
    for lot in ("good", "cmyk", "png16", "alpha", "gray", "mp60", "thumb120"):
        row = rows[lot]
        assert row["layout"] == "pair_horizontal", (lot, row["reasons"])
        assert row["side_rule"] == "left_is_obverse"
        assert row["obv_key"] == f"crops/v{version}/{ids[lot]}_obv.jpg"
        assert row["rev_small_key"] == f"crops/v{version}/224/{ids[lot]}_rev.jpg"
        small = cv2.imdecode(np.frombuffer(store.get(row["obv_small_key"]), np.uint8), cv2.IMREAD_COLOR)
        assert small.shape == (224, 224, 3)
        assert store.exists(row["rev_key"])
    assert rows["good"]["status"] == "green"
    assert "tiny" in rows["thumb120"]["obv_flags"] and rows["thumb120"]["status"] == "yellow"
    # the 60 MP photo: circles reported in its own pixels, the crop capped
    det = json.loads(rows["mp60"]["detection"])
    assert det["width"] == 11000 and abs(det["coins"][0]["cx"] - 11000 / 4) < 11000 * 0.01
    full = cv2.imdecode(np.frombuffer(store.get(rows["mp60"]["obv_key"]), np.uint8), cv2.IMREAD_COLOR)
    assert full.shape[0] == 1024


def test_batch_is_idempotent_resumable_and_recuts_new_versions(loaded, monkeypatch):
    from nummus import warehouse

    settings, store, ids = loaded
    first = run_vision(settings, workers=1, limit=4, progress=False)  # a run cut short
    assert first.processed == 4
    rest = run_vision(settings, workers=1, progress=False)
    assert rest.todo == len(ids) - 4  # resumes where it stopped
    again = run_vision(settings, workers=1, progress=False)
    assert again.todo == 1 and again.quarantined == 1  # only the missing object is retried
    version = crop_version(settings)
    with warehouse.session(settings, read_only=True) as con:
        before = con.execute("SELECT coin_id, obv_key, created_at FROM raw.crops ORDER BY coin_id").fetchall()
    # the missing photo arrives: only that lot is cut
    store.put(f"raw/testhouse/s1/missing/0.img", photos()["good"])
    with warehouse.session(settings) as con:
        con.execute("UPDATE raw.images SET sha256 = 'new' WHERE lot = 'missing'")
    arrived = run_vision(settings, workers=1, progress=False)
    assert arrived.todo == 1 and arrived.by_layout == {"pair_horizontal": 1}
    # a new margin is a new crop_version: everything is cut again, the old rows stay
    monkeypatch.setenv("NUMMUS_CROP_MARGIN", "0.2")
    new_version = crop_version(settings)
    assert new_version != version
    recut = run_vision(settings, workers=1, progress=False)
    assert recut.crop_version == new_version and recut.todo == len(ids)
    with warehouse.session(settings, read_only=True) as con:
        old = con.execute("SELECT coin_id, obv_key, created_at FROM raw.crops WHERE crop_version = ? "
                          "AND coin_id != ? ORDER BY coin_id", [version, ids["missing"]]).fetchall()
        assert old == [b for b in before if b[0] != ids["missing"]]
        keys = con.execute("SELECT obv_key FROM raw.crops WHERE crop_version = ? AND obv_key IS NOT NULL",
                           [new_version]).fetchall()
    assert keys and all(k[0].startswith(f"crops/v{new_version}/") for k in keys)


def test_batch_in_a_process_pool_matches_inline(settings, warehouse_con, store):
    from nummus.ingest.vision import find_coins
    from nummus import warehouse

    good = photos()["good"]
    # the caller has used OpenCV's thread pool: workers forked from it could deadlock
    assert find_coins(cv2.resize(pair_photo(), (1600, 800))).layout == "pair_horizontal"
    ids = add_lots(warehouse_con, store, {f"lot{i}": good for i in range(6)} | {"bad": b"nope"}, sale="pool")
    warehouse_con.close()
    summary = run_vision(settings, workers=2, progress=False)
    assert summary.workers == 2 and summary.processed == 7
    assert summary.by_layout == {"pair_horizontal": 6, "none": 1} and summary.quarantined == 1
    with warehouse.session(settings, read_only=True) as con:
        n = con.execute("SELECT count(*) FROM raw.crops WHERE status = 'green'").fetchone()[0]
    assert n == 6


def single_photo(shade: int) -> np.ndarray:
    """One coin in the middle of the photo (the left coin of a pair photo, recentred)."""
    pair = pair_photo()
    img = np.full_like(pair, 245)
    img[:, 200:600] = pair[:, 0:400]
    img[img < 245] = np.clip(img[img < 245].astype(int) + shade, 0, 244).astype(np.uint8)
    return img


def test_single_coin_with_a_second_photo_gets_its_reverse_from_it(settings, warehouse_con, store):
    """Dealers often photograph a coin one side per photo: main photo = obverse, photo n=1 = reverse."""
    from nummus import warehouse

    ids = add_lots(warehouse_con, store, {"two_photos": jpeg(single_photo(0)), "one_photo": jpeg(single_photo(0)),
                                          "second_is_pair": jpeg(single_photo(0))}, sale="singles")
    for lot, data in (("two_photos", jpeg(single_photo(20))), ("second_is_pair", jpeg(pair_photo()))):
        key = f"raw/testhouse/singles/{lot}/1.img"
        store.put(key, data)
        warehouse_con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key) "
                              "VALUES (?, 'testhouse', 'singles', ?, 1, 'x', ?)", [ids[lot], lot, key])
    warehouse_con.close()
    run_vision(settings, workers=1, progress=False)
    with warehouse.session(settings, read_only=True) as con:
        rows = crops_by_lot(con, ids, crop_version(settings))
    both = rows["two_photos"]
    assert both["layout"] == "single" and both["side_rule"].startswith("single_photos")
    assert both["rev_key"] and both["rev_small_key"] and store.exists(both["rev_small_key"])
    assert store.get(both["rev_key"]) != store.get(both["obv_key"])
    assert both["status"] == "green", both["reasons"]
    assert len(json.loads(both["detection"])["coins"]) == 2
    for lot in ("one_photo", "second_is_pair"):  # no usable second side: obverse only, yellow
        assert rows[lot]["rev_key"] is None and rows[lot]["status"] == "yellow"
    assert any(r.startswith("second_photo_not_single") for r in rows["second_is_pair"]["reasons"])
