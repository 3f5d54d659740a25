"""The pictures struck on coins (heads, figures, animals, crosses, ...), drawn with a `Painter`.

Each device is drawn facing right inside the unit circle (radius ~0.7 leaves room for the
legend); `draw_device` mirrors it for faces that look left. Design details that vary within a
device (number of curls, leaf count) come from the type's design rng, so every specimen of a
type shows the same picture."""

from __future__ import annotations

import math
import random
from typing import Callable

import numpy as np

from nummus.demo.house.painter import Painter, arc
from nummus.demo.house.types import Face


# --- heads and busts ------------------------------------------------------------------------------
def _bust(p: Painter, rng: random.Random) -> None:
    p.poly([(-0.5, 0.75), (-0.42, 0.42), (-0.15, 0.3), (0.12, 0.3), (0.32, 0.45), (0.42, 0.75)])
    for i in range(5):  # drapery folds
        x = -0.35 + 0.15 * i + rng.uniform(-0.03, 0.03)
        p.groove((x, 0.45), (x + 0.1, 0.72), 0.014, 0.3)


def _profile(p: Painter, rng: random.Random, gear: str, bust: bool) -> None:
    if bust:
        _bust(p, rng)
    p.poly([(-0.2, 0.05), (0.1, 0.08), (0.1, 0.42), (-0.24, 0.45)])  # neck
    p.ellipse((-0.03, -0.12), (0.25, 0.3))  # skull
    p.poly([(0.08, -0.36), (0.18, -0.26), (0.21, -0.12), (0.31, 0.0), (0.23, 0.04), (0.25, 0.1),
            (0.21, 0.13), (0.23, 0.2), (0.14, 0.27), (-0.02, 0.3), (-0.05, -0.2)])  # face
    p.dimple((0.14, -0.08), 0.025, 0.45)  # eye
    p.ridge((0.1, -0.13), (0.19, -0.12), 0.012, 0.2)  # brow
    p.groove((0.18, 0.09), (0.23, 0.09), 0.01, 0.3)  # lips
    p.bump((-0.07, -0.04), 0.045, 0.3)  # ear
    celtic = gear == "celtic"
    n = 12 if celtic else 7
    for i in range(n):  # hair curls
        a = rng.uniform(160, 330)
        r = rng.uniform(0.12, 0.24)
        c = (-0.03 + r * math.cos(math.radians(a)), -0.12 + r * math.sin(math.radians(a)))
        if celtic:
            p.ridge(c, (c[0] - 0.12, c[1] + 0.08), 0.03, 0.35)
        else:
            p.dimple(c, 0.03, 0.25)
    if gear in ("laureate", "celtic"):
        pts = arc((-0.04, -0.1), 0.27, 120, 300, 11)
        for i, (x, y) in enumerate(pts):
            ang = 120 + 18 * i
            p.ellipse((x, y), (0.07, 0.028), ang + 55)
            p.ellipse((x, y), (0.07, 0.028), ang - 55)
        p.line((-0.27, 0.02), (-0.42, 0.22), 0.025)
        p.line((-0.27, 0.02), (-0.36, 0.26), 0.025)
    elif gear == "diademed":
        p.ridge((0.12, -0.31), (-0.27, -0.02), 0.04, 0.45)
        p.line((-0.27, -0.02), (-0.42, 0.2), 0.025)
        p.line((-0.27, -0.02), (-0.34, 0.25), 0.025)
    elif gear == "radiate":
        for x, y in arc((-0.04, -0.12), 0.28, 190, 330, 7):
            dx, dy = x + 0.04, y + 0.12
            p.poly([(x - 0.04 * dy / 0.28, y + 0.04 * dx / 0.28), (x + dx * 0.6, y + dy * 0.6),
                    (x + 0.04 * dy / 0.28, y - 0.04 * dx / 0.28)])
        p.ridge((0.12, -0.3), (-0.27, -0.02), 0.03, 0.35)
    elif gear == "helmeted":
        p.ellipse((-0.04, -0.2), (0.3, 0.24))
        p.poly([(0.2, -0.2), (0.3, -0.12), (0.2, -0.1)])  # visor
        p.poly([(-0.3, -0.15), (-0.42, 0.15), (-0.2, 0.05)])  # neck guard
        crest = arc((-0.08, -0.3), 0.28, 200, 340, 9)
        p.polyline(crest, 0.09)
        for x, y in crest[::2]:
            p.groove((x, y - 0.04), (x, y + 0.04), 0.012, 0.3)
        p.groove((0.18, -0.2), (-0.25, -0.05), 0.014, 0.3)
    elif gear == "crowned":
        p.poly([(-0.24, -0.3), (0.16, -0.3), (0.18, -0.5), (0.08, -0.38), (-0.04, -0.55), (-0.14, -0.38),
                (-0.26, -0.5)])
        p.dots([(0.18, -0.52), (-0.04, -0.58), (-0.26, -0.52)], 0.035)
        p.line((-0.3, -0.1), (-0.45, 0.2), 0.03)
    elif gear == "veiled":
        p.poly([(0.1, -0.4), (-0.2, -0.42), (-0.4, -0.1), (-0.45, 0.4), (-0.15, 0.42), (-0.25, 0.0)])
        for i in range(4):
            p.groove((-0.25 - 0.04 * i, -0.3 + 0.05 * i), (-0.38 + 0.02 * i, 0.35), 0.012, 0.3)
    elif gear == "lionskin":
        p.ellipse((-0.02, -0.26), (0.3, 0.18))
        for x, y in arc((-0.02, -0.26), 0.3, 180, 360, 7):
            p.circle((x, y), 0.05)
        p.dimple((0.18, -0.3), 0.025, 0.4)
        p.poly([(0.12, 0.2), (0.3, 0.42), (0.02, 0.38)])  # paws knotted under chin
    elif gear == "ivy":
        for x, y in arc((-0.04, -0.1), 0.27, 130, 310, 7):
            p.circle((x, y), 0.06)
            p.dimple((x, y), 0.02, 0.2)


