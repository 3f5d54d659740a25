"""The warehouse's tables are defined in one place each: raw in ingest/raw_tables.sql, meta in
ingest/meta_tables.sql, both run by `nummus init`; the dbt sources and docs/contracts.md agree
with what init creates."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml

from nummus import resources, warehouse

REPO = Path(__file__).resolve().parent.parent
CREATE = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(raw|meta)\.(\w+)",
                    re.I)


def _sources() -> dict[str, list[str]]:
    doc = yaml.safe_load((resources.dbt_project() / "models" / "staging" / "_sources.yml").read_text())
    return {s["schema"]: [t["name"] for t in s["tables"]] for s in doc["sources"]}


def _columns(con, schema: str) -> dict[str, list[str]]:
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?"
                       " ORDER BY table_name, ordinal_position", [schema]).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def test_raw_and_meta_tables_are_created_in_their_ddl_file_only():
    import tomllib

    folders = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"].values()
    places = {}
    for path in (p for folder in set(folders) for p in (REPO / folder).rglob("*") if p.suffix in (".py", ".sql")):
        for schema, table in CREATE.findall(path.read_text(errors="ignore")):
            places.setdefault(f"{schema}.{table}", set()).add(str(path.relative_to(REPO)))
    assert places and {t: p for t, p in places.items() if p != {f"ingest/{t.split('.')[0]}_tables.sql"}} == {}


def test_init_creates_every_source_and_the_contracts_columns(tmp_path, monkeypatch):
    from nummus.settings import get_settings

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NUMMUS_DUCKDB_PATH", raising=False)
    get_settings.cache_clear()
    try:
        warehouse.init_warehouse(get_settings())
        with duckdb.connect(str(get_settings().warehouse_path), read_only=True) as con:
            tables = {schema: _columns(con, schema) for schema in ("raw", "meta")}
    finally:
        get_settings.cache_clear()
    for schema, names in _sources().items():
        assert set(names) <= set(tables[schema]), schema
    contracts = (REPO / "docs" / "contracts.md").read_text()
    documented = {name: [c.split()[0] for c in cols.replace("\n", " ").split(",")]
                  for name, cols in re.findall(r"`meta\.(\w+)\(([^)]*)\)`", contracts)}
    assert documented == tables["meta"]
