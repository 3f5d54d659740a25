"""Gorny & Mosch (auktionen.gmcoinart.de/Los/{sale}/{lot}.0): German labels, EUR."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class Gorny(SelectorAdapter):
    house = "gorny"
    default_base_url = "https://auktionen.gmcoinart.de"
    lot_path = "/Los/{sale}/{lot}.0"
    url_key = re.compile(r"/Los/(?P<sale>[^/]+)/(?P<lot>\d+)")
    default_currency = "EUR"
    selectors = Selectors(
        title="#losDetail .losTitel", description="#losDetail .losBeschreibung",
        images="#losDetail .losBilder img", estimate="#losDetail .schaetzung",
        price="#losDetail .zuschlag", closing="#losDetail .auktionsdatum",
        withdrawn="#losDetail .zurueckgezogen",
    )


ADAPTER = Gorny()
