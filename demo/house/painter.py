"""A relief painter: shapes in unit coordinates of the die (radius 1, y down) drawn into a height map.

Devices fill shapes into a mask; `relief` turns the mask into rounded high relief (a distance
transform plus a blur), so that shading makes it look struck. Fine details (eyes, folds, leaves)
are cut into or raised on top of the relief."""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import cv2
import numpy as np

_SHIFT = 4  # sub-pixel precision of cv2 drawing (1/16 px)
_ONE = 1 << _SHIFT

Point = tuple[float, float]


class Painter:
    """Draws onto a square mask of `size` px whose unit circle has radius `radius` px."""

    def __init__(self, size: int, radius: float):
        self.size = size
        self.radius = radius
        self.centre = size / 2.0
        self.mask = np.zeros((size, size), np.uint8)
        self.detail = np.zeros((size, size), np.float32)  # signed fine relief added after rounding
        self.base = 1.0  # scale of the whole device (larger when there is no legend)
        self.origin: Point = (0.0, 0.0)
        self.scale = 1.0

    # coordinates ------------------------------------------------------------------------------------
    def px(self, p: Point) -> tuple[int, int]:
        x = self.centre + (self.origin[0] + p[0] * self.scale) * self.radius
        y = self.centre + (self.origin[1] + p[1] * self.scale) * self.radius
        return int(round(x * _ONE)), int(round(y * _ONE))

    def length(self, v: float) -> int:
        return max(1, int(round(v * self.scale * self.radius)))

    def at(self, origin: Point, scale: float) -> "Painter":
        """Place the following shapes at `origin` (unit coordinates) scaled by `scale`."""
        self.origin = (origin[0] * self.base, origin[1] * self.base)
        self.scale = scale * self.base
        return self

    def reset(self) -> "Painter":
        return self.at((0.0, 0.0), 1.0)

    # shapes into the mask ----------------------------------------------------------------------------
    def ellipse(self, c: Point, axes: Point, angle: float = 0.0, *, img: np.ndarray | None = None,
                value: float = 255, start: float = 0, end: float = 360, thickness: int = -1) -> None:
        target = self.mask if img is None else img
        ax = (max(1, int(round(axes[0] * self.scale * self.radius * _ONE))),
              max(1, int(round(axes[1] * self.scale * self.radius * _ONE))))
        cv2.ellipse(target, self.px(c), ax, angle, start, end, value, thickness, cv2.LINE_AA, _SHIFT)

    def circle(self, c: Point, r: float, **kw) -> None:
        self.ellipse(c, (r, r), **kw)

    def poly(self, pts: Sequence[Point], *, img: np.ndarray | None = None, value: float = 255) -> None:
        target = self.mask if img is None else img
        arr = np.array([self.px(p) for p in pts], np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(target, [arr], value, cv2.LINE_AA, _SHIFT)

    def line(self, a: Point, b: Point, width: float, *, img: np.ndarray | None = None, value: float = 255) -> None:
        target = self.mask if img is None else img
        cv2.line(target, self.px(a), self.px(b), value, self.length(width), cv2.LINE_AA, _SHIFT)

    def polyline(self, pts: Sequence[Point], width: float, *, img: np.ndarray | None = None,
                 value: float = 255) -> None:
        for a, b in zip(pts, pts[1:]):
            self.line(a, b, width, img=img, value=value)

    # fine details -------------------------------------------------------------------------------------
    def groove(self, a: Point, b: Point, width: float = 0.012, depth: float = 0.35) -> None:
        self.line(a, b, width, img=self.detail, value=-depth)

    def ridge(self, a: Point, b: Point, width: float = 0.012, height: float = 0.25) -> None:
        self.line(a, b, width, img=self.detail, value=height)

    def dimple(self, c: Point, r: float, depth: float = 0.4) -> None:
        self.circle(c, r, img=self.detail, value=-depth)

    def bump(self, c: Point, r: float, height: float = 0.35) -> None:
        self.circle(c, r, img=self.detail, value=height)

    def dots(self, pts: Iterable[Point], r: float) -> None:
        for p in pts:
            self.circle(p, r)


def arc(c: Point, r: float, a0: float, a1: float, n: int) -> list[Point]:
    """Points on a circular arc, angles in degrees (0 = right, 90 = down)."""
    out = []
    for i in range(n):
        a = math.radians(a0 + (a1 - a0) * i / max(1, n - 1))
        out.append((c[0] + r * math.cos(a), c[1] + r * math.sin(a)))
    return out


def relief(mask: np.ndarray, radius: float, height: float = 1.0) -> np.ndarray:
    """Rounded high relief from a filled mask: flat-topped domes with soft shoulders."""
    binary = (mask > 127).astype(np.uint8)
    if not binary.any():
        return np.zeros(mask.shape, np.float32)
    dist = cv2.distanceTransform(binary, cv2.DIST_L2, 3)
    dome = np.sqrt(np.clip(dist / (0.05 * radius), 0.0, 1.0))
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(0.6, 0.006 * radius))
    return (0.65 * dome + 0.35 * soft).astype(np.float32) * height
