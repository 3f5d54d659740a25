"""The computation of a clustering run, free of any store: vectors in, labels and a 2-D
layout out. Stages: PCA pre-reduction → one kNN graph → UMAP 15-d → HDBSCAN → UMAP 2-d
(initialised from the 15-d embedding, same graph) → kNN reassignment of noise."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nummus.embed.cluster.neighbours import knn_graph
from nummus.embed.cluster.noise import reassign_noise
from nummus.embed.cluster.params import ClusterParams

STAGES = ("pca", "knn", "umap", "hdbscan", "layout", "reassign")


@dataclass
class ClusterResult:
    labels: np.ndarray          # final cluster per point (-1 = noise)
    probability: np.ndarray     # HDBSCAN membership, or the vote share for knn-reassigned points
    method: np.ndarray          # hdbscan | knn | noise
    xy: np.ndarray              # (n, 2) display layout
    hdbscan_labels: np.ndarray  # before reassignment
    timings: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    knn_method: str = ""
    backend: str = "cpu"

    @property
    def n_clusters(self) -> int:
        return int(self.labels.max(initial=-1) + 1)

    @property
    def noise_share(self) -> float:
        return float((self.labels < 0).mean()) if len(self.labels) else 0.0


def pca_reduce(x: np.ndarray, dims: int | None) -> np.ndarray:
    """Centre and project on the top `dims` principal axes (covariance eigen-decomposition:
    one d×d BLAS product, no iterations)."""
    x = np.asarray(x, dtype=np.float32)
    if not dims or dims >= x.shape[1] or len(x) <= dims:
        return np.ascontiguousarray(x)
    xc = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    cov = (xc.T @ xc).astype(np.float64)
    _, vecs = np.linalg.eigh(cov)
    axes = vecs[:, ::-1][:, :dims].astype(np.float32)
    return np.ascontiguousarray(xc @ axes)


def layout_init(emb: np.ndarray) -> np.ndarray:
    """The 2-D start of the display layout: the 15-d embedding's top two principal axes,
    scaled to UMAP's usual ±10 box."""
    xy = pca_reduce(emb, 2)
    if xy.shape[1] < 2:
        xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
    scale = np.abs(xy).max() or 1.0
    return np.ascontiguousarray(10.0 * xy / scale, dtype=np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def compute(vectors: np.ndarray, params: ClusterParams, *, backend: str = "cpu",
            progress: Callable[[str], None] | None = None,
            cache: Callable[[str, Callable[[], object]], object] | None = None) -> ClusterResult:
    """Cluster unit-normalised `vectors` (cosine geometry). `progress(stage)` is called as each
    stage starts; `cache(stage, fn)` may return a stored result of a stage (resume)."""
    from nummus.embed.cluster import backend as be

    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    run_stage = cache or (lambda _name, fn: fn())

    def stage(name: str, fn):
        if progress:
            progress(name)
        t, c = time.perf_counter(), _cpu()
        out = run_stage(name, fn)
        timings[name] = round(time.perf_counter() - t, 3)
        cpu[name] = round(_cpu() - c, 3)
        return out

    n = len(vectors)
    if n <= params.n_neighbors or n < params.min_cluster_size:
        raise ValueError(f"{n} vectors are too few for n_neighbors={params.n_neighbors}, "
                         f"min_cluster_size={params.min_cluster_size} (ClusterParams.fit_to scales them down)")
    main_epochs, layout_epochs = params.epochs(n)
    z = stage("pca", lambda: pca_reduce(_unit(vectors), params.pca_dims))
    graph = stage("knn", lambda: knn_graph(z, params.n_neighbors, exact_below=params.knn_exact_below,
                                           probe=params.knn_probe, seed=params.seed))
    emb = stage("umap", lambda: be.umap_embed(
        backend, z, graph.indices, graph.distances, n_components=params.n_components,
        n_neighbors=params.n_neighbors, min_dist=params.min_dist, epochs=main_epochs,
        init=params.init, seed=None))
    labels, prob = stage("hdbscan", lambda: be.hdbscan_fit(
        backend, emb, min_cluster_size=params.min_cluster_size, min_samples=params.min_samples))
    xy = stage("layout", lambda: be.umap_embed(
        backend, z, graph.indices, graph.distances, n_components=2, n_neighbors=params.n_neighbors,
        min_dist=params.min_dist, epochs=layout_epochs, init=layout_init(emb), seed=None))
    final, method, share = stage("reassign", lambda: reassign_noise(
        labels, graph.indices, k=params.reassign_k, min_votes=params.reassign_min_votes))
    probability = np.where(method == "knn", share, prob).astype(np.float32)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return ClusterResult(final, probability, method, xy, labels, timings, cpu, round(peak, 1),
                         graph.method, backend)
