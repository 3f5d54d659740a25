"""`nummus bench embed`: images/s end-to-end (read + decode + resize in DataLoader workers →
encoder → chunk checkpoints → binary COPY into PostgreSQL, HNSW and seal) against model-only
images/s (preprocessed tensors already in memory) in the same run, per batch size and thread
count. Runs in a temporary data folder with its own embedded PostgreSQL; prints JSON."""

from __future__ import annotations

import io
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np


def _generated_crop(seed: int, size: int = 224) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    im = Image.fromarray(rng.integers(0, 50, (size, size, 3), dtype=np.uint8))
    d = ImageDraw.Draw(im)
    d.ellipse((8, 8, size - 8, size - 8), fill=tuple(int(x) for x in rng.integers(90, 230, 3)))
    for _ in range(12):
        x, y, w = (int(v) for v in rng.integers(30, size - 60, 3))
        d.line((x, y, x + w // 2, y + w // 3), fill=tuple(int(v) for v in rng.integers(0, 255, 3)), width=3)
    buf = io.BytesIO()
    im.filter(ImageFilter.GaussianBlur(1)).save(buf, format="JPEG", quality=88)
    return buf.getvalue()


def _crops(n_images: int, data: Path | None) -> list[bytes]:
    if data is None:
        return [_generated_crop(i) for i in range(n_images)]
    files = sorted(p for p in Path(data).rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not files:
        raise FileNotFoundError(f"no *.jpg/*.png under {data}")
    return [files[i % len(files)].read_bytes() for i in range(n_images)]


def _setup(tmp: Path, n_coins: int, data: Path | None):
    import pgserver

    from nummus import stores, warehouse
    from nummus.objectstore import ObjectStore
    from nummus.settings import Settings

    server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
    settings = Settings(data_dir=tmp / "data", duckdb_path=tmp / "warehouse.duckdb",
                        object_store_url=str(tmp / "objects"), database_url=server.get_uri())
    stores.init(settings)
    store = ObjectStore(settings.objects_url)
    blobs = _crops(2 * n_coins, data)
    rows = []
    for i in range(n_coins):
        obv, rev = f"crops/bench/{i}_obv.jpg", f"crops/bench/{i}_rev.jpg"
        store.put(obv, blobs[2 * i])
        store.put(rev, blobs[2 * i + 1])
        rows.append((100_000 + i, "bench", "roman_imperial", obv, rev, "green"))
    with warehouse.session(settings) as con:
        con.execute("CREATE TABLE frozen.coins_v1 (coin_id BIGINT PRIMARY KEY, house VARCHAR, period VARCHAR, "
                    "obv_small_key VARCHAR, rev_small_key VARCHAR, crop_status VARCHAR)")
        con.executemany("INSERT INTO frozen.coins_v1 VALUES (?, ?, ?, ?, ?, ?)", rows)
    return server, settings, store


def _model_only(encoder, tensors: np.ndarray, batch_images: int) -> float:
    encoder.encode_tensor(tensors[:batch_images])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(tensors), batch_images):
        encoder.encode_tensor(tensors[i:i + batch_images])
    return len(tensors) / (time.perf_counter() - started)


def bench_embed(encoder: str = "effnet-lite0", n: int = 512, batch_sizes: list[int] = (16,),
                threads: list[int] = (0,), workers: int | None = None, device: str = "auto",
                data: Path | None = None) -> dict:
    import torch
    from PIL import Image

    from nummus.embed import index
    from nummus.embed.encoders import load_encoder
    from nummus.embed.job import run_embedding
    from nummus.embed.source import read_crops, read_metadata

    n_coins = max(1, n // 2)
    default_threads = torch.get_num_threads()
    enc = load_encoder(encoder, device)
    with tempfile.TemporaryDirectory(prefix="nummus-bench-embed-") as tmpdir:
        tmp = Path(tmpdir)
        server, settings, store = _setup(tmp, n_coins, data)
        try:
            coins = read_crops(settings, "frozen.coins_v1")
            metadata = read_metadata(settings, "frozen.coins_v1")
            tensors = np.stack([enc.preprocessing(Image.open(io.BytesIO(store.get(k))))
                                for c in coins for k in (c.obv_key, c.rev_key)])
            results = []
            for t in threads:
                torch.set_num_threads(t or default_threads)
                for b in batch_sizes:
                    model_ips = _model_only(enc, tensors, 2 * b)
                    started = time.perf_counter()
                    _, _, chunk, stats = run_embedding(
                        settings, coins, source_name=f"bench-t{t}-b{b}", encoder=enc, batch_size=b,
                        chunk_size=max(b, 256), num_workers=workers, run_dir=tmp / f"run-t{t}-b{b}", progress=False)
                    embedded = time.perf_counter() - started
                    index.load_index(settings, freeze_id=f"bench-t{t}-b{b}", encoder_id=enc.encoder_id,
                                     coin_ids=chunk.coin_id, obv=chunk.obv, rev=chunk.rev, pair=chunk.pair,
                                     metadata=metadata)
                    total = time.perf_counter() - started
                    e2e_ips = 2 * len(coins) / total
                    results.append({
                        "threads": torch.get_num_threads(), "batch_coins": b, "batch_images": 2 * b,
                        "workers": workers if workers is not None else (4 if enc.device == "cuda" else 1),
                        "model_only_images_per_s": round(model_ips, 2),
                        "model_only_ms_per_image": round(1000 / model_ips, 2),
                        "end_to_end_images_per_s": round(e2e_ips, 2),
                        "end_to_end_ms_per_image": round(1000 / e2e_ips, 2),
                        "end_to_end_over_model_only": round(e2e_ips / model_ips, 3),
                        "embed_seconds": round(embedded, 3), "load_seconds": round(total - embedded, 3),
                    })
        finally:
            server.cleanup()
    torch.set_num_threads(default_threads)
    return {
        "bench": "embed",
        "encoder": enc.encoder_id.spec, "model": enc.encoder_id.model, "dim": enc.encoder_id.dim,
        "weights_sha256": enc.encoder_id.weights_sha256[:12], "device": enc.device,
        "precision": "fp16-autocast" if enc.device == "cuda" else "fp32",
        "images": 2 * n_coins, "source": str(data) if data else "generated 224 px JPEG crops",
        "cpu_count": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2), "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__, "results": results,
    }
