"""The k-nearest-neighbour graph, computed once and shared by both UMAP runs and the noise
reassignment.

Exact (blocked matrix products) for small sets; for large ones an inverted-file search in
the spirit of FAISS IVF-Flat: a coarse k-means splits the points into ~sqrt(n) lists, and the
points of each list are compared exactly with the members of the `probe` lists whose
centroids lie nearest to theirs. Everything is BLAS matrix products and `argpartition` —
no numba, so nothing to compile (pynndescent spends 30-80 s compiling on these cores).
Distances are Euclidean; on unit vectors they order neighbours exactly as cosine does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class KnnGraph:
    indices: np.ndarray    # (n, k) int64; column 0 is the point itself
    distances: np.ndarray  # (n, k) float32, ascending
    method: str            # exact | ivf(lists=..,probe=..)


def _sqdist(q: np.ndarray, c: np.ndarray, qn: np.ndarray, cn: np.ndarray) -> np.ndarray:
    d = q @ c.T
    d *= -2.0
    d += qn[:, None]
    d += cn[None, :]
    np.maximum(d, 0.0, out=d)
    return d


def _topk(d: np.ndarray, cand: np.ndarray, k: int, self_ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The k smallest of each row of `d` (columns name `cand`), sorted; the row's own point first."""
    if self_ids is not None:
        # the point itself must come first even when duplicates tie at distance 0
        pos = np.searchsorted(cand, self_ids) if np.all(cand[:-1] <= cand[1:]) else None
        if pos is not None and np.array_equal(cand[np.minimum(pos, len(cand) - 1)], self_ids):
            d[np.arange(len(d)), pos] = -1.0
        else:
            rows, cols = np.nonzero(cand[None, :] == self_ids[:, None])
            d[rows, cols] = -1.0
    kk = min(k, d.shape[1])
    part = np.argpartition(d, kk - 1, axis=1)[:, :kk] if kk < d.shape[1] else np.tile(np.arange(d.shape[1]), (len(d), 1))
    pd = np.take_along_axis(d, part, axis=1)
    order = np.argsort(pd, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    pd = np.take_along_axis(pd, order, axis=1)
    np.maximum(pd, 0.0, out=pd)
    return cand[part], np.sqrt(pd, dtype=np.float32)


def exact_knn(x: np.ndarray, k: int, *, block: int = 2048) -> KnnGraph:
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    norms = np.einsum("ij,ij->i", x, x)
    ids = np.arange(n)
    idx = np.empty((n, min(k, n)), dtype=np.int64)
    dist = np.empty((n, min(k, n)), dtype=np.float32)
    for s in range(0, n, block):
        e = min(n, s + block)
        d = _sqdist(x[s:e], x, norms[s:e], norms)
        idx[s:e], dist[s:e] = _topk(d, ids, k, ids[s:e])
    return KnnGraph(idx, dist, "exact")


def _means(x: np.ndarray, assign: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-label means of the rows of x (a sparse one-hot product: fast, unlike np.add.at)."""
    from scipy.sparse import csr_matrix

    onehot = csr_matrix((np.ones(len(x), dtype=np.float32), (assign, np.arange(len(x)))), shape=(k, len(x)))
    counts = np.bincount(assign, minlength=k)
    sums = np.asarray(onehot @ x)
    return sums / np.maximum(counts, 1)[:, None], counts


def _kmeans(x: np.ndarray, lists: int, rng: np.random.Generator, iters: int = 8) -> np.ndarray:
    sample = x[rng.choice(len(x), size=min(len(x), lists * 40), replace=False)]
    cent = sample[rng.choice(len(sample), size=lists, replace=False)].copy()
    sn = np.einsum("ij,ij->i", sample, sample)
    for _ in range(iters):
        assign = _sqdist(sample, cent, sn, np.einsum("ij,ij->i", cent, cent)).argmin(1)
        means, counts = _means(sample, assign, lists)
        empty = counts == 0
        cent[~empty] = means[~empty]
        if empty.any():  # re-seed empty lists on random points
            cent[empty] = sample[rng.choice(len(sample), size=int(empty.sum()), replace=False)]
    return cent


def _split_large(x: np.ndarray, cent: np.ndarray, assign: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split lists holding more than twice the mean (dense groups) with a small k-means each:
    the work of a list is its size times its candidates' size, so balance matters."""
    counts = np.bincount(assign, minlength=len(cent))
    cap = 2 * max(1, len(x) // len(cent))
    cents = [cent]
    assign = assign.copy()
    next_id = len(cent)
    for c in np.nonzero(counts > cap)[0]:
        members = np.nonzero(assign == c)[0]
        parts = int(np.ceil(len(members) / (cap / 2)))
        sub = _kmeans(x[members], parts, rng, iters=5)
        sn = np.einsum("ij,ij->i", sub, sub)
        local = _sqdist(x[members], sub, np.einsum("ij,ij->i", x[members], x[members]), sn).argmin(1)
        used = np.unique(local)
        remap = np.full(parts, -1)
        remap[used[0]] = c                       # the first part keeps the list's id
        remap[used[1:]] = np.arange(next_id, next_id + len(used) - 1)
        next_id += len(used) - 1
        assign[members] = remap[local]
        cents.append(sub[used[1:]])
    cent = np.concatenate(cents)
    # centroids = member means (keeps the lists' geometry consistent after splitting)
    means, counts = _means(x, assign, len(cent))
    cent[counts > 0] = means[counts > 0]
    return cent, assign


def ivf_knn(x: np.ndarray, k: int, *, lists: int | None = None, probe: int = 12, seed: int = 0,
            block: int = 4096) -> KnnGraph:
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    lists = lists or max(8, int(np.sqrt(n)))
    probe = min(probe, lists)
    rng = np.random.default_rng(seed)
    cent = _kmeans(x, lists, rng)
    norms = np.einsum("ij,ij->i", x, x)
    cn = np.einsum("ij,ij->i", cent, cent)
    assign = np.empty(n, dtype=np.int64)
    for s in range(0, n, block):
        assign[s:s + block] = _sqdist(x[s:s + block], cent, norms[s:s + block], cn).argmin(1)
    cent, assign = _split_large(x, cent, assign, rng)
    lists = len(cent)
    cn = np.einsum("ij,ij->i", cent, cent)
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(lists + 1))
    near = np.argsort(_sqdist(cent, cent, cn, cn), axis=1)[:, :probe]
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    for c in range(lists):
        q = order[bounds[c]:bounds[c + 1]]
        if len(q) == 0:
            continue
        cand = np.sort(np.concatenate([order[bounds[j]:bounds[j + 1]] for j in near[c]]))
        if len(cand) < k:  # tiny neighbourhood: widen to everything
            cand = np.arange(n)
        for s in range(0, len(q), block):
            qq = q[s:s + block]
            d = _sqdist(x[qq], x[cand], norms[qq], norms[cand])
            i, dd = _topk(d, cand, k, qq)
            idx[qq], dist[qq] = i, dd
    return KnnGraph(idx, dist, f"ivf(lists={lists},probe={probe})")


def knn_graph(x: np.ndarray, k: int, *, exact_below: int = 30000, probe: int = 12, seed: int = 0) -> KnnGraph:
    """The k nearest neighbours of every row (itself included, first)."""
    k = min(k, len(x))
    if len(x) < exact_below:
        return exact_knn(x, k)
    return ivf_knn(x, k, probe=probe, seed=seed)


def recall(graph: KnnGraph, x: np.ndarray, *, sample: int = 1000, seed: int = 0) -> float:
    """Share of the true k nearest neighbours found, on a random sample of rows."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), size=min(sample, len(x)), replace=False))
    norms = np.einsum("ij,ij->i", x, x)
    k = graph.indices.shape[1]
    true, _ = _topk(_sqdist(x[rows], x, norms[rows], norms), np.arange(len(x)), k, rows)
    hits = sum(len(np.intersect1d(a, b, assume_unique=True)) for a, b in zip(true, graph.indices[rows]))
    return hits / (len(rows) * k)
