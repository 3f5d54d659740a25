"""Scraping over real HTTP: a local server that misbehaves in every way the issue names
(timeouts, 429 with Retry-After, 500s, truncated bodies, wrong content types, HTML instead of
an image, a 60-megapixel image, robots.txt, 404s). The crawl finishes; every good lot is
stored once; every bad one is in the quarantine with its reason."""

from __future__ import annotations

import http.server
import json
import io
import threading
import time
from collections import defaultdict

import pytest
from PIL import Image

from nummus.ingest.crawl import scrape
from nummus.bench.synthetic.site import constant_png, write_site
from nummus.ingest.http import Fetcher, retry_after_seconds
from nummus.ingest.raw_writer import read_snapshot
from nummus.ingest.reparse import reparse
from nummus.demo.house.serve import serving as serve
from nummus import warehouse


def _jpeg(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, "JPEG")
    return buf.getvalue()


GOOD = _jpeg((200, 150, 50))
OTHER = _jpeg((20, 90, 160))
BIG = _jpeg((90, 90, 90))
BOMB = constant_png(7746, 7746)  # 60 MP
LOTS = 14
# lot -> (images, faults)
IMAGES = {1: ["1.jpg", "1_2.bin"], 2: ["2.jpg"], 3: ["3.jpg"], 7: ["7.jpg"], 8: ["8.png"],
          12: ["12.jpg", "12_2.jpg"], 13: ["13.jpg"], 14: ["14.jpg"]}


def _page(lot: int) -> str:
    imgs = "".join(f'<img class="lot-image" src="../images/{name}">' for name in IMAGES.get(lot, []))
    withdrawn = '<p class="lot-withdrawn">withdrawn</p>' if lot == 11 else ""
    return (f'<html><body><article class="lot" data-house="demo" data-sale="s1" data-lot="{lot}">'
            f'<h1 class="lot-title">Lot {lot} denarius</h1>{imgs}{withdrawn}'
            f'<div class="lot-description">Denarius number {lot}. RIC {lot}.</div>'
            f'<dd class="estimate">CHF 1\'200 - CHF 1\'500</dd><dd class="hammer">CHF {lot},000</dd>'
            f'<time class="closing" datetime="2024-05-{lot:02d}"></time></article></body></html>')


