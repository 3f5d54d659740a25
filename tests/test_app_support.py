"""Helpers for the app2 tests: a tiny deterministic encoder, an index of coins made from real lot
photos split by the vision step, the app under a real uvicorn server, raw HTTP requests.
Imported by the test_app_* modules (no tests here)."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from contextlib import contextmanager

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


@contextmanager
def app_env(pg_url: str, tmp):
    """Settings (env set) for a temporary data folder and object store and the database at
    `pg_url`, holding coins made from real lot photos split by the vision step and encoded with
    TinyEncoder, served as index v1 with a finished clustering run (coins 2 and 15, the same coin,
    in cluster 7). Yields {"settings", "photos", "coins"}."""
    from nummus import stores
    from nummus.ingest.vision.splitter import split_photo
    from nummus.objectstore import _store, get_store
    from nummus.postgres import connect
    from nummus.settings import get_settings

    mp = pytest.MonkeyPatch()
    mp.setenv("NUMMUS_DATA_DIR", str(tmp / "data"))
    mp.setenv("DATABASE_URL", pg_url)
    for var in ("NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL", "NUMMUS_DATABASE_URL", "NUMMUS_CONFIG",
                "NUMMUS_APP_DATABASE_URL"):
        mp.delenv(var, raising=False)
    get_settings.cache_clear()
    _store.cache_clear()
    try:
        settings = get_settings()
        stores.init(settings)
        store = get_store(settings)
        enc = TinyEncoder()
        ids = list(range(1, N_COINS + 1)) + list(RESOLD)
        photos, vecs = {}, {}
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
            price=np.array([100.0 * c for c in ids]), closing_date=[dt.date(2024, 1, 1 + c % 28) for c in ids],
            obv=obv, rev=rev, pair=pair_vector(obv, rev))
        with connect(url=pg_url) as conn:
            load_index(conn, coins, freeze_id="apptest")
            for cid in ids:
                conn.execute("UPDATE coins SET obv_key = %s, rev_key = %s, obv_small_key = %s, rev_small_key = %s,"
                             " authority = 'Augustus', mint = 'Rome', sale = %s WHERE coin_id = %s",
                             (f"crops/test/{cid}_obv.jpg", f"crops/test/{cid}_rev.jpg",
                              f"crops/test/{cid}_obv_224.jpg", f"crops/test/{cid}_rev_224.jpg",
                              "resale" if cid in RESOLD else "s1", cid))
            run = conn.execute("INSERT INTO cluster_runs (index_version, vector, backend, params, versions)"
                               " VALUES (1, 'pair', 'cpu', '{}', '{}') RETURNING run_id").fetchone()[0]
            for cid in ids:
                conn.execute("INSERT INTO cluster_assignments (run_id, coin_id, cluster, method, x, y)"
                             " VALUES (%s, %s, %s, 'hdbscan', 0, 0)", (run, cid, 7 if cid in (2, 15) else -1))
            conn.execute("INSERT INTO cluster_summaries (run_id, cluster, size, labelled, dominant_period, purity,"
                         " pure, periods) VALUES (%s, 7, 2, 2, 'roman_imperial', 1.0, true,"
                         " '{\"roman_imperial\": 2}')", (run,))
            conn.execute("UPDATE cluster_runs SET state = 'done' WHERE run_id = %s", (run,))
            conn.execute("SELECT nummus_activate_cluster_run(%s)", (run,))
            conn.commit()
        yield {"settings": settings, "photos": photos, "coins": coins}
    finally:
        mp.undo()
        get_settings.cache_clear()
        _store.cache_clear()


@contextmanager
def app_client(settings, encoder=TinyEncoder):
    """A TestClient of the app; `encoder` replaces the serving index's encoder (None: the real one)."""
    from fastapi.testclient import TestClient

    from nummus.app.api import get_encoder
    from nummus.app.main import create_app

    app = create_app(settings)
    if encoder is not None:
        app.dependency_overrides[get_encoder] = encoder
    with TestClient(app) as c:
        yield c



def post(client, data: bytes, filename="lot.jpg", **form):
    return client.post("/api/search", files={"image": (filename, data, "image/jpeg")},
                       data={k: str(v) for k, v in form.items()})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_app(settings, **app_options):
    """The app (TinyEncoder) under a real uvicorn server on a free port; yields its base URL."""
    import uvicorn

    from nummus.app.api import get_encoder
    from nummus.app.main import create_app

    app = create_app(settings, **app_options)
    app.dependency_overrides[get_encoder] = TinyEncoder
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET with `target` sent as it is on the request line (no client normalises `../` away);
    returns (status, body)."""
    host, port = base_url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body
