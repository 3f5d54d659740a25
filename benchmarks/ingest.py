"""`nummus bench ingest`: wall time of a demo-house scrape at rate 0 over local HTTP, and
lots/s parsing the stored page snapshots on one core (target ≥ 2,000 lots/s)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from nummus.ingest.adapters import get_adapter
from nummus.ingest.crawl import list_sales, scrape
from nummus.bench.synthetic.site import write_site
from nummus.demo.house.serve import serving as serve
from nummus.ingest.raw_writer import read_snapshot
from nummus import warehouse
from nummus.objectstore import ObjectStore
from nummus.settings import Settings


def run_ingest_benchmark(*, lots: int = 300, site: Path | None = None, sale: str | None = None,
                         min_seconds: float = 3.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="nummus-bench-") as tmp:
        tmp_path = Path(tmp)
        if site is None:
            site = tmp_path / "site"
            sale = write_site(site, sale="bench", lots=lots, photo_size=256)["sale"]
        settings = Settings(data_dir=tmp_path / "data", duckdb_path=None, object_store_url=None)
        with serve(site) as base_url:
            sale = sale or list_sales("demo", base_url=base_url, rate=0.0)[0]
            started = time.perf_counter()
            summary = scrape("demo", sale, base_url=base_url, rate=0.0, settings=settings)
            scrape_s = time.perf_counter() - started

        with warehouse.session(settings, read_only=True) as con:
            rows = con.execute("SELECT lot_url, page_key FROM raw.lots WHERE page_key IS NOT NULL").fetchall()
        store = ObjectStore(settings.objects_url)
        pages = [(url, read_snapshot(store, key)) for url, key in rows]
        adapter = get_adapter("demo")
        parsed, started, cpu_started = 0, time.perf_counter(), time.process_time()
        while pages and (time.perf_counter() - started < min_seconds or parsed < len(pages)):
            for url, html in pages:
                adapter.parse(html, url).content_sha256()
            parsed += len(pages)
        parse_s = time.perf_counter() - started
        parse_cpu_s = time.process_time() - cpu_started
    done = summary.stored + summary.unchanged + summary.withdrawn
    return {
        "benchmark": "ingest",
        "cpu_count": os.cpu_count(),
        "scrape": {"lots_listed": done + summary.missing + summary.failed, "lots_stored": done,
                   "missing": summary.missing, "failed": summary.failed, "images": summary.images,
                   "requests": summary.requests, "wall_s": round(scrape_s, 3),
                   "lots_per_s": round(done / scrape_s, 1) if scrape_s else None, "rate_limit_s": 0.0},
        "parse": {"snapshots": len(pages), "parsed": parsed, "wall_s": round(parse_s, 3),
                  "lots_per_s": round(parsed / parse_s, 1) if parse_s else None,
                  "lots_per_cpu_s": round(parsed / parse_cpu_s, 1) if parse_cpu_s else None,
                  "target_lots_per_s": 2000,
                  "threads": 1},
    }
