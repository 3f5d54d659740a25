"""Heads on frozen vectors: logistic regression (scikit-learn, standardised features,
balanced class weights) and a small MLP (torch, class-weighted, trained by `fit`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nummus.embed.classify.fit import FitConfig, FitResult, fit


class LogRegHead:
    kind = "logreg"

    def __init__(self, C: float = 0.5, max_iter: int = 300):
        self.C, self.max_iter, self.pipe = C, max_iter, None

    def fit(self, x, y, xv, yv, class_weights, workdir: Path, config: FitConfig, on_batch=None) -> dict:
        import time

        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        t0 = time.perf_counter()
        weights = {c: float(w) for c, w in enumerate(class_weights)}
        self.pipe = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter,
                                                                       class_weight=weights))
        self.pipe.fit(x, y)
        if on_batch:
            on_batch(len(y))
        seconds = time.perf_counter() - t0
        return {"history": [{"epoch": 1, "seconds": round(seconds, 2)}], "seconds": seconds, "epochs": 1,
                "train_items": int(len(y)), "resumed_from": None}

    def logits(self, x: np.ndarray) -> np.ndarray:
        # multinomial: softmax(decision_function) == predict_proba; classes are 0..k-1 in order
        lr = self.pipe[-1]
        out = np.full((len(x), self.n_classes), -1e4, dtype=np.float64)
        d = self.pipe.decision_function(x)
        if d.ndim == 1:  # two classes: softmax([0, d]) = sigmoid(d) = predict_proba
            d = np.stack([np.zeros_like(d), d], axis=1)
        out[:, lr.classes_] = d
        return out

    def save(self, folder: Path) -> str:
        import joblib

        joblib.dump(self.pipe, folder / "model.joblib")
        return "model.joblib"


class MLPHead:
    kind = "mlp"

    def __init__(self, hidden: int = 512, dropout: float = 0.2):
        self.hidden, self.dropout, self.net = hidden, dropout, None

    def build(self, dim: int, k: int, mean: np.ndarray | None = None, std: np.ndarray | None = None):
        import torch
        import torch.nn as nn

        class Standardise(nn.Module):
            """(x - mean) / std of the training features, saved with the weights."""

            def __init__(self):
                super().__init__()
                self.register_buffer("mean", torch.zeros(dim) if mean is None else torch.tensor(mean, dtype=torch.float32))
                self.register_buffer("std", torch.ones(dim) if std is None else torch.tensor(std, dtype=torch.float32))

            def forward(self, x):
                return (x - self.mean) / self.std

        self.net = nn.Sequential(Standardise(), nn.Linear(dim, self.hidden), nn.GELU(), nn.Dropout(self.dropout),
                                 nn.Linear(self.hidden, k))
        return self.net

    def fit(self, x, y, xv, yv, class_weights, workdir: Path, config: FitConfig, on_batch=None) -> dict:
        import torch

        torch.manual_seed(config.seed)
        self.build(x.shape[1], self.n_classes, x.mean(0), x.std(0) + 1e-6)
        xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))

        def batches(chunks):
            for idx in chunks:
                yield xt[idx], yt[idx]

        def val():
            return self.logits(xv), yv

        res: FitResult = fit(self.net, n_train=len(y), y_train=y, batches=batches, val_logits=val,
                             n_classes=self.n_classes, class_weights=class_weights, config=config,
                             checkpoint=workdir / "checkpoint.pt", on_batch=on_batch)
        return {"history": res.history, "seconds": res.seconds, "epochs": len(res.history),
                "best_epoch": res.best_epoch, "train_items": res.train_items, "resumed_from": res.resumed_from}

    def logits(self, x: np.ndarray) -> np.ndarray:
        import torch

        self.net.eval()
        device = next(self.net.parameters()).device
        out = []
        with torch.inference_mode():
            for i in range(0, len(x), 4096):
                out.append(self.net(torch.from_numpy(x[i:i + 4096].astype(np.float32)).to(device)).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.n_classes))

    def save(self, folder: Path) -> str:
        import torch

        torch.save(self.net.state_dict(), folder / "model.pt")
        (folder / "model.json").write_text(json.dumps({"kind": "mlp", "hidden": self.hidden, "dropout": self.dropout}))
        return "model.pt"


def make_head(kind: str, n_classes: int):
    from nummus.errors import NummusError

    heads = {"logreg": LogRegHead, "mlp": MLPHead}
    if kind not in heads:
        raise NummusError(f"--head must be logreg or mlp, not {kind!r}", setting="--head")
    head = heads[kind]()
    head.n_classes = n_classes
    return head
