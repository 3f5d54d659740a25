"""Estimates and hammer prices, and how each house writes an amount of money.

"CHF 1'500", "1.200,50 EUR", "€ 2.500", "$1,200", "USD 3,000", "£1,200"; an estimate is a
range ("£1,200 - £1,500") or a single amount; an unsold lot says "Unsold"."""

from __future__ import annotations

import math
import random

from pydantic import BaseModel

from nummus.demo.house.types import CoinType

_STEPS = [10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 750, 800, 1000,
          1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500, 8000, 10000, 12000, 15000, 20000, 25000, 30000,
          40000, 50000, 75000, 100000]


class Pricing(BaseModel):
    currency: str
    estimate_low: float | None
    estimate_high: float | None
    price: float | None  # hammer; None when unsold or withdrawn
    status: str  # sold | unsold | withdrawn


def _nice(x: float) -> float:
    return float(min(_STEPS, key=lambda s: abs(math.log(s) - math.log(max(x, 1.0)))))


def base_value(ct: CoinType) -> float:
    """A rough market value of a nice specimen of the type, in CHF-ish units."""
    metal = {"av": 3000.0, "el": 900.0, "ar": 250.0, "billon": 90.0, "ae": 120.0, "cu": 60.0}.get(ct.metal or "", 150)
    if (ct.weight_g or 0) > 12 and ct.metal in ("ar", "ae"):
        metal *= 3.0  # tetradrachms, sestertii, thalers
    if ct.period in ("modern", "islamic") and ct.metal != "av":
        metal *= 0.6
    return metal


def price_lot(ct: CoinType | None, wear: float, currency: str, rng: random.Random, *, withdrawn: bool = False,
              value: float | None = None) -> Pricing:
    base = value if value is not None else (base_value(ct) if ct else 200.0)
    grade_factor = 2.2 * math.exp(-2.5 * wear)
    fx = {"CHF": 1.0, "EUR": 1.05, "USD": 1.15, "GBP": 0.9}[currency]
    est = _nice(base * grade_factor * fx * rng.lognormvariate(0, 0.35))
    idx = _STEPS.index(int(est))
    high = float(_STEPS[min(len(_STEPS) - 1, idx + rng.choice([1, 2, 3]))]) if rng.random() < 0.7 else None
    if withdrawn:
        return Pricing(currency=currency, estimate_low=est, estimate_high=high, price=None, status="withdrawn")
    if rng.random() < 0.2:
        return Pricing(currency=currency, estimate_low=est, estimate_high=high, price=None, status="unsold")
    hammer = est * rng.lognormvariate(0.25, 0.5)
    hammer = round(hammer / 10) * 10 if hammer >= 100 else round(hammer)
    if rng.random() < 0.1:  # a few odd amounts with cents (online bidding increments)
        hammer += rng.choice([0.5, 0.25, 0.75])
    return Pricing(currency=currency, estimate_low=est, estimate_high=high, price=float(max(hammer, 5)),
                   status="sold")


def _group(n: float, sep: str, dec: str, cents: bool) -> str:
    whole = int(n)
    s = f"{whole:,}".replace(",", sep)
    if cents:
        s += f"{dec}{round((n - whole) * 100):02d}"
    return s


def format_money(amount: float, currency: str, variant: int = 0) -> str:
    """An amount the way a house in that currency prints it (variant picks among usual spellings)."""
    cents = abs(amount - round(amount)) > 1e-9
    if currency == "CHF":
        body = _group(amount, "'", ".", cents)
        return f"CHF {body}" if variant % 2 == 0 else f"{body} CHF"
    if currency == "EUR":
        body = _group(amount, ".", ",", cents)
        return [f"{body} EUR", f"€ {body}", f"{body} €"][variant % 3]
    if currency == "USD":
        body = _group(amount, ",", ".", cents)
        return [f"${body}", f"USD {body}"][variant % 2]
    if currency == "GBP":
        return f"£{_group(amount, ',', '.', cents)}"
    raise ValueError(f"unknown currency {currency!r}")


def format_estimate(p: Pricing, variant: int = 0) -> str:
    if p.estimate_low is None:
        return ""
    low = format_money(p.estimate_low, p.currency, variant)
    if p.estimate_high is None:
        return low
    return f"{low} - {format_money(p.estimate_high, p.currency, variant)}"


def format_hammer(p: Pricing, variant: int = 0) -> str:
    return format_money(p.price, p.currency, variant) if p.price is not None else "Unsold"
