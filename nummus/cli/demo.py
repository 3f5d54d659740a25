"""`nummus demo`: the pipeline end to end on a generated sample auction."""

import typer

from nummus.cli.base import app


@app.command()
def demo(
    lots: int = typer.Option(300, "--lots", min=10, help="Number of lots in the generated sample auction."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app at the end (or exit)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Run every step on a generated sample auction, then serve the app (unless --no-serve)."""
    from nummus.demo.run import run_demo

    run_demo(lots=lots, serve=serve, host=host, port=port)
