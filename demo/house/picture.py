"""Photos of lots that are not coins: a landscape painting in a frame, or a printed page."""

from __future__ import annotations

import random

import cv2
import numpy as np

_WORDS = ("auction catalogue collection coins ancient roman greek medieval plates lots sale numismatic "
          "descriptions provenance ex library volume edition bound illustrated rare important").split()


def _landscape(w: int, h: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    img = np.zeros((h, w, 3), np.float32)
    sky_top = np.array([rng.uniform(150, 220), rng.uniform(110, 170), rng.uniform(60, 120)], np.float32)
    sky_low = np.array([rng.uniform(170, 220), rng.uniform(190, 230), rng.uniform(200, 240)], np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img[:] = sky_top + (sky_low - sky_top) * t
    horizon = int(h * rng.uniform(0.45, 0.65))
    for layer in range(3):  # mountain and hill silhouettes, far to near
        xs = np.linspace(0, w, 12)
        ys = horizon - rng.uniform(0.05, 0.25) * h * (1 - layer * 0.3) + nrng.normal(0, 0.04 * h, 12) + layer * 0.08 * h
        pts = np.array([[0, h]] + [[x, y] for x, y in zip(xs, ys)] + [[w, h]], np.int32)
        shade = [(120, 110, 100), (70, 110, 90), (40, 80, 50)][layer]
        cv2.fillPoly(img, [pts], tuple(float(c + rng.uniform(-15, 15)) for c in shade), cv2.LINE_AA)
    for _ in range(rng.randint(3, 8)):  # trees
        x = rng.randint(0, w)
        y = rng.randint(horizon, h)
        r = rng.randint(h // 30, h // 12)
        cv2.line(img, (x, y), (x, y - 2 * r), (30, 45, 60), max(2, r // 5))
        cv2.circle(img, (x, y - 2 * r), r, (30 + rng.randint(0, 30), 70 + rng.randint(0, 40), 40), -1, cv2.LINE_AA)
    # ruins: a few columns
    bx = rng.randint(w // 5, w // 2)
    for i in range(rng.randint(2, 5)):
        x = bx + i * w // 25
        cv2.rectangle(img, (x, horizon - h // 6), (x + w // 60, horizon + h // 20), (170, 185, 195), -1)
    img = cv2.GaussianBlur(img, (0, 0), 1.5)
    img += nrng.normal(0, 6, (h, w, 1)).astype(np.float32)  # canvas texture
    frame = max(12, min(w, h) // 14)
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), (40, 110, 150), frame * 2)
    cv2.rectangle(img, (frame, frame), (w - frame, h - frame), (60, 160, 200), max(2, frame // 4))
    return img


def _text_page(w: int, h: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    bg = rng.randint(60, 150)
    img = np.full((h, w, 3), bg, np.uint8)  # cv2.putText draws on 8-bit images only
    margin = int(min(w, h) * 0.08)
    paper = np.array([rng.randint(200, 225), rng.randint(225, 240), rng.randint(235, 248)], np.uint8)
    img[margin:h - margin, margin:w - margin] = paper
    font = cv2.FONT_HERSHEY_COMPLEX
    y = margin * 2 + 20
    title = " ".join(rng.choice(_WORDS) for _ in range(3)).upper()
    cv2.putText(img, title, (margin * 2, y), font, 1.1, (30, 30, 30), 2, cv2.LINE_AA)
    y += 60
    while y < h - margin * 2:
        line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 9)))
        cv2.putText(img, line, (margin * 2, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (50, 45, 40), 1, cv2.LINE_AA)
        y += 34
    return img.astype(np.float32) + nrng.normal(0, 3, (h, w, 1)).astype(np.float32)


def render_picture(kind: str, width: int, height: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    img = _landscape(width, height, rng, nrng) if kind == "landscape" else _text_page(width, height, rng, nrng)
    return np.clip(img, 0, 255).astype(np.uint8)
