"""Helpers for the embed tests: a small frozen.coins_vN with real crop images in the object store,
a tiny open_clip config. Imported by the other test_embed_* modules (no tests here)."""

from __future__ import annotations

import io
import json

import numpy as np

TINY_CLIP = "nummus-tiny-clip"


def crop_jpeg(seed: int, size: int = 64) -> bytes:
    """A coin-like crop: a disc with a few random shapes on it, different for every seed."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (size, size), tuple(int(x) for x in rng.integers(0, 60, 3)))
    d = ImageDraw.Draw(im)
    d.ellipse((4, 4, size - 4, size - 4), fill=tuple(int(x) for x in rng.integers(80, 255, 3)))
    for _ in range(4):
        x, y = rng.integers(8, size - 20, 2)
        w = int(rng.integers(6, 16))
        d.rectangle((int(x), int(y), int(x) + w, int(y) + w), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def make_freeze(settings, store, n: int, *, version: int = 1, red: tuple[int, ...] = (), broken: tuple[int, ...] = (),
                one_side: tuple[int, ...] = (), table: str | None = None, first_id: int = 1000) -> list[int]:
    """frozen.coins_v{version} (or `table`) with n coins and their 224 px crop keys; coins at the
    positions in `red` have crop_status red, those in `broken` point at a non-image object, those
    in `one_side` have no reverse crop (vision's 'single' layout). Returns the coin_ids."""
    from nummus import warehouse

    periods = ["roman_imperial", "greek", "byzantine"]
    rows, ids = [], []
    for i in range(n):
        cid = first_id + i * 7
        ids.append(cid)
        obv, rev = f"crops/test/{cid}_obv_small.jpg", f"crops/test/{cid}_rev_small.jpg"
        store.put(obv, b"this is not a jpeg" if i in broken else crop_jpeg(2 * cid))
        store.put(rev, crop_jpeg(2 * cid + 1))
        rows.append((cid, "demo", "s1", str(i), f"lot {i}", periods[i % 3], "denarius", obv,
                     None if i in one_side else rev,
                     "red" if i in red else "green", 10.0 + i))
    table = table or f"frozen.coins_v{version}"
    names = ("coin_id", "house", "sale", "lot", "title", "period", "denomination", "obv_small_key", "rev_small_key",
             "crop_status", "price")
    columns = contract_columns()
    with warehouse.session(settings) as con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ("
                    + ", ".join(f'"{c}" {t}' + (" PRIMARY KEY" if c == "coin_id" else "") for c, t in columns.items())
                    + ")")
        con.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows)
    return ids


def contract_columns() -> dict[str, str]:
    """marts.coins' columns and types as the dbt contract declares them (dbt/models/marts/coins.yml):
    a frozen table made here has the real schema, so a renamed contract column breaks these tests."""
    import yaml

    from nummus.resources import dbt_project

    spec = yaml.safe_load((dbt_project() / "models" / "marts" / "coins.yml").read_text())["models"][0]
    return {c["name"]: c["data_type"] for c in spec["columns"]}


def register_tiny_clip(tmp_path, dim: int = 32) -> str:
    """A tiny open_clip config (2-layer ViT, `dim`-d embedding) so that CLIP paths run in a second."""
    import open_clip

    name = TINY_CLIP if dim == 32 else f"{TINY_CLIP}-{dim}"
    if name not in open_clip.list_models():
        cfg = {"embed_dim": dim,
               "vision_cfg": {"image_size": 224, "layers": 2, "width": 64, "head_width": 32, "patch_size": 32},
               "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 1, "layers": 1}}
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(cfg))
        open_clip.add_model_config(path)
    return name
