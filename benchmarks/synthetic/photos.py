"""Synthetic lot photos with exact ground truth, for tests and `nummus bench vision`.

Coins are drawn (textured discs, optionally irregular flans) or cut from real coin photos on
a plain background; they are placed as pairs (apart, touching, stacked), singles or groups on
white, black, grey, gradient or textured backgrounds, with optional soft shadows. Non-coin
images (landscape, painting, text page) test that `none` is answered."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BACKGROUNDS = ("white", "black", "grey", "gradient", "textured")
METALS_BGR = ((190, 192, 196), (60, 165, 205), (70, 105, 150), (95, 110, 100), (150, 150, 150))


@dataclass
class Sprite:
    """A coin image with its alpha mask; truth circle in sprite pixels."""

    bgr: np.ndarray
    alpha: np.ndarray  # float32 0..1
    cx: float
    cy: float
    r: float


@dataclass
class Truth:
    layout: str
    coins: list[dict]  # {"side": "obv"|"rev"|None, "cx", "cy", "r"} in photo pixels


def _enclosing(mask: np.ndarray) -> tuple[float, float, float]:
    pts = np.column_stack(np.nonzero(mask > 0)[::-1]).astype(np.float32)
    (x, y), r = cv2.minEnclosingCircle(pts)
    return float(x), float(y), float(r) + 0.5


def drawn_coin(rng: np.random.Generator, r: int, irregular: float = 0.0) -> Sprite:
    """A textured disc of radius r (an irregular flan when irregular > 0, e.g. 0.06)."""
    size = 2 * r + 4
    c = size / 2 - 0.5
    if irregular > 0:
        angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
        wobble = sum(rng.uniform(-irregular, irregular) * np.cos(k * angles + rng.uniform(0, 6.3))
                     for k in (2, 3, 5))
        rad = r * (1 - irregular + wobble / 1.5)
        poly = np.column_stack([c + rad * np.cos(angles), c + rad * np.sin(angles)]).round().astype(np.int32)
        mask = np.zeros((size, size), np.uint8)
        cv2.fillPoly(mask, [poly], 255)
    else:
        mask = np.zeros((size, size), np.uint8)
        cv2.circle(mask, (int(round(c * 16)), int(round(c * 16))), r * 16, 255, -1, cv2.LINE_AA, 4)
    metal = np.array(METALS_BGR[rng.integers(len(METALS_BGR))], np.float32) * rng.uniform(0.8, 1.1)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    shade = 1.0 + 0.25 * ((xx - c) * -0.7 + (yy - c) * -0.7) / r  # light from the top left
    img = metal[None, None, :] * shade[..., None]
    relief = np.zeros((size, size), np.float32)
    for _ in range(int(rng.integers(8, 20))):  # portrait / device strokes
        p1 = tuple(int(v) for v in rng.uniform(c - 0.6 * r, c + 0.6 * r, 2))
        p2 = tuple(int(v) for v in rng.uniform(c - 0.6 * r, c + 0.6 * r, 2))
        cv2.line(relief, p1, p2, float(rng.uniform(-60, 60)), max(1, r // 25))
    for _ in range(int(rng.integers(2, 6))):
        centre = tuple(int(v) for v in rng.uniform(c - 0.4 * r, c + 0.4 * r, 2))
        axes = (int(rng.uniform(0.1, 0.35) * r), int(rng.uniform(0.1, 0.35) * r))
        cv2.ellipse(relief, centre, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(-50, 50)), -1)
    for k in range(int(rng.integers(10, 24))):  # legend around the rim
        a = 2 * np.pi * k / 24 + rng.uniform(-0.05, 0.05)
        p = (int(c + 0.8 * r * np.cos(a)), int(c + 0.8 * r * np.sin(a)))
        cv2.circle(relief, p, max(1, r // 18), float(rng.uniform(-55, 55)), -1)
    cv2.circle(relief, (int(c), int(c)), int(0.92 * r), -35.0, max(1, r // 30))  # border of dots/line
    relief = cv2.GaussianBlur(relief, (0, 0), max(0.6, r / 120))
    img = img + relief[..., None] + rng.normal(0, 4, (size, size, 1)).astype(np.float32)
    bgr = np.clip(img, 0, 255).astype(np.uint8)
    alpha = mask.astype(np.float32) / 255.0
    cx, cy, er = _enclosing(mask > 127)
    return Sprite(bgr=bgr, alpha=alpha, cx=cx, cy=cy, r=er)


def photo_coin(bgr: np.ndarray) -> Sprite | None:
    """Cut a coin out of a museum photo on a plain light background (None when unclear)."""
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab).astype(np.float32)
    corners = np.concatenate([lab[:3, :3].reshape(-1, 3), lab[:3, -3:].reshape(-1, 3),
                              lab[-3:, :3].reshape(-1, 3), lab[-3:, -3:].reshape(-1, 3)])
    dist = np.linalg.norm(lab - np.median(corners, axis=0), axis=2)
    mask = (dist > 18).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if n < 2:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    mask = (labels == best).astype(np.uint8) * 255
    flood = mask.copy()
    cv2.floodFill(flood, np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), np.uint8), (0, 0), 128)
    mask[flood == 0] = 255
    cx, cy, r = _enclosing(mask)
    if (mask > 0).sum() < 0.85 * np.pi * r * r:  # not a round flan on a clean background
        return None
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (3, 3), 0.7) * (mask > 0)
    return Sprite(bgr=bgr, alpha=alpha, cx=cx, cy=cy, r=r)


def scaled(sprite: Sprite, r: float) -> Sprite:
    f = r / sprite.r
    size = (max(2, int(round(sprite.bgr.shape[1] * f))), max(2, int(round(sprite.bgr.shape[0] * f))))
    interp = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
    bgr = cv2.resize(sprite.bgr, size, interpolation=interp)
    alpha = cv2.resize(sprite.alpha, size, interpolation=interp)
    fx, fy = size[0] / sprite.bgr.shape[1], size[1] / sprite.bgr.shape[0]
    return Sprite(bgr, alpha, (sprite.cx + 0.5) * fx - 0.5, (sprite.cy + 0.5) * fy - 0.5, sprite.r * f)


def background(rng: np.random.Generator, h: int, w: int, kind: str) -> np.ndarray:
    if kind == "white":
        base = np.full((h, w, 3), rng.uniform(235, 255), np.float32)
    elif kind == "black":
        base = np.full((h, w, 3), rng.uniform(0, 25), np.float32)
    elif kind == "grey":
        base = np.full((h, w, 3), rng.uniform(90, 170), np.float32)
    elif kind == "gradient":
        a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        t = np.linspace(0, 1, h if rng.random() < 0.5 else w, dtype=np.float32)
        ramp = a[None, :] * (1 - t[:, None]) + b[None, :] * t[:, None]
        base = (ramp[:, None, :] * np.ones((1, w, 1), np.float32)) if len(t) == h else \
            (ramp[None, :, :] * np.ones((h, 1, 1), np.float32))
    elif kind == "textured":
        colour = rng.uniform(60, 220, 3).astype(np.float32)
        noise = cv2.GaussianBlur(rng.normal(0, 10, (h, w)).astype(np.float32), (0, 0), 1.2)
        base = colour[None, None, :] + noise[..., None]
    else:
        raise ValueError(f"unknown background {kind!r}")
    return base + rng.normal(0, 1.5, (h, w, 1)).astype(np.float32)


def place(canvas: np.ndarray, sprite: Sprite, cx: float, cy: float, shadow: float = 0.0) -> dict:
    """Paste `sprite` with its truth centre at (cx, cy) (float32 canvas, in place)."""
    h, w = canvas.shape[:2]
    x0, y0 = int(round(cx - sprite.cx)), int(round(cy - sprite.cy))
    sh, sw = sprite.alpha.shape
    if shadow > 0:
        off = max(2, int(sprite.r * 0.06))
        pad = int(sprite.r * 0.25)
        blur = np.zeros((sh + 2 * pad, sw + 2 * pad), np.float32)
        blur[pad:pad + sh, pad:pad + sw] = sprite.alpha
        blur = cv2.GaussianBlur(blur, (0, 0), max(1.0, sprite.r * 0.08)) * shadow
        _blend(canvas, np.zeros((*blur.shape, 3), np.float32), blur, x0 - pad + off, y0 - pad + off)
    _blend(canvas, sprite.bgr.astype(np.float32), sprite.alpha, x0, y0)
    return {"cx": x0 + sprite.cx, "cy": y0 + sprite.cy, "r": sprite.r}


def _blend(canvas, img, alpha, x0, y0):
    h, w = canvas.shape[:2]
    sh, sw = alpha.shape
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(w, x0 + sw), min(h, y0 + sh)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    a = alpha[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
    canvas[ay0:ay1, ax0:ax1] = canvas[ay0:ay1, ax0:ax1] * (1 - a) + img[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0] * a


def lot_photo(rng: np.random.Generator, sprites: list[Sprite], layout: str, width: int,
              bg: str = "white", gap: float = 0.1, shadow: float = 0.0) -> tuple[np.ndarray, Truth]:
    """Compose a lot photo `width` pixels wide. layout: pair_horizontal (gap × r between the
    coins; 0 = touching), pair_vertical, single, group (3+ sprites)."""
    n = {"pair_horizontal": 2, "pair_vertical": 2, "single": 1}.get(layout, len(sprites))
    sprites = sprites[:n]
    if layout == "pair_horizontal":
        r = width / (2 * 2 + gap + 2 * 0.35)
        h = int(round(2 * r * 1.3))
        sp = [scaled(s, r * rng.uniform(0.93, 1.0)) for s in sprites]
        y = h / 2 + rng.uniform(-0.05, 0.05) * r
        xs = [width / 2 - (gap / 2) * r - sp[0].r, width / 2 + (gap / 2) * r + sp[1].r]
        pos = [(xs[0], y), (xs[1], y + rng.uniform(-0.03, 0.03) * r)]
    elif layout == "pair_vertical":
        h = int(round(width * rng.uniform(1.6, 2.1)))
        r = min(width * 0.38, h / (2 * 2 + gap + 0.7))
        sp = [scaled(s, r * rng.uniform(0.93, 1.0)) for s in sprites]
        pos = [(width / 2, h / 2 - (gap / 2) * r - sp[0].r), (width / 2, h / 2 + (gap / 2) * r + sp[1].r)]
    elif layout == "single":
        h = int(round(width * rng.uniform(0.8, 1.2)))
        r = min(width, h) * rng.uniform(0.3, 0.42)
        sp = [scaled(sprites[0], r)]
        pos = [(width / 2 + rng.uniform(-0.05, 0.05) * r, h / 2)]
    elif layout == "group":
        cols = int(np.ceil(np.sqrt(n * 1.5)))
        rows = int(np.ceil(n / cols))
        cell = width / cols
        h = int(round(cell * rows))
        sp = [scaled(s, cell * rng.uniform(0.3, 0.4)) for s in sprites]
        pos = [((k % cols + 0.5) * cell, (k // cols + 0.5) * cell) for k in range(n)]
    else:
        raise ValueError(f"unknown layout {layout!r}")
    canvas = background(rng, h, width, bg)
    coins = []
    for k, (s, (x, y)) in enumerate(zip(sp, pos)):
        c = place(canvas, s, x, y, shadow)
        c["side"] = ("obv", "rev")[k] if layout.startswith("pair") else ("obv" if layout == "single" else None)
        coins.append(c)
    return np.clip(canvas, 0, 255).astype(np.uint8), Truth(layout=layout, coins=coins)


def landscape(rng: np.random.Generator, h: int, w: int, sun: bool = False) -> np.ndarray:
    sky_top, sky_low = rng.uniform([150, 90, 20], [255, 200, 120]), rng.uniform([200, 170, 120], [255, 240, 220])
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = sky_top * (1 - t) + sky_low * t + np.zeros((h, w, 3), np.float32)
    if sun:
        cv2.circle(img, (int(rng.uniform(0.2, 0.8) * w), int(rng.uniform(0.1, 0.3) * h)),
                   int(0.07 * min(h, w)), (120, 230, 255), -1, cv2.LINE_AA)
    for layer in range(int(rng.integers(2, 5))):
        base = h * rng.uniform(0.35, 0.75)
        xs = np.linspace(0, w, 12)
        ys = base + np.cumsum(rng.normal(0, h * 0.05, 12))
        poly = np.array([[0, h]] + [[x, y] for x, y in zip(xs, ys)] + [[w, h]], np.int32)
        colour = rng.uniform([20, 60, 20], [90, 160, 120]) * (1 - 0.15 * layer)
        cv2.fillPoly(img, [poly], colour.tolist())
    tex = cv2.GaussianBlur(rng.normal(0, 14, (h, w)).astype(np.float32), (0, 0), 1.0)
    ground = (img[..., 1] > img[..., 0]).astype(np.float32)
    img += (tex * ground)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def painting(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    img = np.full((h, w, 3), rng.uniform(40, 220, 3), np.float32)
    for _ in range(int(rng.integers(150, 300))):
        colour = rng.uniform(0, 255, 3).tolist()
        if rng.random() < 0.5:
            p1 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            p2 = (int(p1[0] + rng.normal(0, w * 0.1)), int(p1[1] + rng.normal(0, h * 0.1)))
            cv2.line(img, p1, p2, colour, int(rng.integers(2, max(3, w // 40))), cv2.LINE_AA)
        else:
            cv2.ellipse(img, (int(rng.uniform(0, w)), int(rng.uniform(0, h))),
                        (int(rng.uniform(0.02, 0.12) * w), int(rng.uniform(0.02, 0.12) * h)),
                        float(rng.uniform(0, 180)), 0, 360, colour, -1, cv2.LINE_AA)
    img = cv2.GaussianBlur(img, (0, 0), 1.5) + rng.normal(0, 6, (h, w, 1)).astype(np.float32)
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), rng.uniform(0, 120, 3).tolist(), max(2, w // 60))  # frame
    return np.clip(img, 0, 255).astype(np.uint8)


def text_page(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    img = np.full((h, w, 3), rng.uniform(225, 255), np.uint8)
    scale = w / 900
    y = int(60 * scale)
    letters = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;"
    while y < h - 30 * scale:
        n = int(rng.integers(30, 70))
        line = "".join(letters[int(i)] for i in rng.integers(0, len(letters), n))
        heading = rng.random() < 0.1
        cv2.putText(img, line, (int(40 * scale), y), cv2.FONT_HERSHEY_SIMPLEX,
                    (1.1 if heading else 0.7) * scale, (20, 20, 20), max(1, int(2 * scale)), cv2.LINE_AA)
        y += int((48 if heading else 30) * scale)
    return img


NON_COIN = {"landscape": landscape, "painting": painting, "text_page": text_page}
