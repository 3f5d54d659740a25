"""app2's JSON API over a real PostgreSQL (read-only role), object store and vision step:
search with every filter, error cases, injection attempts, coins, stats, health, the crops route
and its guards (raw request lines, not a client that normalises `../` away), concurrency."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from test_app_support import N_COINS, PERIODS, RESOLD, app_client, app_env, live_app, one_side, post, raw_get


@pytest.fixture(scope="module")
def env(pg_url, tmp_path_factory):
    with app_env(pg_url, tmp_path_factory.mktemp("app-api")) as e:
        yield e


@pytest.fixture(scope="module")
def client(env):
    with app_client(env["settings"]) as c:
        yield c


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
    assert body["query"]["sides"] == ["obv"] and body["query"]["searched"] == "obv"   # one coin: the obverse
    assert 7 in [h["coin_id"] for h in body["results"]]
    r = post(client, one_side(env["photos"][7]), k=3, side="rev")
    assert r.json()["query"]["sides"] == ["rev"] and r.json()["query"]["searched"] == "rev"


@pytest.mark.parametrize("form,check", [
    ({"period": "greek"}, lambda h: h["period"] == "greek"),
    ({"denomination": "stater"}, lambda h: h["denomination"] == "stater"),
    ({"house": "demo"}, lambda h: h["house"] == "demo"),
    ({"price_min": 300, "price_max": 900}, lambda h: 300 <= h["price"] <= 900),
    ({"sold_from": "2024-01-05", "sold_to": "2024-01-10"}, lambda h: "2024-01-05" <= h["closing_date"] <= "2024-01-10"),
    ({"period": "celtic", "denomination": "denarius"},
     lambda h: (h["period"], h["denomination"]) == ("celtic", "denarius")),
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
    assert r.json()["filters"] == {k: float(v) if k.startswith("price") else v for k, v in form.items()}


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
    """Free text (house) is a bound value: it matches nothing; every other parameter refuses it."""
    coins_before = client.get("/api/stats").json()["coins"]
    for name in ("period", "denomination", "house", "price_min", "price_max", "sold_from", "sold_to", "k", "side"):
        expected = 200 if name == "house" else 422
        r = post(client, env["photos"][1], **{name: value})
        assert r.status_code == expected, (name, r.status_code, r.text)
        r = client.get("/api/coins/2/similar", params={name: value})
        assert r.status_code == expected, (name, r.status_code, r.text)
        if expected == 200:
            assert r.json()["results"] == [] and post(client, env["photos"][1], house=value).json()["results"] == []
    assert client.get(f"/api/coins/{value}").status_code == 422
    assert client.get("/api/stats").json()["coins"] == coins_before


def test_without_a_matching_encoder_the_search_says_why(env):
    with app_client(env["settings"], encoder=None) as c:
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


def test_stats_health_docs(client):
    s = client.get("/api/stats").json()
    assert s["serving"]["version"] == 1 and s["coins"] == N_COINS + len(RESOLD) == s["vectors"]
    assert {c["period"] for c in s["coverage"]} == set(PERIODS)
    assert all(c["pct_with_vectors"] == 100.0 for c in s["coverage"])
    assert client.get("/healthz").json() == {"ok": True, "serving_version": 1}
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/coins/{coin_id}", "/api/coins/{coin_id}/similar", "/api/stats",
            "/healthz"} <= set(paths)


# --- the crops route: only crops, never a climb out of crops/ -----------------------------------

@pytest.fixture(scope="module")
def secret(env):
    """An object outside crops/ that a route without guards would serve."""
    from nummus.objectstore import get_store

    get_store(env["settings"]).put("raw/secret.jpg", b"\xff\xd8\xff not for the app")
    return "raw/secret.jpg"


def test_crops_route_serves_crops_and_nothing_else(client, secret):
    assert client.get("/crops/crops/test/1_obv.jpg").status_code == 200
    assert client.get("/crops/crops/test/nothing.jpg").status_code == 404
    r = client.get(f"/crops/{secret}")                          # an existing object, not a crop
    assert r.status_code == 404 and r.json() == {"detail": "no such crop"}
    r = client.get(f"/crops/crops/%2e%2e/{secret}")             # dots percent-encoded reach the route as ..
    assert r.status_code == 404 and r.json() == {"detail": "no such crop"}


def test_path_traversal_on_the_request_line_is_refused(env, secret):
    """The request line as an attacker sends it: the server hands the route `crops/../raw/…`
    and the route's guard answers 404 (a route without it would fail in the store, or serve)."""
    with live_app(env["settings"]) as base:
        assert raw_get(base, "/crops/crops/test/1_obv.jpg")[0] == 200        # the raw request works
        for target in (f"/crops/crops/../{secret}", f"/crops/crops/test/../../{secret}",
                       f"/crops/crops%2f..%2f{secret}", "/crops/crops/../../../../etc/passwd"):
            status, body = raw_get(base, target)
            assert (status, body) == (404, b'{"detail":"no such crop"}'), target


def test_simultaneous_requests_queue_never_429(env):
    import httpx

    async def burst(base):
        async with httpx.AsyncClient(base_url=base, timeout=120) as c:
            searches = [c.post("/api/search", data={"k": "3"},
                               files={"image": ("lot.jpg", env["photos"][1 + i % N_COINS], "image/jpeg")})
                        for i in range(12)]
            coins = [c.get(f"/api/coins/{1 + i % N_COINS}/similar") for i in range(20)]
            return await asyncio.gather(*searches, *coins)

    with live_app(env["settings"], pool_size=2, encoder_threads=1) as base:   # small, so requests must queue
        responses = asyncio.run(burst(base))
    assert [r.status_code for r in responses] == [200] * 32
    assert [r.json()["results"][0]["coin_id"] for r in responses[:12]] == [1 + i % N_COINS for i in range(12)]
