"""The coins' crops as a torch Dataset: worker processes read the obverse and reverse crops from
the object store, decode and resize them ahead of the model. A crop that cannot be read or
decoded yields zeros and a reason (the job records it in raw.quarantine and goes on)."""

from __future__ import annotations

import io

import numpy as np

from nummus.embed.encoders import Preprocessing
from nummus.embed.source import CoinCrops


class CropDataset:
    """Map-style dataset over coins; item = dict(coin_id, obv, rev, ok, reason, ref)."""

    def __init__(self, coins: list[CoinCrops], store_url: str, storage_options: dict,
                 preprocessing: Preprocessing):
        self.coins = coins
        self.store_url = store_url
        self.storage_options = storage_options
        self.preprocessing = preprocessing
        self._store = None

    def __len__(self) -> int:
        return len(self.coins)

    def _get_store(self):
        if self._store is None:  # built in the worker process
            from nummus.objectstore import ObjectStore

            self._store = ObjectStore(self.store_url, **self.storage_options)
        return self._store

    def _load(self, key: str | None) -> np.ndarray:
        from PIL import Image

        if not key:
            raise LookupError("no crop key")
        data = self._get_store().get(key)
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return self.preprocessing(im)

    def __getitem__(self, i: int) -> dict:
        """A coin photographed on one side only (vision's 'single' layout: one crop key, the other
        empty) uses that side for both, flagged one_side; a key whose object is missing or does
        not decode makes the coin bad input (ok False, with the reason)."""
        coin = self.coins[i]
        size = self.preprocessing.size
        out = {"coin_id": coin.coin_id, "ok": True, "reason": "", "ref": "", "detail": "",
               "one_side": bool(coin.obv_key) != bool(coin.rev_key)}
        keys = {"obv": coin.obv_key or coin.rev_key, "rev": coin.rev_key or coin.obv_key}
        for side, key in keys.items():
            try:
                out[side] = self._load(key)
            except Exception as exc:  # noqa: BLE001 - any unreadable crop is bad input, not a crash
                out[side] = np.zeros((3, size, size), np.float32)
                if out["ok"]:
                    out.update(ok=False, ref=key or "",
                               reason="crop_missing" if isinstance(exc, (LookupError, FileNotFoundError))
                               else "crop_unreadable",
                               detail=f"{side}: {exc.__class__.__name__}: {str(exc)[:200]}")
        return out


def chunk_batches(n_items_per_chunk: list[int], batch_size: int) -> list[tuple[int, list[int], bool]]:
    """Batches of dataset indices that never cross a chunk boundary:
    [(chunk_position, indices, last_batch_of_chunk)]. Same inputs, same batches (resume)."""
    batches = []
    start = 0
    for pos, n in enumerate(n_items_per_chunk):
        idx = list(range(start, start + n))
        for b in range(0, n, batch_size):
            batches.append((pos, idx[b:b + batch_size], b + batch_size >= n))
        start += n
    return batches


def worker_init(_worker_id: int) -> None:
    import torch

    torch.set_num_threads(1)
