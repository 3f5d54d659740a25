"""Chunked checkpoints of an embedding run: DATA_DIR/embed/<run>/manifest.json + chunk_NNNNNN.npz.

A chunk is a fixed slice of the run's coin list (ordered by coin_id); it is written once,
atomically (temporary name + rename), with the coin_ids, the obv/rev/pair vectors and the coins
it skipped (with reasons). A rerun after `kill -9` skips the chunks on disk and recomputes the
rest with the same batch boundaries, so it ends bit-identical to an uninterrupted run."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from nummus.embed.encoders import EncoderId
from nummus.errors import NummusError


class RunManifest(BaseModel):
    source: str                 # v1 | marts.coins | delta-of-v1:...
    encoder_id: EncoderId
    chunk_size: int
    batch_size: int
    coins: int
    coins_sha256: str           # sha256 of the ordered coin_id list


class Chunk(BaseModel, arbitrary_types_allowed=True):
    coin_id: np.ndarray          # int64 [n]
    obv: np.ndarray              # float32 [n, d]
    rev: np.ndarray
    pair: np.ndarray
    one_side: np.ndarray         # bool [n]: only one side photographed; it stands in for both
    skipped_coin_id: np.ndarray  # int64 [m]
    skipped_reason: np.ndarray   # str [m]
    skipped_ref: np.ndarray      # str [m]


def coins_sha256(coin_ids) -> str:
    return hashlib.sha256(np.asarray(coin_ids, dtype=">i8").tobytes()).hexdigest()


class RunDir:
    def __init__(self, path: Path):
        self.path = Path(path)

    def chunk_path(self, index: int) -> Path:
        return self.path / f"chunk_{index:06d}.npz"

    def open(self, manifest: RunManifest) -> RunManifest:
        """Create the run, or check that the one on disk is the same run (and keep its sizes)."""
        self.path.mkdir(parents=True, exist_ok=True)
        file = self.path / "manifest.json"
        if file.exists():
            old = RunManifest.model_validate_json(file.read_text())
            if old.coins_sha256 != manifest.coins_sha256 or old.encoder_id != manifest.encoder_id:
                raise NummusError(f"{self.path} holds another run (other coins or encoder); "
                                  "remove it or choose another source")
            return old
        tmp = file.with_suffix(".json.tmp")
        tmp.write_text(manifest.model_dump_json(indent=1))
        os.replace(tmp, file)
        return manifest

    def done(self, index: int) -> bool:
        return self.chunk_path(index).exists()

    def write(self, index: int, chunk: Chunk) -> None:
        final = self.chunk_path(index)
        tmp = final.with_name(final.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: getattr(chunk, k) for k in Chunk.model_fields})
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    def read(self, index: int) -> Chunk:
        with np.load(self.chunk_path(index), allow_pickle=False) as z:
            return Chunk(**{k: z[k] for k in Chunk.model_fields})

    def read_all(self, n_chunks: int) -> Chunk:
        """All chunks concatenated in coin_id order."""
        parts = [self.read(i) for i in range(n_chunks)]
        if not parts:
            raise NummusError(f"{self.path}: no chunks")
        return Chunk(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in Chunk.model_fields})


def run_name(source: str, encoder_id: EncoderId) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in source)
    return f"{safe}__{encoder_id.slug}"

