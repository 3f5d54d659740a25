"""Devices that show people: heads and busts in profile, facing busts, standing and seated
figures, the Persian archer and the fire altar with its attendants."""

from __future__ import annotations

import math
import random

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
