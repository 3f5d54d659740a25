"""The package's shape: every package folder is installed, resources come from the package,
and core imports no step (layers point one way)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from nummus import resources

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# the layers above core: a core module (nummus/*.py) imports none of them
STEPS_AND_SURFACES = ("nummus.ingest", "nummus.dbt", "nummus.embed", "nummus.app", "nummus.demo", "nummus.bench",
                      "nummus.cli", "nummus.sql", "nummus.migrations")


def test_every_package_folder_is_listed():
    listed = set(SETUPTOOLS["packages"])
    found = set()
    for package, folder in SETUPTOOLS["package-dir"].items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            found.add(".".join((package, *rel.parts)) if rel.parts else package)
    assert found == listed


def test_resources_come_from_the_package():
    assert (resources.dbt_project() / "dbt_project.yml").is_file()
    assert (resources.migrations() / "env.py").is_file()
    assert resources.sql("search.sql").is_file()
    assert "CREATE TABLE" in resources.warehouse_ddl("raw_tables.sql")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_core_imports_no_step():
    core = sorted((REPO / "nummus").glob("*.py"))
    assert len(core) > 5
    offenders = {p.name: sorted(n for n in _imports(p) if n.startswith(STEPS_AND_SURFACES))
                 for p in core if p.name != "__main__.py"}
    assert {k: v for k, v in offenders.items() if v} == {}
