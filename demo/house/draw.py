"""Procedural coin rendering: a type's design struck on one specimen's flan, lit and coloured.

The design (device, legend, border) of a coin type and side is a height map drawn once at an
internal resolution and cached. A `Specimen` carries what differs between two coins of the
same type: rotation, off-centre strike, flan shape, wear, toning/patina and colour. `render`
returns a BGR image and an alpha mask whose nominal flan circle is centred in the image with
radius `radius` px (the truth circle)."""

from __future__ import annotations

import math
import random
import zlib
from functools import lru_cache

import cv2
import numpy as np
from pydantic import BaseModel

from nummus.demo.house.devices import draw_device
from nummus.demo.house.legend import field_text, rim_legend
from nummus.demo.house.painter import Painter, relief
from nummus.demo.house.types import BY_ID, CoinType, Face

INTERNAL_RADIUS = 180  # px: designs are drawn (and shaded) at this radius, then scaled
CANVAS_FACTOR = 1.24  # canvas side = 2 * radius * factor (room for irregular flans)

# base colour (BGR, 0..1), specular strength, and the toning/patina colours per metal
METALS: dict[str, dict] = {
    "av": {"base": (0.36, 0.68, 0.88), "spec": 0.45, "tones": [(0.20, 0.50, 0.80), (0.25, 0.45, 0.75)]},
    "el": {"base": (0.42, 0.68, 0.82), "spec": 0.35, "tones": [(0.30, 0.50, 0.65), (0.40, 0.55, 0.62)]},
    "ar": {"base": (0.76, 0.77, 0.78), "spec": 0.45, "tones": [(0.30, 0.32, 0.36), (0.35, 0.55, 0.68),
                                                             (0.25, 0.27, 0.30), (0.50, 0.42, 0.46)]},
    "billon": {"base": (0.58, 0.60, 0.62), "spec": 0.25, "tones": [(0.25, 0.30, 0.35), (0.20, 0.35, 0.45)]},
    "ae": {"base": (0.28, 0.45, 0.62), "spec": 0.15, "tones": [(0.30, 0.45, 0.25), (0.12, 0.20, 0.30),
                                                             (0.35, 0.40, 0.35)]},
    "cu": {"base": (0.30, 0.45, 0.75), "spec": 0.25, "tones": [(0.15, 0.25, 0.45), (0.20, 0.30, 0.35)]},
}


class Specimen(BaseModel):
    """What makes one struck coin differ from another of the same type."""

    seed: int
    rotation_deg: float = 0.0  # orientation of the design in the photo
    offcentre: tuple[float, float] = (0.0, 0.0)  # die displacement, fraction of the radius
    flan: list[tuple[float, float]] = []  # (amplitude, phase) of harmonics 2, 3, ... of the flan outline
    wear: float = 0.2  # 0 = mint state, 1 = worn smooth
    tone: float = 0.3  # toning (silver, gold) or patina (bronze) strength
    tone_index: int = 0
    brightness: float = 1.0

    @classmethod
    def draw(cls, rng: random.Random, coin_type: CoinType) -> "Specimen":
        amp = coin_type.irregular
        return cls(
            seed=rng.randrange(2**31),
            rotation_deg=rng.gauss(0, 8) if rng.random() < 0.85 else rng.uniform(-180, 180),
            offcentre=(rng.gauss(0, 0.05), rng.gauss(0, 0.05)) if rng.random() < 0.3 else (0.0, 0.0),
            flan=[(abs(rng.gauss(0, 0.6 * amp / k)), rng.uniform(0, 2 * math.pi)) for k in range(2, 6)] if amp else [],
            wear=min(1.0, abs(rng.gauss(0.25, 0.2))),
            tone=rng.uniform(0.0, 0.8),
            tone_index=rng.randrange(4),
            brightness=rng.uniform(0.88, 1.1),
        )


def _design_rng(type_id: str, side: str) -> random.Random:
    return random.Random(zlib.crc32(f"{type_id}/{side}".encode()))


