"""`cluster_index`: one clustering run of an index version, from vectors in PostgreSQL to
assignments, summaries and the audit queue in PostgreSQL.

Resumable: each finished stage is cached under DATA_DIR/cluster/run-N/; a run whose process
died (kill -9) is taken over by the next call with the same index, vector and parameters,
which skips the cached stages. A finished run is never changed; a new call makes a new run."""

from __future__ import annotations

import hashlib
import pickle
import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np
from pydantic import BaseModel

from nummus.embed.cluster import audit, store
from nummus.embed.cluster.backend import cuml_available, library_versions, use_numba_cache
from nummus.embed.cluster.params import ClusterParams
from nummus import postgres, quarantine
from nummus.errors import NummusError
from nummus.settings import Settings


MIN_COINS = 10


class ClusterRun(BaseModel):
    run_id: int
    index_version: int
    vector: str
    backend: str
    state: str
    n_coins: int
    n_clusters: int
    noise_share: float
    reassigned: int
    pure_clusters: int
    audit_cluster: int
    audit_classifier: int | None   # None: no period_predictions table
    quarantined: int
    knn_method: str
    timings: dict[str, float]
    peak_rss_mb: float
    resumed: bool
    active: bool


class StageCache:
    """Finished stages of one run on disk (pickle, written atomically), keyed by the input."""

    def __init__(self, root: Path, input_key: str):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        key_file = root / "input.sha256"
        if key_file.exists() and key_file.read_text() != input_key:
            shutil.rmtree(root)
            root.mkdir(parents=True)
        key_file.write_text(input_key)
        self.hits: list[str] = []

    def __call__(self, stage: str, fn: Callable[[], object]) -> object:
        path = self.root / f"{stage}.pkl"
        if path.exists():
            try:
                with path.open("rb") as fh:
                    out = pickle.load(fh)
                self.hits.append(stage)
                return out
            except Exception:  # noqa: BLE001 - a torn file: compute again
                path.unlink(missing_ok=True)
        out = fn()
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        return out

    def drop(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _input_key(coin_ids: np.ndarray, vectors: np.ndarray) -> str:
    h = hashlib.sha256(np.ascontiguousarray(coin_ids).tobytes())
    h.update(np.ascontiguousarray(vectors[:, : min(8, vectors.shape[1])]).tobytes())
    return h.hexdigest()


def split_bad_vectors(vectors: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A mask of usable rows and, per unusable row, the reason (non-finite or zero vector)."""
    finite = np.isfinite(vectors).all(axis=1)
    norms = np.linalg.norm(np.where(np.isfinite(vectors), vectors, 0), axis=1)
    ok = finite & (norms > 1e-6)
    reasons = ["non_finite_vector" if not f else "zero_vector" for f in finite[~ok]]
    return ok, reasons


def _quarantine(settings: Settings, coin_ids: np.ndarray, reasons: list[str], run_id: int, version: int,
                vector: str) -> int:
    if not len(coin_ids):
        return 0
    what = {"non_finite_vector": "not finite", "zero_vector": "zero"}
    entries = [quarantine.Entry("cluster", r, f"{vector} vector is {what.get(r, r)}; left out of cluster run {run_id}",
                                coin_id=int(c), ref=f"index_v{version}.{vector}")
               for c, r in zip(coin_ids, reasons)]
    try:
        quarantine.record_many(settings, entries)
    except NummusError as exc:  # the warehouse is busy (another writer): say so, cluster the rest
        import logging

        logging.getLogger(__name__).warning("could not record %d bad vectors in raw.quarantine: %s", len(entries), exc)
    return len(entries)


def cluster_index(settings: Settings, index_version: int | None = None, *, vector: str = "pair",
                  params: ClusterParams | None = None, activate: bool = True,
                  show_progress: bool = False) -> ClusterRun:
    """Cluster the vectors of an index version (default: the serving one) and store the run.
    `activate` makes it the run the app shows (`nummus cluster activate N` picks another)."""

    from nummus.embed.cluster.pipeline import STAGES, compute
    from nummus.progress import job_progress

    params = (params or ClusterParams()).model_copy(update={"vector": vector})
    use_numba_cache(settings.data_path)
    with postgres.session(settings, autocommit=True) as conn:
        version = store.resolve_version(conn, index_version)
        data = store.read_vectors(conn, version, params.vector)
        ok, reasons = split_bad_vectors(data.vectors) if len(data.vectors) else (np.zeros(0, bool), [])
        coin_ids, vectors = data.coin_ids[ok], data.vectors[ok]
        periods = [p for p, keep in zip(data.periods, ok) if keep]
        needed = MIN_COINS
        params = params.fit_to(len(coin_ids))
        if len(coin_ids) < needed:
            raise NummusError(f"index version {version} has {len(coin_ids)} usable {params.vector} vectors; "
                              f"clustering needs at least {needed}")
        backend = "cuml" if cuml_available() else "cpu"
        pdict = params.model_dump(mode="json")
        run_id = store.resumable_run(conn, version=version, vector=params.vector, params=pdict)
        resumed = run_id is not None
        if run_id is None:
            run_id = store.create_run(conn, version=version, vector=params.vector, backend=backend,
                                      params=pdict, versions=library_versions(backend))
        quarantined = 0 if resumed else _quarantine(settings, data.coin_ids[~ok], reasons, run_id, version,
                                                    params.vector)
        cache = StageCache(settings.data_path / "cluster" / f"run-{run_id}", _input_key(coin_ids, vectors))
        t0 = time.perf_counter()
        try:
            with job_progress("stages", enabled=show_progress) as bar:
                task = bar.add_task("cluster start", total=len(STAGES))
                started: list[str] = []

                def on_stage(name: str) -> None:
                    if started:
                        bar.advance(task)
                    started.append(name)
                    bar.update(task, description=f"cluster {name}")

                result = compute(vectors, params, backend=backend, progress=on_stage, cache=cache)
                bar.advance(task)
            summaries = audit.summarise(result.labels, periods, purity_threshold=params.purity_threshold,
                                        min_labelled=params.min_labelled)
            flagged = audit.cluster_disagreements(coin_ids, result.labels, result.probability, periods, summaries)
            by_classifier = audit.classifier_disagreements(conn, coin_ids, result.labels, periods)
            timings = dict(result.timings, total=round(time.perf_counter() - t0, 3))
            stats = {"n_coins": int(len(coin_ids)), "n_clusters": result.n_clusters,
                     "noise_share": round(result.noise_share, 5),
                     "hdbscan_noise_share": round(float((result.hdbscan_labels < 0).mean()), 5),
                     "reassigned": int((result.method == "knn").sum()),
                     "pure_clusters": sum(1 for s in summaries if s["pure"]),
                     "audit_cluster": len(flagged),
                     "audit_classifier": None if by_classifier is None else len(by_classifier),
                     "quarantined": quarantined, "knn": result.knn_method, "cpu_seconds": result.cpu_seconds,
                     "peak_rss_mb": result.peak_rss_mb, "cached_stages": cache.hits, "resumed": resumed}
            store.write_results(conn, run_id, coin_ids=coin_ids, labels=result.labels,
                                probability=result.probability, method=result.method, xy=result.xy,
                                summaries=summaries, audit=flagged + (by_classifier or []),
                                timings=timings, stats=stats)
        except Exception as exc:
            store.fail_run(conn, run_id, f"{exc.__class__.__name__}: {exc}")
            cache.drop()
            raise
        cache.drop()
        if activate:
            store.activate(conn, run_id)
        return ClusterRun(run_id=run_id, index_version=version, vector=params.vector, backend=backend,
                          state="done", n_coins=stats["n_coins"], n_clusters=stats["n_clusters"],
                          noise_share=stats["noise_share"], reassigned=stats["reassigned"],
                          pure_clusters=stats["pure_clusters"], audit_cluster=len(flagged),
                          audit_classifier=stats["audit_classifier"], quarantined=quarantined,
                          knn_method=result.knn_method, timings=timings, peak_rss_mb=result.peak_rss_mb,
                          resumed=resumed, active=activate)
