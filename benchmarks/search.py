"""`nummus bench search`: the search SQL and the app end to end, on synthetic coins in
PostgreSQL (a database of their own on the settings' server, built once and reused)."""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass

import numpy as np
import psycopg

from nummus.app import queries
from nummus.app.filters import SearchFilters
from nummus.app.search_index import watch_index_builds
from nummus.bench.synthetic.vectors import PERIOD_SHARES, SyntheticCoins, load_index, make_coins, noisy_queries
from nummus import postgres
from nummus.settings import Settings

META_KEY = "bench_search"


@dataclass
class BenchDatabase:
    url: str
    name: str
    built_s: float | None      # None: reused


def _percentiles(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {f"p{q}_ms": round(float(np.percentile(a, q)), 2) for q in (50, 95, 99)}


def bench_database(settings: Settings, coins: SyntheticCoins, *, seed: int, encoder_id: dict | None,
                   rebuild: bool = False, progress=None) -> BenchDatabase:
    """The benchmark's database: reused when a complete one with the same n, dim and seed exists
    (a build killed halfway is never marked complete, so the next run starts it again)."""
    n, dim = len(coins), coins.pair.shape[1]
    name = f"nummus_bench_search_{n}_{dim}_s{seed}"
    admin = postgres.database_url(settings)
    from sqlalchemy.engine import make_url

    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    want = json.dumps({"n": n, "dim": dim, "seed": seed})
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists and not rebuild:
        try:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT value FROM nummus_meta WHERE key = %s", (META_KEY,)).fetchone()
            if row and row[0] == want:
                _set_encoder(url, encoder_id)
                return BenchDatabase(url, name, None)
        except psycopg.Error:
            pass
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    postgres.migrate(url=url)
    t0 = time.perf_counter()
    stop = threading.Event()
    watcher = threading.Thread(target=watch_index_builds, args=(url, _index_progress(progress), stop), daemon=True)
    watcher.start()
    try:
        with postgres.connect(url=url) as conn:
            load_index(conn, coins, freeze_id=f"bench-{n}", progress=progress)
            conn.execute("INSERT INTO nummus_meta (key, value) VALUES (%s, %s)", (META_KEY, want))
            conn.commit()
    finally:
        stop.set()
        watcher.join(5)
    _set_encoder(url, encoder_id)
    return BenchDatabase(url, name, round(time.perf_counter() - t0, 1))


def _index_progress(progress):
    def report(phase: str, done: int, total: int) -> None:
        if progress:
            progress(("index", phase, done, total))
    return report


def _set_encoder(url: str, encoder_id: dict | None) -> None:
    if encoder_id:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE index_versions SET encoder_id = %s WHERE state = 'serving'", (json.dumps(encoder_id),))


def bench_filters(coins: SyntheticCoins) -> list[SearchFilters]:
    present = set(coins.period)
    out = [SearchFilters()] + [SearchFilters(period=p) for p in PERIOD_SHARES if p in present]
    out += [SearchFilters(period="roman_imperial", denomination="denarius"),
            SearchFilters(period="greek", house="leu", price_min=100)]
    return out


def _mask(coins: SyntheticCoins, f: SearchFilters) -> np.ndarray:
    m = np.ones(len(coins), bool)
    for name, arr in (("period", coins.period), ("denomination", coins.denomination), ("house", coins.house)):
        if getattr(f, name):
            m &= np.asarray(arr) == getattr(f, name)
    if f.price_min is not None:
        m &= coins.price >= f.price_min
    if f.price_max is not None:
        m &= coins.price <= f.price_max
    return m


def sql_bench(url: str, coins: SyntheticCoins, filters: SearchFilters, *, n_queries: int = 200, k: int = 10,
              clients: int = 8, seed: int = 7) -> dict:
    """recall@k against exact search, rows returned, latency of sql/search.sql, q/s with `clients`."""
    mask = _mask(coins, filters)
    idx = np.where(mask)[0]
    _, Q = noisy_queries(coins, n_queries, seed=seed, among=idx)   # coins like the filter's own
    stored = coins.pair[idx].astype(np.float16).astype(np.float32)
    sql = queries.statement("search.sql")
    lat, recalls, rows_n, paths = [], [], [], {}
    with psycopg.connect(url, autocommit=True) as conn:
        for q in Q[:5]:  # warm the caches
            conn.execute(sql, queries.search_params(q, "pair", k, filters)).fetchall()
        for q in Q:
            params = queries.search_params(q, "pair", k, filters)
            t = time.perf_counter()
            rows = conn.execute(sql, params).fetchall()
            lat.append((time.perf_counter() - t) * 1000)
            rows_n.append(len(rows))
            for r in rows:
                paths[r[-1]] = paths.get(r[-1], 0) + 1
            if len(idx):
                truth = set(coins.coin_id[idx[np.argsort(-(stored @ q))[:k]]].tolist())
                recalls.append(len(truth & {r[0] for r in rows}) / min(k, len(idx)))
    qps = _concurrent_qps(url, sql, [queries.search_params(q, "pair", k, filters) for q in Q], clients)
    return {"filter": filters.active() or "none", "matches": int(mask.sum()),
            "selectivity_pct": round(100 * mask.mean(), 2), "queries": len(Q),
            "recall_at_k": round(statistics.fmean(recalls), 4) if recalls else None,
            "min_recall_at_k": round(min(recalls), 2) if recalls else None,
            "rows_mean": round(statistics.fmean(rows_n), 2), "rows_min": min(rows_n),
            "exactly_k": all(n == min(k, int(mask.sum())) for n in rows_n),
            **_percentiles(lat), f"qps_{clients}_clients": qps, "paths": paths}


def _concurrent_qps(url: str, sql: str, params: list[dict], clients: int) -> float:
    done = []
    barrier = threading.Barrier(clients + 1)

    def worker(i: int):
        with psycopg.connect(url, autocommit=True) as conn:
            mine = params[i::clients]
            barrier.wait()
            for p in mine:
                conn.execute(sql, p).fetchall()
            done.append(len(mine))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return round(sum(done) / (time.perf_counter() - t0), 1)


def e2e_bench(settings: Settings, image: bytes, *, requests: int = 40, clients: int = 8) -> dict:
    """POST /api/search on a real uvicorn server (split + encode + SQL): sequential latency,
    then `clients` concurrent clients."""
    import asyncio
    import socket

    import httpx
    import uvicorn

    from nummus.app.main import create_app

    app = create_app(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    files = {"image": ("lot.jpg", image, "image/jpeg")}
    try:
        with httpx.Client(base_url=base, timeout=300) as c:
            first = c.post("/api/search", files=files)   # loads the encoder
            first.raise_for_status()
            lat, server_ms = [], []
            for _ in range(requests):
                t = time.perf_counter()
                r = c.post("/api/search", files=files)
                r.raise_for_status()
                lat.append((time.perf_counter() - t) * 1000)
                server_ms.append(r.json()["timings_ms"])

        async def burst():
            async with httpx.AsyncClient(base_url=base, timeout=300) as c:
                sem = asyncio.Semaphore(clients)
                times, codes = [], []

                async def one():
                    async with sem:
                        t = time.perf_counter()
                        r = await c.post("/api/search", files=files)
                        times.append((time.perf_counter() - t) * 1000)
                        codes.append(r.status_code)

                t0 = time.perf_counter()
                await asyncio.gather(*(one() for _ in range(requests)))
                return times, codes, time.perf_counter() - t0

        times, codes, wall = asyncio.run(burst())
    finally:
        server.should_exit = True
        thread.join(10)
    body = first.json()
    return {"layout": body["query"]["layout"], "searched": body["query"]["searched"], "requests": requests,
            "sequential": {**_percentiles(lat),
                           "server_split_ms_p50": round(statistics.median(t["split"] for t in server_ms), 2),
                           "server_encode_ms_p50": round(statistics.median(t["encode"] for t in server_ms), 2),
                           "server_sql_ms_p50": round(statistics.median(t["sql"] for t in server_ms), 2)},
            f"concurrent_{clients}_clients": {**_percentiles(times), "qps": round(len(times) / wall, 2),
                                              "status_codes": sorted(set(codes))}}


def run(settings: Settings, *, n: int = 100_000, dim: int = 512, seed: int = 0, n_queries: int = 200,
        clients: int = 8, e2e: bool = True, encoder_spec: str = "clip:ViT-B-32:random", image: bytes | None = None,
        rebuild: bool = False, progress=None) -> dict:
    coins = make_coins(n, dim, seed=seed)
    encoder_id = None
    if e2e:
        from nummus.embed.encoders import load_encoder

        encoder = load_encoder(encoder_spec, device="cpu")
        if encoder.dim != dim:
            raise ValueError(f"encoder {encoder_spec} has {encoder.dim} dims, the benchmark index {dim}")
        encoder_id = json.loads(encoder.encoder_id.model_dump_json())
        del encoder
    db = bench_database(settings, coins, seed=seed, encoder_id=encoder_id, rebuild=rebuild, progress=progress)
    with psycopg.connect(db.url) as conn:
        index = conn.execute("SELECT exact_max, m, ef_construction FROM search_settings").fetchone()
        partial = [r[0] for r in conn.execute(
            "SELECT period FROM search_period_counts WHERE partial_hnsw ORDER BY rows DESC").fetchall()]
    import os

    out = {"n": n, "dim": dim, "vector_type": "halfvec", "database": db.name, "built_s": db.built_s,
           "cpus": os.cpu_count(), "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
           "index": {"exact_max": index[0], "hnsw_m": index[1], "hnsw_ef_construction": index[2],
                     "partial_hnsw_periods": partial}, "sql": []}
    for f in bench_filters(coins):
        out["sql"].append(sql_bench(db.url, coins, f, n_queries=n_queries, clients=clients))
        if progress:
            progress(out["sql"][-1])
    if e2e:
        from nummus.bench.synthetic.vectors import lot_photo

        bench_settings = settings.model_copy(update={"database_url": db.url, "app_database_url": None})
        out["e2e"] = {"encoder": encoder_spec,
                      **e2e_bench(bench_settings, image or lot_photo(1, r=200), clients=clients)}
    out["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)   # other jobs on the machine inflate latencies
    return out
