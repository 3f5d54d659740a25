"""The background of a lot photo: a smooth colour model fitted to the photo's border.

Auction photos put coins on white, black, grey or gradient backgrounds. A quadratic surface
per Lab channel, fitted robustly to the border strip (coins that touch the border are
outliers), gives each pixel's expected background colour; the distance from it is the
foreground evidence."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Background:
    residual: np.ndarray          # float32 HxW: Lab distance of each pixel from the model
    lightness_delta: np.ndarray   # float32 HxW: L minus the model's L (shadows are negative)
    chroma_delta: np.ndarray      # float32 HxW: a/b distance from the model (shadows are small)
    colour_bgr: tuple[int, int, int]
    noise: float                  # robust residual scale on the border inliers
    border_clear: float           # share of border pixels that fit the model


def _design(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys], axis=1)


def estimate_background(bgr: np.ndarray, lab: np.ndarray | None = None,
                        exclude: np.ndarray | None = None) -> Background:
    """Fit the colour model of a (small) BGR uint8 image to its border strip, plus every pixel
    on a sparse grid outside `exclude` (regions already known not to be background), so that a
    spotlight or vignette in the middle of the photo is modelled too."""
    h, w = bgr.shape[:2]
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab).astype(np.float32) if lab is None else lab
    b = max(2, int(round(0.03 * min(h, w))))
    sample = np.zeros((h, w), bool)
    sample[:b] = sample[-b:] = True
    sample[:, :b] = sample[:, -b:] = True
    border_n = int(sample.sum())
    if exclude is not None:
        g = max(2, int(np.sqrt(h * w / 3000)))
        grid = np.zeros((h, w), bool)
        grid[g // 2::g, g // 2::g] = True
        inner = grid & (exclude == 0)
        if inner.sum() >= 300:
            sample = (sample & (exclude == 0)) | inner
    ys, xs = np.nonzero(sample)
    step = max(1, len(ys) // max(4000, border_n))
    ys, xs = ys[::step], xs[::step]
    nx, ny = xs / max(w - 1, 1) * 2 - 1, ys / max(h - 1, 1) * 2 - 1
    design = _design(nx.astype(np.float32), ny.astype(np.float32))
    values = lab[ys, xs]
    keep = np.ones(len(ys), bool)
    # a plane first (coins on the border cannot bend it), then the quadratic on its inliers
    for cols, quantile in ((3, 0.6), (3, None), (6, None), (6, None)):
        a = design[keep][:, :cols].astype(np.float64)
        sol = np.linalg.solve(a.T @ a + 1e-6 * np.eye(cols), a.T @ values[keep].astype(np.float64))
        coef = np.zeros((6, 3))
        coef[:cols] = sol
        res = np.linalg.norm(values - design @ coef.astype(np.float32), axis=1)
        if quantile is not None:
            keep = res <= np.quantile(res, quantile)
        else:
            keep = res <= max(2.5 * float(np.median(res[keep])), 6.0)
    noise = float(np.median(res[res <= np.quantile(res, 0.5)]) + 0.5)
    inlier = res <= max(4.0 * noise, 6.0)
    # the whole image under the model
    gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :, None]
    gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None, None]
    c = coef.astype(np.float32)
    model = c[0] + c[1] * gx + c[2] * gy + c[3] * gx * gx + c[4] * gx * gy + c[5] * gy * gy
    diff = lab - model
    residual = np.sqrt((diff * diff).sum(axis=2))
    chroma = np.sqrt(diff[..., 1] ** 2 + diff[..., 2] ** 2)
    colour = np.median(bgr[ys[inlier], xs[inlier]], axis=0) if inlier.any() else np.median(bgr[ys, xs], axis=0)
    return Background(residual=residual, lightness_delta=diff[..., 0], chroma_delta=chroma,
                      colour_bgr=tuple(int(v) for v in colour), noise=noise,
                      border_clear=float(inlier.mean()))
