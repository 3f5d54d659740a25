"""Which implementation runs UMAP and HDBSCAN: RAPIDS cuML on a GPU when it is importable,
else umap-learn + hdbscan on the CPU. Same parameters, same outputs; the run records which."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np


def cuml_available() -> bool:
    if os.environ.get("NUMMUS_CLUSTER_BACKEND", "").lower() == "cpu":
        return False
    try:
        import cuml  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means: not usable here
        return False
    return True


def use_numba_cache(data_dir: Path) -> None:
    """Point numba's on-disk cache at the data folder (before umap/numba are imported)."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(data_dir / "cache" / "numba"))
    import sys

    if "numba" in sys.modules:  # numba read its config at import: tell it too
        sys.modules["numba"].config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]


_UMAP_KERNELS = (
    ("umap.umap_", "smooth_knn_dist"),
    ("umap.umap_", "compute_membership_strengths"),
    ("umap.layouts", "_nb_optimize_layout_euclidean_single_epoch"),
    ("umap.layouts", "_nb_optimize_layout_euclidean_single_epoch_parallel"),
)
_cached_kernels = False


def cache_umap_kernels() -> None:
    """umap-learn compiles its kernels on every process start (~6-7 s of CPU here): re-wrap
    the ones UMAP-with-a-given-graph calls with numba's on-disk cache (same function, same
    options), so the second process loads them from NUMBA_CACHE_DIR."""
    global _cached_kernels
    if _cached_kernels:
        return
    import importlib

    import numba

    for module_name, name in _UMAP_KERNELS:
        module = importlib.import_module(module_name)
        fn = getattr(module, name, None)
        if fn is None or not hasattr(fn, "py_func"):
            continue  # another umap-learn version: leave it as it is
        options = dict(fn.targetoptions)
        options.pop("nopython", None)
        options.pop("boundscheck", None)
        setattr(module, name, numba.njit(cache=True, **options)(fn.py_func))
    _cached_kernels = True


def library_versions(backend: str) -> dict[str, str]:
    names = ["numpy", "scikit-learn", "umap-learn", "hdbscan", "numba", "scipy"]
    if backend == "cuml":
        names.append("cuml")
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def umap_embed(backend: str, x: np.ndarray, knn_idx: np.ndarray, knn_dist: np.ndarray, *,
               n_components: int, n_neighbors: int, min_dist: float, epochs: int,
               init, seed: int | None) -> np.ndarray:
    """UMAP of x whose neighbour graph is given (computed once, shared by every UMAP)."""
    if backend == "cuml":
        from cuml.manifold import UMAP as CuUMAP

        model = CuUMAP(n_neighbors=n_neighbors, n_components=n_components, min_dist=min_dist,
                       n_epochs=epochs, init="spectral" if isinstance(init, str) else "random",
                       random_state=seed)
        return np.asarray(model.fit_transform(x, knn_graph=_sparse_knn(knn_idx, knn_dist)), dtype=np.float32)
    import warnings

    import umap

    cache_umap_kernels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "precomputed_knn without search index", "n_jobs overridden"
        model = umap.UMAP(n_neighbors=n_neighbors, n_components=n_components, min_dist=min_dist,
                          metric="euclidean", n_epochs=epochs, init=init, random_state=seed,
                          precomputed_knn=(knn_idx, knn_dist), n_jobs=-1, low_memory=True)
        return np.asarray(model.fit_transform(x), dtype=np.float32)


def _sparse_knn(idx: np.ndarray, dist: np.ndarray):
    from scipy.sparse import csr_matrix

    n, k = idx.shape
    rows = np.repeat(np.arange(n), k)
    return csr_matrix((dist.ravel(), (rows, idx.ravel())), shape=(n, n))


def hdbscan_fit(backend: str, emb: np.ndarray, *, min_cluster_size: int,
                min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(labels with -1 = noise, membership probabilities)."""
    if backend == "cuml":
        from cuml.cluster import HDBSCAN as CuHDBSCAN

        model = CuHDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples)
        labels = np.asarray(model.fit_predict(emb))
        return labels.astype(np.int64), np.asarray(model.probabilities_, dtype=np.float32)
    import hdbscan

    model = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                            core_dist_n_jobs=os.cpu_count() or 1)
    labels = model.fit_predict(emb)
    return labels.astype(np.int64), model.probabilities_.astype(np.float32)
