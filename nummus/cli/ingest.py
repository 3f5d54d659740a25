"""Commands that bring lots in: scrape, import, reparse, and `nummus bench ingest`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from rich.console import Console

from nummus.cli.base import app, bench_app
from nummus.errors import NummusError

console = Console(highlight=False, stderr=True)


def _lot_range(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", text)
    if not m:
        raise NummusError(f"--lots wants A-B (e.g. 1-300) or one number, not {text!r}")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if b < a:
        raise NummusError(f"--lots {text}: the end is before the start")
    return a, b


def _summary_line(d: dict, keys: tuple[str, ...]) -> str:
    return "  ".join(f"{k} {d[k]}" for k in keys if k in d)


@app.command()
def scrape(
    house: str = typer.Argument(..., help="Auction house adapter: demo, jsonld, numisbids, leu, nomos, cng, "
                                          "kuenker, gorny, biddr."),
    sale: str = typer.Option(None, "--sale", help="Sale (auction) id as the house writes it (demo: default "
                                                  "every sale of the house index)."),
    lots: str = typer.Option(None, "--lots", help="Lot numbers A-B (default: the sale index, or 1.. until misses)."),
    base_url: str = typer.Option(None, "--base-url", help="Site root (demo: the served sample; jsonld: a URL "
                                                          "template with {sale} and {lot})."),
    rate: float = typer.Option(2.0, "--rate", min=0, envvar="NUMMUS_SCRAPE_RATE",
                               help="Seconds between requests to one host (0 for local)."),
    max_misses: int = typer.Option(20, "--max-misses", min=1, help="Consecutive missing lots that end a sale."),
    refresh: bool = typer.Option(False, "--refresh", help="Fetch finished lots again (changes: new versions)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (one line per sale)."),
) -> None:
    """Scrape a sale politely into the warehouse; rerun the same command to resume after a kill."""
    from nummus.ingest.adapters import UnknownHouse
    from nummus.ingest.crawl import list_sales
    from nummus.ingest.crawl import scrape as run_scrape
    from nummus.progress import Reporter

    try:
        sales = [sale] if sale else list_sales(house, base_url=base_url, rate=rate)
    except UnknownHouse as exc:
        raise NummusError(str(exc)) from None
    for one in sales:
        summary = run_scrape(house, one, lots=_lot_range(lots), base_url=base_url, rate=rate,
                             max_misses=max_misses, refresh=refresh, reporter=Reporter("lots"))
        _print_scrape(summary.model_dump(), as_json, max_misses)


def _print_scrape(d: dict, as_json: bool, max_misses: int) -> None:
    if as_json:
        print(json.dumps(d))
        return
    console.print(f"scraped {d['house']} sale {d['sale']}: " + _summary_line(
        d, ("stored", "unchanged", "missing", "withdrawn", "failed", "quarantined", "skipped", "images")) +
        f"  ({d['requests']} requests, {d['seconds']:.1f}s)")
    if d["reasons"]:
        console.print("quarantine reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(d["reasons"].items())))
    if d["stopped_after_misses"]:
        console.print(f"stopped after {max_misses} consecutive missing lots")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, help="CSV, JSONL or Parquet export."),
    images: Path = typer.Option(None, "--images", help="Folder the image path column is relative to."),
    mapping: Path = typer.Option(None, "--mapping", exists=True, help="JSON or YAML file: {column: field}."),
    maps: list[str] = typer.Option(None, "--map", help="column=field (repeatable), e.g. --map lot_no=lot."),
    house: str = typer.Option(None, "--house", help="House for rows without one."),
    sale: str = typer.Option(None, "--sale", help="Sale for rows without one."),
    currency: str = typer.Option(None, "--currency", help="Currency for rows without one (ISO code)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import lots from a file export (+ a folder of images); idempotent like scraping."""
    from nummus.ingest.importer import import_file, load_mapping
    from nummus.progress import Reporter

    column_map = load_mapping(mapping, maps or [])
    summary = import_file(path, images_dir=images, mapping=column_map, house=house, sale=sale,
                          currency=currency, reporter=Reporter("lots"))
    d = summary.model_dump()
    if as_json:
        print(json.dumps(d))
        return
    console.print(f"imported {path.name}: " + _summary_line(
        d, ("rows", "stored", "unchanged", "withdrawn", "images", "quarantined")))
    if d["reasons"]:
        console.print("quarantine reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(d["reasons"].items())))


@app.command()
def reparse(
    house: str = typer.Option(None, "--house", help="Only this house (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Parse stored page snapshots again with the current adapters (new version only when changed)."""
    from nummus.ingest.adapters import UnknownHouse
    from nummus.ingest.reparse import reparse as run_reparse
    from nummus.progress import Reporter

    try:
        d = run_reparse(house=house, reporter=Reporter("lots")).model_dump()
    except UnknownHouse as exc:  # bad input: one line, exit 2 (as scrape says it)
        raise NummusError(str(exc)) from None
    if as_json:
        print(json.dumps(d))
        return
    console.print("reparsed: " + _summary_line(d, ("checked", "new_versions", "unchanged", "failed")))


@bench_app.command("ingest")
def bench_ingest(
    lots: int = typer.Option(300, "--lots", min=1, help="Lots in the generated demo site."),
    site: Path = typer.Option(None, "--site", help="A `nummus sample` site to scrape instead of a generated one."),
    sale: str = typer.Option(None, "--sale", help="Sale of --site (default: the first in its index)."),
    seconds: float = typer.Option(3.0, "--seconds", help="Minimum time spent parsing snapshots."),
) -> None:
    """Lots/s parsing stored snapshots (one core) and wall time of a demo scrape at rate 0. JSON."""
    from nummus.bench.ingest import run_ingest_benchmark

    print(json.dumps(run_ingest_benchmark(lots=lots, site=site, sale=sale, min_seconds=seconds), indent=2))
