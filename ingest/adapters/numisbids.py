"""NumisBids (numisbids.com/n.php?p=lot&sid={sale}&lot={lot}): hosted sales of many houses;
the lot text is one description block whose bold head serves as the title."""

import re

from nummus.ingest.adapters.selectors import SelectorAdapter, Selectors


class NumisBids(SelectorAdapter):
    house = "numisbids"
    default_base_url = "https://www.numisbids.com"
    lot_path = "/n.php?p=lot&sid={sale}&lot={lot}"
    url_key = re.compile(r"[?&]sid=(?P<sale>[^&#]+)&lot=(?P<lot>[^&#]+)")
    selectors = Selectors(
        title="#lotdetail .description b", description="#lotdetail .description",
        images="#lotdetail .lotimage a", estimate="#lotdetail .estimate",
        price="#lotdetail .realized", closing=".saleinfo .closing", withdrawn="#lotdetail .withdrawn",
        lot="#lotdetail .lotnum",
    )


ADAPTER = NumisBids()
