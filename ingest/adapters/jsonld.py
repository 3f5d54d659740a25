"""A generic lot page described by schema.org JSON-LD (Product/IndividualProduct with an
Offer) and/or OpenGraph meta tags. Address lots with a URL template as base URL, e.g.
`--base-url 'https://house.example/auction/{sale}/lot/{lot}'`; the key is read from the
JSON-LD (`sku` "sale-lot", or `productID`) or from the last two path segments."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from nummus.ingest.adapters.base import Adapter, ParseError
from nummus.ingest.closing_dates import parse_date
from nummus.ingest.lot import Lot
from nummus.errors import NummusError

_PRODUCT_TYPES = {"Product", "IndividualProduct", "Offer"}


def _items(data) -> list[dict]:
    if isinstance(data, list):
        return [i for d in data for i in _items(d)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _items(data["@graph"])
        return [data]
    return []


def _types(item: dict) -> set[str]:
    t = item.get("@type", [])
    return set(t if isinstance(t, list) else [t])


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    from nummus.ingest.money import parse_number

    return float(value) if isinstance(value, (int, float)) else parse_number(str(value))


class JsonLd(Adapter):
    house = "jsonld"
    lot_path = "/{sale}/{lot}"

    def __init__(self, house: str = "jsonld"):
        self.house = house

    def lot_url(self, sale, lot, base_url=None):
        if base_url and "{lot}" in base_url:
            return base_url.format(sale=sale, lot=lot)
        if not base_url:
            raise NummusError("jsonld: give --base-url, a URL template with {sale} and {lot}")
        return super().lot_url(sale, lot, base_url)

    def key_from_url(self, url):
        parts = [p for p in urlparse(url).path.split("/") if p]
        return (parts[-2], parts[-1]) if len(parts) >= 2 else (None, None)

    def parse(self, html: str, url: str) -> Lot:
        tree = HTMLParser(html)
        product: dict = {}
        for script in tree.css('script[type="application/ld+json"]'):
            try:
                items = _items(json.loads(script.text() or "null"))
            except json.JSONDecodeError:
                continue
            product = next((i for i in items if _types(i) & _PRODUCT_TYPES), product)
        meta = {n.attributes.get("property") or n.attributes.get("name"): n.attributes.get("content")
                for n in tree.css("meta[content]")}
        if not product and not meta.get("og:title"):
            raise ParseError("not_a_lot_page", f"jsonld: no JSON-LD product or og:title at {url}")
        offer = product.get("offers") or {}
        offer = offer[0] if isinstance(offer, list) and offer else offer
        sale, lot = self.key_from_url(url)
        sku = str(product.get("sku") or "")
        if m := re.fullmatch(r"(?P<sale>.+?)[-/](?P<lot>[^-/]+)", sku):
            sale, lot = m.group("sale"), m.group("lot")
        elif product.get("productID"):
            lot = str(product["productID"])
        if not sale or not lot:
            raise ParseError("no_lot_key", f"jsonld: cannot tell sale and lot of {url}")
        images = product.get("image") or []
        images = [images] if isinstance(images, (str, dict)) else images
        images = [i.get("url") if isinstance(i, dict) else i for i in images]
        images += [v for k, v in meta.items() if k in ("og:image", "og:image:url")]
        availability = str(offer.get("availability", ""))
        price = _number(offer.get("price") or meta.get("product:price:amount"))
        estimate = offer.get("priceSpecification") or {}
        return Lot(
            house=self.house, sale=sale, lot=lot, lot_url=product.get("url") or meta.get("og:url") or url,
            title=product.get("name") or meta.get("og:title"),
            description=product.get("description") or meta.get("og:description"),
            estimate_low=_number(estimate.get("minPrice")), estimate_high=_number(estimate.get("maxPrice")),
            price=price, price_kind=("unsold" if "OutOfStock" in availability and price is None
                                     else "current" if price is not None else None),
            currency=offer.get("priceCurrency") or meta.get("product:price:currency"),
            closing_date=parse_date(offer.get("availabilityEnds") or offer.get("priceValidUntil")),
            image_urls=self.absolute([i for i in images if i], url),
            status="withdrawn" if "Discontinued" in availability else "ok", raw_html=html,
        )


ADAPTER = JsonLd()
