"""Each auction-house adapter reads a saved page in that site's structure (tests/fixtures/pages)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nummus.ingest.adapters import HOUSES, ParseError, UnknownHouse, get_adapter
from nummus.identity import coin_id

PAGES = Path(__file__).parent / "fixtures" / "pages"

# house, fixture, URL it was "fetched" from, expected fields
CASES = [
    ("demo", "demo/lot-12.html", "http://127.0.0.1:8000/sales/2024-1/lots/12.html", dict(
        sale="2024-1", lot="12", title="Trajan. AD 98-117. AR Denarius", estimate_low=1200, estimate_high=1500,
        price=1800, price_kind="hammer", currency="CHF", closing_date=date(2024, 5, 12), status="ok",
        image_urls=["http://127.0.0.1:8000/sales/2024-1/images/12.jpg",
                    "http://127.0.0.1:8000/sales/2024-1/images/12_2.jpg"]), "RIC II 128"),
    ("demo", "demo/lot-13-withdrawn.html", "http://127.0.0.1:8000/sales/2024-1/lots/13.html", dict(
        sale="2024-1", lot="13", status="withdrawn", estimate_low=1000, estimate_high=1500, price=None,
        price_kind="unsold", currency="EUR", image_urls=[]), "25,10 g"),
    ("jsonld", "jsonld/lot.html", "https://house.example/auction/77/lot/501", dict(
        sale="77", lot="501", title="Augustus, 27 BC-AD 14. AR Denarius", price=2500, currency="EUR",
        estimate_low=2000, estimate_high=3000, closing_date=date(2024, 6, 30),
        image_urls=["https://cdn.house.example/img/77/501_a.jpg", "https://house.example/img/77/501_c.jpg",
                    "https://cdn.house.example/img/77/501_b.jpg"]), "RIC I 207"),
    ("numisbids", "numisbids/lot.html", "https://www.numisbids.com/n.php?p=lot&sid=6789&lot=123", dict(
        sale="6789", lot="123", title="SICILY. Syracuse. Hieron II, 275-215 BC.", estimate_low=1200,
        estimate_high=None, price=1500, price_kind="hammer", currency="USD", closing_date=date(2024, 5, 12),
        image_urls=["https://media.numisbids.com/sales/hosted/nomos/obolos29/image00123.jpg"]), "SNG ANS 870"),
    ("leu", "leu/lot.html", "https://leunumismatik.com/en/lot/28/1042", dict(
        sale="28", lot="1042", estimate_low=3000, price=3400, price_kind="current", currency="CHF",
        closing_date=date(2024, 2, 18), image_urls=["https://leunumismatik.com/media/lots/28/1042_1.jpg",
                                                    "https://leunumismatik.com/media/lots/28/1042_2.jpg"]),
     "Rev. Victory advancing left"),
    ("nomos", "nomos/lot.html", "https://nomosag.com/nomos-25/2217", dict(
        sale="25", lot="2217", estimate_low=800, estimate_high=None, price=75, price_kind="starting",
        currency="CHF", closing_date=date(2024, 4, 21), image_urls=["https://nomosag.com/images/obolos25/2217.jpg"]),
     "Price 85"),
    ("cng", "cng/lot.html", "https://www.cngcoins.com/Lot.aspx?LOT_ID=7001234", dict(
        sale="Triton XXVII", lot="455", estimate_low=1200, estimate_high=1500, price=2100, price_kind="hammer",
        currency="USD", closing_date=date(2024, 1, 14), image_urls=["https://cngcoins.com/photos/big/7001234.jpg"]),
     "Kroll 8"),
    ("kuenker", "kuenker/lot.html", "https://www.auex.de/de/product/98-3312", dict(
        sale="98", lot="3312", estimate_low=150, price=1200.5, price_kind="current", currency="EUR",
        closing_date=date(2024, 5, 12), image_urls=["https://www.auex.de/images/98/3312_vs.jpg",
                                                    "https://www.auex.de/images/98/3312_rs.jpg"]), "RIC 53"),
    ("gorny", "gorny/lot.html", "https://auktionen.gmcoinart.de/Los/285/77.0", dict(
        sale="285", lot="77", estimate_low=1000, price=2400, price_kind="hammer", currency="EUR",
        closing_date=date(2024, 10, 15), image_urls=["https://auktionen.gmcoinart.de/Bilder/285/77.jpg",
                                                     "https://auktionen.gmcoinart.de/Bilder/285/77a.jpg"]),
     "SNG Cop. 31"),
    ("biddr", "biddr/lot.html", "https://www.biddr.com/auctions/biddr/browse?a=310&l=998877", dict(
        sale="310", lot="1402", estimate_low=1200, estimate_high=1500, price=1350, price_kind="current",
        currency="GBP", closing_date=date(2024, 3, 3), title="Celtic, Gaul. Parisii. Stater"), "DT 87"),
]


@pytest.mark.parametrize("house,fixture,url,expected,in_description", CASES,
                         ids=[c[1] for c in CASES])
def test_adapter_parses_saved_page(house, fixture, url, expected, in_description):
    html = (PAGES / fixture).read_text(encoding="utf-8")
    lot = get_adapter(house).parse(html, url)
    assert lot.house == house
    for field, value in expected.items():
        assert getattr(lot, field) == value, field
    assert in_description in lot.description
    assert lot.raw_html == html
    assert lot.coin_id == coin_id(house, expected["sale"], expected["lot"])
    # parsing is pure: the same snapshot gives the same content hash
    assert get_adapter(house).parse(html, url).content_sha256() == lot.content_sha256()


def test_every_house_has_a_fixture_and_addresses_lots():
    assert {c[0] for c in CASES} == set(HOUSES)
    for house in HOUSES:
        adapter = get_adapter(house)
        base = "https://h.example/{sale}/{lot}" if house == "jsonld" else None
        url = adapter.lot_url("42", "7", base)
        assert url.startswith("http") and "7" in url
        sale, lot = adapter.key_from_url(url)
        if house != "cng":  # CNG's URL carries only an internal lot id
            assert (sale, lot) == ("42", "7"), house


def test_url_patterns_match_the_sites():
    assert get_adapter("numisbids").lot_url("6789", "123") == "https://www.numisbids.com/n.php?p=lot&sid=6789&lot=123"
    assert get_adapter("leu").lot_url("28", "1042") == "https://leunumismatik.com/en/lot/28/1042"
    assert get_adapter("nomos").lot_url("25", "2217") == "https://nomosag.com/nomos-25/2217"
    assert get_adapter("cng").lot_url("x", "7001234") == "https://www.cngcoins.com/Lot.aspx?LOT_ID=7001234"
    assert get_adapter("kuenker").lot_url("98", "3312") == "https://www.auex.de/de/product/98-3312"
    assert get_adapter("gorny").lot_url("285", "77") == "https://auktionen.gmcoinart.de/Los/285/77.0"
    assert get_adapter("demo").lot_url("s1", "5", "http://localhost:9000/") == \
        "http://localhost:9000/sales/s1/lots/5.html"


def test_demo_sale_index_lists_lots():
    adapter = get_adapter("demo")
    url = adapter.sale_index_url("2024-1", "http://127.0.0.1:8000")
    refs = adapter.list_lots((PAGES / "demo/sale-index.html").read_text(), url)
    assert [r.lot for r in refs] == ["1", "2", "12"]
    assert refs[2].url == "http://127.0.0.1:8000/sales/2024-1/lots/12.html"


def test_pages_that_are_not_lot_pages_raise_parse_errors():
    with pytest.raises(ParseError) as err:
        get_adapter("leu").parse("<html><body><p>Service unavailable</p></body></html>",
                                 "https://leunumismatik.com/en/lot/28/1")
    assert err.value.reason == "not_a_lot_page"
    with pytest.raises(ParseError) as err:
        get_adapter("jsonld").parse("<html><head><title>x</title></head></html>", "https://h.example/1/2")
    assert err.value.reason == "not_a_lot_page"
    with pytest.raises(UnknownHouse):
        get_adapter("sothebys")
