"""Devices that show things: temple, galley, crosses, shields, priestly implements, the
incuse punch, and the field of inscription, wreath and letter types."""

from __future__ import annotations

import math
import random

from nummus.demo.house.devices.animals import double_eagle
from nummus.demo.house.painter import Painter, arc
from nummus.demo.house.types import Face


def draw_temple(p: Painter, face: Face, rng: random.Random) -> None:
    p.poly([(-0.45, 0.38), (0.45, 0.38), (0.45, 0.46), (-0.45, 0.46)])
    p.poly([(-0.4, -0.26), (0.4, -0.26), (0.0, -0.5)])
    p.poly([(-0.42, -0.26), (0.42, -0.26), (0.42, -0.2), (-0.42, -0.2)])
    for x in (-0.34, -0.2, 0.2, 0.34):
        p.poly([(x - 0.035, -0.2), (x + 0.035, -0.2), (x + 0.035, 0.38), (x - 0.035, 0.38)])
    p.poly([(-0.12, -0.1), (0.12, -0.1), (0.12, 0.38), (-0.12, 0.38)])  # doors
    p.groove((0.0, -0.08), (0.0, 0.36), 0.014, 0.4)
    p.dots([(-0.08, 0.15), (0.08, 0.15)], 0.02)


def draw_ship(p: Painter, face: Face, rng: random.Random) -> None:
    p.poly([(-0.6, 0.0), (0.3, 0.0), (0.55, -0.05), (0.62, 0.12), (0.35, 0.3), (-0.6, 0.3)])
    p.poly([(0.35, 0.2), (0.7, 0.2), (0.62, 0.28), (0.35, 0.28)])  # ram
    p.poly([(-0.2, -0.38), (0.2, -0.38), (0.2, 0.0), (-0.2, 0.0)])  # deck house
    for i in range(4):
        p.groove((-0.55, 0.08 + 0.06 * i), (0.4, 0.08 + 0.06 * i), 0.012, 0.3)
    p.line((-0.55, -0.05), (-0.62, -0.3), 0.04)


def draw_cross(p: Painter, face: Face, rng: random.Random) -> None:
    if face.variant == "steps":
        p.line((0.0, -0.55), (0.0, 0.3), 0.09)
        p.line((-0.22, -0.3), (0.22, -0.3), 0.09)
        for a, b in (((0.0, -0.55), (-0.06, -0.55)), ((0.0, -0.55), (0.06, -0.55))):
            p.line(a, b, 0.06)
        for i, w in enumerate((0.2, 0.3, 0.4)):
            y = 0.32 + 0.08 * i
            p.poly([(-w, y), (w, y), (w, y + 0.07), (-w, y + 0.07)])
        p.poly([(-0.45, 0.58), (0.45, 0.58), (0.45, 0.6), (-0.45, 0.6)])
        return
    r = 1.0 if face.legend else 0.9
    for a, b in (((-r, 0.0), (r, 0.0)), ((0.0, -r), (0.0, r))):
        p.line(a, b, 0.11)
        p.groove(a, b, 0.03, 0.45)  # voided
    for sx in (-1, 1):
        for sy in (-1, 1):
            c = (sx * 0.28, sy * 0.28)
            p.dots([(c[0] - 0.07 * sx, c[1]), (c[0], c[1] - 0.07 * sy), (c[0] + 0.02 * sx, c[1] + 0.02 * sy)], 0.05)


def draw_shield(p: Painter, face: Face, rng: random.Random) -> None:
    p.poly([(-0.35, -0.3), (0.35, -0.3), (0.35, 0.1), (0.0, 0.5), (-0.35, 0.1)])
    if face.variant == "eagle":
        p.at((0.0, 0.02), 0.45)
        double_eagle(p)
        p.reset()
    else:
        p.line((0.0, -0.3), (0.0, 0.48), 0.03, img=p.detail, value=-0.4)
        p.line((-0.35, 0.05), (0.35, 0.05), 0.03, img=p.detail, value=-0.4)
        for x, y in ((-0.17, -0.12), (0.17, 0.25)):
            p.circle((x, y), 0.08, img=p.detail, value=0.35)
    p.poly([(-0.3, -0.35), (0.3, -0.35), (0.34, -0.58), (0.15, -0.45), (0.0, -0.62), (-0.15, -0.45),
            (-0.34, -0.58)])
    p.dots([(0.0, -0.66), (-0.34, -0.62), (0.34, -0.62)], 0.035)


def draw_implements(p: Painter, face: Face, rng: random.Random) -> None:
    p.poly([(-0.58, -0.2), (-0.38, -0.2), (-0.42, 0.1), (-0.54, 0.1)])  # culullus
    p.line((-0.48, 0.1), (-0.48, 0.3), 0.05)
    p.line((-0.2, 0.3), (-0.2, -0.25), 0.04)  # aspergillum
    p.ellipse((-0.2, -0.32), (0.06, 0.1))
    p.line((0.12, 0.3), (0.12, -0.3), 0.04)  # axe
    p.poly([(0.12, -0.3), (0.3, -0.38), (0.3, -0.12), (0.12, -0.2)])
    p.ellipse((0.48, 0.05), (0.12, 0.1))  # apex
    p.line((0.48, -0.05), (0.52, -0.35), 0.03)


def draw_incuse(p: Painter, face: Face, rng: random.Random) -> None:
    a, b = rng.uniform(0.32, 0.42), rng.uniform(0.28, 0.4)
    ang = math.radians(rng.uniform(-15, 15))
    pts = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = sx * a, sy * b
        pts.append((x * math.cos(ang) - y * math.sin(ang), x * math.sin(ang) + y * math.cos(ang)))
    p.poly(pts, img=p.detail, value=-0.9)
    for _ in range(5):  # the punch's rough interior
        c = (rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2))
        p.line(c, (c[0] + rng.uniform(-0.2, 0.2), c[1] + rng.uniform(-0.2, 0.2)), 0.06, img=p.detail, value=-0.5)


def draw_field_text(p: Painter, face: Face, rng: random.Random) -> None:
    """Inscription, wreath and letter devices: text in the field (drawn by legend.field_text)."""
    if face.device == "wreath":
        for side in (-1, 1):
            for x, y in arc((0.0, 0.0), 0.62, 90 + side * 20, 90 + side * 165, 10):
                ang = math.degrees(math.atan2(y, x)) + 90
                p.ellipse((x, y), (0.07, 0.03), ang + 40)
                p.ellipse((x, y), (0.07, 0.03), ang - 40)
    if face.device == "inscription":
        p.circle((0.0, 0.0), 0.62, thickness=p.length(0.02))
    if face.device == "letter":
        p.line((-0.12, -0.55), (0.12, -0.55), 0.05)
        p.line((0.0, -0.66), (0.0, -0.44), 0.05)
        p.dots([(-0.5, 0.0), (0.5, 0.0)], 0.04)
        p.line((-0.5, 0.52), (0.5, 0.52), 0.025)