def draw_head(p: Painter, face: Face, rng: random.Random) -> None:
    _profile(p, rng, face.gear or "bare", face.bust)


def _facing_person(p: Painter, rng: random.Random, gear: str) -> None:
    p.ellipse((0.0, 0.48), (0.5, 0.3))  # shoulders
    p.ellipse((0.0, -0.15), (0.21, 0.27))
    for dx in (-0.08, 0.08):
        p.dimple((dx, -0.17), 0.028, 0.45)
    p.ridge((0.0, -0.15), (0.0, -0.04), 0.02, 0.25)
    p.groove((-0.05, 0.03), (0.05, 0.03), 0.012, 0.3)
    if gear == "crowned":
        p.poly([(-0.22, -0.34), (0.22, -0.34), (0.2, -0.48), (-0.2, -0.48)])
        p.line((0.0, -0.48), (0.0, -0.62), 0.04)
        p.line((-0.06, -0.56), (0.06, -0.56), 0.04)
        p.dots([(-0.24, -0.25), (0.24, -0.25), (-0.25, -0.12), (0.25, -0.12)], 0.03)  # pendilia
    elif gear == "helmeted":
        p.ellipse((0.0, -0.3), (0.25, 0.18))
        p.polyline(arc((0.0, -0.35), 0.22, 200, 340, 7), 0.06)
    elif gear == "nimbate":
        p.circle((0.0, -0.2), 0.42, thickness=p.length(0.04))
        for a, b in (((0.0, -0.62), (0.0, -0.5)), ((-0.42, -0.2), (-0.3, -0.2)), ((0.42, -0.2), (0.3, -0.2))):
            p.line(a, b, 0.06)
    for i in range(4):  # garment
        p.groove((-0.3 + 0.2 * i, 0.3), (-0.35 + 0.22 * i, 0.7), 0.014, 0.3)
    p.dots([(-0.1, 0.3), (0.1, 0.3), (0.0, 0.36)], 0.03)


def draw_facing_bust(p: Painter, face: Face, rng: random.Random) -> None:
    gear = face.gear or "bare"
    if face.count >= 2:
        for x in (-0.32, 0.32):
            p.at((x, 0.12), 0.62)
            _facing_person(p, rng, gear)
        p.reset()
        p.line((0.0, -0.45), (0.0, 0.1), 0.05)
        p.line((-0.1, -0.3), (0.1, -0.3), 0.05)
    else:
        _facing_person(p, rng, gear)


# --- figures -------------------------------------------------------------------------------------
def _standing_person(p: Painter, facing_front: bool) -> None:
    p.circle((0.0, -0.52), 0.085)
    p.poly([(-0.12, -0.42), (0.12, -0.42), (0.2, 0.52), (-0.2, 0.52)])
    for i in range(4):
        p.groove((-0.08 + 0.05 * i, -0.2), (-0.14 + 0.09 * i, 0.5), 0.012, 0.3)
    if facing_front:
        p.line((-0.1, -0.38), (-0.3, -0.1), 0.05)
        p.line((0.1, -0.38), (0.3, -0.1), 0.05)
    else:
        p.line((0.1, -0.36), (0.34, -0.2), 0.05)  # extended arm
        p.line((-0.1, -0.36), (-0.2, -0.05), 0.05)
        p.dimple((0.045, -0.53), 0.014, 0.4)


def _attribute(p: Painter, at: tuple[float, float], rng: random.Random) -> None:
    kind = rng.choice(["wreath", "globe", "branch"])
    if kind == "wreath":
        p.circle(at, 0.06, thickness=p.length(0.025))
    elif kind == "globe":
        p.circle(at, 0.05)
    else:
        p.line(at, (at[0] + 0.1, at[1] - 0.12), 0.02)
        for i in range(3):
            p.ellipse((at[0] + 0.03 * (i + 1), at[1] - 0.04 * (i + 1)), (0.035, 0.015), -40)


