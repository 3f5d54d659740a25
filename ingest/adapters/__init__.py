"""One adapter per auction house: how to address a sale's lots and how to read a lot page.

Houses read by CSS selectors alone are entries of houses.yaml; houses that need code have a
module (demo, jsonld). `get_adapter(house)` returns the adapter registered under that name;
`HOUSES` lists them."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from nummus.errors import NummusError
from nummus.ingest.adapters.base import Adapter, ParseError

_MODULES = {
    "demo": "nummus.ingest.adapters.demo",
    "jsonld": "nummus.ingest.adapters.jsonld",
}
HOUSES_FILE = Path(__file__).resolve().parent / "houses.yaml"


def house_table(path: Path = HOUSES_FILE) -> dict[str, dict]:
    """houses.yaml as read: house name → its settings (adapters: `selectors.load_houses`)."""
    import yaml

    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NummusError(f"house table {path}: {exc}") from exc
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise NummusError(f"house table {path}: a mapping of house name to its settings expected")
    return table


HOUSES = tuple(_MODULES) + tuple(house_table())


class UnknownHouse(ValueError):
    pass


def get_adapter(house: str) -> Adapter:
    if house in _MODULES:
        return import_module(_MODULES[house]).ADAPTER
    if house in HOUSES:
        from nummus.ingest.adapters.selectors import load_houses

        return load_houses()[house]
    raise UnknownHouse(f"no adapter for house {house!r}; known: {', '.join(HOUSES)}")


__all__ = ["Adapter", "ParseError", "HOUSES", "UnknownHouse", "get_adapter"]
