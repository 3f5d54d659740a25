"""Predictions (period, calibrated confidence) of a model version for every coin of the index,
written to PostgreSQL `period_predictions` in one transaction (a rerun adds nothing)."""

from __future__ import annotations

import numpy as np

from nummus import postgres
from nummus.settings import Settings


def store_predictions(settings: Settings, model_version: str, index_version: int, coin_ids: np.ndarray,
                      periods: list[str], confidence: np.ndarray) -> int:
    """Insert the rows not stored yet; returns the rows added."""
    with postgres.session(settings, autocommit=True) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE _pred (coin_id bigint, period text, confidence real) ON COMMIT DROP")
        with cur.copy("COPY _pred (coin_id, period, confidence) FROM STDIN") as cp:
            for c, p, q in zip(coin_ids.tolist(), periods, confidence.tolist()):
                cp.write_row((int(c), p, float(min(max(q, 0.0), 1.0))))
        cur.execute("INSERT INTO period_predictions (coin_id, model_version, period, confidence, index_version) "
                    "SELECT coin_id, %s, period, confidence, %s FROM _pred ORDER BY coin_id "
                    "ON CONFLICT (coin_id, model_version) DO NOTHING", (model_version, index_version))
        return cur.rowcount


def read_predictions(settings: Settings, model_version: str) -> dict[int, tuple[str, float]]:
    with postgres.session(settings, autocommit=True) as conn:
        rows = conn.execute("SELECT coin_id, period, confidence FROM period_predictions WHERE model_version = %s",
                            (model_version,)).fetchall()
    return {r[0]: (r[1], float(r[2])) for r in rows}