def _border(size: int, radius: float, kind: str) -> np.ndarray:
    p = Painter(size, radius)
    if kind == "beaded":
        n = 72
        p.dots([(0.93 * math.cos(2 * math.pi * i / n), 0.93 * math.sin(2 * math.pi * i / n)) for i in range(n)],
               0.022)
    elif kind == "linear":
        p.circle((0.0, 0.0), 0.93, thickness=p.length(0.018))
    return p.mask


@lru_cache(maxsize=256)
def design_height(type_id: str, side: str) -> np.ndarray:
    """The die's height map at INTERNAL_RADIUS (float32, square canvas, centred). Cached per type and side."""
    face: Face = getattr(BY_ID[type_id], side)
    radius = float(INTERNAL_RADIUS)
    size = int(2 * radius * CANVAS_FACTOR)
    rng = _design_rng(type_id, side)
    p = Painter(size, radius)
    draw_device(p, face, rng)
    height = relief(p.mask, radius, 1.0)
    height += cv2.GaussianBlur(p.detail, (0, 0), 0.004 * radius) * 0.6
    letters = rim_legend(size, radius, face.legend, rng)
    if face.device in ("inscription", "wreath", "letter"):
        text = face.inner or "~~~"
        if face.device == "inscription" and face.legend:
            letters = np.maximum(letters, field_text(size, radius, text, rng, width=0.85))
        else:
            letters = np.maximum(letters, field_text(size, radius, text, rng, width=0.8,
                                                     big=face.device == "letter"))
    elif face.inner:  # e.g. S C in the field
        letters = np.maximum(letters, _inner_marks(size, radius, face.inner))
    height += cv2.GaussianBlur(letters.astype(np.float32) / 255.0, (0, 0), 0.004 * radius) * 0.75
    border = _border(size, radius, face.border)
    height += cv2.GaussianBlur(border.astype(np.float32) / 255.0, (0, 0), 0.004 * radius) * 0.7
    height.setflags(write=False)
    return height


def _inner_marks(size: int, radius: float, text: str) -> np.ndarray:
    """Field letters either side of the device (S C on Roman bronzes)."""
    mask = np.zeros((size, size), np.uint8)
    parts = text.split()
    c = size / 2.0
    scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, int(radius * 0.14), 2)
    thick = max(1, int(radius * 0.025))
    for i, part in enumerate(parts[:2]):
        (w, h), _ = cv2.getTextSize(part, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        x = c + (-0.62 if i == 0 else 0.56) * radius
        cv2.putText(mask, part, (int(x - w / 2 + 0.03 * radius), int(c + 0.2 * radius)), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, 255, thick, cv2.LINE_AA)
    return mask


def flan_outline(spec: Specimen, radius: float, centre: tuple[float, float], n: int = 240) -> np.ndarray:
    """The flan's outline (n x 2 float px): a circle of `radius` bent by the specimen's harmonics."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones_like(t)
    for k, (amp, phase) in enumerate(spec.flan, start=2):
        r += amp * np.cos(k * t + phase)
    r *= radius
    return np.stack([centre[0] + r * np.cos(t), centre[1] + r * np.sin(t)], axis=1)


_LIGHT = np.array([-0.45, -0.55, 0.70], np.float32) / np.linalg.norm([-0.45, -0.55, 0.70])
_HALF = (_LIGHT + np.array([0, 0, 1], np.float32)) / np.linalg.norm(_LIGHT + np.array([0, 0, 1], np.float32))


def _clamp(a: np.ndarray) -> np.ndarray:
    """Clamp to 0..1 in place (np.clip is slow on large arrays)."""
    np.maximum(a, 0.0, out=a)
    np.minimum(a, 1.0, out=a)
    return a


def _low_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth noise in 0..1 with about `cells` blobs across."""
    small = cv2.resize(rng.random((cells, cells)).astype(np.float32), (48, 48), interpolation=cv2.INTER_CUBIC)
    return cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR)


