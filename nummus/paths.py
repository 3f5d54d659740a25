"""Where the project's own resources live (the repository checkout, installed editable)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = ROOT / "dbt"
MIGRATIONS = ROOT / "migrations"
SQL = ROOT / "sql"
