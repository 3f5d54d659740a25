"""Kill/resume: `nummus scrape demo` killed with SIGKILL at random points and restarted ends
with exactly the rows and objects of an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from nummus.ingest.crawl import scrape
from nummus.bench.synthetic.site import write_site
from nummus.demo.house.serve import serving as serve
from nummus.objectstore import ObjectStore
from nummus.settings import Settings

TABLES = {
    "lots": "SELECT house, sale, lot, version, content_sha256, lot_status, page_key, image_urls, title, price "
            "FROM raw.lots ORDER BY ALL",
    "images": "SELECT lot, n, url, sha256, object_key, width, height FROM raw.images ORDER BY ALL",
    "queue": "SELECT lot, status FROM raw.crawl_queue ORDER BY ALL",
    "quarantine": "SELECT count(*) FROM raw.quarantine",
}


def _state(settings: Settings, base_url: str) -> dict:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        state = {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()
    # the site's port differs between runs; compare URLs relative to it
    state = {k: [tuple(str(v).replace(base_url, "SITE") if isinstance(v, (str, list)) else v for v in row)
                 for row in rows] for k, rows in state.items()}
    store = ObjectStore(settings.objects_url)
    state["objects"] = sorted((key, store.get(key)) for key, _ in store.list() if not key.startswith("_probe"))
    return state


def _kill_and_resume(settings, tmp_path, lots: int, kills: int, seed: int):
    rng = random.Random(seed)
    site = tmp_path / "site"
    pages = len(write_site(site, sale="s1", lots=lots)["pages"])
    snapshots = settings.data_path / "objects" / "pages" / "demo" / "s1"
    # kill points: after a random number of stored snapshots (mid-crawl), plus one at start-up
    targets = sorted(rng.sample(range(1, pages), kills - 1)) + [0]
    with serve(site) as url:
        reference = Settings(data_dir=tmp_path / "reference")
        scrape("demo", "s1", base_url=url, rate=0, settings=reference)
        command = [sys.executable, "-m", "nummus", "scrape", "demo", "--sale", "s1", "--base-url", url,
                   "--rate", "0"]
        killed = 0
        for target in targets:
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
            if target:
                while proc.poll() is None and len(list(snapshots.glob("*.html.gz"))) < target:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.05))  # somewhere inside the next lot
            else:
                time.sleep(rng.uniform(0.1, 1.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
        final = subprocess.run(command, capture_output=True, text=True, env=os.environ, timeout=300)
        assert final.returncode == 0, final.stderr
        assert _state(settings, url) == _state(reference, url)
    return killed


def test_kill_9_and_resume_ends_like_an_uninterrupted_run(settings, tmp_path):
    seed = random.randrange(1 << 30)
    killed = _kill_and_resume(settings, tmp_path, lots=30, kills=4, seed=seed)
    assert killed >= 3, f"seed {seed}: the crawl ended before the kills"


@pytest.mark.slow
def test_kill_9_many_times_on_a_larger_sale(settings, tmp_path):
    seed = random.randrange(1 << 30)
    killed = _kill_and_resume(settings, tmp_path, lots=150, kills=12, seed=seed)
    assert killed >= 10, f"seed {seed}"
