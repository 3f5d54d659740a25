"""`nummus bench cluster`: the new pipeline against the old recipe, each in a fresh process
(so numba compilation is counted as a user would pay it), on planted groups resembling
embeddings (ARI against the groups, noise share) and optionally on real vectors (museum_pairs
embedded with EfficientNet-Lite0; no labels there, so the ARI between the two recipes)."""

from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

OLD_RECIPE = ("umap-learn UMAP(metric='cosine', n_neighbors=30, min_dist=0.0, n_components=15, "
              "random_state=42) on the full vectors, HDBSCAN(min_cluster_size=20, min_samples=10), "
              "then a second UMAP(n_components=2, same settings) from scratch")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM; ru_maxrss would include the parent's before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _new_worker(x: np.ndarray, params: dict, cache_dir: str) -> dict:
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    from nummus.embed.cluster.params import ClusterParams
    from nummus.embed.cluster.pipeline import compute

    t, c = time.perf_counter(), _cpu()
    r = compute(x, ClusterParams(**params))
    return {"labels": r.labels, "hdbscan_labels": r.hdbscan_labels, "stages_s": r.timings,
            "stages_cpu_s": r.cpu_seconds, "wall_s": round(time.perf_counter() - t, 2),
            "cpu_s": round(_cpu() - c, 2), "knn": r.knn_method,
            "peak_rss_mb": _peak_rss_mb()}


def _old_worker(x: np.ndarray, cache_dir: str) -> dict:
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    import warnings

    warnings.simplefilter("ignore")
    t0, c0 = time.perf_counter(), _cpu()
    import hdbscan
    import umap

    stages, cpu = {}, {}

    def stage(name, fn):
        t, c = time.perf_counter(), _cpu()
        out = fn()
        stages[name], cpu[name] = round(time.perf_counter() - t, 2), round(_cpu() - c, 2)
        return out

    kw = dict(metric="cosine", n_neighbors=30, min_dist=0.0, random_state=42)
    emb = stage("umap", lambda: umap.UMAP(n_components=15, **kw).fit_transform(x))
    labels = stage("hdbscan", lambda: hdbscan.HDBSCAN(min_cluster_size=20, min_samples=10).fit_predict(emb))
    stage("layout", lambda: umap.UMAP(n_components=2, **kw).fit_transform(x))
    return {"labels": labels, "stages_s": stages, "stages_cpu_s": cpu, "wall_s": round(time.perf_counter() - t0, 2),
            "cpu_s": round(_cpu() - c0, 2),
            "peak_rss_mb": _peak_rss_mb()}


def _fresh(fn, *args) -> dict:
    """Run fn(x, *rest) in a fresh interpreter (compilation and memory are its own); the
    vectors and the result travel through files in a temporary folder."""
    import pickle
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nummus-bench-") as tmp:
        with open(Path(tmp) / "job.pkl", "wb") as fh:
            pickle.dump((fn.__name__, args), fh, protocol=pickle.HIGHEST_PROTOCOL)
        subprocess.run([sys.executable, "-c", "import sys; from nummus.bench.cluster import _child; _child(sys.argv[1])",
                        tmp], check=True)
        with open(Path(tmp) / "result.pkl", "rb") as fh:
            return pickle.load(fh)


def _child(folder: str) -> None:
    import pickle

    with open(Path(folder) / "job.pkl", "rb") as fh:
        name, args = pickle.load(fh)
    result = {"_new_worker": _new_worker, "_old_worker": _old_worker}[name](*args)
    with open(Path(folder) / "result.pkl", "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _quality(labels: np.ndarray, truth: np.ndarray | None) -> dict:
    from sklearn.metrics import adjusted_rand_score

    out = {"clusters": int(labels.max(initial=-1) + 1), "noise_share": round(float((labels < 0).mean()), 4)}
    if truth is not None:
        grouped = truth >= 0
        out["ari"] = round(float(adjusted_rand_score(truth, labels)), 4)
        out["ari_grouped_points"] = round(float(adjusted_rand_score(truth[grouped], labels[grouped])), 4)
    return out


def compare(x: np.ndarray, truth: np.ndarray | None, *, params: dict, run_old: bool, cache_dir: str) -> dict:
    from sklearn.metrics import adjusted_rand_score

    new = _fresh(_new_worker, x, params, cache_dir)
    entry = {"new": {k: v for k, v in new.items() if not k.endswith("labels")} | _quality(new["labels"], truth)}
    entry["new"]["before_reassignment"] = _quality(new["hdbscan_labels"], truth)
    if run_old:
        old = _fresh(_old_worker, x, cache_dir)
        entry["old"] = {k: v for k, v in old.items() if k != "labels"} | _quality(old["labels"], truth)
        entry["speedup_wall"] = round(old["wall_s"] / max(new["wall_s"], 1e-9), 2)
        entry["ari_new_vs_old"] = round(float(adjusted_rand_score(old["labels"], new["labels"])), 4)
        if truth is not None:
            entry["ari_delta_new_minus_old"] = round(entry["new"]["ari"] - entry["old"]["ari"], 4)
    return entry


def museum_vectors(folder: Path, cache: Path) -> np.ndarray:
    """Obverse vectors of museum_pairs (EfficientNet-Lite0, 1280-d), cached as .npy."""
    if cache.exists():
        return np.load(cache)
    from PIL import Image

    from nummus.embed.encoders import load_effnet_lite0

    enc = load_effnet_lite0("cpu")
    files = sorted(folder.glob("*_obv.jpg"))
    out = []
    for s in range(0, len(files), 64):
        out.append(enc.encode([Image.open(f).convert("RGB") for f in files[s:s + 64]]))
    x = np.concatenate(out).astype(np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, x)
    return x


def run_bench(sizes: list[int], *, dim: int = 512, data: str | None = None, old_max: int = 23000,
              seed: int = 0, params: dict | None = None, cache_dir: str | None = None) -> dict:
    from nummus.embed.cluster.params import ClusterParams
    from nummus.bench.synthetic.clusters import planted_clusters
    from nummus.settings import get_settings

    settings = get_settings()
    cache_dir = cache_dir or str(settings.data_path / "cache" / "numba")
    params = ClusterParams(**(params or {})).model_dump()
    out = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg_at_start": os.getloadavg()},
           "params": params, "old_recipe": OLD_RECIPE, "numba_cache_dir": cache_dir, "synthetic": []}
    for n in sizes:
        groups = max(20, n // 250)
        p = planted_clusters(n, dim=dim, groups=groups, seed=seed)
        entry = {"n": n, "dim": dim, "groups": groups, "scattered_share": 0.05}
        entry |= compare(p.vectors, p.labels, params=params, run_old=n <= old_max, cache_dir=cache_dir)
        entry["load_avg_after"] = os.getloadavg()
        out["synthetic"].append(entry)
    if data:
        folder = Path(data)
        folder = folder / "museum_pairs" if (folder / "museum_pairs").is_dir() else folder
        x = museum_vectors(folder, settings.data_path / "cache" / "bench_museum_pairs_effnet_obv.npy")
        out["museum_pairs"] = {"n": len(x), "dim": int(x.shape[1]), "encoder": "effnet-lite0 obverse"} | \
            compare(x, None, params=params, run_old=True, cache_dir=cache_dir)
    return out
