"""An adapter described by CSS selectors: most auction houses differ only in where the title,
description, estimate, price, date and photos sit on the lot page. Those houses are data, one
entry each in houses.yaml (`load_houses`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser, LexborNode as Node

from nummus.errors import NummusError
from nummus.ingest.adapters import HOUSES_FILE, house_table
from nummus.ingest.adapters.base import Adapter, ParseError
from nummus.ingest.closing_dates import parse_date
from nummus.ingest.lot import Lot
from nummus.ingest.money import MoneyError, parse_money, parse_range

_IMAGE_ATTRS = ("data-zoom-image", "data-zoom", "data-large", "data-src", "href", "src")
_LOT_NUMBER = re.compile(r"\d+[A-Za-z]?")


def text_of(node: Node | None) -> str | None:
    if node is None:
        return None
    text = " ".join(node.text(separator=" ").split())
    return text or None


def first_text(tree: HTMLParser | Node, css: str | None) -> str | None:
    return text_of(tree.css_first(css)) if css else None


def image_sources(tree: HTMLParser | Node, css: str) -> list[str]:
    out = []
    for node in tree.css(css):
        attrs = node.attributes
        src = next((attrs[a] for a in _IMAGE_ATTRS if attrs.get(a)), None)
        if src:
            out.append(src)
    return out


@dataclass(frozen=True)
class Selectors:
    title: str
    description: str
    images: str
    estimate: str | None = None
    price: str | None = None
    closing: str | None = None
    withdrawn: str | None = None          # present = withdrawn
    withdrawn_text: str | None = None     # regex on the page text
    sale: str | None = None               # where the page names the sale / lot (else the URL)
    lot: str | None = None


class SelectorAdapter(Adapter):
    selectors: Selectors
    default_currency: str | None = None
    default_price_kind: str = "hammer"

    def parse(self, html: str, url: str) -> Lot:
        tree = HTMLParser(html)
        s = self.selectors
        sale, lot = self.key_from_url(url)
        sale = self.page_sale(tree) or sale
        lot = self.page_lot(tree) or lot
        if not sale or not lot:
            raise ParseError("no_lot_key", f"{self.house}: cannot tell sale and lot of {url}")
        title = first_text(tree, s.title)
        description = first_text(tree, s.description)
        if not title and not description:
            raise ParseError("not_a_lot_page", f"{self.house}: no title or description at {url}")
        withdrawn = (s.withdrawn and tree.css_first(s.withdrawn) is not None) or (
            s.withdrawn_text and re.search(s.withdrawn_text, text_of(tree.body) or "", re.I))
        fields = dict(house=self.house, sale=sale, lot=lot, lot_url=url, title=title,
                      description=description, status="withdrawn" if withdrawn else "ok",
                      image_urls=self.absolute(image_sources(tree, s.images), url), raw_html=html)
        fields.update(self.money_fields(first_text(tree, s.estimate), first_text(tree, s.price)))
        fields["closing_date"] = self.closing_date(tree)
        return Lot(**fields)

    def page_sale(self, tree: HTMLParser) -> str | None:
        return first_text(tree, self.selectors.sale)

    def page_lot(self, tree: HTMLParser) -> str | None:
        text = first_text(tree, self.selectors.lot)
        m = _LOT_NUMBER.search(text) if text else None
        return m.group(0) if m else None

    def closing_date(self, tree: HTMLParser):
        if not self.selectors.closing:
            return None
        node = tree.css_first(self.selectors.closing)
        if node is None:
            return None
        return parse_date(node.attributes.get("datetime")) or parse_date(text_of(node))

    def money_fields(self, estimate: str | None, price: str | None) -> dict:
        out: dict = {}
        currency = self.default_currency
        if estimate:
            try:
                rng = parse_range(estimate, self.default_currency)
                out.update(estimate_low=rng.low, estimate_high=rng.high)
                currency = rng.currency or currency
            except MoneyError:
                pass
        if price:
            try:
                money = parse_money(price, currency)
                out.update(price=money.amount, price_kind=money.kind or self.default_price_kind)
                currency = money.currency or currency
            except MoneyError:
                pass
        out["currency"] = currency
        return out


_SETTINGS = ("default_base_url", "lot_path", "url_key", "default_currency", "default_price_kind", "selectors")


@functools.cache
def load_houses(path: Path = HOUSES_FILE) -> dict[str, SelectorAdapter]:
    """One SelectorAdapter per entry of houses.yaml (built once: get_adapter hands out the same one)."""
    return {house: _adapter(path, house, entry) for house, entry in house_table(path).items()}


def _adapter(path: Path, house: str, entry: dict) -> SelectorAdapter:
    def bad(why: str) -> NummusError:
        return NummusError(f"house table {path}: {house}: {why}")

    unknown = sorted(set(entry) - set(_SETTINGS))
    if unknown:
        raise bad(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(_SETTINGS)}")
    if "{lot}" not in str(entry.get("lot_path", "")) or not entry.get("default_base_url"):
        raise bad("default_base_url and a lot_path with {lot} are needed")
    try:
        url_key = re.compile(str(entry.get("url_key", "")))
    except re.error as exc:
        raise bad(f"url_key is not a regex: {exc}") from exc
    if not {"sale", "lot"} <= set(url_key.groupindex):
        raise bad("url_key needs the named groups sale and lot")
    css = entry.get("selectors") or {}
    names = {f.name for f in fields(Selectors)}
    if not isinstance(css, dict) or set(css) - names or not {"title", "description", "images"} <= set(css):
        raise bad(f"selectors must give title, description and images, and only {', '.join(sorted(names))}")
    return SelectorAdapter(house=house, **{**entry, "url_key": url_key, "selectors": Selectors(**css)})
