"""Classical Numismatic Group (cngcoins.com/Lot.aspx?LOT_ID={id}): the URL carries an internal
lot id, so the sale and lot number are read from the page (ASP.NET label ids)."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors

_P = "#ctl00_ContentPlaceHolder1_"


class CNG(SelectorAdapter):
    house = "cng"
    default_base_url = "https://www.cngcoins.com"
    lot_path = "/Lot.aspx?LOT_ID={lot}"
    url_key = re.compile(r"LOT_ID=(?P<lot>\d+)(?P<sale>)")
    default_currency = "USD"
    selectors = Selectors(
        title=f"{_P}lblTitle", description=f"{_P}lblDescription", images=f"{_P}pnlImages a",
        estimate=f"{_P}lblEstimate", price=f"{_P}lblSold", closing=f"{_P}lblClosing",
        withdrawn=f"{_P}lblWithdrawn", sale=f"{_P}lblEventName", lot=f"{_P}lblLotNumber",
    )


ADAPTER = CNG()
