"""Devices that show animals: horses (with riders, Pegasus, the Dioscuri, the Celtic horse),
owl and eagle, the double eagle, tortoise, elephant, dolphin with rider, palm, lion."""

from __future__ import annotations

import math
import random

from nummus.demo.house.painter import Painter, arc
from nummus.demo.house.types import Face


def _horse_body(p: Painter, rng: random.Random, grazing: bool = False) -> None:
    p.ellipse((0.0, 0.05), (0.34, 0.15))
    if grazing:
        p.poly([(0.22, -0.05), (0.32, 0.0), (0.46, 0.36), (0.38, 0.38)])
        p.ellipse((0.45, 0.4), (0.08, 0.05), 60)
    else:
        p.poly([(0.2, -0.05), (0.32, 0.02), (0.42, -0.32), (0.32, -0.36)])  # neck
        p.ellipse((0.44, -0.3), (0.14, 0.06), 35)  # head
        p.poly([(0.34, -0.42), (0.38, -0.5), (0.4, -0.4)])  # ear
        for i in range(4):
            p.ridge((0.3 - 0.02 * i, -0.3 + 0.07 * i), (0.24 - 0.02 * i, -0.28 + 0.07 * i), 0.015, 0.3)
    legs = [((0.22, 0.12), (0.38, 0.36)), ((0.16, 0.12), (0.2, 0.46)),
            ((-0.2, 0.12), (-0.32, 0.46)), ((-0.24, 0.1), (-0.14, 0.45))]
    for a, b in legs:
        p.line(a, b, 0.045)
    p.polyline(arc((-0.42, 0.12), 0.12, -90, 90, 6), 0.045)  # tail


def _rider(p: Painter, x: float, y: float) -> None:
    p.circle((x, y - 0.34), 0.065)
    p.poly([(x - 0.07, y - 0.27), (x + 0.06, y - 0.27), (x + 0.08, y - 0.02), (x - 0.1, y - 0.02)])
    p.line((x + 0.04, y - 0.22), (x + 0.22, y - 0.3), 0.035)
    p.line((x - 0.05, y - 0.05), (x + 0.06, y + 0.16), 0.04)


def draw_horse(p: Painter, face: Face, rng: random.Random) -> None:
    variant = face.variant or "plain"
    if variant == "dioscuri":
        for dx, dy in ((-0.08, -0.1), (0.06, 0.04)):
            p.at((dx, dy), 0.85)
            _horse_body(p, rng)
            _rider(p, -0.02, -0.02)
            p.line((0.1, -0.35), (0.45, -0.65), 0.025)  # lance
        p.reset()
        for x in (-0.2, 0.15):
            p.line((x - 0.06, -0.55), (x + 0.06, -0.55), 0.02)
            p.line((x, -0.61), (x, -0.49), 0.02)
        p.line((-0.6, 0.5), (0.6, 0.5), 0.025)
        return
    if variant == "celtic":
        p.ellipse((0.0, 0.0), (0.3, 0.12))
        p.circle((0.34, -0.2), 0.08)
        for a, b in (((0.2, 0.1), (0.32, 0.4)), ((-0.2, 0.1), (-0.3, 0.4)), ((0.25, -0.05), (0.34, -0.2))):
            p.line(a, b, 0.05)
        p.dots([(0.32, 0.44), (-0.3, 0.44)], 0.05)
        for i in range(5):
            p.circle((-0.35 + 0.15 * i, -0.4 + 0.05 * (i % 2)), 0.04)
        p.dots([(-0.4, 0.1), (-0.48, 0.2)], 0.045)
        p.circle((0.0, 0.55), 0.09, thickness=p.length(0.03))  # wheel below
        return
    p.at((0.0, 0.05), 1.1 if variant != "rider" else 1.0)
    _horse_body(p, rng, grazing=variant == "grazing")
    if variant == "rider":
        _rider(p, -0.02, -0.02)
    if variant == "pegasus":
        p.poly([(-0.15, -0.05), (0.1, -0.05), (-0.1, -0.6), (-0.35, -0.5)])
        for i in range(4):
            p.groove((-0.12 + 0.05 * i, -0.1), (-0.3 + 0.04 * i, -0.52), 0.013, 0.3)
    p.reset()


def _bird(p: Painter, rng: random.Random, owl: bool) -> None:
    if owl:
        p.ellipse((0.0, 0.08), (0.22, 0.34))
        p.ellipse((0.02, -0.32), (0.21, 0.17))
        for dx in (-0.08, 0.1):
            p.circle((dx, -0.33), 0.06, img=p.detail, value=-0.35)
            p.dimple((dx, -0.33), 0.025, 0.5)
        p.poly([(0.0, -0.28), (0.03, -0.22), (0.05, -0.28)])
        for i in range(3):
            for j in range(3):
                p.groove((-0.12 + 0.1 * j, -0.05 + 0.12 * i), (-0.08 + 0.1 * j, 0.0 + 0.12 * i), 0.012, 0.3)
        p.line((-0.06, 0.42), (-0.08, 0.5), 0.03)
        p.line((0.06, 0.42), (0.08, 0.5), 0.03)
        p.polyline([(-0.5, -0.5), (-0.4, -0.42), (-0.32, -0.45)], 0.025)  # olive sprig
        p.ellipse((-0.44, -0.56), (0.05, 0.02), -30)
        p.polyline(arc((-0.42, -0.25), 0.09, 90, 270, 7), 0.03)  # crescent
    else:
        p.ellipse((-0.02, 0.05), (0.17, 0.3), -10)
        p.circle((0.06, -0.3), 0.09)
        p.poly([(0.12, -0.32), (0.22, -0.28), (0.13, -0.24)])
        p.poly([(-0.15, -0.15), (0.0, -0.15), (-0.08, 0.42), (-0.32, 0.3)])  # folded wing
        for i in range(4):
            p.groove((-0.12, -0.05 + 0.1 * i), (-0.25, 0.05 + 0.1 * i), 0.012, 0.3)
        p.poly([(-0.1, 0.32), (0.06, 0.32), (0.1, 0.55), (-0.16, 0.55)])  # tail
        p.line((-0.45, 0.48), (0.45, 0.48), 0.05)  # thunderbolt
        for x in (-0.3, 0.3):
            p.line((x, 0.42), (x + 0.06, 0.54), 0.025)


