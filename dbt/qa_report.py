"""The QA report: what the warehouse holds, as an HTML page (plots embedded as PNG) and the same
figures as JSON, written to the object store (`reports/qa_<timestamp>.html|json`) and recorded
in `meta.qa_reports` (gate_go checks that a report exists for the current coins).

Figures: row counts, null rates per marts.coins column, period and denomination distributions,
coverage by house and sale, crop status and flag distribution, parser confidence histogram,
quarantine by stage and reason.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timezone

from nummus import objectstore, warehouse
from nummus.errors import NummusError
from nummus.settings import Settings, get_settings

TOP = 25  # bars per distribution chart


def _pairs(con, sql: str) -> list[list]:
    return [list(r) for r in con.execute(sql).fetchall()]


def collect_figures(con) -> dict:
    """Every figure of the report as plain data (the JSON half of the report)."""
    names = ["lots", "lot_snapshots", "images", "crops", "labels", "coins", "quarantined"]
    values = con.execute("""
        SELECT (SELECT count(DISTINCT (house, sale, lot)) FROM raw.lots),
               (SELECT count(*) FROM raw.lots), (SELECT count(*) FROM raw.images),
               (SELECT count(*) FROM raw.crops), (SELECT count(*) FROM raw.labels),
               (SELECT count(*) FROM marts.coins), (SELECT count(*) FROM raw.quarantine)
    """).fetchone()
    counts = {k: int(v) for k, v in zip(names, values)}
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts'"
        " AND table_name = 'coins' ORDER BY ordinal_position").fetchall()]
    nulls = con.execute("SELECT " + ", ".join(
        f'coalesce(avg(("{c}" IS NULL)::INTEGER), 0)' for c in columns) + " FROM marts.coins").fetchone()
    bins = "least(floor(x * 10), 9) / 10"
    return {
        "row_counts": counts,
        "null_rates": {c: round(float(v), 4) for c, v in zip(columns, nulls)},
        "period": _pairs(con, "SELECT coalesce(period, '(none)'), count(*) FROM marts.coins GROUP BY 1 ORDER BY 2 DESC"),
        "denomination": _pairs(con, f"SELECT coalesce(denomination, '(none)'), count(*) FROM marts.coins"
                                    f" GROUP BY 1 ORDER BY 2 DESC LIMIT {TOP}"),
        "coverage_by_house_sale": _pairs(con, """
            SELECT house, sale, sum(coins)::BIGINT,
                   round(sum(share_cropped * coins) / sum(coins), 4),
                   round(sum(share_denomination * coins) / sum(coins), 4),
                   round(sum(coins) FILTER (WHERE period <> '(none)') / sum(coins), 4)
            FROM marts.coverage GROUP BY 1, 2 ORDER BY 1, 2"""),
        "crop_status": _pairs(con, "SELECT coalesce(crop_status, '(not cropped)'), count(*) FROM marts.coins"
                                   " GROUP BY 1 ORDER BY 2 DESC"),
        "crop_flags": _pairs(con, f"""
            SELECT flag, count(*) FROM (
                SELECT unnest(coalesce(obv_flags, []) || coalesce(rev_flags, [])) AS flag FROM marts.coins)
            GROUP BY 1 ORDER BY 2 DESC LIMIT {TOP}"""),
        "confidence_histogram": {
            field: _pairs(con, f"SELECT {bins} AS bin, count(*) FROM (SELECT {field} AS x FROM marts.coins"
                               f" WHERE {field} IS NOT NULL AND NOT isnan({field})) GROUP BY 1 ORDER BY 1")
            for field in ("period_conf", "denomination_conf")},
        "quarantine": _pairs(con, "SELECT stage, reason, count(*) FROM raw.quarantine GROUP BY 1, 2 ORDER BY 3 DESC"),
    }


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _bar(title: str, pairs: list[list], horizontal: bool = False) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not pairs:
        return None
    labels, values = [str(p[0]) for p in pairs], [p[-1] for p in pairs]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.25 * len(labels)) if horizontal else 3.5))
    if horizontal:
        ax.barh(labels[::-1], values[::-1], color="#8a6d3b")
    else:
        ax.bar(labels, values, color="#8a6d3b")
        ax.tick_params(axis="x", rotation=45)
        plt.setp(ax.get_xticklabels(), ha="right")
    ax.set_title(title)
    try:
        return _png(fig)
    finally:
        plt.close(fig)


def _charts(fig: dict) -> dict[str, str | None]:
    hist = fig["confidence_histogram"]
    return {
        "Null rate per column (marts.coins)": _bar("share null", [[k, v] for k, v in fig["null_rates"].items()], True),
        "Period": _bar("coins per period", fig["period"]),
        "Denomination": _bar(f"coins per denomination (top {TOP})", fig["denomination"]),
        "Crop status": _bar("coins per crop status", fig["crop_status"]),
        "Crop flags": _bar("crops per flag", fig["crop_flags"]),
        "Parser confidence: period": _bar("period_conf histogram (bin start)", hist["period_conf"]),
        "Parser confidence: denomination": _bar("denomination_conf histogram (bin start)", hist["denomination_conf"]),
        "Quarantine": _bar("quarantined by stage/reason", [[f"{s}/{r}", n] for s, r, n in fig["quarantine"]], True),
    }


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nummus QA report {{ report_id }}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f4f0e6}img{max-width:100%}</style>
</head><body>
<h1>nummus QA report</h1>
<p>{{ created_at }} · warehouse {{ warehouse }}</p>
<h2>Row counts</h2>
<table>{% for k, v in figures.row_counts.items() %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>Coverage by house and sale</h2>
<table><tr><th>house</th><th>sale</th><th>coins</th><th>cropped</th><th>denomination</th><th>period</th></tr>
{% for r in figures.coverage_by_house_sale %}<tr>{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% for title, png in charts.items() %}<h2>{{ title }}</h2>
{% if png %}<img alt="{{ title }}" src="data:image/png;base64,{{ png }}">{% else %}<p>(no data)</p>{% endif %}
{% endfor %}
</body></html>
"""


