"""The pictures struck on coins (heads, figures, animals, crosses, ...), drawn with a `Painter`.

Each device is drawn facing right inside the unit circle (radius ~0.7 leaves room for the
legend); `draw_device` mirrors it for faces that look left. Design details that vary within a
device (number of curls, leaf count) come from the type's design rng, so every specimen of a
type shows the same picture."""

from __future__ import annotations

import random
from typing import Callable

import numpy as np

from nummus.demo.house.devices.animals import draw_animal, draw_horse
from nummus.demo.house.devices.objects import (draw_cross, draw_field_text, draw_implements, draw_incuse, draw_ship,
                                               draw_shield, draw_temple)
from nummus.demo.house.devices.people import (draw_archer, draw_facing_bust, draw_fire_altar, draw_head, draw_seated,
                                              draw_standing)
from nummus.demo.house.painter import Painter
from nummus.demo.house.types import Face

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
