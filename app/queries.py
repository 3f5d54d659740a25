"""The SQL files of sql/ as bound statements: `:'name'` (psql variable) becomes a psycopg
parameter, so the app and the command line send the very text analysts run in psql."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from nummus.app.filters import SearchFilters
from nummus import resources

_VAR = re.compile(r":'(\w+)'")


@lru_cache(maxsize=None)
def statement(name: str) -> str:
    """sql/{name} without its comment lines, psql variables turned into named parameters."""
    text = "\n".join(line for line in resources.sql(name).read_text().splitlines() if not line.lstrip().startswith("--"))
    return _VAR.sub(lambda m: f"%({m.group(1)})s", text.replace("%", "%%"))


def vector_text(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6g}" for x in np.asarray(v, np.float32).ravel()) + "]"


def _text(value) -> str:
    return "" if value is None else str(value)


def filter_params(filters: SearchFilters) -> dict[str, str]:
    return {name: _text(getattr(filters, name)) for name in
            ("period", "denomination", "house", "price_min", "price_max", "sold_from", "sold_to")}


def search_params(vector: np.ndarray, side: str, k: int, filters: SearchFilters) -> dict[str, str]:
    return {"query": vector_text(vector), "side": side, "k": str(int(k)), **filter_params(filters)}


def similar_params(coin_id: int, side: str, k: int, filters: SearchFilters) -> dict[str, str]:
    return {"coin_id": str(int(coin_id)), "side": side, "k": str(int(k)), **filter_params(filters)}


COIN = """
SELECT c.coin_id, c.period, c.denomination, c.authority AS ruler, c.mint, c.metal, c.house, c.sale,
       c.lot, c.title, c.price, c.currency, c.closing_date, c.lot_url, c.obv_key, c.rev_key,
       c.obv_small_key, c.rev_small_key, c.date_from, c.date_to, c.freeze_id,
       v.index_version, v.in_delta
  FROM coins c LEFT JOIN search_vectors v ON v.coin_id = c.coin_id
 WHERE c.coin_id = %(coin_id)s
"""

PREDICTION = """
SELECT period AS predicted_period, confidence AS predicted_confidence, model_version AS prediction_model
  FROM period_predictions WHERE coin_id = %(coin_id)s ORDER BY created_at DESC LIMIT 1
"""

SERVING = "SELECT version, freeze_id, encoder_id, dim, vector_type, rows, sealed_at FROM index_versions" \
          " WHERE state = 'serving'"

COUNTS = """
SELECT (SELECT count(*) FROM coins) AS coins,
       (SELECT count(*) FROM search_vectors) AS vectors,
       (SELECT count(*) FROM search_vectors WHERE in_delta) AS in_delta
"""

# the coin's other sales: its nearest neighbours (pair) from a different sale, cosine >= 0.95
OTHER_SALES_MIN_COSINE = 0.95
