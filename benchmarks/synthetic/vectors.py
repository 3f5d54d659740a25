"""Synthetic coins with CLIP-like vectors, for the search tests and `nummus bench search`.

Structure like real embeddings: coins of one type (same dies) sit near their type centre
(cosine ~0.9), types of one period share a direction, periods are skewed (50 % … 0.2 %).
Loaded the way the embed step loads a freeze: coins rows, `nummus_create_index`, binary COPY,
seal, `nummus_prepare_search`, serve."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

import numpy as np
import psycopg

from nummus.app.search_index import EXACT_MAX, HNSW_EF_CONSTRUCTION, HNSW_M, prepare

# period -> share of coins (the skew the search must handle)
PERIOD_SHARES: dict[str, float] = {
    "roman_imperial": 0.50, "greek": 0.20, "roman_provincial": 0.10, "byzantine": 0.08,
    "roman_republican": 0.05, "islamic": 0.03, "medieval": 0.02, "celtic": 0.01,
    "persian": 0.005, "central_asian": 0.003, "modern": 0.002,
}
DENOMINATIONS: dict[str, list[str]] = {
    "roman_imperial": ["denarius", "antoninianus", "sestertius", "aureus", "as"],
    "greek": ["tetradrachm", "drachm", "obol", "stater"],
    "roman_provincial": ["ae1", "ae2", "ae3"],
    "byzantine": ["solidus", "follis", "tremissis"],
    "roman_republican": ["denarius", "quinarius"],
    "islamic": ["dirham", "dinar", "fals"],
    "medieval": ["penny", "groat"],
    "celtic": ["stater"],
    "persian": ["siglos", "daric"],
    "central_asian": ["drachm"],
    "modern": ["thaler", "ducat"],
}
HOUSES = ["demo", "leu", "cng", "nomos"]


@dataclass
class SyntheticCoins:
    coin_id: np.ndarray      # int64 (n,)
    period: list[str]
    denomination: list[str]
    house: list[str]
    price: np.ndarray        # float64
    closing_date: list[dt.date]
    obv: np.ndarray          # float32 (n, dim), unit rows
    rev: np.ndarray
    pair: np.ndarray

    def __len__(self) -> int:
        return len(self.coin_id)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def pair_vector(obv: np.ndarray, rev: np.ndarray) -> np.ndarray:
    """The pair vector of a coin: the normalised mean of its two sides."""
    return _unit(np.asarray(obv, np.float32) + np.asarray(rev, np.float32))


def make_coins(n: int, dim: int = 512, seed: int = 0, coins_per_type: int = 20,
               shares: dict[str, float] | None = None) -> SyntheticCoins:
    rng = np.random.default_rng(seed)
    shares_by_period = shares or PERIOD_SHARES
    periods = list(shares_by_period)
    shares = np.array([shares_by_period[p] for p in periods])
    counts = np.floor(shares / shares.sum() * n).astype(int)
    counts[0] += n - counts.sum()
    period_idx = np.repeat(np.arange(len(periods)), counts)
    period_dir = _unit(rng.standard_normal((len(periods), dim)))
    # types: groups of ~coins_per_type coins inside one period
    type_of = np.empty(n, dtype=np.int64)
    n_types = 0
    start = 0
    for c in counts:
        k = max(1, c // coins_per_type)
        type_of[start:start + c] = n_types + rng.integers(0, k, c)
        n_types += k
        start += c
    type_period = np.zeros(n_types, dtype=np.int64)
    type_period[type_of] = period_idx

    def side() -> np.ndarray:
        centres = _unit(0.6 * period_dir[type_period] + _unit(rng.standard_normal((n_types, dim))))
        return _unit(centres[type_of] + 0.45 * _unit(rng.standard_normal((n, dim))))

    obv, rev = side(), side()
    perm = rng.permutation(n)  # interleave periods in coin_id order
    obv, rev, period_idx = obv[perm], rev[perm], period_idx[perm]
    period = [periods[i] for i in period_idx]
    names = {p: DENOMINATIONS.get(p, ["unit"]) for p in periods}
    denomination = [names[p][int(rng.integers(len(names[p])))] for p in period]
    house = [HOUSES[i] for i in rng.integers(0, len(HOUSES), n)]
    price = np.round(np.exp(rng.normal(5.5, 1.2, n)), 0)
    base = dt.date(2020, 1, 1)
    closing = [base + dt.timedelta(days=int(d)) for d in rng.integers(0, 5 * 365, n)]
    return SyntheticCoins(np.arange(1, n + 1, dtype=np.int64), period, denomination, house, price,
                          closing, obv, rev, pair_vector(obv, rev))


def noisy_queries(coins: SyntheticCoins, m: int, side: str = "pair", seed: int = 1, noise: float = 0.2,
                  among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """m query vectors: stored vectors (of rows drawn from `among`, default all) plus noise
    (cosine ~0.98 to their source); returns (rows, vectors)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(among, m) if among is not None and len(among) else rng.integers(0, len(coins), m)
    base = getattr(coins, side)[rows]
    return rows, _unit(base + noise * _unit(rng.standard_normal(base.shape)))


