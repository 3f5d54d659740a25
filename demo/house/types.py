"""The coin types the demo auction house sells: the models, and the catalogue itself loaded
from the package's data file `catalogue.yaml`.

A coin type (period, denomination, authority, mint, ...) has one design per side: a device
(what is shown, with the parameters that `draw` needs and `text` describes) and a legend.
Every specimen of a type shares that design; `photo` varies the specimen. Period and
denomination ids are the canonical vocabularies of docs/contracts.md; metals are nomisma ids
(ar, av, ae, billon, el, cu)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nummus import resources
from nummus.errors import NummusError

Pair = tuple[str, str]  # (English, German)
CATALOGUE_FILE = "catalogue.yaml"


class Face(BaseModel):
    """One side's design: the device, its parameters, and the legend around it."""

    model_config = ConfigDict(extra="forbid")

    device: str  # head | facing_bust | standing | seated | horse | animal | temple | ship | cross
    #              | inscription | wreath | letter | incuse | archer | fire_altar | shield | implements
    facing: str = "r"  # r | l | facing
    gear: str | None = None  # head: laureate | diademed | radiate | helmeted | bare | crowned | veiled | lionskin | ivy
    bust: bool = False  # head: draped bust instead of a head
    subject: Pair | None = None  # who or what is shown, when named
    holding: Pair | None = None  # standing/seated figure: attribute held
    variant: str | None = None  # animal kind, cross kind, horse rider, ...
    count: int = 1  # figures or busts
    legend: str = ""  # the legend around the rim ("" = none); '~' = pseudo-Arabic script
    inner: str = ""  # text inside the field (wreath, inscription, letter)
    border: str = "beaded"  # beaded | linear | none


class Reference(BaseModel):
    catalogue: str
    number: str

    @classmethod
    def parse(cls, text: str) -> "Reference":
        """"RIC II 127" → catalogue "RIC", number "II 127" (split at the first space)."""
        catalogue, _, number = text.partition(" ")
        if not catalogue or not number.strip():
            raise ValueError(f"reference {text!r} is not 'CATALOGUE NUMBER'")
        return cls(catalogue=catalogue, number=number)


class CoinType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type_id: str
    period: str
    denomination: str | None
    region: Pair  # header in catalogues: ("ATTICA", "ATTIKA"), ("Roman Empire", "Römische Kaiserzeit")
    authority: str | None
    dynasty: str | None = None
    mint: Pair | None = None
    metal: str | None = None  # nomisma material id
    date_from: int | None = None  # signed years, BC negative
    date_to: int | None = None
    reign: tuple[int, int] | None = None
    weight_g: float | None = None
    diameter_mm: float | None = None
    axis: str = "random"  # random | coin (6h) | medal (12h)
    irregular: float = 0.04  # flan irregularity (relative radius amplitude)
    references: list[Reference] = Field(default_factory=list)
    obv: Face | None = None
    rev: Face | None = None
    picture: str | None = None  # non-coin items: landscape | text_page
    title_en: str | None = None  # non-coin items: the whole title
    title_de: str | None = None

    @field_validator("references", mode="before")
    @classmethod
    def _references(cls, value: list) -> list:
        return [Reference.parse(v) if isinstance(v, str) else v for v in value]


def load_catalogue(path: str | Path | None = None) -> list[CoinType]:
    """The coin types of `catalogue.yaml` (or of another file of that shape), in file order."""
    path = Path(path) if path else resources.package_dir("nummus.demo.house") / CATALOGUE_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NummusError(f"coin catalogue {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise NummusError(f"coin catalogue {path}: a list of coin types expected")
    types: list[CoinType] = []
    for i, entry in enumerate(entries, 1):
        try:
            types.append(CoinType.model_validate(entry))
        except ValidationError as exc:
            name = entry.get("type_id") if isinstance(entry, dict) else None
            why = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise NummusError(f"coin catalogue {path}: entry {i} ({name}): {why}") from exc
    seen = [t.type_id for t in types]
    if len(set(seen)) != len(seen):
        twice = sorted({x for x in seen if seen.count(x) > 1})
        raise NummusError(f"coin catalogue {path}: type_id listed twice: {', '.join(twice)}")
    return types


CATALOGUE: list[CoinType] = load_catalogue()
BY_ID: dict[str, CoinType] = {t.type_id: t for t in CATALOGUE}
COIN_TYPES: list[CoinType] = [t for t in CATALOGUE if t.period != "non_coin"]
NON_COIN_TYPES: list[CoinType] = [t for t in CATALOGUE if t.period == "non_coin"]
