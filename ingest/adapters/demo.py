"""The local demo auction house (`nummus sample`, structure in docs/contracts.md): a sale
index lists the lots; each lot page is an `article.lot` carrying its key in data attributes."""

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from nummus.ingest.adapters.base import LotRef
from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors

_ARTICLE = "article.lot"


class Demo(SelectorAdapter):
    house = "demo"
    default_base_url = "http://127.0.0.1:8000"
    lot_path = "/sales/{sale}/lots/{lot}.html"
    url_key = re.compile(r"/sales/(?P<sale>[^/]+)/lots/(?P<lot>[^/]+)\.html")
    lists_lots = True
    lists_sales = True
    selectors = Selectors(
        title=f"{_ARTICLE} h1.lot-title", description=f"{_ARTICLE} div.lot-description",
        images=f"{_ARTICLE} img.lot-image", estimate=f"{_ARTICLE} dd.estimate",
        price=f"{_ARTICLE} dd.hammer", closing=f"{_ARTICLE} time.closing",
        withdrawn=f"{_ARTICLE} p.lot-withdrawn",
    )

    def house_index_url(self, base_url=None):
        return f"{self.base(base_url)}/index.html"

    def list_sales(self, html):
        sales = (a.attributes.get("data-sale") for a in HTMLParser(html).css("a.sale"))
        return list(dict.fromkeys(s.strip() for s in sales if s and s.strip()))

    def sale_index_url(self, sale, base_url=None):
        return f"{self.base(base_url)}/sales/{sale}/index.html"

    def list_lots(self, html, url):
        refs = []
        for a in HTMLParser(html).css("a.lot"):
            lot, href = a.attributes.get("data-lot"), a.attributes.get("href")
            if lot and href:
                refs.append(LotRef(lot.strip(), self.absolute([href], url)[0]))
        return refs

    def page_sale(self, tree):
        node = tree.css_first(_ARTICLE)
        return node.attributes.get("data-sale") if node else None

    def page_lot(self, tree):
        node = tree.css_first(_ARTICLE)
        return node.attributes.get("data-lot") if node else None


ADAPTER = Demo()
