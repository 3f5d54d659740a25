"""The demo house's HTML pages, in the structure of docs/contracts.md ("The demo auction house")."""

from __future__ import annotations

from html import escape

from nummus.demo.house.plan import LotPlan, SalePlan
from nummus.demo.house.prices import format_estimate, format_hammer

HOUSE_NAME = "Demo Numismatics"
STYLE_CSS = """body{font-family:Georgia,serif;max-width:70em;margin:2em auto;color:#222}
a{color:#7a3b00}img.lot-image{max-width:100%;display:block;margin:1em 0;border:1px solid #ddd}
ul.lots li{margin:.3em 0}dl{display:grid;grid-template-columns:10em 1fr}dt{font-weight:bold}
p.lot-withdrawn{color:#a00;font-weight:bold}.lot-description{white-space:pre-line}
"""

_LABELS = {
    "en": {"estimate": "Estimate", "hammer": "Hammer", "closing": "Closing", "back": "Back to the sale",
           "withdrawn": "This lot has been withdrawn.", "lot": "Lot"},
    "de": {"estimate": "Schätzung", "hammer": "Zuschlag", "closing": "Auktionsende", "back": "Zurück zur Auktion",
           "withdrawn": "Dieses Los wurde zurückgezogen.", "lot": "Los"},
}


def _page(title: str, body: str, css: str, lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n"
            f'<link rel="stylesheet" href="{css}">\n</head>\n<body>\n{body}\n</body>\n</html>\n')


def index_page(sales: list[SalePlan]) -> str:
    items = "\n".join(
        f'<li><a class="sale" data-sale="{escape(s.sale)}" href="sales/{escape(s.sale)}/index.html">'
        f"{escape(s.title)}</a> (closing {s.closing.isoformat()}, {len(s.lots)} lots)</li>"
        for s in sales
    )
    body = f"<header><h1>{HOUSE_NAME}</h1><p>Auctions</p></header>\n<ul class=\"sales\">\n{items}\n</ul>"
    return _page(f"{HOUSE_NAME} — Auctions", body, "style.css")


def sale_page(sale: SalePlan) -> str:
    items = "\n".join(
        f'<li><a class="lot" data-lot="{escape(lp.lot)}" href="lots/{escape(lp.lot)}.html">'
        f"Lot {escape(lp.lot)}: {escape(lp.text.title)}</a></li>"
        for lp in sale.lots
    )
    body = (f'<header><p><a href="../../index.html">{HOUSE_NAME}</a></p><h1>{escape(sale.title)}</h1>'
            f'<p>Closing <time datetime="{sale.closing.isoformat()}">{sale.closing.isoformat()}</time></p></header>\n'
            f'<ul class="lots">\n{items}\n</ul>')
    return _page(sale.title, body, "../../style.css")


def image_name(lot: str, n: int) -> str:
    """The file name of a lot's n-th photo (0 = main): {lot}.jpg, {lot}_2.jpg, ..."""
    return f"{lot}.jpg" if n == 0 else f"{lot}_{n + 1}.jpg"


def lot_page(sale: SalePlan, lp: LotPlan, variant: int) -> str:
    lang = lp.text.language
    lab = _LABELS[lang]
    images = "\n".join(
        f'<img class="lot-image" src="../images/{image_name(lp.lot, i)}" alt="{escape(lp.text.title)}" '
        f'width="{ph.width}" height="{ph.height}">'
        for i, ph in enumerate(lp.photos)
    )
    rows = [f'<dt>{lab["estimate"]}</dt><dd class="estimate">{escape(format_estimate(lp.pricing, variant))}</dd>']
    if lp.status == "withdrawn":
        withdrawn = f'<p class="lot-withdrawn">{lab["withdrawn"]}</p>\n'
    else:
        withdrawn = ""
        rows.append(f'<dt>{lab["hammer"]}</dt><dd class="hammer">{escape(format_hammer(lp.pricing, variant))}</dd>')
    rows.append(f'<dt>{lab["closing"]}</dt><dd><time class="closing" datetime="{lp.closing.isoformat()}">'
                f"{lp.closing.strftime('%d.%m.%Y' if lang == 'de' else '%d %B %Y')}</time></dd>")
    body = (
        f'<nav><a href="../../../index.html">{HOUSE_NAME}</a> › '
        f'<a href="../index.html">{escape(sale.title)}</a></nav>\n'
        f'<article class="lot" data-house="demo" data-sale="{escape(lp.sale)}" data-lot="{escape(lp.lot)}">\n'
        f'<p class="lot-number">{lab["lot"]} {escape(lp.lot)}</p>\n'
        f'<h1 class="lot-title">{escape(lp.text.title)}</h1>\n{withdrawn}{images}\n'
        f'<div class="lot-description">{escape(lp.text.description)}</div>\n'
        f"<dl>\n" + "\n".join(rows) + "\n</dl>\n</article>"
    )
    return _page(f"{lab['lot']} {lp.lot}: {lp.text.title}", body, "../../../style.css", lang)
