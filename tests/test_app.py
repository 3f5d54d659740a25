"""app2 over a real PostgreSQL (read-only role), object store and vision step: every endpoint,
filters, error cases, injection attempts, concurrency, and a headless-Chromium upload."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time

import numpy as np
import pytest
from PIL import Image

from nummus.bench.synthetic.vectors import SyntheticCoins, load_index, lot_photo, pair_vector

PERIODS = ["roman_imperial", "greek", "byzantine", "celtic"]
N_COINS = 14
RESOLD = {N_COINS + 1: 2}     # coin 15 is coin 2's photo sold again in another sale


class TinyEncoder:
    """Deterministic test encoder (64-d: an 8×8 grey thumbnail, centred and normalised)."""

    def encode(self, images):
        out = []
        for im in images:
            a = np.asarray(im.convert("L").resize((8, 8), Image.Resampling.BILINEAR), np.float32).ravel()
            a = a - a.mean()
            out.append(a / max(float(np.linalg.norm(a)), 1e-6))
        return np.stack(out)


def one_side(photo: bytes) -> bytes:
    """The left coin of a lot photo, cropped loosely (a one-sided upload)."""
    im = Image.open(io.BytesIO(photo))
    w, h = im.size
    out = io.BytesIO()
    im.crop((0, 0, w // 2, h)).save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.fixture(scope="module")
def env(pg_url, tmp_path_factory):
    """Settings for this module: temporary data folder and object store, the module's database;
    coins made from real lot photos split by the vision step and encoded with TinyEncoder."""
    from nummus.ingest.vision.splitter import split_photo
    from nummus import stores
    from nummus.objectstore import _store, get_store
    from nummus.postgres import connect
    from nummus.settings import get_settings

    tmp = tmp_path_factory.mktemp("app")
    mp = pytest.MonkeyPatch()
    mp.setenv("NUMMUS_DATA_DIR", str(tmp / "data"))
    mp.setenv("DATABASE_URL", pg_url)
    for var in ("NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL", "NUMMUS_DATABASE_URL", "NUMMUS_CONFIG",
                "NUMMUS_APP_DATABASE_URL"):
        mp.delenv(var, raising=False)
    get_settings.cache_clear()
    _store.cache_clear()
    settings = get_settings()
    stores.init(settings)
    store = get_store(settings)
    enc = TinyEncoder()
    ids = list(range(1, N_COINS + 1)) + list(RESOLD)
    photos, vecs, keys = {}, {}, {}
    for cid in ids:
        src = RESOLD.get(cid, cid)
        photos[cid] = lot_photo(src, quality=90 if cid == src else 80)
        split = split_photo(photos[cid])
        assert set(split.crops) == {"obv", "rev"}, split.detection.reasons
        side_vecs = {}
        for side, (full, small) in split.crops.items():
            store.put(f"crops/test/{cid}_{side}.jpg", full)
            store.put(f"crops/test/{cid}_{side}_224.jpg", small)
            side_vecs[side] = enc.encode([Image.open(io.BytesIO(small))])[0]
        vecs[cid] = side_vecs
    n = len(ids)
    obv = np.stack([vecs[c]["obv"] for c in ids])
    rev = np.stack([vecs[c]["rev"] for c in ids])
    coins = SyntheticCoins(
        coin_id=np.array(ids, np.int64), period=[PERIODS[c % len(PERIODS)] for c in ids],
        denomination=["denarius" if c % 2 else "stater" for c in ids], house=["demo"] * n,
        price=np.array([100.0 * c for c in ids]), closing_date=[__import__("datetime").date(2024, 1, 1 + c % 28) for c in ids],
        obv=obv, rev=rev, pair=pair_vector(obv, rev))
    with connect(url=pg_url) as conn:
        load_index(conn, coins, freeze_id="apptest")
        for cid in ids:
            conn.execute("UPDATE coins SET obv_key = %s, rev_key = %s, obv_small_key = %s, rev_small_key = %s,"
                         " authority = 'Augustus', mint = 'Rome', sale = %s WHERE coin_id = %s",
                         (f"crops/test/{cid}_obv.jpg", f"crops/test/{cid}_rev.jpg", f"crops/test/{cid}_obv_224.jpg",
                          f"crops/test/{cid}_rev_224.jpg", "resale" if cid in RESOLD else "s1", cid))
        # a finished clustering run chosen for the app: coins 2 and 15 (the same coin) in cluster 7
        run = conn.execute("INSERT INTO cluster_runs (index_version, vector, backend, params, versions)"
                           " VALUES (1, 'pair', 'cpu', '{}', '{}') RETURNING run_id").fetchone()[0]
        for cid in ids:
            conn.execute("INSERT INTO cluster_assignments (run_id, coin_id, cluster, method, x, y)"
                         " VALUES (%s, %s, %s, 'hdbscan', 0, 0)", (run, cid, 7 if cid in (2, 15) else -1))
        conn.execute("INSERT INTO cluster_summaries (run_id, cluster, size, labelled, dominant_period, purity, pure,"
                     " periods) VALUES (%s, 7, 2, 2, 'roman_imperial', 1.0, true, '{\"roman_imperial\": 2}')", (run,))
        conn.execute("UPDATE cluster_runs SET state = 'done' WHERE run_id = %s", (run,))
        conn.execute("SELECT nummus_activate_cluster_run(%s)", (run,))
        conn.commit()
    yield {"settings": settings, "photos": photos, "coins": coins}
    mp.undo()
    get_settings.cache_clear()
    _store.cache_clear()


@pytest.fixture(scope="module")
def client(env):
    from fastapi.testclient import TestClient

    from nummus.app.api import get_encoder
    from nummus.app.main import create_app

    app = create_app(env["settings"])
    app.dependency_overrides[get_encoder] = TinyEncoder
    with TestClient(app) as c:
        yield c


def post(client, data: bytes, filename="lot.jpg", **form):
    return client.post("/api/search", files={"image": (filename, data, "image/jpeg")},
                       data={k: str(v) for k, v in form.items()})


# --- search --------------------------------------------------------------------------------------

def test_pair_photo_finds_its_coin(client, env):
    r = post(client, env["photos"][5], k=5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"]["layout"] == "pair_horizontal"
    assert body["query"]["sides"] == ["obv", "rev"] and body["query"]["searched"] == "pair"
    assert set(body["query"]["crops"]) == {"obv", "rev"}
    assert body["query"]["detection"]["coins"]
    assert len(body["results"]) == 5
    top = body["results"][0]
    assert top["coin_id"] == 5 and top["cosine"] == pytest.approx(1.0, abs=1e-3)
    for field in ("period", "denomination", "ruler", "mint", "house", "sale", "lot", "title", "price",
                  "lot_url", "obv_url", "rev_url", "cluster"):
        assert field in top
    assert top["ruler"] == "Augustus"
    img = client.get(top["obv_url"])
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert img.content[:3] == b"\xff\xd8\xff"
    assert set(body["timings_ms"]) == {"split", "encode", "sql", "total"}


def test_one_side_upload_searches_that_side(client, env):
    r = post(client, one_side(env["photos"][7]), k=3)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["query"]["sides"]) == 1 and body["query"]["searched"] in ("obv", "rev")
    assert 7 in [h["coin_id"] for h in body["results"]]
    r = post(client, one_side(env["photos"][7]), k=3, side="rev")
    assert r.json()["query"]["searched"] == "rev"


@pytest.mark.parametrize("form,check", [
    ({"period": "greek"}, lambda h: h["period"] == "greek"),
    ({"denomination": "stater"}, lambda h: h["denomination"] == "stater"),
    ({"house": "demo"}, lambda h: h["house"] == "demo"),
    ({"price_min": 300, "price_max": 900}, lambda h: 300 <= h["price"] <= 900),
    ({"sold_from": "2024-01-05", "sold_to": "2024-01-10"}, lambda h: "2024-01-05" <= h["closing_date"] <= "2024-01-10"),
    ({"period": "celtic", "denomination": "denarius"}, lambda h: (h["period"], h["denomination"]) == ("celtic", "denarius")),
])
def test_each_filter(client, env, form, check):
    r = post(client, env["photos"][3], k=50, **form)
    assert r.status_code == 200, r.text
    hits = r.json()["results"]
    coins = env["coins"]
    expected = 0
    for i in range(len(coins)):
        row = {"period": coins.period[i], "denomination": coins.denomination[i], "house": coins.house[i],
               "price": coins.price[i], "closing_date": coins.closing_date[i].isoformat()}
        expected += bool(check(row))
    assert len(hits) == expected > 0          # exactly the matching coins (k exceeds them)
    assert all(check(h) for h in hits)
    assert r.json()["filters"]


def test_unknown_period_gives_no_rows(client, env):
    r = post(client, env["photos"][3], period="medieval")
    assert r.status_code == 200 and r.json()["results"] == []


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,reason,status", [
    (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj", "pdf", 400),
    (b"<!DOCTYPE html><html><body>hi</body></html>", "html", 400),
    (b"  <html><script>alert(1)</script>", "html", 400),
    (b"\x00\x01garbage" * 20, "not_an_image", 400),
    (b"\xff\xd8\xff\xe0broken jpeg", "corrupt_image", 400),
    (b"", "empty", 400),
])
def test_bad_uploads(client, data, reason, status):
    r = post(client, data)
    assert r.status_code == status and r.json()["reason"] == reason
    assert r.json()["detail"]


def test_size_and_pixel_caps(client):
    from nummus.app.upload import MAX_BYTES

    r = post(client, b"\xff\xd8\xff" + b"\0" * MAX_BYTES)
    assert r.status_code == 413 and r.json()["reason"] == "too_large"
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, "PNG")
    r = post(client, big.getvalue(), filename="big.png")
    assert r.status_code == 413 and r.json()["reason"] == "too_many_pixels"
    tiny = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiny, "PNG")
    assert post(client, tiny.getvalue()).status_code == 400


@pytest.mark.parametrize("form", [
    {"period": "Roman Imperial"}, {"denomination": "x" * 100}, {"price_min": "cheap"},
    {"price_min": -1}, {"price_min": 500, "price_max": 100}, {"sold_from": "yesterday"},
    {"sold_from": "2024-02-01", "sold_to": "2024-01-01"}, {"k": 0}, {"k": 1000}, {"side": "both"},
])
def test_bad_filter_values_are_422(client, env, form):
    r = post(client, env["photos"][1], **form)
    assert r.status_code == 422, r.text


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE coins; --", "1; DELETE FROM coins", "$1", "%(k)s", "\\'; SELECT 1; --"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_every_parameter(client, env, value):
    coins_before = client.get("/api/stats").json()["coins"]
    for name in ("period", "denomination", "house", "price_min", "price_max", "sold_from", "sold_to", "k", "side"):
        r = post(client, env["photos"][1], **{name: value})
        assert r.status_code in (200, 422), (name, r.status_code)
        if r.status_code == 200:  # free text (house) is a bound value: it matches nothing
            assert r.json()["results"] == []
        r = client.get("/api/coins/2/similar", params={name: value})
        assert r.status_code in (200, 422), (name, r.status_code)
        if r.status_code == 200:
            assert r.json()["results"] == []
    assert client.get(f"/api/coins/{value}").status_code in (404, 422)
    assert client.get("/api/stats").json()["coins"] == coins_before


def test_without_a_matching_encoder_the_search_says_why(env):
    from fastapi.testclient import TestClient

    from nummus.app.main import create_app

    with TestClient(create_app(env["settings"])) as c:
        r = post(c, env["photos"][1])
        assert r.status_code == 503 and "encoder" in r.json()["detail"]
        assert c.get("/api/coins/2/similar").status_code == 200   # coin search needs no encoder


# --- coins, stats, health, docs -----------------------------------------------------------------

def test_coin_and_similar(client):
    r = client.get("/api/coins/2")
    assert r.status_code == 200 and r.json()["coin_id"] == 2 and r.json()["index_version"] == 1
    r = client.get("/api/coins/2/similar", params={"k": 5})
    hits = r.json()["results"]
    assert len(hits) == 5 and 2 not in [h["coin_id"] for h in hits]
    assert hits[0]["coin_id"] == 15 and hits[0]["cosine"] > 0.95      # the same coin, sold again
    assert hits[0]["cluster"] == 7 and hits[1]["cluster"] is None     # noise (-1) shows as none
    r = client.get("/api/coins/2/similar", params={"period": "celtic", "side": "obv", "k": 50})
    assert {h["period"] for h in r.json()["results"]} == {"celtic"}
    assert client.get("/api/coins/999999").status_code == 404
    assert client.get("/api/coins/999999/similar").status_code == 404
    assert client.get("/api/coins/abc").status_code == 422
    assert client.get("/api/coins/0").status_code == 422
    assert client.get(f"/api/coins/{2**70}").status_code == 422
    assert client.get("/api/coins/2/similar", params={"k": 0}).status_code == 422
    assert client.get("/api/coins/2/similar", params={"period": "Not A Period"}).status_code == 422



def test_coin_shows_the_classifiers_latest_prediction(client, pg_url):
    import psycopg

    assert client.get("/api/coins/3").json()["predicted_period"] is None
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO period_predictions (coin_id, model_version, period, confidence, created_at)"
                     " VALUES (3, 'period_v1', 'greek', 0.61, now() - interval '1 day'),"
                     "        (3, 'period_v2', 'celtic', 0.83, now())")
    coin = client.get("/api/coins/3").json()
    assert (coin["predicted_period"], coin["prediction_model"]) == ("celtic", "period_v2")
    assert abs(coin["predicted_confidence"] - 0.83) < 1e-6
    page = client.get("/coins/3").text
    assert "predicted period" in page and "celtic" in page


def test_cluster_pages_are_mounted(client):
    grid = client.get("/clusters")
    assert grid.status_code == 200 and "cluster" in grid.text.lower()
    png = client.get("/clusters/map.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    one = client.get("/clusters/7")
    assert one.status_code == 200 and 'href="/coins/2"' in one.text and 'href="/coins/15"' in one.text
    assert client.get("/audit").status_code == 200
    assert client.get("/clusters/abc").status_code == 422

def test_stats_health_docs_crops(client):
    s = client.get("/api/stats").json()
    assert s["serving"]["version"] == 1 and s["coins"] == N_COINS + len(RESOLD) == s["vectors"]
    assert {c["period"] for c in s["coverage"]} == set(PERIODS)
    assert all(c["pct_with_vectors"] == 100.0 for c in s["coverage"])
    assert client.get("/healthz").json() == {"ok": True, "serving_version": 1}
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/coins/{coin_id}", "/api/coins/{coin_id}/similar", "/api/stats", "/healthz"} <= set(paths)
    assert client.get("/crops/crops/test/nothing.jpg").status_code == 404
    assert client.get("/crops/raw/secret.html").status_code == 404
    assert client.get("/crops/crops/../../etc/passwd").status_code == 404


def test_html_pages(client, env):
    page = client.get("/")
    assert page.status_code == 200 and 'id="drop"' in page.text and "roman_imperial" in page.text
    r = client.post("/search", files={"image": ("lot.jpg", env["photos"][4], "image/jpeg")},
                    data={"k": "6", "period": ""})
    assert r.status_code == 200 and r.text.count('class="card"') == 6 and 'href="/coins/4"' in r.text
    bad = client.post("/search", files={"image": ("x.pdf", b"%PDF-1.4 ...", "application/pdf")})
    assert bad.status_code == 400 and "PDF" in bad.text
    coin = client.get("/coins/2")
    assert coin.status_code == 200 and "Likely other sales" in coin.text
    other = coin.text.split('id="other-sales"')[1].split("</section>")[0]
    assert 'href="/coins/15"' in other
    assert client.get("/coins/424242").status_code == 404
    stats = client.get("/stats")
    assert stats.status_code == 200 and "<svg" in stats.text and "roman_imperial" in stats.text


# --- a real server: concurrency and the browser ------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(env):
    import uvicorn

    from nummus.app.api import get_encoder
    from nummus.app.main import create_app

    app = create_app(env["settings"], pool_size=2, encoder_threads=1)   # small, so requests must queue
    app.dependency_overrides[get_encoder] = TinyEncoder
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_simultaneous_requests_queue_never_429(live_server, env):
    import httpx

    async def burst():
        async with httpx.AsyncClient(base_url=live_server, timeout=120) as c:
            searches = [c.post("/api/search", files={"image": ("lot.jpg", env["photos"][1 + i % N_COINS], "image/jpeg")},
                               data={"k": "3"}) for i in range(12)]
            coins = [c.get(f"/api/coins/{1 + i % N_COINS}/similar") for i in range(20)]
            return await asyncio.gather(*searches, *coins)

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 32
    assert [r.json()["results"][0]["coin_id"] for r in responses[:12]] == [1 + i % N_COINS for i in range(12)]


@pytest.mark.browser
def test_browser_upload_shows_results(live_server, env, tmp_path):
    from playwright.sync_api import sync_playwright

    photo = tmp_path / "lot.jpg"
    photo.write_bytes(env["photos"][9])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(live_server + "/")
            page.select_option("#period", "")
            page.set_input_files("#image", str(photo))
            page.click("#search-button")
            page.wait_for_selector("#results .card", timeout=30_000)
            cards = page.locator("#results .card")
            assert cards.count() == 12
            assert page.locator("#results .card").first.locator("a.title").get_attribute("href") == "/coins/9"
            assert page.locator(".query-crops img").count() == 2
            page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
            page.locator("#results .card a.title").first.click()
            page.wait_for_selector("#neighbours .card")
            assert "Likely other sales" in page.content()
            page.screenshot(path=str(tmp_path / "coin.png"), full_page=True)
            page.goto(live_server + "/stats")
            page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
            # drag and drop: a file dropped on the upload area is submitted at once
            import base64

            page.goto(live_server + "/")
            page.evaluate("""(b64) => {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], "dropped.jpg", {type: "image/jpeg"}));
                document.getElementById("drop").dispatchEvent(
                    new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
            }""", base64.b64encode(env["photos"][6]).decode())
            page.wait_for_selector("#results .card", timeout=30_000)
            assert page.locator("#results .card a.title").first.get_attribute("href") == "/coins/6"
        finally:
            browser.close()


# --- the command line -------------------------------------------------------------------------

def nummus(*args, timeout=120):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "nummus", *args], capture_output=True, text=True, timeout=timeout)


def test_cli_search_by_coin_and_errors(env, tmp_path):
    import json

    r = nummus("search", "--coin", "2", "-k", "3", "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)["results"]
    assert [h["coin_id"] for h in hits][0] == 15 and len(hits) == 3
    r = nummus("search", "--coin", "2", "--period", "'; DROP TABLE coins; --")
    assert r.returncode == 2 and "bad filter" in r.stderr
    photo = tmp_path / "lot.jpg"
    photo.write_bytes(env["photos"][1])
    r = nummus("search", str(photo))   # the test index records no loadable encoder
    assert r.returncode == 2 and "encoder" in r.stderr
    pdf = tmp_path / "doc.jpg"
    pdf.write_bytes(b"%PDF-1.4 not a photo")
    r = nummus("search", str(pdf))
    assert r.returncode == 2 and "PDF" in r.stderr
    from nummus import warehouse

    with warehouse.session(env["settings"], read_only=True) as con:
        rows = con.execute("SELECT stage, ref, reason FROM raw.quarantine WHERE stage = 'search'").fetchall()
    assert rows == [("search", str(pdf), "pdf")]


@pytest.mark.slow
def test_cli_serve(env):
    import subprocess
    import sys

    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "nummus", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r.json() == {"ok": True, "serving_version": 1}
        assert httpx.get(f"http://127.0.0.1:{port}/api/coins/3").json()["coin_id"] == 3
    finally:
        proc.terminate()
        proc.wait(20)
