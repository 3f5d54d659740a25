"""Migrations are frozen and reversible: every revision carries the SQL it applies, upgrading an
old database ends where a fresh one does, downgrading to base leaves nothing of nummus behind,
and sql/search_functions.sql is exactly what a head database defines.

Schemas are compared by a catalog snapshot taken with SQL (not pg_dump): relations with their
grants, columns and types, indexes, constraints, views, functions (pg_get_functiondef: body,
ROWS, SET clauses, volatility) with their grants, triggers, the database's, the schema's and the
default grants, and extensions."""

from __future__ import annotations

import ast
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest

from nummus import postgres, resources

VERSIONS = Path(resources.migrations()) / "versions"
# what the schema has that is not nummus's: extension members are left out of every section;
# a NULL acl means the default one (acldefault), which an explicit REVOKE spells out
_NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
_PUBLIC = "(SELECT oid FROM pg_namespace WHERE nspname = 'public')"


def _acl(acl: str, kind: str, owner: str) -> str:
    """Grants as 'grantee:PRIVILEGE,…' (a NULL acl read as the default one, acldefault)."""
    return (f"(SELECT coalesce(string_agg(coalesce(g.rolname, 'PUBLIC') || ':' || a.privilege_type, ',' ORDER BY 1),"
            f" '') FROM aclexplode(coalesce({acl}, acldefault({kind}::\"char\", {owner}))) a"
            " LEFT JOIN pg_roles g ON g.oid = a.grantee)")


