"""Circles from a flan mask: each connected region is explained by one or more circles found
greedily on its distance transform (touching coins give one peak each), then every circle is
widened to enclose the pixels assigned to it (irregular flans)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Circle:
    cx: float
    cy: float
    r: float            # enclosing radius of the assigned region
    inscribed_r: float  # distance-transform peak
    centroid: tuple[float, float]
    area: int           # pixels assigned
    polygon: np.ndarray  # outline points (N, 2) in mask coordinates
    excess: float = 0.0  # pixels it owns beyond 1.1 × its radius, × its area (a region, not a coin)
    overlaps: bool = False  # another circle of the same region overlaps it (a blob tiled by circles)
    border_touch: float = 0.0  # its pixels on the photo border, × its circumference
    rim_fit: float = 0.0  # share of the rays whose sharp edge lies on the fitted circle


def _peaks(dist: np.ndarray, min_r: float, rel: float) -> list[tuple[float, float, float]]:
    """Greedy: the highest distance value, then suppress a disc of 1.15 r around it, repeat."""
    dist = dist.copy()
    found: list[tuple[float, float, float]] = []
    h, w = dist.shape
    yy, xx = np.mgrid[0:h, 0:w]
    while True:
        _, top, _, (x, y) = cv2.minMaxLoc(dist)
        if top < min_r or (found and top < rel * found[0][2]):
            return found
        found.append((float(x), float(y), float(top)))
        dist[(xx - x) ** 2 + (yy - y) ** 2 <= (1.15 * top) ** 2] = 0
        if len(found) >= 12:
            return found


def find_circles(mask: np.ndarray, min_r: float, rel: float = 0.4) -> list[Circle]:
    circles: list[Circle] = []
    H, W = mask.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area < np.pi * min_r * min_r * 0.8:
            continue
        comp = np.zeros((h + 2, w + 2), np.uint8)
        comp[1:-1, 1:-1] = (labels[y:y + h, x:x + w] == i).astype(np.uint8) * 255
        dist = cv2.distanceTransform(comp, cv2.DIST_L2, 5)
        peaks = _peaks(dist, min_r, rel)
        if not peaks:
            continue
        ys, xs = np.nonzero(comp)
        centres = np.array([[p[0], p[1]] for p in peaks], np.float32)
        radii = np.array([p[2] for p in peaks], np.float32)
        d = np.sqrt((xs[:, None] - centres[None, :, 0]) ** 2 + (ys[:, None] - centres[None, :, 1]) ** 2)
        owner = np.argmin(d / radii[None, :], axis=1)
        dmin = d[np.arange(len(xs)), owner]
        overlap = np.zeros(len(peaks), bool)
        for a in range(len(peaks)):
            for b in range(a + 1, len(peaks)):
                if np.hypot(*(centres[a] - centres[b])) < 0.85 * (radii[a] + radii[b]):
                    overlap[a] = overlap[b] = True
        gx, gy = xs + x - 1, ys + y - 1
        on_border = (gx == 0) | (gy == 0) | (gx == W - 1) | (gy == H - 1)
        for k, (px, py, pr) in enumerate(peaks):
            mine = (owner == k) & (dmin <= 1.6 * pr)
            if not mine.any():
                continue
            region = np.zeros_like(comp)
            region[ys[mine], xs[mine]] = 255
            contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            pts = np.concatenate(contours).reshape(-1, 2).astype(np.float32)
            (ex, ey), er = cv2.minEnclosingCircle(pts)
            er = max(float(er) + 0.5, pr)
            far = (owner == k) & (np.hypot(xs - ex, ys - ey) > 1.1 * er)
            off = np.array([x - 1, y - 1], np.float32)
            circles.append(Circle(cx=ex + off[0], cy=ey + off[1], r=er, inscribed_r=pr,
                                  centroid=(float(xs[mine].mean() + off[0]), float(ys[mine].mean() + off[1])),
                                  area=int(mine.sum()), polygon=pts + off,
                                  excess=float(far.sum() / (np.pi * er * er)), overlaps=bool(overlap[k]),
                                  border_touch=float((on_border & (owner == k)).sum() / (2 * np.pi * er))))
    return circles


def refine_circle(residual: np.ndarray, c: Circle, others: list[Circle], rays: int = 72) -> Circle:
    """Move the rim to the steepest fall of the background distance along rays from the
    centre (sub-pixel), then fit the circle to those rim points by least squares with
    outlier rejection. Rays that leave the photo or run into a neighbour are skipped."""
    h, w = residual.shape
    ang = np.linspace(0, 2 * np.pi, rays, endpoint=False).astype(np.float32)
    lo, hi, n = 0.8 * c.r, 1.15 * c.r, 36
    radii = np.linspace(lo, hi, n, dtype=np.float32)
    cos, sin = np.cos(ang)[:, None], np.sin(ang)[:, None]
    mx, my = c.cx + cos * radii[None, :], c.cy + sin * radii[None, :]
    at_r = int(np.argmin(np.abs(radii - c.r)))  # the rim must lie in the photo; beyond it, the border repeats
    ok = (mx[:, at_r] >= 0) & (mx[:, at_r] <= w - 1) & (my[:, at_r] >= 0) & (my[:, at_r] <= h - 1)
    for o in others:
        if o is not c:
            ok &= np.hypot(mx[:, -1] - o.cx, my[:, -1] - o.cy) > 1.05 * o.r
    if ok.sum() < rays // 3:
        return c  # rim_fit stays 0: too little of the rim is visible to call it round
    prof = cv2.remap(residual, mx.astype(np.float32), my.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)[ok]
    drop = prof[:, :-2] - prof[:, 2:]                     # central difference, positive = falling
    # the outermost strong fall: the flan edge, not a border ring or a device inside it
    strong_fall = drop >= 0.8 * drop.max(axis=1, keepdims=True)
    k = drop.shape[1] - 1 - np.argmax(strong_fall[:, ::-1], axis=1)
    rows = np.arange(len(k))
    left = drop[rows, np.clip(k - 1, 0, drop.shape[1] - 1)]
    right = drop[rows, np.clip(k + 1, 0, drop.shape[1] - 1)]
    mid = drop[rows, k]
    denom = left - 2 * mid + right
    sub = np.divide(0.5 * (left - right), denom, out=np.zeros_like(denom), where=np.abs(denom) > 1e-6)
    sub = sub.clip(-0.5, 0.5)
    step = (hi - lo) / (n - 1)
    edge_r = lo + (k + 1 + sub) * step
    strong = mid > 0.25 * np.median(mid)
    px = c.cx + cos[ok, 0] * edge_r
    py = c.cy + sin[ok, 0] * edge_r
    px, py = px[strong], py[strong]
    if len(px) < rays // 4:
        return c
    keep = np.ones(len(px), bool)
    for _ in range(3):
        a = np.column_stack([px[keep], py[keep], np.ones(keep.sum())])
        b = px[keep] ** 2 + py[keep] ** 2
        sol, *_ = np.linalg.lstsq(a, b, rcond=None)
        fx, fy = sol[0] / 2, sol[1] / 2
        fr = float(np.sqrt(max(sol[2] + fx * fx + fy * fy, 1e-6)))
        dist = np.hypot(px - fx, py - fy)
        dev = np.abs(dist - fr)
        keep = dev <= max(1.0, 3.0 * float(np.median(dev[keep])) * 1.4826)
    if np.hypot(fx - c.cx, fy - c.cy) > 0.2 * c.r or not (0.8 * c.r <= fr <= 1.15 * c.r):
        return c
    # enclose the flan: the rim points beyond the fit (lobes of an irregular flan) count too
    r_out = float(np.quantile(dist, 0.9)) if len(dist) >= 8 else fr
    close = np.abs(dist - fr) <= max(1.0, 0.03 * fr)
    return Circle(cx=float(fx), cy=float(fy), r=max(fr, r_out), inscribed_r=min(c.inscribed_r, fr),
                  rim_fit=float(close.sum() / ok.sum()),
                  centroid=c.centroid, area=c.area, polygon=c.polygon, excess=c.excess,
                  overlaps=c.overlaps, border_touch=c.border_touch)
