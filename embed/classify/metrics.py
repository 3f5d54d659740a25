"""Evaluation against the success criteria: macro F1, per-class P/R/F1/support, accuracy,
ECE, the confusion matrix and its top-5 confused pairs; the pass/fail table; the comparison
with the previous model on the same test coins."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from nummus.embed.classify.calibration import ece

MACRO_F1_MIN = 0.80
RECALL_MIN = 0.60
RECALL_MIN_SAMPLES = 50
ECE_MAX = 0.10


class ClassMetrics(BaseModel):
    period: str
    precision: float
    recall: float
    f1: float
    support: int      # test coins of this class
    samples: int      # labelled coins of this class in the whole index (the criterion's "samples")


class Criterion(BaseModel):
    name: str
    threshold: str
    value: str
    passed: bool


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def per_class(cm: np.ndarray, classes: list[str], samples: dict[str, int]) -> list[ClassMetrics]:
    out = []
    for i, c in enumerate(classes):
        tp = cm[i, i]
        pred, true = cm[:, i].sum(), cm[i, :].sum()
        p = tp / pred if pred else 0.0
        r = tp / true if true else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out.append(ClassMetrics(period=c, precision=round(float(p), 4), recall=round(float(r), 4),
                                f1=round(float(f), 4), support=int(true), samples=int(samples.get(c, true))))
    return out


def top_confused(cm: np.ndarray, classes: list[str], n: int = 5) -> list[dict]:
    """The n class pairs most often mistaken for each other (both directions summed)."""
    pairs = []
    for i in range(len(classes)):
        for j in range(i + 1, len(classes)):
            if cm[i, j] + cm[j, i]:
                pairs.append({"a": classes[i], "b": classes[j], "count": int(cm[i, j] + cm[j, i]),
                              "a_as_b": int(cm[i, j]), "b_as_a": int(cm[j, i])})
    return sorted(pairs, key=lambda p: (-p["count"], p["a"], p["b"]))[:n]


def evaluate(y_true: np.ndarray, y_pred: np.ndarray, conf: np.ndarray, classes: list[str],
             samples: dict[str, int]) -> dict:
    """The report's figures for one set of coins: true and predicted class indices and the
    confidence of each prediction."""
    cm = confusion(y_true, y_pred, len(classes))
    pcs = per_class(cm, classes, samples)
    present = [c for c in pcs if c.support > 0]
    return {"n": int(len(y_true)), "accuracy": round(float((y_pred == y_true).mean()) if len(y_true) else 0.0, 4),
            "macro_f1": round(float(np.mean([c.f1 for c in present])) if present else 0.0, 4),
            "ece": round(ece(conf, y_pred == y_true), 4),
            "per_class": [c.model_dump() for c in pcs], "top_confused": top_confused(cm, classes),
            "confusion": cm.tolist()}


def criteria(metrics: dict) -> list[Criterion]:
    """The pass/fail table: macro F1, recall of every class with ≥ 50 samples, calibrated ECE."""
    out = [Criterion(name="macro F1", threshold=f"≥ {MACRO_F1_MIN:.2f}", value=f"{metrics['macro_f1']:.3f}",
                     passed=metrics["macro_f1"] >= MACRO_F1_MIN)]
    for c in metrics["per_class"]:
        if c["samples"] >= RECALL_MIN_SAMPLES:
            out.append(Criterion(name=f"recall {c['period']} ({c['samples']} samples, {c['support']} test)",
                                 threshold=f"≥ {RECALL_MIN:.2f}", value=f"{c['recall']:.3f}",
                                 passed=c["support"] > 0 and c["recall"] >= RECALL_MIN))
    out.append(Criterion(name="ECE (15 bins, calibrated)", threshold=f"≤ {ECE_MAX:.2f}",
                         value=f"{metrics['ece']:.3f}", passed=metrics["ece"] <= ECE_MAX))
    return out


def compare(current: dict, previous: dict | None, *, tolerance: float = 0.005) -> dict | None:
    """Per metric (macro F1, accuracy, ECE, worst recall of a ≥50-sample class): both values,
    the change and better/worse/same; the verdict is 'regression' when any metric is worse."""
    if previous is None:
        return None
    rows = []
    for name, higher in (("macro_f1", True), ("accuracy", True), ("ece", False), ("min_recall", True)):
        a, b = _value(previous, name), _value(current, name)
        if a is None or b is None:
            continue
        delta = b - a
        verdict = "same" if abs(delta) <= tolerance else ("better" if (delta > 0) == higher else "worse")
        rows.append({"metric": name, "previous": round(a, 4), "current": round(b, 4), "delta": round(delta, 4),
                     "verdict": verdict})
    worse = [r["metric"] for r in rows if r["verdict"] == "worse"]
    return {"rows": rows, "verdict": "regression" if worse else "no regression", "worse": worse}


def _value(m: dict, name: str) -> float | None:
    if name != "min_recall":
        return m.get(name)
    recalls = [c["recall"] for c in m.get("per_class", []) if c["samples"] >= RECALL_MIN_SAMPLES]
    return min(recalls) if recalls else None
