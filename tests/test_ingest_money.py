"""Money and dates as auction pages write them: a table of texts and what they mean."""

from __future__ import annotations

from datetime import date

import pytest

from nummus.ingest.closing_dates import parse_date
from nummus.ingest.money import Money, MoneyError, MoneyRange, parse_money, parse_number, parse_range

MONEY = [
    ("1,200", Money(1200.0, None)),
    ("1.200,50", Money(1200.5, None)),
    ("1,200.50", Money(1200.5, None)),
    ("CHF 1'500", Money(1500.0, "CHF")),
    ("CHF 1’500.–", Money(1500.0, "CHF")),
    ("Unsold", Money(None, None, "unsold")),
    ("nicht verkauft", Money(None, None, "unsold")),
    ("Starting price: 75 CHF", Money(75.0, "CHF", "starting")),
    ("Ausruf: 150,00 EUR", Money(150.0, "EUR", "starting")),
    ("€ 2.500", Money(2500.0, "EUR")),
    ("USD 3,000", Money(3000.0, "USD")),
    ("1 200 €", Money(1200.0, "EUR")),
    ("1\u202f200\u00a0€", Money(1200.0, "EUR")),
    ("Hammer: 12.500 EUR", Money(12500.0, "EUR", "hammer")),
    ("Zuschlag: 2.400 EUR", Money(2400.0, "EUR", "hammer")),
    ("Sold for $2,100", Money(2100.0, "USD", "hammer")),
    ("Current bid: £1,350", Money(1350.0, "GBP", "current")),
    ("Aktuelles Gebot: 1.200,50 EUR", Money(1200.5, "EUR", "current")),
    ("US$ 950", Money(950.0, "USD")),
    ("75,- EUR", Money(75.0, "EUR")),
    ("12 500 000 EUR", Money(12500000.0, "EUR")),
    ("1,5 EUR", Money(1.5, "EUR")),
    ("2,50 €", Money(2.5, "EUR")),
    ("SFr. 800", Money(800.0, "CHF")),
    ("JPY 120000", Money(120000.0, "JPY")),
]


@pytest.mark.parametrize("text,expected", MONEY, ids=[m[0] for m in MONEY])
def test_parse_money(text, expected):
    assert parse_money(text) == expected


def test_thousands_are_never_decimals():
    for text in ("1,200", "1.200", "1'200", "1 200", "EUR 1.200", "$1,200"):
        assert parse_money(text).amount == 1200.0, text
    assert parse_number("1,200,000") == 1_200_000
    assert parse_number("1.234.567,89") == 1234567.89


RANGES = [
    ("£1,200 - £1,500", MoneyRange(1200.0, 1500.0, "GBP")),
    ("Estimate: 1.000 – 1.500 EUR", MoneyRange(1000.0, 1500.0, "EUR")),
    ("CHF 1'200 - CHF 1'500", MoneyRange(1200.0, 1500.0, "CHF")),
    ("Schätzung: 300 bis 400 €", MoneyRange(300.0, 400.0, "EUR")),
    ("$500 to $700", MoneyRange(500.0, 700.0, "USD")),
    ("200 USD", MoneyRange(200.0, None, "USD")),
]


@pytest.mark.parametrize("text,expected", RANGES, ids=[r[0] for r in RANGES])
def test_parse_range(text, expected):
    assert parse_range(text) == expected


def test_default_currency_and_errors():
    assert parse_money("1,200", "EUR") == Money(1200.0, "EUR")
    assert parse_money("CHF 5", "EUR").currency == "CHF"
    for bad in ("", "   ", "no price yet", None):
        with pytest.raises(MoneyError):
            parse_money(bad)
    with pytest.raises(MoneyError):
        parse_range("on request")


DATES = [
    ("2024-05-12", date(2024, 5, 12)),
    ("2024-05-12T14:00:00+02:00", date(2024, 5, 12)),
    ("12.05.2024", date(2024, 5, 12)),
    ("Closing: May 12, 2024 17:00 CET", date(2024, 5, 12)),
    ("12 May 2024", date(2024, 5, 12)),
    ("Endet am 12. Mai 2024, 14:00 Uhr", date(2024, 5, 12)),
    ("3. März 2024", date(2024, 3, 3)),
    ("31.02.2024", None),
    ("soon", None),
]


@pytest.mark.parametrize("text,expected", DATES, ids=[d[0] for d in DATES])
def test_parse_date(text, expected):
    assert parse_date(text) == expected