def wide_blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """A wide Gaussian blur, computed at a quarter of the resolution."""
    h, w = a.shape
    small = cv2.resize(a, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4.0)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def render(coin_type: CoinType, side: str, spec: Specimen, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Render one side of one specimen: (BGR uint8 image, alpha float32 0..1), flan centred, radius px."""
    design = design_height(coin_type.type_id, side)
    size = design.shape[0]
    ri = float(INTERNAL_RADIUS)
    c = size / 2.0
    nrng = np.random.default_rng(spec.seed + (0 if side == "obv" else 1))

    m = cv2.getRotationMatrix2D((c, c), -spec.rotation_deg, 1.0)
    m[0, 2] += spec.offcentre[0] * ri
    m[1, 2] += spec.offcentre[1] * ri
    height = cv2.warpAffine(design, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=0.0)

    outline = flan_outline(spec, ri, (c, c))
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [np.round(outline * 16).astype(np.int32).reshape(-1, 1, 2)], 255, cv2.LINE_AA, 4)
    inside = (mask > 127).astype(np.uint8)
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    edge = _clamp(dist * (1.0 / (0.07 * ri)))
    height = height * _clamp(dist * (1.0 / (0.02 * ri))) - 0.8 * (1.0 - edge) ** 2  # rounded edge
    height += (_low_noise(nrng, size, 7) - 0.5) * 0.25  # uneven flan

    # wear: soften everything, flatten the high points
    height = cv2.GaussianBlur(height, (0, 0), 0.5 + 4.0 * spec.wear)
    high = np.maximum(height - (1.0 - 0.55 * spec.wear), 0.0)
    height -= high * 0.8
    height += (nrng.random((size, size), dtype=np.float32) - 0.5) * 0.04  # grain

    # shading: a normal from the height gradient, one light from the upper left
    z = height * (0.035 * ri)
    gx = cv2.Sobel(z, cv2.CV_32F, 1, 0, ksize=3, scale=1.0 / 8.0)
    gy = cv2.Sobel(z, cv2.CV_32F, 0, 1, ksize=3, scale=1.0 / 8.0)
    inv_norm = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    diffuse = _clamp((gx * -_LIGHT[0] - gy * _LIGHT[1] + _LIGHT[2]) * inv_norm)
    spec_term = _clamp((gx * -_HALF[0] - gy * _HALF[1] + _HALF[2]) * inv_norm)
    for _ in range(5):  # ** 32, by squaring (a float power is slow)
        spec_term *= spec_term
    hollow = wide_blur(height, 0.05 * ri) - height
    ao = np.clip(1.0 - 1.4 * hollow, 0.55, 1.0)

    metal = METALS.get(coin_type.metal or "ae", METALS["ae"])
    base = np.array(metal["base"], np.float32) * spec.brightness
    tone_col = np.array(metal["tones"][spec.tone_index % len(metal["tones"])], np.float32)
    blot = _low_noise(nrng, size, 5) * _low_noise(nrng, size, 11)
    low = _clamp(0.6 - height)  # toning and patina sit in the field and recesses
    mix = np.minimum(spec.tone * (0.4 + 1.6 * blot) * (0.5 + 0.7 * low), 0.95)
    shade = (0.30 + 0.85 * diffuse) * ao * 255.0
    shine = metal["spec"] * 255.0 * spec_term
    channels = []
    for k in range(3):
        colour = base[k] + (tone_col[k] - base[k]) * mix
        channels.append(colour * shade + shine * (0.5 + 0.5 * base[k]))
    img = cv2.merge(channels)
    img = cv2.convertScaleAbs(img)  # saturating cast to uint8
    alpha = mask.astype(np.float32) * (1.0 / 255.0)

    scale = radius / ri
    out = max(8, int(round(size * scale)))
    if out != size:
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        img = cv2.resize(img, (out, out), interpolation=interp)
        alpha = cv2.resize(alpha, (out, out), interpolation=cv2.INTER_LINEAR)
    return img, np.clip(alpha, 0.0, 1.0)