def write_report(settings: Settings | None = None) -> str:
    """Write the report (HTML + JSON) to the object store and record it in meta.qa_reports.
    Returns where the HTML lies: a file path on a local store, the store URL otherwise."""
    import jinja2

    settings = settings or get_settings()
    store = objectstore.get_store(settings)
    created = datetime.now(timezone.utc)
    report_id = f"qa_{created.strftime('%Y%m%dT%H%M%S%fZ')}"
    with warehouse.session(settings) as con:
        built = con.execute("SELECT count(*) FROM information_schema.tables"
                            " WHERE table_schema = 'marts' AND table_name = 'coins'").fetchone()[0]
        if not built:  # a first run: nothing to report on yet
            raise NummusError("marts.coins does not exist yet: run `nummus build` before the QA report")
        figures = collect_figures(con)
    charts = _charts(figures)
    html = jinja2.Environment(autoescape=True).from_string(PAGE).render(
        report_id=report_id, created_at=created.isoformat(timespec="seconds"), warehouse=settings.warehouse_path,
        figures=figures, charts=charts)
    document = {"report_id": report_id, "created_at": created.isoformat(), "figures": figures,
                "charts": sorted(k for k, v in charts.items() if v)}
    html_key, json_key = f"reports/{report_id}.html", f"reports/{report_id}.json"
    store.put(json_key, json.dumps(document, indent=1, default=str).encode())
    store.put(html_key, html.encode())
    with warehouse.session(settings) as con:
        con.execute("INSERT INTO meta.qa_reports (report_id, created_at, coins, html_key, json_key)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [report_id, created.replace(tzinfo=None), figures["row_counts"]["coins"], html_key, json_key])
    return store.local_path(html_key) or f"{store.url.rstrip('/')}/{html_key}"
