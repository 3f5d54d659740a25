"""Nomos AG on its Obolos platform (nomosag.com/nomos-{sale}/{lot}), prices in CHF."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class Nomos(SelectorAdapter):
    house = "nomos"
    default_base_url = "https://nomosag.com"
    lot_path = "/nomos-{sale}/{lot}"
    url_key = re.compile(r"/nomos-(?P<sale>[^/]+)/(?P<lot>[^/?#]+)")
    default_currency = "CHF"
    selectors = Selectors(
        title=".lot-detail .lot-heading", description=".lot-detail .lot-description",
        images=".lot-detail .lot-images img", estimate=".lot-detail dd.estimate",
        price=".lot-detail dd.result", closing=".lot-detail dd.closing", withdrawn=".lot-detail .withdrawn",
    )


ADAPTER = Nomos()
