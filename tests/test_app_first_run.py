"""app2 on a first run: migrated, nothing embedded and nothing clustered yet. Every endpoint
and page answers with a plain message and a status that says so (503: nothing is serving yet;
404: no clustering run), never a 500. Tested over HTTP only."""

from __future__ import annotations

import pytest

from nummus.bench.synthetic.vectors import lot_photo
from test_app_support import app_client, post
from test_cli_support import nummus

NOT_SERVING = "no index version is serving yet (run the embed step)"


@pytest.fixture(scope="module")
def client(module_settings):
    with app_client(module_settings, encoder=None) as c:     # the app as `nummus serve` runs it
        yield c


def test_health_says_nothing_is_serving(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"ok": True, "serving_version": None}
    stats = client.get("/api/stats")
    assert stats.status_code == 200
    assert stats.json() == {"serving": None, "coins": 0, "vectors": 0, "in_delta": 0, "coverage": [], "houses": [],
                            "denominations": []}


def test_search_api_is_503_and_names_the_step_to_run(client):
    r = post(client, lot_photo(1))
    assert r.status_code == 503 and r.json() == {"detail": NOT_SERVING}
    for path in ("/api/coins/5", "/api/coins/5/similar"):
        r = client.get(path)
        assert r.status_code == 503 and r.json()["detail"].startswith(NOT_SERVING), (path, r.text)


def test_pages_before_the_first_index(client):
    home = client.get("/")
    assert home.status_code == 200 and 'id="drop"' in home.text
    r = client.post("/search", files={"image": ("lot.jpg", lot_photo(1), "image/jpeg")}, data={"k": "6"})
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
    assert NOT_SERVING in r.text and "<h1>503</h1>" in r.text
    coin = client.get("/coins/5")
    assert coin.status_code == 503 and coin.headers["content-type"].startswith("text/html") and NOT_SERVING in coin.text
    stats = client.get("/stats")
    assert stats.status_code == 200 and "No index version is serving yet." in stats.text


@pytest.mark.parametrize("path", ["/clusters", "/clusters/7", "/audit"])
def test_cluster_pages_before_the_first_clustering_run(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no active cluster run: run `nummus cluster`" in r.text


def test_cluster_map_before_the_first_clustering_run(client):
    r = client.get("/clusters/map.png")
    assert r.status_code == 404 and r.content == b""


def test_cli_search_before_the_first_index(module_settings):
    r = nummus("search", "--coin", "5")
    assert r.code == 2 and NOT_SERVING in r.err and "Traceback" not in r.err, r.output
