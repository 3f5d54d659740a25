"""The audit: each cluster's dominant period and purity, and the coins to look at again —
those whose parsed period disagrees with a pure cluster they belong to, and (when the period
classifier has written `period_predictions`) those whose parsed period disagrees with the
classifier."""

from __future__ import annotations

from collections import Counter

import numpy as np
import psycopg

UNUSABLE = {None, "", "needs_review"}


def summarise(labels: np.ndarray, periods: list[str | None], *, purity_threshold: float,
              min_labelled: int) -> list[dict]:
    """One summary per cluster (noise, -1, included with pure = False)."""
    members: dict[int, list[int]] = {}
    for i, c in enumerate(labels.tolist()):
        members.setdefault(c, []).append(i)
    out = []
    for c in sorted(members):
        idx = members[c]
        counts = Counter(periods[i] for i in idx if periods[i] not in UNUSABLE)
        labelled = sum(counts.values())
        dominant, top = counts.most_common(1)[0] if counts else (None, 0)
        purity = top / labelled if labelled else None
        pure = c >= 0 and labelled >= min_labelled and purity is not None and purity >= purity_threshold
        out.append({"cluster": int(c), "size": len(idx), "labelled": labelled, "dominant_period": dominant,
                    "purity": None if purity is None else round(float(purity), 4), "pure": bool(pure),
                    "periods": dict(counts.most_common())})
    return out


def cluster_disagreements(coin_ids: np.ndarray, labels: np.ndarray, probability: np.ndarray,
                          periods: list[str | None], summaries: list[dict]) -> list[dict]:
    """Coins in a pure cluster whose parsed period is another one."""
    pure = {s["cluster"]: s for s in summaries if s["pure"]}
    out = []
    for i, c in enumerate(labels.tolist()):
        s = pure.get(c)
        p = periods[i]
        if s is None or p in UNUSABLE or p == s["dominant_period"]:
            continue
        out.append({"coin_id": int(coin_ids[i]), "reason": "cluster_period", "period": p,
                    "suggested_period": s["dominant_period"], "cluster": int(c), "purity": s["purity"],
                    "confidence": round(float(s["purity"]) * float(probability[i]), 4)})
    return out


_PREDICTED = ("predicted_period", "period", "prediction", "label")
_CONFIDENCE = ("probability", "confidence", "prob", "score")
_ORDER = ("created_at", "predicted_at", "model_version", "model")


def classifier_disagreements(conn: psycopg.Connection, coin_ids: np.ndarray, labels: np.ndarray,
                             periods: list[str | None], *, min_confidence: float = 0.5) -> list[dict] | None:
    """Coins whose parsed period disagrees with `period_predictions`; None when that table is absent.
    Column names are matched by role (the classifier issue owns the table)."""
    cols = [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'period_predictions' "
        "AND table_schema = current_schema()").fetchall()]
    if "coin_id" not in cols:
        return None
    pred = next((c for c in _PREDICTED if c in cols), None)
    if pred is None:
        return None
    conf = next((c for c in _CONFIDENCE if c in cols), None)
    order = next((c for c in _ORDER if c in cols), None)
    sql = (f"SELECT DISTINCT ON (coin_id) coin_id, {pred}, {conf or 'NULL::real'} FROM period_predictions "
           f"WHERE coin_id = ANY(%s) ORDER BY coin_id{f', {order} DESC' if order else ''}")
    with conn.transaction():
        rows = conn.execute(sql, ([int(c) for c in coin_ids],)).fetchall()
    predicted = {r[0]: (r[1], r[2]) for r in rows}
    out = []
    for i, cid in enumerate(coin_ids.tolist()):
        p = periods[i]
        if cid not in predicted or p in UNUSABLE:
            continue
        guess, confidence = predicted[cid]
        if guess in UNUSABLE or guess == p or (confidence is not None and confidence < min_confidence):
            continue
        out.append({"coin_id": int(cid), "reason": "classifier_period", "period": p, "suggested_period": guess,
                    "cluster": int(labels[i]), "purity": None,
                    "confidence": None if confidence is None else round(float(confidence), 4)})
    return out
