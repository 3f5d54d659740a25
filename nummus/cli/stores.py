"""Commands over the stores: init, doctor, db url/stop/migrate, sql."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from nummus.cli.base import app, db_app

console = Console(highlight=False)


@app.command()
def init() -> None:
    """Create the data folder, the DuckDB warehouse schemas and the PostgreSQL schema (idempotent)."""
    from nummus import stores

    r = stores.init()
    console.print(f"data folder   {r.data_dir}")
    console.print(f"warehouse     {r.warehouse}")
    console.print(f"postgresql    {r.database_url} ({'embedded' if r.embedded else 'DATABASE_URL'}, pgvector {r.pgvector})")
    console.print(f"object store  {r.object_store}")


@app.command()
def doctor(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Versions, which stores are in use and whether they answer. Exit code 1 when unhealthy."""
    from nummus import stores

    health = stores.doctor()
    if as_json:
        print(json.dumps({"healthy": health.healthy, "versions": health.versions,
                          "checks": [c.__dict__ for c in health.checks]}, indent=2))
    else:
        versions = Table(title="versions", show_header=False)
        for k, val in health.versions.items():
            versions.add_row(k, val)
        console.print(versions)
        checks = Table(title="stores")
        checks.add_column("store")
        checks.add_column("status")
        checks.add_column("detail")
        for c in health.checks:
            checks.add_row(c.name, "[green]ok[/]" if c.ok else "[red]FAIL[/]", c.detail)
        console.print(checks)
        console.print("healthy" if health.healthy else "[red]unhealthy[/]")
    raise typer.Exit(0 if health.healthy else 1)


@db_app.command("url")
def db_url() -> None:
    """Print the PostgreSQL URL in use (embedded or DATABASE_URL): psql "$(nummus db url)"."""
    from nummus import postgres

    print(postgres.database_url())


@db_app.command("migrate")
def db_migrate(revision: str = typer.Argument("head")) -> None:
    """Run the Alembic migrations up to REVISION."""
    from alembic.util import CommandError

    from nummus import postgres
    from nummus.errors import NummusError

    try:
        version = postgres.migrate(revision=revision)
    except CommandError as exc:  # an unknown revision is bad input: one line, exit 2
        raise NummusError(f"cannot migrate to {revision!r}: {exc}") from exc
    console.print(f"migrated to {revision} (pgvector {version})")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL server of this data folder."""
    from nummus import postgres

    console.print("stopped" if postgres.stop_embedded() else "no embedded server running")


@app.command()
def sql(
    command: str = typer.Option(None, "-c", "--command", help="Run one query and exit."),
    fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    write: bool = typer.Option(False, "--write", help="Open read-write (default read-only)."),
) -> None:
    """Open the DuckDB warehouse: an interactive prompt, or `-c QUERY`."""
    from nummus import warehouse

    with warehouse.session(read_only=not write) as con:
        if command is not None:
            _run_sql(con, command, fmt)
            return
        console.print("DuckDB warehouse; end statements with ';', Ctrl-D to quit.")
        buf: list[str] = []
        while True:
            try:
                line = input("nummus> " if not buf else "   ...> ")
            except EOFError:
                break
            buf.append(line)
            if line.rstrip().endswith(";"):
                try:
                    _run_sql(con, "\n".join(buf), fmt)
                except Exception as exc:  # noqa: BLE001 - keep the prompt alive
                    console.print(f"[red]{exc}[/]")
                buf = []


def _run_sql(con, query: str, fmt: str) -> None:
    from nummus import warehouse

    warehouse.refuse_frozen_write(query)
    rel = con.sql(query)
    if rel is None:
        return
    cols = rel.columns
    rows = rel.fetchall()
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows(rows)
    elif fmt == "json":
        print(json.dumps([dict(zip(cols, r)) for r in rows], default=str, indent=1))
    else:
        table = Table(*cols)
        for r in rows:
            table.add_row(*("NULL" if x is None else str(x) for x in r))
        console.print(table)
