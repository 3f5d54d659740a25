"""The query path prepares an upload exactly as the pipeline prepared the indexed coin: the vision
batch and the app cut the same crop bytes under the same settings (NUMMUS_CROP_* included), and
the embed job's dataset and the app's query encoder feed the model the same pixels — so a coin's
own lot photo finds its pair vector at cosine 1 (tests/test_demo.py checks it over HTTP)."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
import pytest

from nummus.identity import coin_id

SETTINGS = {  # what the crops are cut with; the defaults, and two that change the pixels
    "defaults": {},
    "wide_margin": {"NUMMUS_CROP_MARGIN": "0.3"},
    "small_160": {"NUMMUS_CROP_SMALL_SIZE": "160"},
}


def _lot_photo() -> bytes:
    from nummus.bench.synthetic.photos import drawn_coin, lot_photo

    rng = np.random.default_rng(21)
    img, _truth = lot_photo(rng, [drawn_coin(rng, 160), drawn_coin(rng, 160)], "pair_horizontal", 900)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@pytest.fixture(scope="module")
def encoder():
    from nummus.embed.encoders import load_effnet_lite0

    return load_effnet_lite0("cpu")


@pytest.fixture(params=sorted(SETTINGS))
def cut(request, monkeypatch, settings, warehouse_con, store):
    """A lot photo through the vision batch under one of SETTINGS: (photo, raw.crops row)."""
    from nummus.ingest.vision.batch import run_vision

    for var, value in SETTINGS[request.param].items():
        monkeypatch.setenv(var, value)
    data = _lot_photo()
    cid = coin_id("testhouse", "q1", "1")
    store.put("raw/testhouse/q1/1/0.jpg", data)
    warehouse_con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key, bytes) "
                          "VALUES (?, 'testhouse', 'q1', '1', 0, ?, 'raw/testhouse/q1/1/0.jpg', ?)",
                          [cid, hashlib.sha256(data).hexdigest(), len(data)])
    warehouse_con.close()
    run_vision(settings, workers=1, progress=False)
    from nummus import warehouse

    with warehouse.session(settings, read_only=True) as con:
        con.execute("SELECT coin_id, layout, obv_small_key, rev_small_key FROM raw.crops")
        cols = [d[0] for d in con.description]
        row, = [dict(zip(cols, r)) for r in con.fetchall()]
    assert row["layout"] == "pair_horizontal"
    return data, row


def test_the_upload_is_cut_as_the_vision_batch_cut_it(cut, store):
    from nummus.app.query_image import split_upload

    data, row = cut
    query = split_upload(data)
    assert query.crops == {"obv": store.get(row["obv_small_key"]), "rev": store.get(row["rev_small_key"])}


def test_the_query_vector_is_the_embedded_pair_vector(cut, settings, store, encoder):
    """The app's query vector against the pair vector the embed job's dataset and encoder make
    from the stored crops (embed/job.py: pair = normalise(obv + rev))."""
    from nummus.app.query_image import query_vector, split_upload, unit
    from nummus.embed.dataset import CropDataset
    from nummus.embed.source import CoinCrops
    from nummus.objectstore import storage_options

    data, row = cut
    dataset = CropDataset([CoinCrops(coin_id=row["coin_id"], obv_key=row["obv_small_key"],
                                     rev_key=row["rev_small_key"])], settings.objects_url, storage_options(settings),
                          encoder.preprocessing)
    item = dataset[0]
    obv, rev = encoder.encode_tensor(np.stack([item["obv"], item["rev"]]))
    side, vector = query_vector(encoder, split_upload(data))
    assert side == "pair" and float(vector @ unit(obv + rev)) > 0.9999
