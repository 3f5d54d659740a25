"""The batch embedding job: `nummus embed --freeze vN`.

Reads the coins of `frozen.coins_vN`, skips red crops (raw.quarantine, stage 'embed'), embeds
obverse and reverse crops with worker processes decoding ahead of the model, writes chunked
checkpoints keyed by coin_id (resume after `kill -9` is bit-identical), then loads a sealed,
serving index version into PostgreSQL and re-embeds 10 known coins as a round-trip check.
CUDA out-of-memory halves the batch and goes on.

Per coin: obv, rev and pair = normalise(obv + rev). A coin photographed on one side only (vision's
'single' layout) has that side's vector as obv, rev and pair (counted as one_sided).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
from pydantic import BaseModel, Field
from rich.console import Console

from nummus.embed import checkpoint, source
from nummus.embed.checkpoint import Chunk, RunDir, RunManifest
from nummus.embed.encoders import Encoder, EncoderId, load_encoder
from nummus.objectstore import storage_options
from nummus.progress import Reporter
from nummus.settings import Settings

console = Console(stderr=True, highlight=False)
DEFAULT_CHUNK = 512


class EmbedSummary(BaseModel):
    source: str
    run_dir: str
    encoder_id: EncoderId
    coins: int
    embedded: int
    one_sided: int = 0          # coins photographed on one side: that side stands in for both
    skipped: int
    chunks: int
    chunks_resumed: int
    seconds: float
    images_per_s: float
    index_version: int | None = None
    index_created: bool = False
    content_sha256: str | None = None
    delta_rows: int | None = None
    roundtrip_min_cosine: float | None = None
    note: str | None = None


SKIP_DETAIL = {
    "red_crop": "vision marked the crops red (no usable obverse/reverse); not embedded",
    "crop_missing": "a crop key is empty or the object is missing from the store; not embedded",
    "crop_unreadable": "a crop could not be decoded as an image; not embedded",
}


def _record_skipped(settings: Settings, chunk: Chunk, *, run_name: str, table: str) -> int:
    """The coins a run skipped, in raw.quarantine (stage 'embed', one row per coin, crop and
    reason: reruns, resumes, the dry run and later freezes add nothing); house, sale and lot
    come from `table` when it has them. Returns the rows added."""
    from nummus import quarantine, warehouse

    if not len(chunk.skipped_coin_id):
        return 0
    with warehouse.session(settings) as con:
        lots = {}
        if {"house", "sale", "lot"} <= set(source.columns(con, table)):
            lots = {c: (h, s, lot) for c, h, s, lot in con.execute(
                f"SELECT coin_id, house, sale, lot::VARCHAR FROM {table} WHERE coin_id IN (SELECT unnest(?::BIGINT[]))",
                [sorted({int(c) for c in chunk.skipped_coin_id})]).fetchall()}
        return quarantine.record_many(con, [
            quarantine.Entry("embed", str(reason), f"{SKIP_DETAIL.get(str(reason), str(reason))} (run {run_name})",
                             *lots.get(int(c), (None, None, None)), coin_id=int(c), ref=str(ref))
            for c, reason, ref in zip(chunk.skipped_coin_id, chunk.skipped_reason, chunk.skipped_ref)])


def _is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(exc).lower()


class ResilientEncoder:
    """Encodes a batch in micro-batches; a CUDA out-of-memory error halves the micro-batch
    for the rest of the run and retries the same images."""

    def __init__(self, encoder: Encoder, batch_images: int, say: Callable[[str], None] = console.print):
        self.encoder = encoder
        self.micro = max(1, batch_images)
        self.say = say
        self.halvings = 0

    def __call__(self, images) -> np.ndarray:
        out, i, n = [], 0, len(images)
        while i < n:
            size = self.micro
            try:
                out.append(self.encoder.encode_tensor(images[i:i + size]))
                i += size
            except RuntimeError as exc:
                if not _is_oom(exc) or size == 1:
                    raise
                self.micro = size // 2
                self.halvings += 1
                self.say(f"out of memory at batch {size} images: halving to {self.micro}")
                import torch

                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
        return np.concatenate(out) if out else np.zeros((0, self.encoder.dim), np.float32)


def normalise(v: np.ndarray) -> np.ndarray:
    return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _empty_chunk() -> dict:
    return {"coin_id": [], "obv": [], "rev": [], "one_side": [], "skipped_coin_id": [], "skipped_reason": [],
            "skipped_ref": []}


def _finish_chunk(acc: dict, dim: int) -> Chunk:
    obv = np.concatenate(acc["obv"]) if acc["obv"] else np.zeros((0, dim), np.float32)
    rev = np.concatenate(acc["rev"]) if acc["rev"] else np.zeros((0, dim), np.float32)
    return Chunk(coin_id=np.asarray(acc["coin_id"], np.int64), obv=obv, rev=rev, pair=normalise(obv + rev),
                 one_side=np.asarray(acc["one_side"], dtype=bool),
                 skipped_coin_id=np.asarray(acc["skipped_coin_id"], np.int64),
                 skipped_reason=np.asarray(acc["skipped_reason"], dtype=str),
                 skipped_ref=np.asarray(acc["skipped_ref"], dtype=str))


def run_embedding(settings: Settings, coins: list[source.CoinCrops], *, source_name: str, encoder: Encoder,
                  batch_size: int = 32, chunk_size: int = DEFAULT_CHUNK, num_workers: int | None = None,
                  run_dir: Path | None = None, progress: bool = True) -> tuple[RunDir, RunManifest, Chunk, dict]:
    """Embed `coins` into chunk files (resuming those on disk); return the run and all vectors."""
    import torch
    from torch.utils.data import DataLoader

    from nummus.embed.dataset import CropDataset, chunk_batches, worker_init

    ids = [c.coin_id for c in coins]
    run = RunDir(run_dir or settings.data_path / "embed" / checkpoint.run_name(source_name, encoder.encoder_id))
    manifest = run.open(RunManifest(source=source_name, encoder_id=encoder.encoder_id, chunk_size=chunk_size,
                                    batch_size=batch_size, coins=len(coins), coins_sha256=checkpoint.coins_sha256(ids)))
    chunk_size, batch_size = manifest.chunk_size, manifest.batch_size  # a resumed run keeps its sizes
    n_chunks = max(1, -(-len(coins) // chunk_size))
    dim = encoder.dim
    todo: list[int] = [c for c in range(n_chunks) if not run.done(c)]
    resumed = n_chunks - len(todo)

    # Per pending chunk: the coins to encode and the red ones skipped up front.
    pending: dict[int, dict] = {}
    dataset_coins: list[source.CoinCrops] = []
    per_chunk: list[int] = []
    for c in todo:
        acc = _empty_chunk()
        members = coins[c * chunk_size:(c + 1) * chunk_size]
        good = []
        for coin in members:
            if (coin.crop_status or "").lower() == "red":
                acc["skipped_coin_id"].append(coin.coin_id)
                acc["skipped_reason"].append("red_crop")
                acc["skipped_ref"].append(coin.obv_key or "")
            else:
                good.append(coin)
        pending[c] = acc
        dataset_coins.extend(good)
        per_chunk.append(len(good))
    for pos, c in enumerate(todo):
        if per_chunk[pos] == 0:
            run.write(c, _finish_chunk(pending.pop(c), dim))

    stats = {"images": 0, "seconds": 0.0, "halvings": 0}
    batches = chunk_batches(per_chunk, batch_size)
    if batches:
        dataset = CropDataset(dataset_coins, settings.objects_url, storage_options(settings), encoder.preprocessing)
        if num_workers is None:
            num_workers = 4 if encoder.device == "cuda" else 1
        loader = DataLoader(dataset, batch_sampler=[b[1] for b in batches], num_workers=num_workers,
                            worker_init_fn=worker_init if num_workers else None,
                            pin_memory=encoder.device == "cuda", prefetch_factor=4 if num_workers else None)
        resilient = ResilientEncoder(encoder, 2 * batch_size)
        started = time.perf_counter()
        total = 2 * sum(per_chunk)
        bar = Reporter("img", enabled=progress and total > 0, console=console)
        with bar.start(f"embed {source_name}", total):
            for (pos, _, last), batch in zip(batches, loader):
                c = todo[pos]
                acc = pending[c]
                ok = batch["ok"].numpy().astype(bool)
                for j in np.flatnonzero(~ok):
                    acc["skipped_coin_id"].append(int(batch["coin_id"][j]))
                    acc["skipped_reason"].append(batch["reason"][j])
                    acc["skipped_ref"].append(batch["ref"][j])
                if ok.any():
                    images = torch.cat([batch["obv"][ok], batch["rev"][ok]])
                    vecs = resilient(images)
                    k = int(ok.sum())
                    acc["coin_id"].extend(int(x) for x in batch["coin_id"][ok])
                    acc["one_side"].extend(bool(x) for x in batch["one_side"][ok])
                    acc["obv"].append(vecs[:k])
                    acc["rev"].append(vecs[k:])
                bar.advance(2 * len(ok))
                if last:
                    run.write(c, _finish_chunk(pending.pop(c), dim))
        stats.update(images=total, seconds=time.perf_counter() - started, halvings=resilient.halvings)
    stats["resumed"] = resumed
    stats["chunks"] = n_chunks
    return run, manifest, run.read_all(n_chunks), stats


def _rate(stats: dict) -> tuple[float, float]:
    """(seconds, images/s) of a run."""
    return round(stats["seconds"], 3), round(stats["images"] / stats["seconds"], 2) if stats["seconds"] else 0.0


def _check_vectors(chunk: Chunk) -> None:
    from nummus.errors import NummusError

    for name in ("obv", "rev", "pair"):
        m = getattr(chunk, name)
        if m.size and not np.isfinite(m).all():
            raise NummusError(f"the {name} vectors hold NaN or Inf: the encoder is broken; nothing was loaded")


def embed_freeze(settings: Settings, freeze: str = "v1", encoder: str | Encoder = "auto", *,
                 batch_size: int = 32, chunk_size: int = DEFAULT_CHUNK, num_workers: int | None = None,
                 device: str = "auto", load: bool = True, roundtrip: bool = True,
                 progress: bool = True) -> EmbedSummary:
    """Embed every coin of frozen.coins_{freeze}, load it as a sealed, serving index version
    and run the round-trip check. Idempotent: a rerun resumes, and an identical index is reused."""
    freeze_id, table = source.freeze_table(freeze)
    coins = source.read_crops(settings, table)  # a missing freeze fails before the model loads
    notes: list[str] = []
    if not isinstance(encoder, Encoder):
        encoder = load_encoder(encoder, device, announce=lambda m: (notes.append(m), console.print(m)))
    run, manifest, chunk, stats = run_embedding(settings, coins, source_name=freeze_id, encoder=encoder,
                                                batch_size=batch_size, chunk_size=chunk_size,
                                                num_workers=num_workers, progress=progress)
    _check_vectors(chunk)
    _record_skipped(settings, chunk, run_name=run.path.name, table=table)
    summary = EmbedSummary(source=freeze_id, run_dir=str(run.path), encoder_id=encoder.encoder_id, coins=len(coins),
                           embedded=len(chunk.coin_id), one_sided=int(chunk.one_side.sum()),
                           skipped=len(chunk.skipped_coin_id), chunks=stats["chunks"],
                           chunks_resumed=stats["resumed"], seconds=_rate(stats)[0], images_per_s=_rate(stats)[1],
                           note="; ".join(notes) or None)
    if not load:
        return summary
    from nummus.embed import index

    metadata = source.read_metadata(settings, table, [int(c) for c in chunk.coin_id])
    version, sha, created = index.load_index(settings, freeze_id=freeze_id, encoder_id=encoder.encoder_id,
                                             coin_ids=chunk.coin_id, obv=chunk.obv, rev=chunk.rev,
                                             pair=chunk.pair, metadata=metadata)
    summary = summary.model_copy(update={"index_version": version, "index_created": created, "content_sha256": sha})
    if roundtrip and len(chunk.coin_id):
        from nummus.embed.roundtrip import check_roundtrip

        results = check_roundtrip(settings, version, coins, encoder)
        summary.roundtrip_min_cosine = round(min(r[2] for r in results), 6)
    return summary


def embed_delta(settings: Settings, source_table: str = "marts.coins", *, batch_size: int = 32,
                chunk_size: int = DEFAULT_CHUNK, num_workers: int | None = None, device: str = "auto",
                progress: bool = True) -> EmbedSummary:
    """Embed the coins of `source_table` (marts.coins, or a later freeze vM) that are neither in
    the serving index nor its delta, with the serving index's encoder, and append them to the delta."""
    from nummus.embed import index
    from nummus import postgres
    from nummus.errors import NummusError

    source_id, table = source.freeze_table(source_table)
    with postgres.session(settings) as conn:
        current = index.serving(conn)
        if current is None:
            raise NummusError("no serving index version: run `nummus embed --freeze vN` first")
        version, enc_id, vtype = current
        known = index.indexed_coin_ids(conn, version)
    encoder = load_encoder(enc_id.spec, device)
    if encoder.encoder_id.weights_sha256 != enc_id.weights_sha256:
        raise NummusError(f"the encoder {enc_id.spec} here has other weights than index v{version} "
                          f"({encoder.encoder_id.weights_sha256[:12]} vs {enc_id.weights_sha256[:12]})")
    coins = [c for c in source.read_crops(settings, table) if c.coin_id not in known]
    summary_base = dict(source=source_id, encoder_id=encoder.encoder_id, coins=len(coins), index_version=version)
    if not coins:
        return EmbedSummary(**summary_base, run_dir="", embedded=0, skipped=0, chunks=0, chunks_resumed=0,
                            seconds=0.0, images_per_s=0.0, delta_rows=0, note="no new coins")
    run, manifest, chunk, stats = run_embedding(settings, coins, source_name=f"delta-v{version + 1}-{source_id}-"
                                                f"{checkpoint.coins_sha256([c.coin_id for c in coins])[:12]}",
                                                encoder=encoder, batch_size=batch_size, chunk_size=chunk_size,
                                                num_workers=num_workers, progress=progress)
    _check_vectors(chunk)
    _record_skipped(settings, chunk, run_name=run.path.name, table=table)
    metadata = source.read_metadata(settings, table, [int(c) for c in chunk.coin_id])
    added = index.append_delta(settings, version=version, vtype=vtype, freeze_id=source_id, coin_ids=chunk.coin_id,
                               obv=chunk.obv, rev=chunk.rev, pair=chunk.pair, metadata=metadata)
    return EmbedSummary(**summary_base, run_dir=str(run.path), embedded=len(chunk.coin_id),
                        one_sided=int(chunk.one_side.sum()),
                        skipped=len(chunk.skipped_coin_id), chunks=stats["chunks"], chunks_resumed=stats["resumed"],
                        seconds=_rate(stats)[0], images_per_s=_rate(stats)[1], delta_rows=added)


