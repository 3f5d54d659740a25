"""Planted clusters that resemble image embeddings: unit vectors sharing a strong common
direction (CLIP-like cosines of 0.4-0.9 between unrelated coins), one centre per group,
a low-rank spread inside each group (pose, wear, lighting) and isotropic noise; plus a share
of scattered points that belong to no group. Used by the tests and `nummus bench cluster`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Planted:
    vectors: np.ndarray   # (n, dim) float32, unit norm
    labels: np.ndarray    # (n,) int, group id; -1 = scattered (no group)
    periods: list[str]    # a period per point: the group's period (scattered: random)


PERIODS = ("greek", "roman_republican", "roman_imperial", "roman_provincial", "byzantine",
           "celtic", "persian", "central_asian", "islamic", "medieval", "modern")


def planted_clusters(n: int, dim: int = 512, groups: int = 40, *, scattered: float = 0.05,
                     spread: float = 0.7, rank: int = 8, common: float = 1.2,
                     seed: int = 0) -> Planted:
    """`n` points in `groups` groups of uneven sizes (Zipf-like, each ≥ 30 points when n allows)."""
    rng = np.random.default_rng(seed)
    n_scattered = int(round(n * scattered))
    n_grouped = n - n_scattered
    weights = 1.0 / np.arange(1, groups + 1) ** 0.6
    sizes = np.maximum(np.floor(weights / weights.sum() * n_grouped).astype(int), min(30, n_grouped // groups))
    sizes[0] += n_grouped - sizes.sum()
    mean = rng.standard_normal(dim)
    mean *= common / np.linalg.norm(mean)
    centres = rng.standard_normal((groups, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    parts, labels = [], []
    for g, size in enumerate(sizes):
        basis = rng.standard_normal((rank, dim)).astype(np.float32) / np.sqrt(dim)  # unit-ish rows
        coef = rng.standard_normal((size, rank)).astype(np.float32) * (spread / np.sqrt(rank))
        iso = rng.standard_normal((size, dim)).astype(np.float32) * (0.5 * spread / np.sqrt(dim))
        parts.append(mean + centres[g] + coef @ basis + iso)
        labels.append(np.full(size, g))
    if n_scattered:
        # each scattered point is a type of its own: a fresh centre, the usual spread
        own = rng.standard_normal((n_scattered, dim)).astype(np.float32)
        own /= np.linalg.norm(own, axis=1, keepdims=True)
        basis = rng.standard_normal((rank, dim)).astype(np.float32) / np.sqrt(dim)
        coef = rng.standard_normal((n_scattered, rank)).astype(np.float32) * (spread / np.sqrt(rank))
        parts.append(mean + own + coef @ basis)
        labels.append(np.full(n_scattered, -1))
    x = np.concatenate(parts).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.concatenate(labels)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    group_period = [PERIODS[g % len(PERIODS)] for g in range(groups)]
    periods = [group_period[g] if g >= 0 else PERIODS[rng.integers(len(PERIODS))] for g in y]
    return Planted(np.ascontiguousarray(x), y, periods)