def double_eagle(p: Painter) -> None:
    p.ellipse((0.0, 0.1), (0.14, 0.26))
    for s in (-1, 1):
        p.poly([(s * 0.08, -0.05), (s * 0.6, -0.35), (s * 0.62, -0.1), (s * 0.45, 0.15), (s * 0.12, 0.2)])
        for i in range(4):
            p.groove((s * (0.2 + 0.1 * i), -0.05 - 0.05 * i), (s * (0.22 + 0.1 * i), 0.1), 0.012, 0.3)
        p.line((s * 0.05, -0.12), (s * 0.15, -0.32), 0.05)
        p.circle((s * 0.17, -0.36), 0.06)
        p.poly([(s * 0.21, -0.38), (s * 0.3, -0.34), (s * 0.21, -0.32)])
    p.poly([(-0.12, -0.55), (0.12, -0.55), (0.1, -0.45), (-0.1, -0.45)])  # crown
    p.poly([(-0.12, 0.32), (0.12, 0.32), (0.18, 0.5), (-0.18, 0.5)])
    p.ellipse((0.0, 0.05), (0.1, 0.12), img=p.detail, value=0.3)  # breast shield


def draw_animal(p: Painter, face: Face, rng: random.Random) -> None:
    kind = face.variant or "lion"
    if kind in ("owl", "eagle"):
        p.at((0.0, 0.0), 1.1)
        _bird(p, rng, owl=kind == "owl")
    elif kind == "double_eagle":
        double_eagle(p)
    elif kind == "tortoise":
        p.at((0.0, 0.0), 1.25)
        p.ellipse((0.0, 0.0), (0.36, 0.3))
        p.ellipse((0.44, 0.0), (0.1, 0.06))
        for a in (40, 140, 220, 320):
            x, y = 0.34 * math.cos(math.radians(a)), 0.3 * math.sin(math.radians(a))
            p.ellipse((x, y), (0.08, 0.05), a)
        p.groove((-0.3, 0.0), (0.3, 0.0), 0.016, 0.4)
        for x in (-0.15, 0.1):
            p.groove((x, -0.28), (x, 0.28), 0.016, 0.4)
        p.dots([(-0.05, -0.14), (-0.05, 0.14), (0.2, -0.12), (0.2, 0.12)], 0.04)
    elif kind == "elephant":
        p.at((0.0, 0.05), 1.05)
        p.ellipse((-0.05, 0.0), (0.36, 0.22))
        p.circle((0.3, -0.15), 0.15)
        p.polyline([(0.4, -0.1), (0.47, 0.1), (0.45, 0.3), (0.5, 0.38)], 0.06)  # trunk
        p.ellipse((0.18, -0.1), (0.08, 0.14), img=p.detail, value=0.3)  # ear
        for x in (-0.32, -0.18, 0.08, 0.2):
            p.line((x, 0.15), (x, 0.45), 0.07)
        p.polyline([(-0.52, 0.5), (-0.35, 0.38), (-0.22, 0.48)], 0.04)  # serpent
    elif kind == "dolphin":
        p.polyline(arc((0.0, 0.3), 0.42, 190, 350, 9), 0.14)
        p.poly([(-0.45, 0.2), (-0.6, 0.05), (-0.55, 0.3)])
        p.poly([(-0.05, -0.15), (0.05, -0.25), (0.08, -0.1)])
        p.at((0.0, -0.12), 0.9)
        _rider(p, 0.0, 0.0)
        p.reset()
    elif kind == "palm":
        p.line((0.0, 0.55), (0.0, -0.2), 0.06)
        for a in (-150, -120, -90, -60, -30):
            x, y = 0.4 * math.cos(math.radians(a)), -0.2 + 0.3 * math.sin(math.radians(a))
            p.polyline([(0.0, -0.2), ((x) * 0.5, -0.2 + (y + 0.2) * 0.7 - 0.05), (x, y + 0.1)], 0.04)
        p.dots([(-0.12, 0.0), (0.12, 0.0)], 0.05)
    else:  # lion
        p.at((0.0, 0.05), 1.05)
        p.ellipse((-0.05, 0.05), (0.34, 0.14))
        p.circle((0.3, -0.12), 0.15)
        for a in range(0, 360, 45):
            p.circle((0.3 + 0.15 * math.cos(math.radians(a)), -0.12 + 0.15 * math.sin(math.radians(a))), 0.05)
        p.ellipse((0.42, -0.08), (0.07, 0.05))
        for a, b in (((0.2, 0.12), (0.28, 0.42)), ((0.1, 0.12), (0.04, 0.42)),
                     ((-0.25, 0.12), (-0.3, 0.42)), ((-0.32, 0.1), (-0.2, 0.42))):
            p.line(a, b, 0.05)
        p.polyline([(-0.38, 0.02), (-0.5, -0.2), (-0.4, -0.4)], 0.035)
        p.dimple((0.35, -0.16), 0.02, 0.45)
        p.reset()
