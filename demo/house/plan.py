"""The auction plan: every sale, lot, text, price and photo plan, drawn from the seed before any pixel.

Each lot has its own rng (seeded by seed/sale/lot), so a lot's content does not depend on the
others and a resumed run re-plans exactly what an uninterrupted run would have written."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pydantic import BaseModel

from nummus.demo.house.draw import Specimen
from nummus.demo.house.photo import PhotoPlan, plan_photo
from nummus.demo.house.prices import Pricing, price_lot
from nummus.demo.house.text import GRADES, STYLES, LotText, Physical, coin_text, grade_index, group_text, item_text
from nummus.demo.house.types import COIN_TYPES, NON_COIN_TYPES, CoinType
from nummus.errors import NummusError
from nummus.identity import coin_id

HOUSE = "demo"
# how often each kind of lot occurs
P_NON_COIN = 0.03
P_GROUP = 0.04
COIN_LAYOUTS = (("pair_horizontal", 0.72), ("pair_vertical", 0.12), ("single", 0.16))
P_SECOND_PHOTO_PAIR = 0.12  # a pair lot with an extra close-up of the obverse
P_SECOND_PHOTO_SINGLE = 0.7  # a single-coin photo followed by the other side
P_GAP = 0.03
P_WITHDRAWN = 0.012


class LotPlan(BaseModel):
    sale: str
    lot: str
    coin_id: int
    status: str  # sold | unsold | withdrawn
    layout: str
    text: LotText
    fields: dict
    pricing: Pricing
    closing: date
    photos: list[PhotoPlan]  # [] for withdrawn lots


class SalePlan(BaseModel):
    sale: str
    title: str
    closing: date
    style: str
    lots: list[LotPlan]
    gaps: list[str]


class SitePlan(BaseModel):
    seed: int
    sales: list[SalePlan]


def _physical(ct: CoinType, spec: Specimen, rng: random.Random) -> Physical:
    axis = {"coin": 6, "medal": 12}.get(ct.axis)
    if axis is None:
        axis = rng.randint(1, 12)
    elif rng.random() < 0.1:
        axis = (axis + rng.choice([-1, 1]) - 1) % 12 + 1
    return Physical(
        weight_g=round(ct.weight_g * rng.gauss(1.0, 0.035), 2) if ct.weight_g else None,
        diameter_mm=round((ct.diameter_mm + rng.gauss(0, 0.8)) * 2) / 2 if ct.diameter_mm else None,
        die_axis_h=axis,
        wear=spec.wear,
        tone=spec.tone,
    )


def _fields(ct: CoinType | None, phys: Physical | None, period: str) -> dict:
    if ct is None:
        keys = ("denomination", "authority", "dynasty", "mint", "metal", "date_from", "date_to", "weight_g",
                "diameter_mm", "die_axis_h", "type_id")
        return {"period": period, **{k: None for k in keys}, "references": []}
    return {
        "period": ct.period, "denomination": ct.denomination, "authority": ct.authority, "dynasty": ct.dynasty,
        "mint": ct.mint[0] if ct.mint else None, "metal": ct.metal, "date_from": ct.date_from,
        "date_to": ct.date_to, "weight_g": phys.weight_g if phys else None,
        "diameter_mm": phys.diameter_mm if phys else None, "die_axis_h": phys.die_axis_h if phys else None,
        "references": [r.model_dump() for r in ct.references], "type_id": ct.type_id,
    }


def plan_lot(seed: int, sale: str, lot: str, main_style: str, closing: date, withdrawn: bool) -> LotPlan:
    rng = random.Random(f"{seed}/{sale}/{lot}")
    style = main_style if rng.random() < 0.6 else rng.choice(sorted(STYLES))
    currency = STYLES[style]["currency"]
    roll = rng.random()
    photos: list[PhotoPlan] = []
    if roll < P_NON_COIN:
        ct = rng.choice(NON_COIN_TYPES)
        layout = "none"
        text = item_text(ct, style)
        fields = _fields(None, None, "non_coin")
        fields["type_id"] = ct.type_id
        pricing = price_lot(None, 0.3, currency, rng, withdrawn=withdrawn, value=rng.choice([100.0, 300.0, 800.0]))
        photos.append(plan_photo(rng, ct, "none"))
    elif roll < P_NON_COIN + P_GROUP:
        layout = "group"
        period = rng.choice(sorted({t.period for t in COIN_TYPES}))
        pool = [t for t in COIN_TYPES if t.period == period]
        members = [rng.choice(pool) for _ in range(rng.randint(3, 8))]
        text = group_text(period, members, style)
        # issue 4: group lots ("lot of 5 coins") are not one coin: period non_coin; the coins' own
        # period is kept for whoever wants it
        fields = _fields(None, None, "non_coin")
        fields["group_period"] = period
        fields["group_size"] = len(members)
        pricing = price_lot(members[0], 0.5, currency, rng, withdrawn=withdrawn,
                            value=sum(t.metal == "av" and 800.0 or 40.0 for t in members))
        photos.append(plan_photo(rng, members[0], "group", group_types=members))
    else:
        ct = rng.choice(COIN_TYPES)
        layout = rng.choices([name for name, _ in COIN_LAYOUTS], [w for _, w in COIN_LAYOUTS])[0]
        spec = Specimen.draw(rng, ct)
        phys = _physical(ct, spec, rng)
        text = coin_text(ct, phys, style, rng)
        fields = _fields(ct, phys, ct.period)
        fields["grade"] = GRADES[grade_index(spec.wear)][1]  # the grade the text states (English)
        pricing = price_lot(ct, spec.wear, currency, rng, withdrawn=withdrawn)
        photos.append(plan_photo(rng, ct, layout, spec=spec, side="obv"))
        if layout == "single" and rng.random() < P_SECOND_PHOTO_SINGLE:
            photos.append(plan_photo(rng, ct, "single", spec=spec, side="rev"))
        elif layout != "single" and rng.random() < P_SECOND_PHOTO_PAIR:
            photos.append(plan_photo(rng, ct, "single", spec=spec, side="obv"))
    if withdrawn:
        photos = []
    return LotPlan(sale=sale, lot=lot, coin_id=coin_id(HOUSE, sale, lot), status=pricing.status, layout=layout,
                   text=text, fields=fields, pricing=pricing, closing=closing, photos=photos)


def plan_site(lots: int = 300, sales: int = 1, seed: int = 0) -> SitePlan:
    """Plan `lots` lots in total over `sales` sales (lot numbers with gaps, a few withdrawn lots)."""
    if lots < 1 or sales < 1:
        raise NummusError("lots and sales must be at least 1")
    if sales > lots:
        raise NummusError(f"{sales} sales need at least as many lots (got {lots})")
    styles = sorted(STYLES)
    plans = []
    for k in range(sales):
        sale = str(101 + k)
        n = lots // sales + (1 if k < lots % sales else 0)
        srng = random.Random(f"{seed}/{sale}")
        closing = date(2024, 3, 14) + timedelta(days=70 * k + srng.randint(0, 20))
        style = styles[(seed + k) % len(styles)]
        numbers: list[int] = []
        gaps: list[int] = []
        forced_gaps = set(srng.sample(range(3, n - 2), 2)) if n >= 20 else set()
        num = 0
        while len(numbers) < n:
            num += 1
            if len(numbers) > 0 and (len(numbers) in forced_gaps or srng.random() < P_GAP):
                gaps.append(num)
                forced_gaps.discard(len(numbers))
                continue
            numbers.append(num)
        withdrawn = {i for i in range(n) if srng.random() < P_WITHDRAWN}
        if n >= 20 and not withdrawn:
            withdrawn = {srng.randrange(n)}
        lot_plans = [plan_lot(seed, sale, str(no), style, closing, i in withdrawn) for i, no in enumerate(numbers)]
        title = f"Auction {sale}: Ancient, Medieval and World Coins"
        plans.append(SalePlan(sale=sale, title=title, closing=closing, style=style, lots=lot_plans,
                              gaps=[str(g) for g in gaps]))
    return SitePlan(seed=seed, sales=plans)
