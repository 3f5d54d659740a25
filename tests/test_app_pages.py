"""app2's HTML pages over a real PostgreSQL, object store and vision step: upload, results, coin,
stats and cluster pages, a headless-Chromium upload, and the command line (`nummus search`,
`nummus serve`) answering as the API does."""

from __future__ import annotations

import time

import pytest

from test_app_support import app_client, app_env, free_port, live_app


@pytest.fixture(scope="module")
def env(pg_url, tmp_path_factory):
    with app_env(pg_url, tmp_path_factory.mktemp("app-pages")) as e:
        yield e


@pytest.fixture(scope="module")
def client(env):
    with app_client(env["settings"]) as c:
        yield c


def test_html_pages(client, env):
    page = client.get("/")
    assert page.status_code == 200 and 'id="drop"' in page.text and "roman_imperial" in page.text
    r = client.post("/search", files={"image": ("lot.jpg", env["photos"][4], "image/jpeg")},
                    data={"k": "6", "period": ""})
    assert r.status_code == 200 and r.text.count('class="card"') == 6 and 'href="/coins/4"' in r.text
    bad = client.post("/search", files={"image": ("x.pdf", b"%PDF-1.4 ...", "application/pdf")})
    assert bad.status_code == 400 and "PDF" in bad.text and 'id="drop"' in bad.text     # the form again
    coin = client.get("/coins/2")
    assert coin.status_code == 200 and "Likely other sales" in coin.text
    other = coin.text.split('id="other-sales"')[1].split("</section>")[0]
    assert 'href="/coins/15"' in other
    missing = client.get("/coins/424242")
    assert missing.status_code == 404 and "unknown coin_id 424242" in missing.text
    stats = client.get("/stats")
    assert stats.status_code == 200 and "<svg" in stats.text and "roman_imperial" in stats.text
    assert "Serving index v1" in stats.text


def test_cluster_pages_are_mounted(client):
    grid = client.get("/clusters")
    assert grid.status_code == 200 and 'href="/clusters/7"' in grid.text
    png = client.get("/clusters/map.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    one = client.get("/clusters/7")
    assert one.status_code == 200 and 'href="/coins/2"' in one.text and 'href="/coins/15"' in one.text
    audit = client.get("/audit")
    assert audit.status_code == 200 and "Audit queue" in audit.text
    assert client.get("/clusters/abc").status_code == 422
    none = client.get("/clusters/8")
    assert none.status_code == 404 and "has no cluster 8" in none.text


@pytest.mark.browser
def test_browser_upload_shows_results(env, tmp_path):
    from playwright.sync_api import sync_playwright

    photo = tmp_path / "lot.jpg"
    photo.write_bytes(env["photos"][9])
    with live_app(env["settings"]) as live_server, sync_playwright() as p:
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
        r = None
        while time.time() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r is not None and r.json() == {"ok": True, "serving_version": 1}
        assert httpx.get(f"http://127.0.0.1:{port}/api/coins/3").json()["coin_id"] == 3
    finally:
        proc.terminate()
        proc.wait(20)
