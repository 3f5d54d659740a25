"""The torch training loop both neural families share: class-weighted cross-entropy, AdamW
with cosine decay, mixed precision on CUDA, the best epoch by validation macro F1, and a
checkpoint (atomic file) every epoch and every `checkpoint_seconds` inside an epoch, from
which a killed run continues: same batch order (a permutation per epoch from the seed), same
optimizer state, the batches already done skipped."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from pydantic import BaseModel


class FitConfig(BaseModel):
    epochs: int = 20
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    seed: int = 0
    device: str = "cpu"
    checkpoint_seconds: float = 120.0


class FitResult(BaseModel):
    history: list[dict]
    best_epoch: int
    resumed_from: dict | None
    seconds: float
    train_items: int


def macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    f1s = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        p_n, t_n = np.sum(pred == c), np.sum(y == c)
        if t_n == 0:
            continue
        p, r = (tp / p_n if p_n else 0.0), tp / t_n
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1s)) if f1s else 0.0


def _save(path: Path, state: dict) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def fit(model, *, n_train: int, y_train: np.ndarray, batches: Callable[[list[np.ndarray]], Iterable],
        val_logits: Callable[[], tuple[np.ndarray, np.ndarray]], n_classes: int, class_weights: np.ndarray,
        config: FitConfig, checkpoint: Path, on_batch: Callable[[int], None] | None = None) -> FitResult:
    """Train `model` in place (it ends with the best epoch's weights). `batches(list of index
    arrays)` yields (x, y) tensors for those training items in order; `val_logits()` returns
    (logits, y) of the validation set under the current weights."""
    import torch

    device = config.device
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps_per_epoch = max(1, -(-n_train // config.batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch,
                                                pct_start=0.1)
    amp = device == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(class_weights, dtype=torch.float32, device=device))
    state = {"epoch": 0, "batch": 0, "history": [], "best": None}
    resumed = None
    if checkpoint.exists():
        saved = torch.load(checkpoint, map_location=device, weights_only=False)
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        scaler.load_state_dict(saved["scaler"])
        state = saved["state"]
        resumed = {"epoch": state["epoch"], "batch": state["batch"]}

    def snapshot() -> None:
        _save(checkpoint, {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                           "scaler": scaler.state_dict(), "state": state})

    while state["epoch"] < config.epochs:
        epoch = state["epoch"]
        order = np.random.default_rng([config.seed, epoch]).permutation(n_train)
        chunks = [order[i:i + config.batch_size] for i in range(0, n_train, config.batch_size)]
        torch.manual_seed(config.seed * 100003 + epoch * 1009 + state["batch"])
        model.train()
        started, last_save = time.perf_counter(), time.perf_counter()
        losses = state.setdefault("losses", [])
        for x, y in batches(chunks[state["batch"]:]):
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
                loss = loss_fn(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            sched.step()
            losses.append(float(loss.detach()))
            state["batch"] += 1
            if on_batch:
                on_batch(len(y))
            if time.perf_counter() - last_save > config.checkpoint_seconds and state["batch"] < len(chunks):
                snapshot()
                last_save = time.perf_counter()
        model.eval()
        logits, yv = val_logits()
        f1 = macro_f1(yv, logits.argmax(1), n_classes) if len(yv) else 0.0
        state["history"].append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)) if losses else 0.0, 5),
                                 "val_macro_f1": round(f1, 4), "seconds": round(time.perf_counter() - started, 2)})
        if state["best"] is None or f1 > state["best"]["f1"]:
            state["best"] = {"f1": f1, "epoch": epoch + 1,
                             "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        state["epoch"], state["batch"], state["losses"] = epoch + 1, 0, []
        snapshot()
    if state["best"] is not None:
        model.load_state_dict(copy.deepcopy(state["best"]["model"]))
    model.eval()
    return FitResult(history=state["history"], best_epoch=state["best"]["epoch"] if state["best"] else 0,
                     resumed_from=resumed, seconds=float(sum(h["seconds"] for h in state["history"])),
                     train_items=n_train)
