"""Leu Numismatik web auctions (leunumismatik.com/en/lot/{sale}/{lot}), prices in CHF."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class Leu(SelectorAdapter):
    house = "leu"
    default_base_url = "https://leunumismatik.com"
    lot_path = "/en/lot/{sale}/{lot}"
    url_key = re.compile(r"/lot/(?P<sale>[^/]+)/(?P<lot>[^/?#]+)")
    default_currency = "CHF"
    default_price_kind = "current"
    selectors = Selectors(
        title="h1.lot-title", description="div.lot-text", images=".lot-gallery a.zoom",
        estimate=".lot-prices .estimate", price=".lot-prices .bid", closing=".lot-closing time",
        withdrawn=".lot-status.withdrawn",
    )


ADAPTER = Leu()
