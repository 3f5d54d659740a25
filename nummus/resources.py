"""The project's own files that ship inside the package (the dbt project, the SQL, the
migrations, the warehouse DDL), found through `importlib.resources` so that an installed wheel
finds them as well as a checkout. Functions, not constants: naming a resource does not import
the step that owns it until it is asked for."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_dir(package: str) -> Path:
    """The folder of an installed `nummus.*` package (a real folder: pip unpacks wheels)."""
    path = files(package)
    if not isinstance(path, Path):  # a zip import; nothing installs nummus that way
        raise RuntimeError(f"{package} is not installed as a folder ({path!r})")
    return path


def dbt_project() -> Path:
    return package_dir("nummus.dbt")


def migrations() -> Path:
    return package_dir("nummus.migrations")


def sql(name: str) -> Path:
    """A file of sql/ (`search.sql`, `search_functions.sql`, `examples/…`)."""
    return package_dir("nummus.sql") / name


def warehouse_ddl(name: str) -> str:
    """The DuckDB DDL beside the ingest step (`raw_tables.sql`, `meta_tables.sql`)."""
    return (package_dir("nummus.ingest") / name).read_text()
