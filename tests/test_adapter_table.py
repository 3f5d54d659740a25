"""The houses read by CSS selectors alone are one table (ingest/adapters/houses.yaml, package
data): each entry becomes a SelectorAdapter; a broken entry is refused with the house and why."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nummus.errors import NummusError
from nummus.ingest.adapters import HOUSES, HOUSES_FILE, get_adapter, house_table
from nummus.ingest.adapters.selectors import SelectorAdapter, load_houses

REPO = Path(__file__).resolve().parent.parent


def test_the_table_is_the_registry_of_the_selector_houses():
    table = house_table()
    assert HOUSES == ("demo", "jsonld", *table)
    assert all(get_adapter(h) is load_houses()[h] for h in table)  # one instance per house
    leu = get_adapter("leu")
    assert isinstance(leu, SelectorAdapter) and leu.default_currency == "CHF" and leu.default_price_kind == "current"
    assert leu.lot_url("28", "1042") == "https://leunumismatik.com/en/lot/28/1042"
    assert leu.key_from_url("https://leunumismatik.com/en/lot/28/1042") == ("28", "1042")
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert HOUSES_FILE.name in data["nummus.ingest.adapters"]


GOOD = """
x:
  default_base_url: https://x.example
  lot_path: /lot/{sale}/{lot}
  url_key: '/lot/(?P<sale>[^/]+)/(?P<lot>[^/]+)'
  selectors: {title: h1, description: .text, images: img}
"""


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("  lot_path", "  lot_pth"), "x: unknown setting.*lot_pth"),
    (GOOD.replace("/lot/{sale}/{lot}", "/lot/{sale}"), "x: default_base_url and a lot_path with {lot}"),
    (GOOD.replace("(?P<sale>[^/]+)", "([^/]+)"), "x: url_key needs the named groups sale and lot"),
    (GOOD.replace("'/lot/(", "'/lot/(("), "x: url_key is not a regex"),
    (GOOD.replace(", images: img", ""), "x: selectors must give title, description and images"),
    (GOOD.replace("images: img", "images: img, photo: img"), "x: selectors must give"),
    ("- x\n", "a mapping of house name to its settings expected"),
    (GOOD + "  selectors: [unclosed\n", "house table"),
])
def test_a_broken_entry_is_refused_with_the_house_and_reason(tmp_path, text, message):
    path = tmp_path / "houses.yaml"
    path.write_text(GOOD)
    assert load_houses(path)["x"].key_from_url("https://x.example/lot/7/12") == ("7", "12")
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(NummusError, match=message):
        load_houses(path)


def test_an_adapter_refuses_a_setting_it_does_not_have():
    with pytest.raises(TypeError, match="no setting 'lot_pth'"):
        SelectorAdapter(house="x", lot_pth="/x")
