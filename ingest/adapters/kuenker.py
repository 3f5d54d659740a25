"""Künker eAuction (auex.de/de/product/{sale}-{lot}): German labels, EUR."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class Kuenker(SelectorAdapter):
    house = "kuenker"
    default_base_url = "https://www.auex.de"
    lot_path = "/de/product/{sale}-{lot}"
    url_key = re.compile(r"/product/(?P<sale>\d+)-(?P<lot>\d+[a-zA-Z]?)")
    default_currency = "EUR"
    default_price_kind = "current"
    selectors = Selectors(
        title=".product-detail h1.product-title", description=".product-detail .product-description",
        images=".product-gallery a[data-zoom]", estimate=".product-detail .ausruf",
        price=".product-detail .gebot", closing=".product-detail .end-date",
        withdrawn=".product-detail .zurueckgezogen",
    )


ADAPTER = Kuenker()
