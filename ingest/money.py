"""Money as auction pages write it: "1,200", "1.200,50", "CHF 1'500", "£1,200 - £1,500",
"Unsold", "Starting price: 75 CHF", "€ 2.500", "1 200 €" → amount + ISO 4217 currency.

Grouping versus decimals: a separator followed by exactly three digits at the end of a number
groups thousands ("1,200" is 1200, never 1.2); the last of two different separators is the
decimal one ("1.200,50", "1,200.50")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# symbols and words before codes; longest first so "US$" wins over "$"
_SYMBOLS = {
    "US$": "USD", "C$": "CAD", "A$": "AUD", "SFr.": "CHF", "SFr": "CHF", "sFr": "CHF", "Fr.": "CHF",
    "€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "kr": "SEK", "DM": "DEM",
    "Euro": "EUR", "EURO": "EUR", "euro": "EUR",
}
_CODES = {"EUR", "USD", "GBP", "CHF", "JPY", "SEK", "DKK", "NOK", "AUD", "CAD", "CZK", "PLN", "HUF",
          "INR", "CNY", "HKD", "SGD", "NZD", "RUB", "TRY", "ILS", "DEM"}
_CODE_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_CODES)) + r")(?![A-Za-z])")
_SYMBOL_RE = re.compile("|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True)))

_UNSOLD = re.compile(r"\b(unsold|not sold|passed|no bids?|unverkauft|nicht verkauft|zurückgezogen|"
                     r"withdrawn|invendu|non venduto)\b", re.I)
_KINDS = [
    ("starting", re.compile(r"\b(starting|start(preis)?|opening|ausruf|mindestgebot|reserve)\b", re.I)),
    ("current", re.compile(r"\b(current|aktuell(es)?|höchstgebot|high(est)? bid|leading bid)\b", re.I)),
    ("hammer", re.compile(r"\b(hammer|zuschlag|sold|realized|realised|ergebnis|price realized)\b", re.I)),
]
# a number: digits with optional grouping (, . ' ’ space, narrow/no-break space) and decimals
_NUMBER = re.compile(r"(?<!\d)(?:\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2}(?!\d))?|\d+(?:[.,]\d+)?)")
_RANGE_SPLIT = re.compile(r"\s*(?:–|—|-|\bto\b|\bbis\b)\s*(?=\D{0,6}\d)")


@dataclass(frozen=True)
class Money:
    amount: float | None
    currency: str | None
    kind: str | None = None          # hammer | current | starting | unsold | None (unlabelled)


@dataclass(frozen=True)
class MoneyRange:
    low: float | None
    high: float | None
    currency: str | None


class MoneyError(ValueError):
    """Text that holds no readable amount."""


def currency_of(text: str) -> str | None:
    """The ISO code named in text (a code, a symbol or a word), or None."""
    code = _CODE_RE.search(text)
    if code:
        return code.group(1)
    symbol = _SYMBOL_RE.search(text)
    return _SYMBOLS[symbol.group(0)] if symbol else None


def parse_number(token: str) -> float:
    """One number with thousands grouping and/or decimals, e.g. "1.200,50" → 1200.5."""
    t = re.sub(r"[\u00a0\u202f '’]", "", token.strip())
    t = re.sub(r"[.,][-–]+$", "", t)  # "75,-" / "75.–"
    if not t or not re.fullmatch(r"[\d.,]+", t) or not t[0].isdigit():
        raise MoneyError(f"not a number: {token!r}")
    seps = [c for c in t if c in ".,"]
    if not seps:
        return float(t)
    if len(set(seps)) == 2:
        decimal = t[max(t.rfind("."), t.rfind(","))]
        group = "," if decimal == "." else "."
        return float(t.replace(group, "").replace(decimal, "."))
    sep = seps[0]
    head, _, tail = t.rpartition(sep)
    if len(seps) > 1:
        parts = t.split(sep)
        if all(len(p) == 3 for p in parts[1:]):
            return float(t.replace(sep, ""))
        raise MoneyError(f"ambiguous grouping: {token!r}")
    if len(tail) == 3:
        return float(head + tail)  # thousands: 1,200 / 2.500
    return float(f"{head}.{tail}")


def _numbers(text: str) -> list[float]:
    return [parse_number(m.group(0).strip()) for m in _NUMBER.finditer(text)]


def parse_money(text: str | None, default_currency: str | None = None) -> Money:
    """One amount with its currency and kind; "Unsold" is Money(None, None, "unsold").
    Raises MoneyError when the text has neither an amount nor an unsold marker."""
    if text is None or not text.strip():
        raise MoneyError("empty amount")
    if _UNSOLD.search(text) and not _NUMBER.search(text):
        return Money(None, currency_of(text) or default_currency, "unsold")
    kind = next((name for name, rx in _KINDS if rx.search(text)), None)
    numbers = _numbers(text)
    if not numbers:
        raise MoneyError(f"no amount in {text!r}")
    if _UNSOLD.search(text):
        kind = "unsold"
    return Money(numbers[0], currency_of(text) or default_currency, kind)


def parse_range(text: str | None, default_currency: str | None = None) -> MoneyRange:
    """An estimate: "£1,200 - £1,500", "1.000 – 1.500 EUR", "200 USD" (low 200, no high)."""
    if text is None or not text.strip():
        raise MoneyError("empty estimate")
    currency = currency_of(text) or default_currency
    parts = _RANGE_SPLIT.split(text, maxsplit=1)
    values = [n for part in parts for n in _numbers(part)[:1]]
    if not values:
        raise MoneyError(f"no amount in {text!r}")
    if len(values) == 1:
        return MoneyRange(values[0], None, currency)  # one figure: a low estimate, no high
    low, high = values[0], values[-1]
    return MoneyRange(min(low, high), max(low, high), currency)