def _halfvec_binary(v: np.ndarray) -> bytes:
    return np.array([v.shape[0], 0], ">u2").tobytes() + v.astype(">f2").tobytes()


def load_index(conn: psycopg.Connection, coins: SyntheticCoins, *, version: int = 1,
               freeze_id: str = "synthetic", exact_max: int = EXACT_MAX, m: int = HNSW_M,
               ef_construction: int = HNSW_EF_CONSTRUCTION, serve: bool = True, progress=None) -> list[tuple]:
    """Load coins and their vectors as index version `version`, seal, prepare search, serve.
    Returns nummus_prepare_search's rows (period, rows, partial_hnsw)."""
    dim = coins.pair.shape[1]
    with conn.cursor() as cur:
        with cur.copy("COPY coins (coin_id, freeze_id, house, sale, lot, lot_url, title, period, denomination,"
                      " price, currency, closing_date) FROM STDIN") as cp:
            for i in range(len(coins)):
                cid = int(coins.coin_id[i])
                sale = f"s{cid // 1000}"
                cp.write_row((cid, freeze_id, coins.house[i], sale, str(cid), f"https://example.test/{sale}/{cid}",
                              f"{coins.period[i]} {coins.denomination[i]} #{cid}", coins.period[i],
                              coins.denomination[i], float(coins.price[i]), "EUR", coins.closing_date[i]))
        cur.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type, rows)"
                    " VALUES (%s, %s, %s, %s, 'halfvec', %s)",
                    (version, freeze_id, json.dumps({"model": "synthetic", "dim": dim}), dim, len(coins)))
        cur.execute("SELECT nummus_create_index(%s, %s, 'halfvec')", (version, dim))
        with cur.copy(f"COPY index_v{int(version)} (coin_id, period, obv, rev, pair) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(["int8", "text", "bytea", "bytea", "bytea"])
            for i in range(len(coins)):
                cp.write_row((int(coins.coin_id[i]), coins.period[i], _halfvec_binary(coins.obv[i]),
                              _halfvec_binary(coins.rev[i]), _halfvec_binary(coins.pair[i])))
                if progress and i % 5000 == 0:
                    progress(i)
        if progress:
            progress(len(coins))
        cur.execute("SELECT nummus_seal_index(%s)", (version,))
    conn.commit()
    rows = prepare(conn, version, exact_max=exact_max, m=m, ef_construction=ef_construction)
    if serve:
        conn.execute("SELECT nummus_serve(%s)", (version,))
        conn.commit()
    return rows


# --- lot photos (for the app's tests and the end-to-end benchmark) ---------------------------

def coin_face(rng, r: int):
    """A textured disc (RGB) and its mask."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (2 * r, 2 * r), (0, 0, 0))
    d = ImageDraw.Draw(im)
    base = np.array(rng.integers(120, 200, 3))
    d.ellipse((0, 0, 2 * r - 1, 2 * r - 1), fill=tuple(int(x) for x in base))
    for _ in range(25):
        x, y = (int(v) for v in rng.integers(r // 3, 5 * r // 3, 2))
        s = int(rng.integers(r // 10, r // 3))
        col = tuple(int(c) for c in np.clip(base + rng.integers(-80, 60, 3), 0, 255))
        if rng.random() < .5:
            d.ellipse((x - s, y - s, x + s, y + s), fill=col)
        else:
            d.line((x - s, y - s, x + s, y + int(rng.integers(-s, s))), fill=col, width=int(rng.integers(3, 10)))
    mask = Image.new("L", (2 * r, 2 * r), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 2 * r - 1, 2 * r - 1), fill=255)
    return im, mask


def lot_photo(seed: int, r: int = 110, quality: int = 90) -> bytes:
    """A lot photo: obverse and reverse side by side on a light background."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = 4 * r + 3 * r // 2, 3 * r
    photo = Image.new("RGB", (w, h), (245, 245, 242))
    for cx in (r // 2 + r, w - r // 2 - r):
        face, mask = coin_face(rng, r)
        photo.paste(face, (cx - r, h // 2 - r), mask)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=quality)
    return out.getvalue()
