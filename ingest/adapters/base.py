"""The adapter interface: address a sale's lots (fetching is the crawler's job) and parse a
lot page into a `Lot` (pure: HTML + URL in, Lot out, so stored snapshots can be re-parsed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from nummus.ingest.lot import Lot
from nummus.ingest.rejection import Rejected


class ParseError(Rejected):
    """A page that cannot be read as a lot page."""


@dataclass(frozen=True)
class LotRef:
    lot: str
    url: str


class Adapter:
    house: str = ""
    default_base_url: str = ""
    lot_path: str = ""                    # e.g. "/en/lot/{sale}/{lot}" (format fields: sale, lot)
    url_key: re.Pattern | None = None     # named groups sale/lot read back from a lot URL
    lists_lots: bool = False              # True: the sale has an index page listing its lots
    lists_sales: bool = False             # True: the house has an index page listing its sales

    def __init__(self, **settings) -> None:
        """A house is its class attributes; keyword arguments set them on one instance instead
        (the houses of houses.yaml are SelectorAdapters made that way)."""
        for name, value in settings.items():
            if not any(name in vars(c) or name in vars(c).get("__annotations__", {}) for c in type(self).__mro__):
                raise TypeError(f"{type(self).__name__} has no setting {name!r}")
            setattr(self, name, value)

    def base(self, base_url: str | None) -> str:
        return (base_url or self.default_base_url).rstrip("/")

    def lot_url(self, sale: str, lot: str, base_url: str | None = None) -> str:
        return self.base(base_url) + self.lot_path.format(sale=sale, lot=lot)

    def sale_index_url(self, sale: str, base_url: str | None = None) -> str | None:
        """The page listing the sale's lots, or None when lots are addressed by number."""
        return None

    def list_lots(self, html: str, url: str) -> list[LotRef]:
        """The lots linked from a sale index page (adapters with `lists_lots`)."""
        raise NotImplementedError(f"{self.house}: lots are addressed by number (use --lots A-B)")

    def house_index_url(self, base_url: str | None = None) -> str | None:
        """The page listing the house's sales, or None."""
        return None

    def list_sales(self, html: str) -> list[str]:
        raise NotImplementedError(f"{self.house}: name the sale (--sale)")

    def key_from_url(self, url: str) -> tuple[str | None, str | None]:
        m = self.url_key.search(url) if self.url_key else None
        return (m.group("sale"), m.group("lot")) if m else (None, None)

    def parse(self, html: str, url: str) -> Lot:
        raise NotImplementedError

    @staticmethod
    def absolute(urls: list[str], page_url: str) -> list[str]:
        """Image URLs made absolute, duplicates dropped, order kept."""
        seen: dict[str, None] = {}
        for u in urls:
            if u and not u.startswith("data:"):
                seen.setdefault(urljoin(page_url, u.strip()), None)
        return list(seen)
