"""The typer applications every command module registers on (kept apart to avoid import cycles)."""

import typer

app = typer.Typer(
    name="nummus",
    help="nummus — coin warehouse and visual search engine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="PostgreSQL (pgvector) store: URL, migrations, embedded server.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks; each prints machine-readable JSON.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(bench_app, name="bench")


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    data_dir: str = typer.Option(None, "--data-dir", help="Data folder (default NUMMUS_DATA_DIR or ./nummus-data)."),
) -> None:
    import os

    from nummus.settings import get_settings

    if data_dir:
        os.environ["NUMMUS_DATA_DIR"] = data_dir
    if debug:
        os.environ["NUMMUS_DEBUG"] = "1"
    get_settings.cache_clear()
