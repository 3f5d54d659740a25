"""Lettering on a die: the legend around the rim and text in the field.

The rim legend is set on a straight strip and bent into the annulus with one `cv2.remap`
(letters upright, reading clockwise from about seven o'clock, as on Roman coins). A legend of
'~' is a pseudo-Arabic script band (Islamic and Sasanian coins)."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _script_line(strip: np.ndarray, x0: int, x1: int, base: int, height: int, rng: random.Random) -> None:
    """Pseudo-Arabic: a baseline with ascenders, bowls and dots, drawn between x0 and x1."""
    t = max(1, height // 7)
    x = x0
    while x < x1:
        seg = rng.randint(height // 2, height * 2)
        end = min(x1, x + seg)
        cv2.line(strip, (x, base), (end, base), 255, t, cv2.LINE_AA)
        for _ in range(rng.randint(1, 3)):
            ax = rng.randint(x, max(x, end - 1))
            kind = rng.random()
            if kind < 0.5:
                cv2.line(strip, (ax, base), (ax, base - rng.randint(height // 2, height)), 255, t, cv2.LINE_AA)
            elif kind < 0.8:
                cv2.ellipse(strip, (ax, base - height // 5), (max(2, height // 5), max(2, height // 6)), 0, 0, 360,
                            255, t, cv2.LINE_AA)
            else:
                cv2.circle(strip, (ax, base + height // 4), max(1, t), 255, -1, cv2.LINE_AA)
        x = end + rng.randint(height // 4, height // 2)


def _set_text(strip: np.ndarray, text: str, span: int, rng: random.Random) -> None:
    """Set `text` on the strip, letter-spaced over at most `span` px, or a script band for '~'."""
    h = strip.shape[0]
    if text.strip("~") == "":
        _script_line(strip, 0, span, int(h * 0.75), int(h * 0.7), rng)
        return
    scale = cv2.getFontScaleFromHeight(_FONT, int(h * 0.72), 2)
    thick = max(1, int(round(h / 9)))
    widths = [cv2.getTextSize(ch, _FONT, scale, thick)[0][0] for ch in text]
    natural = sum(widths)
    if natural > span:  # shrink to fit
        scale *= span / natural
        widths = [w * span / natural for w in widths]
        natural = span
    gap = (span - natural) / max(1, len(text) - 1)
    gap = min(gap, h * 0.35)
    x = 0.0
    base = int(h * 0.86)
    for ch, w in zip(text, widths):
        if ch != " ":
            cv2.putText(strip, ch, (int(round(x)), base), _FONT, scale, 255, thick, cv2.LINE_AA)
        x += w + gap


def rim_legend(size: int, radius: float, text: str, rng: random.Random, *, inner: float = 0.74,
               outer: float = 0.9, start_deg: float = 120.0, sweep_deg: float = 300.0) -> np.ndarray:
    """A uint8 mask of the legend in the annulus inner..outer (fractions of the die radius)."""
    mask = np.zeros((size, size), np.uint8)
    if not text:
        return mask
    r0, r1 = inner * radius, outer * radius
    band = max(6, int(round(r1 - r0)))
    circ = int(math.ceil(2 * math.pi * (r0 + r1) / 2))
    strip = np.zeros((band, circ), np.uint8)
    _set_text(strip, text, int(circ * sweep_deg / 360.0), rng)
    c = size / 2.0
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dx, dy = xx - c, yy - c
    rho = np.sqrt(dx * dx + dy * dy)
    theta = (np.degrees(np.arctan2(dy, dx)) - start_deg) % 360.0
    map_x = (theta / 360.0 * circ).astype(np.float32)
    map_y = ((r1 - rho) / (r1 - r0) * band).astype(np.float32)
    cv2.remap(strip, map_x, map_y, cv2.INTER_LINEAR, dst=mask, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return mask


def field_text(size: int, radius: float, text: str, rng: random.Random, *, width: float = 0.9,
               line_height: float = 0.16, big: bool = False) -> np.ndarray:
    """Lines of text centred in the field (a '~' per line of pseudo-Arabic script)."""
    mask = np.zeros((size, size), np.uint8)
    if not text:
        return mask
    c = size / 2.0
    if big:  # one large letter (Byzantine follis value mark)
        scale = cv2.getFontScaleFromHeight(_FONT, int(radius * 0.75), max(2, int(radius * 0.12)))
        thick = max(2, int(radius * 0.12))
        (w, h), _ = cv2.getTextSize(text, _FONT, scale, thick)
        cv2.putText(mask, text, (int(c - w / 2), int(c + h / 2)), _FONT, scale, 255, thick, cv2.LINE_AA)
        return mask
    if set(text) == {"~"}:
        lines = ["~"] * len(text)
    else:
        words, lines, cur = text.split(), [], ""
        for word in words:
            if cur and len(cur) + 1 + len(word) > 8:
                lines.append(cur)
                cur = word
            else:
                cur = f"{cur} {word}".strip()
        lines.append(cur)
    lh = line_height * radius
    top = c - lh * len(lines) / 2
    for i, line in enumerate(lines):
        # the line's width follows the circle: lines near the rim are shorter
        y_mid = top + lh * (i + 0.5) - c
        half = math.sqrt(max(0.0, (width * radius * 0.62) ** 2 - y_mid ** 2))
        span = max(int(lh), int(2 * half))
        strip = np.zeros((int(lh), span), np.uint8)
        _set_text(strip, line, span, rng)
        if line != "~":  # centre Latin text on its natural width
            cols = np.nonzero(strip.max(axis=0))[0]
            if cols.size:
                strip = strip[:, cols[0]:cols[-1] + 1]
        x0 = int(c - strip.shape[1] / 2)
        y0 = int(top + lh * i)
        h, w = strip.shape
        y1, x1 = min(size, y0 + h), min(size, x0 + w)
        mask[y0:y1, x0:x1] = np.maximum(mask[y0:y1, x0:x1], strip[: y1 - y0, : x1 - x0])
    return mask