def draw_standing(p: Painter, face: Face, rng: random.Random) -> None:
    front = face.facing == "facing"
    if face.count >= 2:
        positions = [(-0.25, 0.0, 0.85), (0.25, 0.0, 0.85)]
    else:
        positions = [(0.0, 0.0, 1.0)]
    for x, y, s in positions:
        p.at((x, y), s)
        _standing_person(p, front)
        p.line((-0.22, -0.7), (-0.22, 0.52), 0.03)  # spear / sceptre
        if not front:
            _attribute(p, (0.38, -0.2), rng)
    p.reset()
    p.line((-0.55, 0.58), (0.55, 0.58), 0.025)  # ground line


def draw_seated(p: Painter, face: Face, rng: random.Random) -> None:
    positions = [(-0.25, 0.86), (0.25, 0.86)] if face.count >= 2 else [(0.0, 1.0)]
    for x, s in positions:
        p.at((x, 0.0), s)
        p.poly([(-0.32, -0.1), (-0.24, -0.1), (-0.24, 0.52), (-0.32, 0.52)])  # throne back
        p.poly([(-0.3, 0.15), (0.1, 0.15), (0.1, 0.22), (-0.3, 0.22)])  # seat
        p.line((0.05, 0.2), (0.05, 0.52), 0.04)
        p.circle((-0.08, -0.42), 0.085)
        p.poly([(-0.2, -0.32), (0.02, -0.32), (0.08, 0.15), (-0.24, 0.15)])  # torso
        p.poly([(-0.1, 0.08), (0.26, 0.1), (0.24, 0.5), (0.14, 0.5), (0.12, 0.22), (-0.1, 0.2)])  # lap, legs
        p.line((-0.0, -0.28), (0.3, -0.12), 0.05)
        p.line((-0.18, -0.7), (-0.18, 0.5), 0.03)
        _attribute(p, (0.34, -0.16), rng)
        for i in range(3):
            p.groove((0.0, 0.2 + 0.08 * i), (0.2, 0.24 + 0.08 * i), 0.012, 0.3)
    p.reset()
    p.line((-0.55, 0.56), (0.55, 0.56), 0.025)


def draw_archer(p: Painter, face: Face, rng: random.Random) -> None:
    p.at((0.0, 0.05), 1.2)
    p.circle((0.05, -0.45), 0.08)
    p.poly([(-0.05, -0.5), (0.1, -0.62), (0.12, -0.5)])  # crown
    p.poly([(-0.08, -0.38), (0.16, -0.38), (0.2, 0.05), (-0.18, 0.05)])
    p.poly([(-0.18, 0.02), (0.2, 0.02), (0.45, 0.4), (0.3, 0.42), (0.05, 0.18), (-0.3, 0.45), (-0.42, 0.38)])
    p.polyline(arc((0.34, -0.2), 0.22, -80, 80, 9), 0.03)  # bow
    p.line((0.12, -0.3), (0.34, -0.2), 0.045)
    p.line((-0.5, 0.3), (0.2, -0.75), 0.035)  # spear
    p.groove((-0.1, -0.1), (0.15, -0.1), 0.014, 0.3)
    p.reset()


def draw_fire_altar(p: Painter, face: Face, rng: random.Random) -> None:
    p.poly([(-0.1, -0.1), (0.1, -0.1), (0.07, 0.4), (-0.07, 0.4)])
    p.poly([(-0.2, 0.38), (0.2, 0.38), (0.22, 0.48), (-0.22, 0.48)])
    p.poly([(-0.2, -0.18), (0.2, -0.18), (0.18, -0.1), (-0.18, -0.1)])
    for i in range(5):  # flames
        x = -0.14 + 0.07 * i
        p.poly([(x - 0.035, -0.18), (x + rng.uniform(-0.03, 0.03), -0.42 - 0.06 * (i % 2)), (x + 0.035, -0.18)])
    for sx in (-0.42, 0.42):
        p.at((sx, 0.0), 0.75)
        _standing_person(p, True)
        p.line((0.0, -0.4), (0.0, 0.5), 0.03)
    p.reset()


# --- animals and objects -----------------------------------------------------------------------------
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


def _double_eagle(p: Painter) -> None:
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
        _double_eagle(p)
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
        _double_eagle(p)
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


DEVICES: dict[str, Callable[[Painter, Face, random.Random], None]] = {
    "head": draw_head,
    "facing_bust": draw_facing_bust,
    "standing": draw_standing,
    "seated": draw_seated,
    "archer": draw_archer,
    "fire_altar": draw_fire_altar,
    "horse": draw_horse,
    "animal": draw_animal,
    "temple": draw_temple,
    "ship": draw_ship,
    "cross": draw_cross,
    "shield": draw_shield,
    "implements": draw_implements,
    "incuse": draw_incuse,
    "inscription": draw_field_text,
    "wreath": draw_field_text,
    "letter": draw_field_text,
}


def draw_device(p: Painter, face: Face, rng: random.Random) -> None:
    """Draw the face's device into the painter's mask and detail (mirrored when it faces left)."""
    p.base = 1.0 if face.legend else 1.18
    p.reset()
    try:
        DEVICES[face.device](p, face, rng)
    finally:
        p.base = 1.0
        p.reset()
    if face.facing == "l":
        p.mask[:] = np.fliplr(p.mask)
        p.detail[:] = np.fliplr(p.detail)
