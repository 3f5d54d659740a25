"""`nummus embed` (batch job, sample dry run, delta) and `nummus index status|merge|export`,
`nummus bench embed`. A thin layer over nummus.embed (job, index, export) and nummus.bench.embed."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from nummus.cli.base import app, bench_app

console = Console(highlight=False)
index_app = typer.Typer(help="Vector index versions in PostgreSQL: status, merge, export.", no_args_is_help=True)
app.add_typer(index_app, name="index")

ENCODER_HELP = ("auto (clip when its weights are available, else effnet-lite0) | clip | clip:MODEL[:TAG|:PATH|:random]"
                " | effnet-lite0")


@app.command()
def embed(
    freeze: str = typer.Option(None, "--freeze", help="Freeze to embed, e.g. v1 (frozen.coins_v1)."),
    encoder: str = typer.Option("auto", "--encoder", help=ENCODER_HELP),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Coins per batch (2 images each)."),
    chunk_size: int = typer.Option(512, "--chunk-size", min=1, help="Coins per checkpoint chunk."),
    workers: int = typer.Option(None, "--workers", min=0, help="Decoding worker processes (default 1 on CPU, 4 on CUDA)."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | mps"),
    sample: int = typer.Option(None, "--sample", min=1, help="Dry run on N coins: write meta.embed_sample, load nothing."),
    delta: bool = typer.Option(False, "--delta", help="Append coins missing from the serving index to its delta "
                               "(from marts.coins, or from --freeze vM)."),
    no_load: bool = typer.Option(False, "--no-load", help="Only embed into checkpoints; do not load PostgreSQL."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Embed a freeze into a sealed, serving pgvector index version (resumable; idempotent)."""
    from nummus.errors import NummusError
    from nummus.settings import get_settings

    settings = get_settings()
    if sample is not None:
        from nummus.embed.job import embed_sample

        report = embed_sample(settings, freeze or "v1", sample, encoder, device=device)
        _print(report, as_json)
        raise typer.Exit(0 if report.ok else 1)
    if delta:
        from nummus.embed.job import embed_delta

        summary = embed_delta(settings, freeze or "marts.coins", batch_size=batch_size, chunk_size=chunk_size,
                              num_workers=workers, device=device)
    else:
        if not freeze:
            raise NummusError("which freeze? e.g. --freeze v1", setting="--freeze")
        from nummus.embed.job import embed_freeze

        summary = embed_freeze(settings, freeze, encoder, batch_size=batch_size, chunk_size=chunk_size,
                               num_workers=workers, device=device, load=not no_load)
    _print(summary, as_json)


def _print(model, as_json: bool) -> None:
    data = model.model_dump(mode="json")
    if as_json:
        print(json.dumps(data, indent=1))
        return
    enc = data.pop("encoder_id", None)
    if enc:
        data["encoder"] = f"{enc['spec']} ({enc['model']}, {enc['dim']}-d, weights {enc['weights_sha256'][:12]})"
    for key, val in data.items():
        if val is not None:
            console.print(f"{key:<22} {val}")


@index_app.command("status")
def index_status(as_json: bool = typer.Option(False, "--json"),
                 verify: bool = typer.Option(False, "--verify", help="Recompute each version's content hash "
                                             "from its rows; exit 1 when one differs.")) -> None:
    """Index versions: state, rows, delta rows, encoder, content hash."""
    from nummus.embed.index import status
    from nummus.settings import get_settings

    versions = status(get_settings(), verify_content=verify)
    bad = [v.version for v in versions if v.content_verified is False]
    if as_json:
        print(json.dumps([v.model_dump() for v in versions], indent=1))
        raise typer.Exit(1 if bad else 0)
    if not versions:
        console.print("no index versions yet: nummus embed --freeze vN")
        return
    table = Table("version", "state", "freeze", "rows", "delta", "encoder", "dim", "sha256", "sealed")
    for v in versions:
        mark = {True: " ✓", False: " [red]CHANGED[/]", None: ""}[v.content_verified]
        table.add_row(f"v{v.version}", v.state, v.freeze_id, str(v.rows), str(v.delta_rows), v.encoder,
                      f"{v.dim} {v.vector_type}", (v.content_sha256 or "")[:8] + mark, (v.sealed_at or "")[:16])
    console.print(table)
    raise typer.Exit(1 if bad else 0)


@index_app.command("merge")
def index_merge(force: bool = typer.Option(False, "--force", help="Merge even when the delta is ≤ 10%."),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Build and seal index_vN+1 = index_vN ∪ delta when the delta exceeds 10%; switch serving to it."""
    from nummus.embed.index import merge
    from nummus.settings import get_settings

    _print(merge(get_settings(), force=force), as_json)


@index_app.command("export")
def index_export(version: str = typer.Argument(..., help="Index version, e.g. v1"),
                 out: Path = typer.Option(None, "--out", help="Folder (default DATA_DIR/exports/index_vN).")) -> None:
    """Write features.npy (pair vectors) + obv.npy + rev.npy, metadata.csv and vectors.parquet (same row order)."""
    from nummus.embed.export import export_version
    from nummus.settings import get_settings

    result = export_version(get_settings(), version, out)
    _print(result, False)


@bench_app.command("embed")
def bench_embed(
    encoder: str = typer.Option("effnet-lite0", "--encoder", help=ENCODER_HELP),
    n: int = typer.Option(512, "--n", min=2, help="Coins (2 images each are encoded: n images in all, n/2 coins)."),
    batch_size: list[int] = typer.Option([16], "--batch-size", help="Coins per batch (repeat for several)."),
    threads: list[int] = typer.Option([0], "--threads", help="torch threads (0 = torch's default; repeat)."),
    workers: int = typer.Option(None, "--workers", min=0),
    device: str = typer.Option("auto", "--device"),
    data: Path = typer.Option(None, "--data", help="A folder of crop images (*.jpg) to use instead of generated ones."),
) -> None:
    """images/s end-to-end (decode → vectors in PostgreSQL) against model-only, same run. JSON."""
    from nummus.bench.embed import bench_embed as run_bench

    print(json.dumps(run_bench(encoder=encoder, n=n, batch_sizes=batch_size, threads=threads, workers=workers,
                               device=device, data=data), indent=1))
