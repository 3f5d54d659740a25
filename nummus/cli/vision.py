"""`nummus vision`: find the coins in lot photos, cut obverse/reverse crops, flag bad crops."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from nummus.cli.base import app, bench_app

console = Console(highlight=False)
vision_app = typer.Typer(help="Find the coins in lot photos, cut obverse/reverse crops, flag bad crops.")
app.add_typer(vision_app, name="vision")


@vision_app.callback(invoke_without_command=True)
def vision(
    ctx: typer.Context,
    workers: int = typer.Option(None, "--workers", "-w", min=1, help="Processes (default: all cores)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Process at most N lots."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Crop every lot whose crops are missing or older than the current crop_version (resumable)."""
    if ctx.invoked_subcommand is not None:
        return
    from nummus.ingest.vision.batch import run_vision

    summary = run_vision(workers=workers, limit=limit, progress=progress and not as_json)
    if as_json:
        print(summary.model_dump_json(indent=2))
        return
    console.print(f"crop_version {summary.crop_version}: {summary.processed}/{summary.todo} lots in "
                  f"{summary.seconds:.1f}s ({summary.images_per_second:.1f} img/s, {summary.workers} workers)")
    console.print(f"status {summary.by_status} · layout {summary.by_layout} · quarantined {summary.quarantined}")


@vision_app.command("split")
def split(
    image: Path = typer.Argument(..., exists=True, dir_okay=False, help="A lot photo."),
    out: Path = typer.Option(None, "--out", help="Write the crops (and the annotated photo) here."),
    as_json: bool = typer.Option(False, "--json", help="Print the full detection as JSON."),
) -> None:
    """Find the coins in one photo; print the detection (and write crops with --out)."""
    from nummus.ingest.vision.config import vision_config
    from nummus.ingest.vision.sheet import annotated_photo
    from nummus.ingest.vision.splitter import split_photo

    config = vision_config()
    data = image.read_bytes()
    result = split_photo(data, config)
    det = result.detection
    crops: dict[str, str] = {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for side, (full, small) in result.crops.items():
            for suffix, payload in (("", full), (f"_{config.small_size}", small)):
                path = out / f"{image.stem}_{side}{suffix}.jpg"
                path.write_bytes(payload)
                crops[f"{side}{suffix}"] = str(path)
        overlay = annotated_photo(data, det.model_dump(mode="json"), width=min(det.width, 1200))
        if overlay:
            (out / f"{image.stem}_detected.jpg").write_bytes(overlay)
            crops["detected"] = str(out / f"{image.stem}_detected.jpg")
    if as_json:
        payload = det.model_dump(mode="json")
        payload["crop_version"] = config.crop_version
        payload["crops"] = crops
        print(json.dumps(payload, indent=2))
        return
    console.print(f"{image.name}: {det.width}×{det.height} layout [bold]{det.layout}[/] status {det.status} "
                  f"(confidence {det.confidence:.2f}, {det.timings_ms.get('total', 0):.0f} ms)")
    for coin in det.coins:
        console.print(f"  {coin.side or '-':<4} cx {coin.cx:.0f} cy {coin.cy:.0f} r {coin.r:.0f} "
                      f"flags {', '.join(coin.flags) or '-'}")
    for reason in det.reasons:
        console.print(f"  reason: {reason}")
    for name, path in crops.items():
        console.print(f"  wrote {name}: {path}")


@vision_app.command("sheet")
def sheet(
    n: int = typer.Option(50, "--n", min=1, help="Number of random coins."),
    out: Path = typer.Option(None, "--out", help="HTML file (default DATA_DIR/reports/vision_sheet.html)."),
    seed: int = typer.Option(0, "--seed", help="Random sample seed."),
) -> None:
    """An HTML contact sheet of N random crops with flags and the source photo with circles drawn."""
    from nummus.ingest.vision.sheet import build_sheet

    path = build_sheet(n=n, out=out, seed=seed)
    console.print(f"contact sheet: {path}")


@bench_app.command("vision")
def bench_vision(
    data: Path = typer.Option(None, "--data", help="Folder of NNNNN_obv.jpg/NNNNN_rev.jpg coin photos "
                              "(or a folder with a museum_pairs/ of them); default: drawn coins."),
    n: int = typer.Option(300, "--n", min=1, help="Composed lot photos (plus n/4 non-coin images)."),
    truth: Path = typer.Option(None, "--truth", help="A demo house truth.json to score as well."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Detection quality and speed on composed photos with known truth, on one core (JSON)."""
    from nummus.bench.vision import run_bench

    print(json.dumps(run_bench(data=data, n=n, truth=truth, seed=seed), indent=2))


@bench_app.command("vision-batch")
def bench_vision_batch(
    n: int = typer.Option(96, "--n", min=1, help="Lot photos (1600 px wide) in a temporary warehouse."),
    workers: str = typer.Option("1,2", "--workers", help="Worker counts to compare, e.g. 1,2,4."),
) -> None:
    """Batch throughput (decode, detect, crop, store, DuckDB) per worker count, with speedup (JSON)."""
    from nummus.bench.vision import run_batch_bench

    counts = tuple(int(w) for w in workers.split(",") if w.strip())
    print(json.dumps(run_batch_bench(n=n, workers=counts), indent=2))
