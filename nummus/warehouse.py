"""The DuckDB warehouse: one file, schemas `raw` (written by ingest), `staging`/`marts`
(built by dbt), `frozen` (immutable snapshots), and the postgres extension that lets checks
read the vectors where they live."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from nummus import resources
from nummus.errors import FrozenWriteRefused, StoreUnavailable
from nummus.settings import Settings, get_settings

SCHEMAS = ("raw", "staging", "marts", "frozen", "meta")


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            who = f" (held by PID {pid.group(1)})" if pid else ""
            raise StoreUnavailable(
                f"DuckDB warehouse {path} is locked by another process{who}; "
                "stop it or point to another file",
                setting="NUMMUS_DUCKDB_PATH",
            ) from exc
        raise StoreUnavailable(f"cannot open DuckDB warehouse {path}: {text.splitlines()[0]}",
                               setting="NUMMUS_DUCKDB_PATH") from exc


def connect(settings: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (created on first write)."""
    settings = settings or get_settings()
    path = settings.warehouse_path
    if read_only and not path.exists():
        raise StoreUnavailable(f"no warehouse at {path}: run `nummus init`", setting="NUMMUS_DUCKDB_PATH")
    path.parent.mkdir(parents=True, exist_ok=True)
    return _open(path, read_only)


@contextmanager
def session(settings: Settings | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def init_warehouse(settings: Settings | None = None) -> Path:
    """Create the schemas, the raw tables and the meta tables (the only place either is
    created); harmless to run again."""
    settings = settings or get_settings()
    with session(settings) as con:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for ddl in ("raw_tables.sql", "meta_tables.sql"):
            con.execute(resources.warehouse_ddl(ddl))
    return settings.warehouse_path


_WRITE = re.compile(r"^\s*(insert|update|delete|create|drop|alter|truncate|copy|replace)\b", re.I | re.S)
_FROZEN_NAME = re.compile(r"\bfrozen\s*\.", re.I)


def refuse_frozen_write(sql: str) -> None:
    """Raise when a writing statement names the frozen schema (DuckDB has no triggers; every
    writer in nummus goes through this check, and only `freeze` creates frozen tables)."""
    for statement in sql.split(";"):
        if _WRITE.match(statement) and _FROZEN_NAME.search(statement):
            raise FrozenWriteRefused(f"refused: frozen snapshots are immutable ({statement.strip()[:80]}…)")


def postgres_extension_path() -> Path:
    """The postgres_scanner extension file from the PyPI wheel (DuckDB `INSTALL` cannot download here)."""
    import duckdb_extension_postgres_scanner as wheel

    found = sorted(Path(wheel.__file__).parent.glob("extensions/*/postgres_scanner.duckdb_extension"))
    if not found:
        raise StoreUnavailable("the duckdb-extension-postgres-scanner wheel holds no extension file")
    return found[-1]


def attach_postgres(con: duckdb.DuckDBPyConnection, libpq_dsn: str, *, alias: str = "pg",
                    read_only: bool = True) -> None:
    """ATTACH PostgreSQL to a DuckDB connection as `alias` (read-only by default)."""
    con.execute(f"INSTALL '{postgres_extension_path()}'")
    con.execute("LOAD postgres")
    mode = ", READ_ONLY" if read_only else ""
    con.execute(f"ATTACH IF NOT EXISTS '{libpq_dsn}' AS {alias} (TYPE postgres{mode})")