class FaultyHouse(http.server.BaseHTTPRequestHandler):
    hits: dict[str, list[float]] = defaultdict(list)
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body: bytes, ctype="text/html; charset=utf-8", headers=None, length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if length is not None:
            self.close_connection = True

    def do_GET(self):  # noqa: C901 - one branch per fault
        path = self.path
        self.hits[path].append(time.monotonic())
        n = len(self.hits[path])
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /sales/s1/lots/9.html\n", "text/plain")
        if path == "/sales/s1/index.html":
            links = "".join(f'<a class="lot" data-lot="{i}" href="lots/{i}.html">{i}</a>' for i in range(1, LOTS + 1))
            return self._send(200, f"<html><body>{links}</body></html>".encode())
        if path.startswith("/sales/s1/lots/"):
            lot = int(path.rsplit("/", 1)[1].split(".")[0])
            if lot == 2 and n == 1:
                time.sleep(6.0)  # twice the client's timeout
            if lot == 3 and n == 1:
                return self._send(429, b"slow down", headers={"Retry-After": "1"})
            if lot == 4:
                return self._send(500, b"internal error")
            if lot == 5:
                body = _page(5).encode()
                return self._send(200, body[:40], length=len(body))  # the connection closes early
            if lot == 6:
                return self._send(200, b'{"lot": 6}', "application/json")
            if lot == 10:
                return self._send(404, b"not found")
            if lot == 13 and n == 1:
                return self._send(503, b"maintenance")
            if lot == 14:
                return self._send(200, b"<html><body><p>Please log in</p></body></html>")
            return self._send(200, _page(lot).encode())
        if path.startswith("/sales/s1/images/"):
            name = path.rsplit("/", 1)[1]
            if name == "7.jpg":
                return self._send(200, b"<!DOCTYPE html><html><body>Image not found</body></html>")
            if name == "8.png":
                return self._send(200, BOMB, "image/png")
            if name == "12.jpg":
                return self._send(200, BIG[: len(BIG) // 2], "image/jpeg")
            if name == "12_2.jpg":
                return self._send(404, b"gone")
            if name == "1_2.bin":
                return self._send(200, OTHER, "application/octet-stream")  # judged by its bytes
            return self._send(200, GOOD, "image/jpeg")
        return self._send(404, b"no such page")


@pytest.fixture
def faulty_house():
    FaultyHouse.hits = defaultdict(list)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FaultyHouse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fetcher() -> Fetcher:
    # a timeout that a loaded machine's local answers stay well inside (only lot 2 sleeps past it)
    return Fetcher(rate=0, timeout=3.0, retries=2, backoff=0.01, max_backoff=0.05)


def _rows(settings, sql):
    with warehouse.session(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_misbehaving_house_is_scraped_completely(settings, store, faulty_house):
    summary = scrape("demo", "s1", base_url=faulty_house, settings=settings, fetcher=_fetcher())
    lots = _rows(settings, "SELECT lot, version, lot_status FROM raw.lots ORDER BY lot::INT")
    assert lots == [(str(n), 1, "withdrawn" if n == 11 else "ok") for n in (1, 2, 3, 7, 8, 11, 12, 13)]
    queue = dict(_rows(settings, "SELECT lot, status FROM raw.crawl_queue"))
    assert queue == {"1": "done", "2": "done", "3": "done", "4": "failed", "5": "failed", "6": "failed",
                     "7": "done", "8": "done", "9": "failed", "10": "missing", "11": "withdrawn", "12": "done",
                     "13": "done", "14": "failed"}
    reasons = {(stage, lot, reason) for stage, lot, reason in
               _rows(settings, "SELECT stage, lot, reason FROM raw.quarantine")}
    assert reasons == {
        ("scrape", "4", "http_500"), ("scrape", "5", "truncated_body"), ("scrape", "6", "wrong_content_type"),
        ("scrape", "9", "robots_disallowed"), ("scrape", "14", "not_a_lot_page"),
        ("image", "7", "html_not_image"), ("image", "8", "decompression_bomb"),
        ("image", "12", "truncated_image"), ("image", "12", "http_404"),
    }
    images = _rows(settings, "SELECT lot, n, format, object_key FROM raw.images ORDER BY lot::INT, n")
    assert images == [("1", 0, "jpeg", "raw/demo/s1/1/0.jpg"), ("1", 1, "jpeg", "raw/demo/s1/1/1.jpg"),
                      ("2", 0, "jpeg", "raw/demo/s1/2/0.jpg"), ("3", 0, "jpeg", "raw/demo/s1/3/0.jpg"),
                      ("13", 0, "jpeg", "raw/demo/s1/13/0.jpg")]
    assert store.get("raw/demo/s1/1/1.jpg") == OTHER
    assert "Denarius number 2." in read_snapshot(store, "pages/demo/s1/2.html.gz")
    assert summary.missing == 1 and summary.failed == 5 and summary.withdrawn == 1 and summary.stored == 7
    assert summary.quarantined == 9
    # 429: the second request waited for Retry-After (1 s); the timeout and 503 were retried
    first, second = FaultyHouse.hits["/sales/s1/lots/3.html"][:2]
    assert second - first >= 0.9
    assert len(FaultyHouse.hits["/sales/s1/lots/2.html"]) == 2
    assert len(FaultyHouse.hits["/sales/s1/lots/4.html"]) == 3      # 1 try + 2 retries
    assert "/sales/s1/lots/9.html" not in FaultyHouse.hits            # robots.txt honoured

    # a rerun stores nothing twice: finished lots are skipped, failed ones tried again
    again = scrape("demo", "s1", base_url=faulty_house, settings=settings, fetcher=_fetcher())
    assert again.stored == 0 and again.skipped == 9 and again.failed == 5
    assert _rows(settings, "SELECT count(*), count(DISTINCT (lot, version)) FROM raw.lots") == [(8, 8)]
    assert _rows(settings, "SELECT count(*) FROM raw.images") == [(5,)]
    assert _rows(settings, "SELECT max(attempts) FROM raw.crawl_queue WHERE status = 'failed'") == [(2,)]


def test_changed_pages_make_new_versions_and_reparse(settings, store, tmp_path, monkeypatch):
    site = tmp_path / "site"
    info = write_site(site, sale="s1", lots=15)
    with serve(site) as url:
        first = scrape("demo", "s1", base_url=url, rate=0, settings=settings)
        assert first.stored + first.withdrawn == len(info["pages"]) and first.missing == len(info["missing"])
        page = site / "sales/s1/lots/3.html"
        page.write_text(page.read_text().replace("Very fine.", "Extremely fine."))
        # markup only: same content, no new version
        page5 = site / "sales/s1/lots/5.html"
        page5.write_text(page5.read_text().replace("<dl>", "<dl class='prices'>"))
        again = scrape("demo", "s1", base_url=url, rate=0, settings=settings, refresh=True)
    assert again.stored == 1 and again.images == 0
    rows = _rows(settings, "SELECT version, page_key, description FROM raw.lots WHERE lot = '3' ORDER BY version")
    assert [r[:2] for r in rows] == [(1, "pages/demo/s1/3.html.gz"), (2, "pages/demo/s1/3.v2.html.gz")]
    assert "Very fine." in rows[0][2] and "Extremely fine." in rows[1][2]
    assert "Very fine." in read_snapshot(store, "pages/demo/s1/3.html.gz")  # the old snapshot is kept
    assert _rows(settings, "SELECT count(*) FROM raw.lots WHERE lot = '5'") == [(1,)]

    # reparse: same adapters -> nothing new; a changed selector -> new versions from the snapshots
    from test_cli_support import nummus

    r = nummus("reparse", "--house", "demo", "--json")        # stdout is the JSON answer alone
    assert r.code == 0, r.output
    stored_ok = len(info["pages"])
    assert {k: json.loads(r.out)[k] for k in ("checked", "new_versions")} == {"checked": stored_ok, "new_versions": 0}
    r = nummus("reparse", "--house", "sothebys")
    assert r.code == 2 and "sothebys" in r.err and "Traceback" not in r.err, r.output
    from nummus.ingest.adapters import get_adapter
    from nummus.ingest.adapters.selectors import Selectors

    adapter = get_adapter("demo")
    changed = Selectors(**{**adapter.selectors.__dict__, "closing": None})
    monkeypatch.setattr(adapter, "selectors", changed)
    result = reparse("demo", settings=settings)
    assert result.checked == stored_ok and result.new_versions == stored_ok
    assert _rows(settings, "SELECT count(*) FROM raw.lots WHERE closing_date IS NULL") == [(stored_ok,)]
    r = nummus("reparse", "--json")                     # every house: the new versions stand, nothing more
    assert r.code == 0 and json.loads(r.out)["new_versions"] == 0, r.output


def test_consecutive_misses_end_a_sale_addressed_by_number(settings, tmp_path):
    site = tmp_path / "site"
    write_site(site, sale="s1", lots=8)
    with serve(site) as url:
        summary = scrape("demo", "s1", lots=(1, 100), base_url=url, rate=0, settings=settings, max_misses=3)
        assert summary.stopped_after_misses and summary.missing == 3
        assert summary.stored + summary.withdrawn == 8
        rerun = scrape("demo", "s1", lots=(1, 100), base_url=url, rate=0, settings=settings, max_misses=3)
    assert rerun.skipped == 11 and rerun.stored == 0 and rerun.stopped_after_misses


def test_rate_limit_and_retry_after(tmp_path):
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    write_site(tmp_path, lots=1)
    with serve(tmp_path) as url:
        with Fetcher(rate=0.3, robots=False) as f:
            started = time.monotonic()
            for _ in range(3):
                f.get(f"{url}index.html")
            assert time.monotonic() - started >= 0.6  # three requests, two pauses


def test_the_sample_house_is_scraped_as_its_truth_says(settings, tmp_path):
    """`nummus sample` (the demo house generator) end to end: every field the truth records."""
    import json

    from nummus.ingest.crawl import scrape_house
    from nummus.demo.house.site import generate

    site = generate(tmp_path / "sample", lots=14, sales=2, seed=5)
    truth = json.loads(site.truth_path.read_text())["lots"]
    with serve(site.out_dir) as url:
        summaries = scrape_house("demo", base_url=url, rate=0, settings=settings)
    assert sum(s.failed + s.quarantined for s in summaries) == 0
    got = {(r[0], r[1]): r[2:] for r in _rows(settings, """
        SELECT sale, lot, coin_id, title, description, estimate_low, estimate_high, price, currency, lot_status,
               len(image_urls) FROM raw.lots""")}
    expected = {(t["sale"], t["lot"]): (t["coin_id"], t["title"], " ".join(t["description"].split()),
                                        t["estimate_low"], t["estimate_high"], t["price"], t["currency"],
                                        "withdrawn" if t["status"] == "withdrawn" else "ok", len(t["images"]))
                for t in truth}
    assert got == expected
    photos = _rows(settings, "SELECT count(*) FROM raw.images")[0][0]
    assert photos == sum(len(t["images"]) for t in truth if t["status"] != "withdrawn")


def test_scrape_house_walks_every_sale_of_the_index(settings, tmp_path):
    from nummus.ingest.crawl import list_sales, scrape_house

    site = tmp_path / "site"
    a = write_site(site, sale="a1", lots=5)
    b = write_site(site, sale="b2", lots=6, seed=3)
    with serve(site) as url:
        assert list_sales("demo", base_url=url, rate=0) == ["a1", "b2"]
        summaries = scrape_house("demo", base_url=url, rate=0, settings=settings)
    assert [(s.sale, s.stored + s.withdrawn) for s in summaries] == [("a1", len(a["pages"])), ("b2", len(b["pages"]))]
    assert _rows(settings, "SELECT sale, count(*) FROM raw.lots GROUP BY sale ORDER BY sale") == [
        ("a1", len(a["pages"])), ("b2", len(b["pages"]))]


def test_bench_ingest_reports_json_figures():
    from nummus.bench.ingest import run_ingest_benchmark

    result = run_ingest_benchmark(lots=8, min_seconds=0.05)
    assert result["scrape"]["lots_stored"] + result["scrape"]["missing"] == 8
    assert result["parse"]["parsed"] >= result["parse"]["snapshots"] == result["scrape"]["lots_stored"]
    assert result["parse"]["lots_per_s"] > 0 and result["scrape"]["wall_s"] > 0
