"""Image fine-tuning with a pair input: one shared backbone over the obverse and the reverse
crop, the two feature vectors concatenated, a linear layer on top.

Backbones (`auto` tries them in this order and the report states which one ran):
  mobilenetv2   torchvision MobileNetV2 with ImageNet weights (only when they are cached)
  effnet-lite0  EfficientNet-Lite0 ImageNet weights from the offline package (timm)
  scratch       MobileNetV2, random initialisation
  tiny          a 3-layer CNN from scratch (tests)
Coin augmentations: any rotation (coins are round), lighting (brightness/contrast/saturation),
crop jitter (random resized crop, 85-100 % of the side)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from nummus.embed.classify.fit import FitConfig, fit
from nummus.errors import NummusError
from nummus.settings import Settings

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _backbone(name: str):
    """(module mapping [n,3,s,s] -> [n,f], feature dim f, what ran)."""
    import torch.nn as nn
    import torchvision

    if name in ("auto", "mobilenetv2"):
        weights = torchvision.models.MobileNet_V2_Weights.IMAGENET1K_V1
        why = _mobilenet_weights_missing(weights.url)
        if why is None:
            try:
                net = torchvision.models.mobilenet_v2(weights=weights)
                net.classifier = nn.Identity()
                return net, 1280, "mobilenetv2 (torchvision, ImageNet weights)"
            except Exception as exc:  # a broken download or cache file
                why = f"{exc.__class__.__name__}: {exc}"
        if name == "mobilenetv2":
            raise NummusError(f"MobileNetV2 ImageNet weights cannot be loaded ({why}); "
                              "use --backbone effnet-lite0 or scratch", setting="--backbone")
    if name in ("auto", "effnet-lite0"):
        try:
            from nummus.embed.encoders import load_effnet_lite0

            enc = load_effnet_lite0("cpu")
            return enc.module.train(), enc.dim, "efficientnet-lite0 (timm, ImageNet weights from the offline package)"
        except Exception as exc:
            if name == "effnet-lite0":
                raise NummusError(f"EfficientNet-Lite0 weights cannot be loaded: {exc}", setting="--backbone") from exc
    if name in ("auto", "scratch"):
        net = torchvision.models.mobilenet_v2(weights=None)
        net.classifier = nn.Identity()
        return net, 1280, "mobilenetv2 from scratch (no pretrained weights could be loaded)"
    if name == "tiny":
        net = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                            nn.Conv2d(32, 32, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        return net, 32, "tiny CNN from scratch"
    raise NummusError(f"--backbone must be auto, mobilenetv2, effnet-lite0, scratch or tiny, not {name!r}",
                      setting="--backbone")


def _mobilenet_weights_missing(url: str) -> str | None:
    """None when the weights are in the torch hub cache or can be downloaded now (never tried
    with HF_HUB_OFFLINE=1 or when download.pytorch.org does not answer within 3 s)."""
    import os
    import socket

    import torch

    if os.path.exists(os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(url))):
        return None
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "not cached, offline (HF_HUB_OFFLINE=1)"
    try:
        with socket.create_connection(("download.pytorch.org", 443), timeout=3.0):
            return None
    except OSError:
        return "not cached, download.pytorch.org unreachable"


def pair_net(backbone, dim: int, k: int):
    import torch.nn as nn

    class PairNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = backbone
            self.drop = nn.Dropout(0.2)
            self.head = nn.Linear(2 * dim, k)

        def forward(self, x):            # x: [b, 2, 3, s, s] (obverse, reverse)
            b = x.shape[0]
            f = self.backbone(x.flatten(0, 1)).reshape(b, -1)
            return self.head(self.drop(f))

    return PairNet()


class PairImages:
    """(obverse, reverse) crops from the object store as a [2, 3, s, s] float tensor, augmented
    for training; a missing or unreadable crop becomes a grey image."""

    def __init__(self, obv_keys, rev_keys, labels, store_url: str, storage_options: dict, size: int, train: bool):
        self.obv_keys, self.rev_keys, self.labels = list(obv_keys), list(rev_keys), np.asarray(labels)
        self.store_url, self.storage_options, self.size, self.train = store_url, storage_options, size, train
        self._store = None

    def __len__(self) -> int:
        return len(self.labels)

    def _image(self, key):
        import torch
        from PIL import Image

        if self._store is None:
            from nummus.objectstore import ObjectStore

            self._store = ObjectStore(self.store_url, **self.storage_options)
        try:
            with Image.open(io.BytesIO(self._store.get(key))) as im:
                im = im.convert("RGB").resize((self.size, self.size), Image.Resampling.BILINEAR)
                arr = np.asarray(im, dtype=np.uint8)
        except Exception:
            arr = np.full((self.size, self.size, 3), 128, np.uint8)
        return torch.from_numpy(arr.copy()).permute(2, 0, 1)

    def _augment(self, img):
        if getattr(self, "_aug", None) is None:
            self._aug = self._augmentation()
        return self._aug(img)

    def _augmentation(self):
        from torchvision.transforms import v2

        return v2.Compose([v2.RandomRotation(180, fill=128),
                        v2.RandomResizedCrop(self.size, scale=(0.85, 1.0), ratio=(0.95, 1.05), antialias=True),
                        v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.2)])

    def __getitem__(self, i: int):
        import torch

        sides = [self._image(k) for k in (self.obv_keys[i], self.rev_keys[i])]
        if self.train:
            sides = [self._augment(s) for s in sides]
        x = torch.stack(sides).float() / 255.0
        x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
        return x, int(self.labels[i])


def _loader(ds, batch_sampler, workers: int):
    from torch.utils.data import DataLoader

    return DataLoader(ds, batch_sampler=batch_sampler, num_workers=workers, persistent_workers=False)


def train_finetune(settings: Settings, data, *, backbone: str, image_size: int, k: int, tr, ytr, va, yva,
                   class_weights, folder: Path, config: FitConfig, on_batch, workers: int | None = None):
    """Fine-tune on the crops of `data`; returns (model file, info, logits(indices), input description)."""
    import os

    import torch

    from nummus.objectstore import storage_options

    workers = (min(4, os.cpu_count() or 1) if config.device == "cuda" else 1) if workers is None else workers
    torch.manual_seed(config.seed)
    net, dim, source = _backbone(backbone)
    model = pair_net(net, dim, k)
    labels = np.zeros(len(data), np.int64)
    labels[tr], labels[va] = ytr, yva
    common = dict(store_url=settings.objects_url, storage_options=storage_options(settings), size=image_size)
    train_ds = PairImages([data.obv_keys[i] for i in tr], [data.rev_keys[i] for i in tr], ytr, train=True, **common)
    all_ds = PairImages(data.obv_keys, data.rev_keys, labels, train=False, **common)

    def logits_of(idx) -> np.ndarray:
        model.eval()
        out = []
        chunks = [np.asarray(idx[i:i + 64]) for i in range(0, len(idx), 64)]
        with torch.inference_mode():
            for x, _ in _loader(all_ds, chunks, workers):
                x = x.to(config.device)
                with torch.autocast("cuda", dtype=torch.float16, enabled=config.device == "cuda"):
                    out.append(model(x).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, k), np.float32)

    res = fit(model, n_train=len(tr), y_train=ytr, batches=lambda chunks: _loader(train_ds, chunks, workers),
              val_logits=lambda: (logits_of(va), yva), n_classes=k, class_weights=class_weights, config=config,
              checkpoint=folder / "checkpoint.pt", on_batch=on_batch)
    torch.save(model.state_dict(), folder / "model.pt")
    (folder / "model.json").write_text(json.dumps({"kind": "pair-finetune", "backbone": backbone, "source": source,
                                                   "image_size": image_size, "feature_dim": dim, "classes": k}))
    info = {"history": res.history, "seconds": res.seconds, "epochs": len(res.history), "best_epoch": res.best_epoch,
            "train_items": res.train_items, "resumed_from": res.resumed_from, "backbone": source}
    return "model.pt", info, logits_of, f"{image_size} px obverse+reverse crops, {source}"
