"""Weight, diameter and die axis as dealers print them: "(19mm, 3.30 g, 6h)", "3,25 g",
"8.28g, 22mm, 12h", "Ø 24 mm", "Gewicht 17,12 g", "die axis 180°", "Weight: 14.83 gms; axis 12",
"16.72 g 12)", "↑↓"."""

from __future__ import annotations

import re
from typing import NamedTuple

_NUM = r"(\d{1,3}(?:[.,]\d{1,3})?)"
WEIGHT = re.compile(_NUM + r"\s?(?:g|gr|gm|gms|grams?|gramm|grammes?|grammi)(?![\w+-])\.?", re.IGNORECASE)
# Italian and some German catalogues put the unit first: "Gr. 3,41", "g 3,25"
WEIGHT_UNIT_FIRST = re.compile(r"(?<!\w)(?:Gr|gr|g)\.?\s?(\d{1,3}[.,]\d{1,3})(?![\d.,]?\d)")
# Italian catalogues: "gr. 24,71, mm 33, h 6"
DIAMETER_UNIT_FIRST = re.compile(r"(?<!\w)mm\.?\s?(\d{1,3}(?:[.,]\d{1,2})?)(?![\d.,]?\d)")
WEIGHT_BEFORE = re.compile(r"(?:^|[(\[,;:]\s?|[A-Za-z]\s)(?:g|gr)\.?\s$")  # "(g 29,76 mm 37)", "AE g 3,2"
AXIS_UNIT_FIRST = re.compile(r"(?<=[,;(] )h\.?\s?(\d{1,2})(?!\d)")
DIAMETER = re.compile(r"(?<![\d.,])" + r"(\d{1,3}(?:[.,]\d{1,2})?)(?:\s?[-–/]\s?(\d{1,3}(?:[.,]\d{1,2})?))?"
                      + r"\s?mm(?!\w)", re.IGNORECASE)
AXIS_HOURS = re.compile(r"(?<![\d.,])(\d{1,2})\s?(?:h|H|o'clock|Uhr)(?!\w)")
AXIS_WORD = re.compile(r"(?<!\w)(?:die\s)?axis:?\s?(\d{1,2})(?![\d°])", re.IGNORECASE)
AXIS_AFTER_WEIGHT = re.compile(r"\d[.,]\d{1,3}\s?g\s(\d{1,2})\)")  # Nomos: "(Silver, 33mm, 16.72 g 12)"
AXIS_ARROWS = {"↑↑": 12, "↑↓": 6, "↑→": 3, "↑←": 9, "↑↗": 1, "↑↘": 5, "↑↙": 7, "↑↖": 11}
AXIS_DEGREES = re.compile(r"(?<![\d.,])(\d{1,3})\s?°")


class Measure(NamedTuple):
    value: float
    start: int
    end: int
    text: str


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def weight(text: str) -> Measure | None:
    for regex in (WEIGHT, WEIGHT_UNIT_FIRST):
        for m in regex.finditer(text):
            value = _num(m.group(1))
            if 0 < value < 1000:
                return Measure(value, m.start(), m.end(), m.group(0))
    return None


def diameter(text: str) -> Measure | None:
    for regex in (DIAMETER, DIAMETER_UNIT_FIRST):
        for m in regex.finditer(text):
            if regex is DIAMETER and WEIGHT_BEFORE.search(text[max(0, m.start() - 6):m.start()]):
                continue  # "(g 29,76 mm 37)": the number is the weight, the diameter follows its unit
            value = max(_num(g) for g in m.groups() if g)
            if 3 <= value <= 150:
                return Measure(value, m.start(), m.end(), m.group(0))
    return None


def die_axis(text: str) -> Measure | None:
    regexes = [AXIS_HOURS, AXIS_UNIT_FIRST]
    if "xis" in text:
        regexes.append(AXIS_WORD)
    if "g " in text:
        regexes.append(AXIS_AFTER_WEIGHT)
    for regex in regexes:
        for m in regex.finditer(text):
            hours = int(m.group(1))
            if 1 <= hours <= 12:
                return Measure(hours, m.start(), m.end(), m.group(0))
    for m in AXIS_DEGREES.finditer(text):
        degrees = int(m.group(1))
        if 0 <= degrees <= 360:
            hours = round(degrees / 30) % 12 or 12
            return Measure(hours, m.start(), m.end(), m.group(0))
    if "↑" in text:
        for arrows, hours in AXIS_ARROWS.items():
            i = text.find(arrows)
            if i >= 0:
                return Measure(hours, i, i + 2, arrows)
    return None
