"""One adapter per auction house: how to address a sale's lots and how to read a lot page.

`get_adapter(house)` returns the adapter registered under that name; `HOUSES` lists them."""

from __future__ import annotations

from importlib import import_module

from nummus.ingest.adapters.base import Adapter, ParseError

_MODULES = {
    "demo": "nummus.ingest.adapters.demo",
    "jsonld": "nummus.ingest.adapters.jsonld",
    "numisbids": "nummus.ingest.adapters.numisbids",
    "leu": "nummus.ingest.adapters.leu",
    "nomos": "nummus.ingest.adapters.nomos",
    "cng": "nummus.ingest.adapters.cng",
    "kuenker": "nummus.ingest.adapters.kuenker",
    "gorny": "nummus.ingest.adapters.gorny",
    "biddr": "nummus.ingest.adapters.biddr",
}
HOUSES = tuple(_MODULES)


class UnknownHouse(ValueError):
    pass


def get_adapter(house: str) -> Adapter:
    try:
        module = import_module(_MODULES[house])
    except KeyError:
        raise UnknownHouse(f"no adapter for house {house!r}; known: {', '.join(HOUSES)}") from None
    return module.ADAPTER


__all__ = ["Adapter", "ParseError", "HOUSES", "UnknownHouse", "get_adapter"]
