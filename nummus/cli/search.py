"""`nummus search`, `nummus serve` and `nummus bench search`: thin commands over app/."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nummus.cli.base import app, bench_app
from nummus.errors import NummusError


def _filters(**values):
    from pydantic import ValidationError

    from nummus.app.filters import SearchFilters

    try:
        return SearchFilters(**values)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'filters'}: {e['msg']}" for e in exc.errors())
        raise NummusError(f"bad filter: {msgs}") from exc


async def _run_search(settings, image: Path | None, coin: int | None, side: str, k: int, filters) -> dict:
    from nummus.app.db import app_database_url, make_pool, open_pool
    from nummus.app.service import SearchService
    from nummus.app.upload import UploadRejected, check_upload

    url = app_database_url(settings)
    pool = make_pool(url, min_size=1, max_size=1)
    await open_pool(pool, url)
    service = SearchService(pool, encoder_threads=1)
    try:
        if coin is not None:
            return await service.similar(coin, side="pair" if side == "auto" else side, k=k, filters=filters)
        data = image.read_bytes()
        try:
            check_upload(data)
            encoder = await service.encoder_for_serving()
            return await service.search_upload(data, encoder, side=side, k=k, filters=filters)
        except UploadRejected as exc:
            _refuse(settings, image, exc)
    finally:
        await service.close()
        await pool.close()


def _refuse(settings, image: Path, exc) -> None:
    """A query image the search refused: recorded in raw.quarantine (stage 'search'), then the
    user's error. A warehouse that cannot take the row (absent, or locked by a running step)
    is named in the same line; any other failure is a real error and surfaces as one."""
    from nummus import quarantine
    from nummus.errors import StoreUnavailable

    try:
        quarantine.record(settings, "search", exc.reason, exc.message, ref=str(image))
    except StoreUnavailable as store:
        raise NummusError(f"{image}: {exc.message} (not recorded in raw.quarantine: {store})") from exc
    raise NummusError(f"{image}: {exc.message}") from exc


@app.command()
def search(
    image: Path = typer.Argument(None, exists=True, dir_okay=False, help="Lot photo (both sides), one side or a crop."),
    coin: int = typer.Option(None, "--coin", help="Search like this coin (instead of an image)."),
    period: str = typer.Option(None, "--period", help="Only coins of this period (e.g. roman_imperial)."),
    denomination: str = typer.Option(None, "--denomination"),
    house: str = typer.Option(None, "--house"),
    price_min: float = typer.Option(None, "--price-min"),
    price_max: float = typer.Option(None, "--price-max"),
    sold_from: str = typer.Option(None, "--sold-from", help="Closing date on or after (YYYY-MM-DD)."),
    sold_to: str = typer.Option(None, "--sold-to"),
    side: str = typer.Option("auto", "--side", help="auto | obv | rev (image); pair | obv | rev (--coin)."),
    k: int = typer.Option(10, "-k", "--k", min=1, max=100, help="How many coins."),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON."),
) -> None:
    """The coins most like IMAGE (or like --coin COIN_ID), as app2's /api/search answers."""
    import asyncio

    from rich.console import Console
    from rich.table import Table

    from nummus.settings import get_settings

    if (image is None) == (coin is None):
        raise NummusError("give an IMAGE or --coin COIN_ID (one of them)")
    allowed = ("auto", "obv", "rev") if image is not None else ("auto", "pair", "obv", "rev")
    if side not in allowed:
        raise NummusError(f"--side must be one of {', '.join(allowed)}")
    filters = _filters(period=period, denomination=denomination, house=house, price_min=price_min,
                       price_max=price_max, sold_from=sold_from, sold_to=sold_to)
    result = asyncio.run(_run_search(get_settings(), image, coin, side, k, filters))
    if as_json:
        print(json.dumps(result, default=str, indent=2))
        return
    console = Console(highlight=False)
    if "query" in result:
        q = result["query"]
        console.print(f"query: layout {q['layout']}, sides {', '.join(q['sides'])}, compared with {q['searched']} "
                      f"vectors; {result['timings_ms']['total']} ms")
    table = Table("coin_id", "cosine", "period", "denomination", "house", "sale", "lot", "price", "title")
    for h in result["results"]:
        table.add_row(str(h["coin_id"]), f"{h['cosine']:.4f}", h["period"] or "", h["denomination"] or "",
                      h["house"] or "", h["sale"] or "", h["lot"] or "",
                      "" if h["price"] is None else f"{h['price']:,.0f} {h['currency'] or ''}", (h["title"] or "")[:60])
    console.print(table)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
) -> None:
    """Serve app2 (search pages and JSON API) on the serving index."""
    from nummus.app.server import serve as run_server
    from nummus.settings import get_settings

    run_server(get_settings(), host, port)


@bench_app.command("search")
def bench_search(
    n: int = typer.Option(100_000, "--n", min=100, help="Synthetic coins."),
    dim: int = typer.Option(512, "--dim", min=8, max=4000),
    queries: int = typer.Option(200, "--queries", min=10, help="Queries per filter."),
    clients: int = typer.Option(8, "--clients", min=1),
    e2e: bool = typer.Option(True, "--e2e/--no-e2e", help="Also time /api/search end to end."),
    encoder: str = typer.Option("clip:ViT-B-32:random", "--encoder",
                                help="Encoder for the end-to-end part (its dim must equal --dim)."),
    image: Path = typer.Option(None, "--image", exists=True, dir_okay=False,
                               help="Lot photo for the end-to-end part (default: a generated one)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build the benchmark database again."),
) -> None:
    """recall@10 vs exact, rows returned, SQL p50/p95/p99 and q/s per filter; /api/search end to end. JSON."""
    from rich.console import Console

    from nummus.bench.search import run
    from nummus.progress import job_progress
    from nummus.settings import get_settings

    console = Console(stderr=True, highlight=False)
    bar = job_progress("vectors", console=console, transient=True)
    tasks: dict[str, int] = {}

    def progress(item):
        if isinstance(item, dict):   # one filter measured
            console.print(f"  {json.dumps(item['filter'])}: recall {item['recall_at_k']}, "
                          f"p95 {item['p95_ms']} ms, paths {item['paths']}")
            return
        if isinstance(item, tuple):  # ("index", phase, blocks done, blocks total)
            _, phase, done, total = item
            key, unit, desc = "index", "blocks", f"search indexes: {phase[:40]}"
        else:                        # vectors copied so far
            key, unit, done, total, desc = "copy", "vectors", item, n, "copying vectors"
        if key not in tasks:
            tasks[key] = bar.add_task(desc, total=total or None, unit=unit)
        bar.update(tasks[key], completed=done, total=total or None, description=desc)

    with bar:
        result = run(get_settings(), n=n, dim=dim, seed=0, n_queries=queries, clients=clients, e2e=e2e,
                     encoder_spec=encoder, image=image.read_bytes() if image else None, rebuild=rebuild,
                     progress=progress)
    print(json.dumps(result, indent=2, default=str))
