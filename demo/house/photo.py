"""Lot photos: coins laid out on a background, with soft shadows, and the exact circle of each coin.

A `PhotoPlan` is drawn first (cheap, from the lot's rng): layout, canvas, background, and for
each coin its type, side, specimen and circle (cx, cy, r in photo pixels). `render_photo`
turns the plan into pixels; the plan is the ground truth."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from pydantic import BaseModel

from nummus.demo.house.draw import CANVAS_FACTOR, INTERNAL_RADIUS, Specimen, render, wide_blur
from nummus.demo.house.types import BY_ID, CoinType

LAYOUTS = ("pair_horizontal", "pair_vertical", "single", "group", "none")


class Placement(BaseModel):
    type_id: str
    side: str  # obv | rev
    spec: Specimen
    cx: float
    cy: float
    r: float


class Background(BaseModel):
    kind: str  # white | black | grey | gradient
    top: tuple[int, int, int]  # BGR
    bottom: tuple[int, int, int]
    radial: bool = False


class PhotoPlan(BaseModel):
    layout: str
    width: int
    height: int
    background: Background
    coins: list[Placement]
    picture: str | None = None  # non-coin photo: landscape | text_page
    seed: int
    quality: int = 90
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)  # white balance of the camera (BGR)
    blur: float = 0.0  # px; a photo slightly out of focus


def _background(rng: random.Random) -> Background:
    kind = rng.choices(["white", "black", "grey", "gradient"], [0.45, 0.2, 0.15, 0.2])[0]
    if kind == "white":
        v = rng.randint(238, 255)
        c = (v, v, v)
        return Background(kind=kind, top=c, bottom=c)
    if kind == "black":
        v = rng.randint(0, 28)
        c = (v, v, v)
        return Background(kind=kind, top=c, bottom=c)
    if kind == "grey":
        v = rng.randint(110, 190)
        c = (v + rng.randint(-6, 6), v, v + rng.randint(-6, 6))
        return Background(kind=kind, top=c, bottom=c)
    light = rng.randint(150, 235)
    dark = rng.randint(20, 90)
    tint = rng.choice([(0, 0, 0), (18, 6, -6), (-8, 0, 10)])  # neutral, blue-ish, warm
    top = tuple(int(np.clip(light + t, 0, 255)) for t in tint)
    bottom = tuple(int(np.clip(dark + t, 0, 255)) for t in tint)
    return Background(kind=kind, top=top, bottom=bottom, radial=rng.random() < 0.4)


def plan_photo(rng: random.Random, coin_type: CoinType, layout: str, *, spec: Specimen | None = None,
               side: str = "obv", group_types: list[CoinType] | None = None) -> PhotoPlan:
    """Draw a photo plan for one lot image: the specimen `spec` of coin_type (a pair, or one `side`),
    a group of coins of `group_types`, or a non-coin picture (layout 'none')."""
    seed = rng.randrange(2**31)
    bg = _background(rng)
    neutral = (1.0, 1.0, 1.0)
    camera = {"quality": rng.choice([85, 88, 90, 92]),
              "gain": (rng.uniform(0.95, 1.05), 1.0, rng.uniform(0.95, 1.05)) if rng.random() < 0.3 else neutral,
              "blur": rng.uniform(0.6, 1.4) if rng.random() < 0.12 else 0.0}
    coins: list[Placement] = []
    if layout == "none":
        w, h = rng.choice([(1200, 900), (1000, 1300), (1400, 1000)])
        return PhotoPlan(layout=layout, width=w, height=h, background=bg, coins=[], picture=coin_type.picture,
                         seed=seed, **camera)
    if layout in ("pair_horizontal", "pair_vertical"):
        spec = spec or Specimen.draw(rng, coin_type)
        long, short = rng.choice([(1600, 800), (1600, 820), (1500, 750), (1400, 720), (1200, 600)])
        r = short * rng.uniform(0.36, 0.45)
        touching = rng.random() < 0.3
        gap = -0.01 * r if touching and rng.random() < 0.3 else (0.0 if touching else rng.uniform(0.04, 0.25) * r)
        r = min(r, (long * 0.96 - gap) / 4.0)
        offsets = [-(r + gap / 2.0), r + gap / 2.0]
        jitter = [rng.uniform(-0.03, 0.03) * short for _ in range(2)]
        radii = [r, r * rng.uniform(0.98, 1.02)]
        for side, off, jit, rr in zip(("obv", "rev"), offsets, jitter, radii):
            if layout == "pair_horizontal":
                cx, cy = long / 2.0 + off, short / 2.0 + jit
            else:
                cx, cy = short / 2.0 + jit, long / 2.0 + off
            coins.append(Placement(type_id=coin_type.type_id, side=side, spec=spec, cx=cx, cy=cy, r=rr))
        w, h = (long, short) if layout == "pair_horizontal" else (short, long)
    elif layout == "single":
        spec = spec or Specimen.draw(rng, coin_type)
        w, h = rng.choice([(1000, 1000), (1200, 1000), (900, 900), (1000, 1100)])
        r = min(w, h) * rng.uniform(0.34, 0.44)
        cx = w / 2.0 + rng.uniform(-0.04, 0.04) * w
        cy = h / 2.0 + rng.uniform(-0.04, 0.04) * h
        coins.append(Placement(type_id=coin_type.type_id, side=side, spec=spec, cx=cx, cy=cy, r=r))
    elif layout == "group":
        members = group_types or [coin_type]
        n = len(members)
        cols = math.ceil(math.sqrt(n * 1.6))
        rows = math.ceil(n / cols)
        w, h = 1600, max(700, int(1600 * rows / cols))
        cell = min(w / cols, h / rows)
        biggest = max(t.diameter_mm or 20 for t in members)
        for i, t in enumerate(members):
            row, col = divmod(i, cols)
            r = cell * 0.44 * ((t.diameter_mm or 20) / biggest) ** 0.5
            cx = (col + 0.5) * w / cols + rng.uniform(-0.03, 0.03) * cell
            cy = (row + 0.5) * h / rows + rng.uniform(-0.03, 0.03) * cell
            coins.append(Placement(type_id=t.type_id, side=rng.choice(["obv", "obv", "rev"]),
                                   spec=Specimen.draw(rng, t), cx=cx, cy=cy, r=r))
    else:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    return PhotoPlan(layout=layout, width=w, height=h, background=bg, coins=coins, seed=seed, **camera)


def _paint_background(plan: PhotoPlan, nrng: np.random.Generator) -> np.ndarray:
    """The background (float32 BGR): flat, or a linear / radial gradient, with a little sensor noise."""
    w, h, bg = plan.width, plan.height, plan.background
    top = np.array(bg.top, np.float32)
    bottom = np.array(bg.bottom, np.float32)
    if bg.radial:  # computed coarse and scaled up: a radial gradient is smooth
        sw, sh = max(2, w // 8), max(2, h // 8)
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        t = np.sqrt(((xx - sw / 2) / (sw / 2)) ** 2 + ((yy - sh / 2) / (sh / 2)) ** 2) / math.sqrt(2)
        t = cv2.resize(t, (w, h), interpolation=cv2.INTER_LINEAR)
        img = cv2.merge([top[k] + (bottom[k] - top[k]) * t for k in range(3)])
    else:
        rows = top + (bottom - top) * np.linspace(0, 1, h, dtype=np.float32)[:, None]
        img = np.repeat(rows[:, None, :], w, axis=1)
    tile = nrng.normal(0, 1.2, (128, 128)).astype(np.float32)  # sensor noise, tiled
    noise = np.tile(tile, (h // 128 + 1, w // 128 + 1))[:h, :w]
    img += noise[..., None]
    return img


def _shadow_strength(bg: Background) -> float:
    level = (sum(bg.top) + sum(bg.bottom)) / 6.0
    return 0.12 if level < 60 else 0.42


def render_photo(plan: PhotoPlan) -> np.ndarray:
    """The lot photo (BGR uint8) for a plan."""
    nrng = np.random.default_rng(plan.seed)
    if plan.layout == "none":
        from nummus.demo.house.picture import render_picture

        return render_picture(plan.picture or "landscape", plan.width, plan.height, plan.seed)
    canvas = _paint_background(plan, nrng)
    shadow = np.zeros((plan.height, plan.width), np.float32)
    strength = _shadow_strength(plan.background)
    rendered = []
    for c in plan.coins:
        img, alpha = render(BY_ID[c.type_id], c.side, c.spec, c.r)
        size = alpha.shape[0]
        internal = int(2 * INTERNAL_RADIUS * CANVAS_FACTOR)
        s = size / internal
        centre = (internal / 2.0 + 0.5) * s - 0.5  # the flan centre in the rendered image's pixel indices
        x0, y0 = int(round(c.cx - centre)), int(round(c.cy - centre))
        rendered.append((img, alpha, x0, y0, c))
    # shadows first (under every coin), then the coins
    for img, alpha, x0, y0, c in rendered:
        off = (int(round(0.03 * c.r)), int(round(0.05 * c.r)))
        _stamp(shadow, alpha, x0 + off[0], y0 + off[1])
    blur = max(2.0, 0.06 * max((c.r for c in plan.coins), default=100))
    soft = wide_blur(shadow, blur)
    canvas *= (1.0 - strength * soft)[..., None]
    for img, alpha, x0, y0, c in rendered:
        _stamp_colour(canvas, img, alpha, x0, y0)
    if plan.gain != (1.0, 1.0, 1.0):
        canvas *= np.array(plan.gain, np.float32)
    if plan.blur > 0:
        canvas = cv2.GaussianBlur(canvas, (0, 0), plan.blur)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def _window(W: int, H: int, w: int, h: int, x0: int, y0: int):
    sx0, sy0 = max(0, -x0), max(0, -y0)
    tx0, ty0 = max(0, x0), max(0, y0)
    tx1, ty1 = min(W, x0 + w), min(H, y0 + h)
    if tx1 <= tx0 or ty1 <= ty0:
        return None
    return (slice(ty0, ty1), slice(tx0, tx1)), (slice(sy0, sy0 + ty1 - ty0), slice(sx0, sx0 + tx1 - tx0))


def _stamp(target: np.ndarray, alpha: np.ndarray, x0: int, y0: int) -> None:
    win = _window(target.shape[1], target.shape[0], alpha.shape[1], alpha.shape[0], x0, y0)
    if win:
        t, s = win
        np.maximum(target[t], alpha[s], out=target[t])


def _stamp_colour(canvas: np.ndarray, img: np.ndarray, alpha: np.ndarray, x0: int, y0: int) -> None:
    win = _window(canvas.shape[1], canvas.shape[0], alpha.shape[1], alpha.shape[0], x0, y0)
    if win:
        t, s = win
        a = np.ascontiguousarray(alpha[s])
        canvas[t] = cv2.blendLinear(img[s].astype(np.float32), canvas[t], a, 1.0 - a)


def encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()
