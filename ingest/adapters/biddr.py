"""Biddr (biddr.com/auctions/{auctioneer}/browse?a={sale}&l={lot}): the auctioneer is part of
the base URL (default https://www.biddr.com/auctions/biddr); the page names the lot number."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class Biddr(SelectorAdapter):
    house = "biddr"
    default_base_url = "https://www.biddr.com/auctions/biddr"
    lot_path = "/browse?a={sale}&l={lot}"
    url_key = re.compile(r"[?&]a=(?P<sale>[^&#]+)&l=(?P<lot>[^&#]+)")
    default_price_kind = "current"
    selectors = Selectors(
        title=".lot-view .lot-title", description=".lot-view .lot-description",
        images=".lot-view .lot-image-container img", estimate=".lot-view .lot-estimate",
        price=".lot-view .lot-price", closing=".lot-view .lot-end time",
        withdrawn=".lot-view .lot-withdrawn", lot=".lot-view .lot-number",
    )


ADAPTER = Biddr()
