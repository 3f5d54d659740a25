"""`nummus sample`: generate the local demo auction house; `nummus sample serve`: serve it on localhost."""

from __future__ import annotations

from pathlib import Path

import typer

from nummus.cli.base import app, bench_app

sample_app = typer.Typer(help="The local demo auction house: generate it (default) or serve it.",
                         invoke_without_command=True)
app.add_typer(sample_app, name="sample")


def _default_dir() -> Path:
    from nummus.settings import get_settings

    return get_settings().data_path / "sample-house"


@sample_app.callback()
def sample(
    ctx: typer.Context,
    lots: int = typer.Option(300, "--lots", min=1, help="Number of lots in all (withdrawn lots included)."),
    sales: int = typer.Option(1, "--sales", min=1, help="Number of sales the lots are spread over."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same site, byte for byte."),
    out: Path = typer.Option(None, "--out", help="Output folder (default DATA_DIR/sample-house)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes rendering photos."),
) -> None:
    """Generate a synthetic auction: lot pages, photos and truth.json (resumable, deterministic)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from nummus.demo.house import generate

    site = generate(out or _default_dir(), lots=lots, sales=sales, seed=seed, workers=workers, progress=True)
    Console(highlight=False, soft_wrap=True).print(
        f"sample house: {site.lots} lots in {len(site.sales)} sale(s) ({', '.join(site.sales)}), "
        f"{site.images} photos ({site.rendered} rendered now) in {site.seconds:.1f}s\n"
        f"  site:  {site.out_dir}\n  truth: {site.truth_path}\n  serve: nummus sample serve --dir {site.out_dir}")


@sample_app.command("serve")
def serve(
    directory: Path = typer.Option(None, "--dir", help="The generated site (default DATA_DIR/sample-house)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port (0 = any free port)."),
) -> None:
    """Serve the generated site over HTTP until Ctrl-C."""
    from nummus.demo.house.serve import base_url, make_server

    server = make_server(directory or _default_dir(), host, port, quiet=False)
    typer.echo(f"serving {directory or _default_dir()} at {base_url(server)} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.server_close()


@bench_app.command("sample")
def bench_sample(
    lots: int = typer.Option(60, "--lots", min=1, help="Lots to generate."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes rendering photos."),
) -> None:
    """Generation speed of the demo auction house (lots/s, photos/s, ms per photo) as JSON."""
    import json
    import tempfile
    import time

    from nummus.demo.house import generate
    from nummus.demo.house.draw import design_height

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        site = generate(Path(tmp) / "house", lots=lots, workers=workers)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        size = sum(p.stat().st_size for p in (Path(tmp) / "house").rglob("*.jpg"))
    typer.echo(json.dumps({
        "bench": "sample", "lots": site.lots, "photos": site.images, "workers": workers,
        "wall_s": round(wall, 2), "cpu_s_main_process": round(cpu, 2), "lots_per_s": round(site.lots / wall, 2),
        "photos_per_s": round(site.images / wall, 2), "ms_per_photo": round(1000 * wall / site.images, 1),
        "mean_jpeg_kb": round(size / site.images / 1024, 1), "designs_cached": design_height.cache_info().currsize,
    }))
