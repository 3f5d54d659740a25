"""`train_period`: split → train (head on frozen vectors, or fine-tuning) → temperature
calibration on validation → test metrics, criteria, comparison with the previous model on the
same test coins → artifacts/period_vN → predictions for every coin of the index in PostgreSQL."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from nummus.embed.classify import artifacts, metrics as M
from nummus.embed.classify.calibration import ece, fit_temperature, softmax
from nummus.embed.classify.data import IndexData, load_index_data
from nummus.embed.classify.fit import FitConfig
from nummus.embed.classify.report import plot_confusion, plot_reliability, write_confusion_csv, write_html
from nummus.errors import NummusError
from nummus.settings import Settings

MIN_CLASS_SIZE = 10


class TrainResult(BaseModel):
    model_version: str
    folder: str
    family: str
    index_version: int
    n_classes: int
    macro_f1: float
    accuracy: float
    ece: float
    ece_uncalibrated: float
    passed: bool
    failed: list[str]
    comparison: str | None        # 'regression' | 'no regression' | None (no previous model)
    predictions: int              # rows added to period_predictions
    train_seconds: float
    seconds_per_epoch: float
    seconds_per_1000_pairs: float
    resumed: bool


def _quarantine_bad(settings: Settings, data: IndexData, *, need_crops: bool) -> np.ndarray:
    """Coins with a non-finite or zero vector (or, for fine-tuning, without both crop keys):
    recorded in raw.quarantine (stage 'classify'), left out. Returns the usable mask."""
    from nummus import quarantine

    finite = np.isfinite(data.obv).all(1) & np.isfinite(data.rev).all(1) & np.isfinite(data.pair).all(1)
    nonzero = (np.abs(data.pair).sum(1) > 0) & (np.abs(data.obv).sum(1) > 0) & (np.abs(data.rev).sum(1) > 0)
    crops = np.array([bool(o) and bool(r) for o, r in zip(data.obv_keys, data.rev_keys)]) if need_crops \
        else np.ones(len(data), bool)
    good = finite & nonzero & crops
    reason = np.where(~finite, "bad_vector", np.where(~nonzero, "zero_vector", "crop_missing"))
    detail = {"crop_missing": "crop key missing; left out of fine-tuning and its predictions"}
    quarantine.record_many(settings, [
        quarantine.Entry("classify", str(r), detail.get(str(r), "vector not finite or zero; left out of period "
                                                       "training and prediction"),
                         coin_id=int(c), ref=f"index_v{data.version}")
        for c, r, g in zip(data.coin_ids.tolist(), reason.tolist(), good.tolist()) if not g])
    return good


def _fit_model(family: str, data: IndexData, settings: Settings, *, head: str, features: str, backbone: str,
               image_size: int, k: int, tr, ytr, va, yva, cw, folder: Path, cfg: FitConfig, on_batch,
               workers: int | None):
    """(saved file name, training info, logits(indices), model input description)."""
    if family == "head":
        from nummus.embed.classify.heads import make_head

        x = data.features(features)
        model = make_head(head, k)
        info = model.fit(x[tr], ytr, x[va], yva, cw, folder, cfg, on_batch)
        return model.save(folder), info, (lambda idx: model.logits(x[idx])), f"{features} vectors"
    if family == "finetune":
        from nummus.embed.classify.finetune import train_finetune

        return train_finetune(settings, data, backbone=backbone, image_size=image_size, k=k, tr=tr, ytr=ytr,
                              va=va, yva=yva, class_weights=cw, folder=folder, config=cfg, on_batch=on_batch,
                              workers=workers)
    raise NummusError(f"--family must be head or finetune, not {family!r}", setting="--family")


def train_period(settings: Settings, family: str = "head", *, head: str = "logreg", features: str = "obvrev",
                 index: int | None = None, epochs: int | None = None, batch_size: int | None = None,
                 lr: float | None = None, backbone: str = "auto", image_size: int = 128, device: str = "auto",
                 min_class_size: int = MIN_CLASS_SIZE, use_phash: bool = True, seed: int = 0,
                 checkpoint_seconds: float = 120.0, workers: int | None = None,
                 progress: bool = True) -> TrainResult:

    from nummus.embed.classify.predictions import store_predictions
    from nummus.embed.classify.splits import split_index
    from nummus.embed.encoders import pick_device
    from nummus.progress import Reporter

    if family not in ("head", "finetune"):
        raise NummusError(f"--family must be head or finetune, not {family!r}", setting="--family")
    if family == "head" and head not in ("logreg", "mlp"):
        raise NummusError(f"--head must be logreg or mlp, not {head!r}", setting="--head")
    if features not in ("pair", "obvrev"):
        raise NummusError(f"--features must be pair or obvrev, not {features!r}", setting="--features")
    data = load_index_data(settings, index)
    good = _quarantine_bad(settings, data, need_crops=family == "finetune")
    split, split_facts = split_index(settings, data, use_phash=use_phash, seed=seed)
    counts = Counter(p for p, s, g in zip(data.periods, split, good) if s and g)
    classes = sorted(c for c, n in counts.items() if n >= min_class_size)
    excluded = sorted(c for c, n in counts.items() if n < min_class_size)
    if len(classes) < 2:
        raise NummusError(f"need at least 2 periods with ≥ {min_class_size} labelled coins, found {len(classes)} "
                          f"({dict(counts)})", setting="--min-class-size")
    cix = {c: i for i, c in enumerate(classes)}
    y_all = np.array([cix.get(p, -1) for p in data.periods], np.int64)
    use = good & (y_all >= 0)
    tr, va, te = (np.nonzero(use & (split == s))[0] for s in ("train", "val", "test"))
    if not len(tr) or not len(te):
        raise NummusError(f"empty train or test split ({len(tr)} / {len(te)} coins)", setting="--index")
    k = len(classes)
    ytr, yva, yte = y_all[tr], y_all[va], y_all[te]
    freq = np.bincount(ytr, minlength=k).astype(float)
    cw = np.where(freq > 0, len(ytr) / (k * np.maximum(freq, 1)), 0.0)
    device = pick_device(device)
    # head batches: ~20 steps per epoch on small indexes, 256 pairs from 5,000 training coins up
    head_batch = int(np.clip(len(tr) // 20, 32, 256))
    defaults = {"head": (30, head_batch, 1e-3), "finetune": (8, 32, 1e-3)}[family]
    cfg = FitConfig(epochs=epochs or defaults[0], batch_size=batch_size or defaults[1], lr=lr or defaults[2],
                    seed=seed, device=device, checkpoint_seconds=checkpoint_seconds)
    config = {"family": family, "head": head if family == "head" else None, "features": features,
              "backbone": backbone if family == "finetune" else None, "image_size": image_size,
              "index_version": data.version, "classes": classes, "fit": cfg.model_dump(exclude={"device"}),
              "n_train": int(len(tr)), "n_val": int(len(va)), "n_test": int(len(te))}
    model_version, folder, resumed = artifacts.open_run(settings, config)

    total = cfg.epochs * len(tr) if family != "head" or head == "mlp" else len(tr)
    with Reporter("img", enabled=progress and total > 0).start(
            f"training {model_version}", total) as bar:
        model_file, info, logits_of, model_input = _fit_model(
            family, data, settings, head=head, features=features, backbone=backbone, image_size=image_size, k=k,
            tr=tr, ytr=ytr, va=va, yva=yva, cw=cw, folder=folder, cfg=cfg, on_batch=bar.advance, workers=workers)

    val_logits = logits_of(va) if len(va) else np.zeros((0, k))
    temperature = fit_temperature(val_logits, yva)
    test_logits = logits_of(te)
    raw = softmax(test_logits)
    cal = softmax(test_logits, temperature)
    pred = cal.argmax(1)
    conf_raw, conf = raw.max(1), cal.max(1)
    samples = {c: int(counts[c]) for c in classes}
    test = M.evaluate(yte, pred, conf, classes, samples)
    ece_raw = ece(conf_raw, raw.argmax(1) == yte)
    crits = M.criteria(test)

    # every usable coin of the index gets a prediction (calibrated)
    everyone = np.nonzero(good)[0]
    probs_all = softmax(logits_of(everyone), temperature)
    pred_all = [classes[i] for i in probs_all.argmax(1)]
    with (folder / "test_predictions.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["coin_id", "period", "predicted", "confidence"])
        for i, p, q in zip(te.tolist(), pred.tolist(), conf.tolist()):
            w.writerow([int(data.coin_ids[i]), classes[y_all[i]], classes[p], round(float(q), 6)])

    comparison, why_not = _compare(settings, model_version, folder, samples, classes)
    per_epoch = info["seconds"] / max(1, info["epochs"])
    result_metrics = {
        "model_version": model_version, "family": family, "head": head if family == "head" else None,
        "model_input": model_input, "model_file": model_file, "index_version": data.version, "device": device,
        "classes": classes, "n_classes": k, "excluded_classes": excluded, "min_class_size": min_class_size,
        "split": split_facts, "train": {**info, "seconds_per_epoch": per_epoch,
                                        "seconds_per_1000_pairs": per_epoch / max(1, len(tr)) * 1000},
        "temperature": temperature, "ece_uncalibrated": round(ece_raw, 4),
        "macro_f1": test["macro_f1"], "accuracy": test["accuracy"], "ece": test["ece"],
        "per_class": test["per_class"], "top_confused": test["top_confused"], "test": test,
        "validation": M.evaluate(yva, val_logits.argmax(1), softmax(val_logits, temperature).max(1), classes, samples)
        if len(va) else None,
        "criteria": [c.model_dump() for c in crits], "passed": all(c.passed for c in crits),
        "comparison": comparison,
    }
    write_confusion_csv(folder / "confusion.csv", test["confusion"], classes)
    plot_confusion(folder / "confusion.png", test["confusion"], classes)
    plot_reliability(folder / "reliability.png", (conf_raw, raw.argmax(1) == yte), (conf, pred == yte),
                     ece_raw, test["ece"])
    write_html(folder / "report.html", model_version, result_metrics, crits, comparison, why_not)
    added = store_predictions(settings, model_version, data.version, data.coin_ids[everyone], pred_all,
                              probs_all.max(1))
    # metrics.json last: its presence marks the version finished
    tmp = folder / "metrics.json.tmp"
    tmp.write_text(json.dumps(result_metrics, indent=1, default=float))
    tmp.replace(folder / "metrics.json")
    return TrainResult(model_version=model_version, folder=str(folder), family=family, index_version=data.version,
                       n_classes=k, macro_f1=test["macro_f1"], accuracy=test["accuracy"], ece=test["ece"],
                       ece_uncalibrated=round(ece_raw, 4), passed=result_metrics["passed"],
                       failed=[c.name for c in crits if not c.passed],
                       comparison=comparison["verdict"] if comparison else None, predictions=added,
                       train_seconds=round(info["seconds"], 3), seconds_per_epoch=round(per_epoch, 3),
                       seconds_per_1000_pairs=round(result_metrics["train"]["seconds_per_1000_pairs"], 4),
                       resumed=resumed or bool(info.get("resumed_from")))


def _read_test_predictions(path: Path) -> dict[int, tuple[str, str, float]]:
    with path.open() as f:
        return {int(r["coin_id"]): (r["period"], r["predicted"], float(r["confidence"])) for r in csv.DictReader(f)}


def _compare(settings: Settings, version: str, folder: Path, samples: dict[str, int],
             classes: list[str]) -> tuple[dict | None, str]:
    """Both models' metrics recomputed on the test coins they share (the stored split makes
    that the whole test set unless the index or the class list changed)."""
    prev = artifacts.previous_finished(settings, int(version.split("_v")[1]))
    if prev is None:
        return None, "No previous model: this is the first version."
    prev_version, prev_folder = prev
    old, new = _read_test_predictions(prev_folder / "test_predictions.csv"), _read_test_predictions(folder / "test_predictions.csv")
    common = sorted(set(old) & set(new))
    if not common:
        return None, f"{prev_version} shares no test coins with this model (another index?): not compared."
    names = sorted(set(classes) | {old[c][1] for c in common} | {new[c][0] for c in common})
    ix = {c: i for i, c in enumerate(names)}
    y = np.array([ix[new[c][0]] for c in common])

    def score(table):
        return M.evaluate(y, np.array([ix[table[c][1]] for c in common]), np.array([table[c][2] for c in common]),
                          names, samples)

    out = M.compare(score(new), score(old))
    out.update(previous_version=prev_version, n_common=len(common), n_test=len(new))
    return out, ""