class SampleReport(BaseModel):
    source: str
    encoder_id: EncoderId
    coins: int
    rows: int
    dim: int
    norm_min: float
    norm_max: float
    non_finite: int
    resume_identical: bool = Field(description="a run stopped between chunks and rerun ends bit-identical")
    ok: bool


def _resume_check(settings: Settings, coins: list, run_dir: Path, **kwargs) -> tuple[Chunk, bool]:
    """Embed `coins` in two chunks, drop the last chunk file (what a kill before it was written
    leaves), rerun: the resumed run must recompute exactly that chunk and end bit-identical."""
    _, _, straight, stats = run_embedding(settings, coins, run_dir=run_dir, **kwargs)
    last = RunDir(run_dir).chunk_path(stats["chunks"] - 1)
    last.unlink()
    _, _, resumed, again = run_embedding(settings, coins, run_dir=run_dir, **kwargs)
    identical = again["resumed"] == stats["chunks"] - 1 and all(
        np.array_equal(getattr(straight, k), getattr(resumed, k)) for k in ("coin_id", "obv", "rev", "pair"))
    return straight, bool(identical)


def embed_sample(settings: Settings, freeze: str = "v1", n: int = 16, encoder: str | Encoder = "auto", *,
                 device: str = "auto") -> SampleReport:
    """The go/no-go dry run: embed n coins spread over the freeze, write meta.embed_sample
    (replacing the previous sample), check shape, unit norms and finiteness. Nothing goes to PostgreSQL."""
    import tempfile

    from nummus import warehouse

    freeze_id, table = source.freeze_table(freeze)
    coins = [c for c in source.read_crops(settings, table) if (c.crop_status or "").lower() != "red"]
    if not isinstance(encoder, Encoder):
        encoder = load_encoder(encoder, device, announce=console.print)
    if n < len(coins):
        picks = np.linspace(0, len(coins) - 1, n).round().astype(int)
        coins = [coins[i] for i in sorted(set(picks.tolist()))]
    with tempfile.TemporaryDirectory(prefix="embed-sample-") as tmp:
        chunk, resume_identical = _resume_check(
            settings, coins, Path(tmp), source_name=f"sample-{freeze_id}", encoder=encoder, batch_size=16,
            chunk_size=max(1, -(-len(coins) // 2)), num_workers=0, progress=False)
    _record_skipped(settings, chunk, run_name=f"sample-{freeze_id}", table=table)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    eid = encoder.encoder_id.model_dump_json()
    rows = [(int(cid), side, getattr(chunk, side)[i].tolist(), eid, now)
            for i, cid in enumerate(chunk.coin_id) for side in ("obv", "rev", "pair")]
    with warehouse.session(settings) as con:
        con.execute("DELETE FROM meta.embed_sample")
        if rows:
            con.executemany("INSERT INTO meta.embed_sample (coin_id, side, vector, encoder_id, created_at)"
                            " VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("INSERT INTO meta.embed_resume_check (source, coins, identical, encoder_id, checked_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [freeze_id, len(chunk.coin_id), resume_identical, eid, now])
    allv = np.concatenate([chunk.obv, chunk.rev, chunk.pair]) if len(chunk.coin_id) else np.zeros((0, encoder.dim))
    norms = np.linalg.norm(allv, axis=1) if len(allv) else np.zeros(0)
    non_finite = int((~np.isfinite(allv)).any(axis=1).sum()) if len(allv) else 0
    ok = bool(len(allv) > 0 and allv.shape[1] == encoder.dim and non_finite == 0
              and norms.min() >= 0.99 and norms.max() <= 1.01 and resume_identical)
    return SampleReport(source=freeze_id, encoder_id=encoder.encoder_id, coins=len(chunk.coin_id), rows=len(rows),
                        dim=int(allv.shape[1]) if len(allv) else encoder.dim,
                        norm_min=float(norms.min()) if len(norms) else 0.0,
                        norm_max=float(norms.max()) if len(norms) else 0.0, non_finite=non_finite,
                        resume_identical=resume_identical, ok=ok)