_REL_KIND = "CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END"   # acldefault's kinds: sequences, other relations
SNAPSHOT_SQL = {
    "relations": f"""
        SELECT c.relname, c.relkind::text || ' ' || {_acl("c.relacl", _REL_KIND, "c.relowner")}
          FROM pg_class c WHERE c.relnamespace = {_PUBLIC} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND {_NOT_EXTENSION.format(oid='c.oid')}""",
    "columns": f"""
        SELECT c.relname || '.' || a.attname,
               concat_ws(' ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' END,
                         pg_get_expr(ad.adbin, ad.adrelid), nullif(a.attidentity, ''), nullif(a.attgenerated, ''))
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         WHERE c.relnamespace = {_PUBLIC} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
           AND NOT a.attisdropped AND {_NOT_EXTENSION.format(oid='c.oid')}""",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": f"""
        SELECT c.relname || '.' || k.conname, k.contype::text || ' ' || pg_get_constraintdef(k.oid)
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = {_PUBLIC}""",
    "views": f"""
        SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c
         WHERE c.relnamespace = {_PUBLIC} AND c.relkind IN ('v', 'm')""",
    "functions": f"""
        SELECT p.oid::regprocedure::text,
               pg_get_functiondef(p.oid) || ' grants ' || {_acl("p.proacl", "'f'", "p.proowner")}
          FROM pg_proc p WHERE p.pronamespace = {_PUBLIC} AND p.prokind IN ('f', 'p')
           AND {_NOT_EXTENSION.format(oid='p.oid')}""",
    "triggers": f"""
        SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = {_PUBLIC} AND NOT t.tgisinternal""",
    "types": f"""
        SELECT t.typname, t.typtype::text FROM pg_type t
         WHERE t.typnamespace = {_PUBLIC} AND t.typrelid = 0 AND t.typelem = 0
           AND {_NOT_EXTENSION.format(oid='t.oid')}""",
    "grants": f"""
        SELECT 'database', {_acl("d.datacl", "'d'", "d.datdba")} FROM pg_database d WHERE d.datname = current_database()
        UNION ALL SELECT 'schema public', {_acl("n.nspacl", "'n'", "n.nspowner")}
          FROM pg_namespace n WHERE n.nspname = 'public'
        UNION ALL SELECT 'default ' || da.defaclobjtype::text || ' in ' || coalesce(n.nspname, '*'),
                         {_acl("da.defaclacl", "da.defaclobjtype", "da.defaclrole")}
          FROM pg_default_acl da LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace""",
    "extensions": "SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'",
}
Snapshot = dict[str, dict[str, str]]


def snapshot(url: str) -> Snapshot:
    with psycopg.connect(url) as conn:
        return {section: dict(conn.execute(sql).fetchall()) for section, sql in SNAPSHOT_SQL.items()}


def differences(a: Snapshot, b: Snapshot) -> list[str]:
    """What differs, one line per object (empty: the same schema)."""
    out = []
    for section in SNAPSHOT_SQL:
        for key in sorted(a[section].keys() | b[section].keys()):
            left, right = a[section].get(key), b[section].get(key)
            if left != right:
                out.append(f"{section} {key}: {left!r} != {right!r}")
    return out


def only(snap: Snapshot, keep) -> Snapshot:
    return {section: {k: v for k, v in objects.items() if keep(section, k)} for section, objects in snap.items()}


def revisions() -> list[str]:
    """Base to head, in order."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(postgres.alembic_config("postgresql://x/y"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@contextmanager
def database(pg_server):
    """A fresh empty database on the session's server, dropped afterwards."""
    name = f"t_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.get_uri(database=name)
    finally:
        with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def new_db(pg_server):
    """Make fresh empty databases (dropped after the test)."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(database(pg_server))


def upgrade(url: str, revision: str = "head") -> None:
    postgres.migrate(url=url, revision=revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(postgres.alembic_config(url), revision)


@pytest.fixture(scope="module")
def head_snapshot(pg_server):
    """The schema of a fresh database migrated base → head in one run."""
    with database(pg_server) as url:
        upgrade(url)
        yield snapshot(url)


def test_no_revision_reads_a_file():
    """A revision that reads a file (sql/…, nummus.resources) applies whatever the file says today."""
    offenders = {}
    for path in sorted(VERSIONS.glob("*.py")):
        tree = ast.parse(path.read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        imports = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        found = sorted((names | imports) & {"open", "read_text", "read_bytes", "Path", "resources", "files"})
        if found:
            offenders[path.name] = found
    assert offenders == {}


def test_base_head_base_head(new_db, head_snapshot):
    """Each step up changes the schema and its step down restores the one before exactly; base
    is empty again (the vector extension aside, and alembic's own empty table); head again is
    the same head."""
    url = new_db()
    base = snapshot(url)
    steps = [base]
    for rev in revisions():
        upgrade(url, rev)
        steps.append(snapshot(url))
        assert differences(steps[-2], steps[-1]), f"revision {rev} changes nothing"
    assert differences(steps[-1], head_snapshot) == []
    revs = revisions()
    for rev, before in zip(revs[-2::-1], steps[-2:0:-1]):
        downgrade(url, rev)
        assert differences(snapshot(url), before) == [], f"downgrade to {rev}"
    downgrade(url, "base")
    left = snapshot(url)
    assert set(left["relations"]) == {"alembic_version"} and set(left["extensions"]) == {"vector"}
    assert differences(only(left, lambda s, k: s != "extensions" and not k.startswith("alembic_version")),
                       only(base, lambda s, k: s != "extensions")) == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 0
    upgrade(url)
    assert differences(snapshot(url), head_snapshot) == []


@pytest.mark.parametrize("start", ["0001", "0002", "0003", "0004", "0005", "0006"])
def test_old_database_upgrades_to_the_fresh_head(new_db, head_snapshot, start):
    url = new_db()
    upgrade(url, start)
    assert postgres.current_revision(url) == start
    upgrade(url)
    assert differences(snapshot(url), head_snapshot) == []


def test_search_functions_file_is_what_head_defines(new_db, head_snapshot):
    """sql/search_functions.sql, run on a database at 0003 (before the search), defines exactly
    the search objects a head database has: no more, no fewer, the same definitions."""
    url = new_db()
    marks = {}
    for rev in ("0003", "0004", "0006"):
        upgrade(url, rev)
        marks[rev] = snapshot(url)
    later = {s: marks["0006"][s].keys() - marks["0004"][s].keys() for s in SNAPSHOT_SQL}  # 0005, 0006
    search_at_head = only(head_snapshot, lambda s, k: k not in marks["0003"][s] and k not in later[s])

    url = new_db()
    upgrade(url, "0003")
    with psycopg.connect(url) as conn:
        conn.execute(resources.sql("search_functions.sql").read_text())
    from_file = only(snapshot(url), lambda s, k: k not in marks["0003"][s])
    assert sum(map(len, from_file.values())) > 10
    assert differences(from_file, search_at_head) == []

