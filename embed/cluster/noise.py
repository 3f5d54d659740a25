"""Noise reassignment: a point HDBSCAN left as noise joins a cluster when a clear majority of
its k nearest neighbours (in the shared neighbour graph) belong to that cluster. One pass
over the original labels, so reassigned points never recruit further points."""

from __future__ import annotations

import numpy as np

HDBSCAN, KNN, NOISE = "hdbscan", "knn", "noise"


def reassign_noise(labels: np.ndarray, knn_indices: np.ndarray, *, k: int = 5,
                   min_votes: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (labels, method, vote share): method is hdbscan | knn | noise per point; the vote
    share is the winning cluster's share of the k neighbours (0 for points left as noise)."""
    labels = np.asarray(labels)
    out = labels.copy()
    method = np.where(labels >= 0, HDBSCAN, NOISE).astype(object)
    share = np.zeros(len(labels), dtype=np.float32)
    noise = np.nonzero(labels < 0)[0]
    if len(noise) == 0 or labels.max(initial=-1) < 0:
        return out, method, share
    neigh = knn_indices[noise]
    neigh = np.array([row[row != i][:k] for row, i in zip(neigh, noise)]) if neigh.size else neigh
    votes = labels[neigh]                                  # (m, k) cluster of each neighbour
    for row, point in zip(votes, noise):
        clustered = row[row >= 0]
        if len(clustered) == 0:
            continue
        counts = np.bincount(clustered)
        best = int(counts.argmax())
        if counts[best] >= min_votes:
            out[point] = best
            method[point] = KNN
            share[point] = counts[best] / k
    return out, method, share
