"""The demo house's coin catalogue is a data file (demo/house/catalogue.yaml) shipped with the
package: it loads into the models, every device it names has a drawing, and a broken file is
refused with the entry and the reason."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nummus.demo.house.devices import DEVICES
from nummus.demo.house.types import CATALOGUE, CATALOGUE_FILE, COIN_TYPES, NON_COIN_TYPES, load_catalogue
from nummus.errors import NummusError

REPO = Path(__file__).resolve().parent.parent


def test_the_catalogue_loads_from_the_package_data():
    assert len(CATALOGUE) == len(COIN_TYPES) + len(NON_COIN_TYPES) and len(COIN_TYPES) >= 50
    assert len({t.type_id for t in CATALOGUE}) == len(CATALOGUE)
    owl = next(t for t in CATALOGUE if t.type_id == "athens_owl")
    assert owl.region == ("ATTICA", "ATTIKA") and owl.rev.variant == "owl" and owl.obv.border == "none"
    assert [(r.catalogue, r.number) for r in owl.references] == [("SNG", "Copenhagen 31"), ("Kroll", "8")]
    assert {f.device for t in COIN_TYPES for f in (t.obv, t.rev)} <= set(DEVICES)
    assert all(t.picture and t.title_en for t in NON_COIN_TYPES)
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert CATALOGUE_FILE in data["nummus.demo.house"]


GOOD = """
- type_id: a
  period: greek
  denomination: drachm
  region: [X, Y]
  authority: Z
  references: [RIC II 127]
  obv: {device: head, gear: bare}
"""


@pytest.mark.parametrize("text, message", [
    (GOOD + "- type_id: b\n  period: greek\n", r"entry 2 \(b\).*region"),            # a required field missing
    (GOOD.replace("gear: bare", "gear: bare, legnd: X"), r"entry 1 \(a\).*legnd"),   # a misspelt field
    (GOOD.replace("RIC II 127", "RIC"), r"entry 1 \(a\).*references"),              # no number
    (GOOD + GOOD, "type_id listed twice: a"),
    ("type_id: a\n", "a list of coin types expected"),
    (GOOD + "  obv: [unclosed\n", "coin catalogue"),
])
def test_a_broken_catalogue_is_refused_with_the_entry_and_reason(tmp_path, text, message):
    path = tmp_path / "catalogue.yaml"
    path.write_text(GOOD)
    assert [t.references[0].number for t in load_catalogue(path)] == ["II 127"]
    path.write_text(text)
    with pytest.raises(NummusError, match=message):
        load_catalogue(path)
