"""The foundation: settings, stores, migrations, CLI behaviour on good and bad settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nummus import postgres, warehouse
from nummus.errors import FrozenWriteRefused, StoreUnavailable
from nummus.identity import coin_id
from nummus.settings import Settings

NUMMUS = [sys.executable, "-m", "nummus"]


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(postgres.alembic_config("postgresql://x/y")).get_current_head()


def run(args, env_extra=None, cwd=None, timeout=120):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(NUMMUS + args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def test_settings_env_and_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("NUMMUS_DATA_DIR", "DATABASE_URL", "NUMMUS_DATABASE_URL", "NUMMUS_OBJECT_STORE_URL"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "nummus.toml").write_text('data_dir = "from-toml"\nobject_store_url = "s3://bucket/prefix"\n')
    s = Settings()
    assert s.data_path == tmp_path / "from-toml"
    assert s.objects_url == "s3://bucket/prefix"
    assert s.embedded_postgres
    monkeypatch.setenv("NUMMUS_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@db.example/x")
    s = Settings()
    assert s.data_path == tmp_path / "from-env"          # env beats the file
    assert s.warehouse_path == tmp_path / "from-env" / "warehouse.duckdb"
    assert not s.embedded_postgres
    assert "secret" not in postgres.redact(s.database_url)


def test_coin_id_is_deterministic_and_normalised():
    a = coin_id("Leu", "15", "123")
    assert a == coin_id(" leu ", "15", "123")
    assert a != coin_id("Leu", "15", "124")
    assert a != coin_id("Leu", "15", "123", position=1)
    assert 0 < a < 2**63


def test_init_twice_and_schema(settings, pg_url):
    from nummus import stores

    stores.init(settings)  # second run harmless
    with warehouse.session(settings, read_only=True) as con:
        raw = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='raw'").fetchall()}
    assert {"lots", "images", "crawl_queue", "quarantine", "crops", "labels", "objects"} <= raw
    assert postgres.current_revision(pg_url) == head_revision()
    with postgres.connect(url=pg_url) as conn:
        assert postgres.check_pgvector(conn) >= "0.7"


@pytest.fixture
def blank_url(pg_server):
    """A database of its own, without any migration."""
    import uuid

    import psycopg

    name = f"t_blank_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.get_uri(database=name)
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_cli_db_migrate_to_a_revision_then_head(settings, blank_url, monkeypatch):
    from nummus.settings import get_settings
    from test_cli_support import nummus

    monkeypatch.setenv("DATABASE_URL", blank_url)
    get_settings.cache_clear()
    assert postgres.current_revision(blank_url) is None           # nothing migrated yet
    r = nummus("db", "migrate", "0005")
    assert r.code == 0, r.output
    assert "migrated to 0005" in r.output and postgres.current_revision(blank_url) == "0005"
    r = nummus("db", "migrate")
    assert r.code == 0, r.output
    assert postgres.current_revision(blank_url) == head_revision() != "0005"
    r = nummus("db", "migrate", "9999")                          # no such revision: bad input, one line
    assert r.code == 2 and "9999" in r.err and "Traceback" not in r.err, r.output
    assert r.err.count("\n") == 1
    assert postgres.current_revision(blank_url) == head_revision()


def test_alembic_history_is_linear():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(postgres.alembic_config("postgresql://x/y"))
    assert len(script.get_heads()) == 1
    revs = list(script.walk_revisions())
    assert all(len(r._all_down_revisions) <= 1 for r in revs)
    assert sum(1 for r in revs if r.down_revision is None) == 1


def test_object_store_roundtrip_and_probe(store):
    store.put("raw/h/s/1/0.jpg", b"abc")
    assert store.exists("raw/h/s/1/0.jpg") and store.get("raw/h/s/1/0.jpg") == b"abc"
    assert ("raw/h/s/1/0.jpg", 3) in list(store.list("raw"))
    store.probe()
    with pytest.raises(ValueError):
        store.put("../escape", b"x")


def test_frozen_writes_refused():
    warehouse.refuse_frozen_write("select * from frozen.coins_v1")
    with pytest.raises(FrozenWriteRefused):
        warehouse.refuse_frozen_write("insert into frozen.coins_v1 values (1)")
    with pytest.raises(FrozenWriteRefused):
        warehouse.refuse_frozen_write("select 1; DROP TABLE frozen.coins_v1")


def test_duckdb_attaches_postgres(settings, pg_url):
    with warehouse.session(settings) as con:
        warehouse.attach_postgres(con, pg_url)
        rows = con.execute("SELECT key FROM pg.public.nummus_meta").fetchall()
    assert ("schema",) in rows


def test_locked_warehouse_is_a_clear_error(settings):
    # DuckDB locks across processes: hold the file from a child process
    code = ("import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", code, str(settings.warehouse_path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(StoreUnavailable, match="locked by another process"):
            warehouse.connect(settings)
        r = run(["sql", "-c", "select 1"])
        assert r.returncode == 2
        assert "locked by another process" in r.stderr and "NUMMUS_DUCKDB_PATH" in r.stderr
        assert "Traceback" not in r.stderr
    finally:
        child.kill()


def test_cli_bad_settings_one_line_errors(tmp_path):
    # (an unwritable data folder: test_cli_unwritable_data_dir, which holds as root too)
    r = run(["init"], {"NUMMUS_DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert r.returncode == 2, r.stderr
    assert "does not answer" in r.stderr and "DATABASE_URL" in r.stderr and "Traceback" not in r.stderr
    r = run(["--debug", "init"], {"NUMMUS_DATA_DIR": str(tmp_path / "d"),
                                  "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert "Traceback" in r.stderr


def test_cli_unwritable_data_dir(tmp_path):
    target = tmp_path / "file-not-folder"
    target.write_text("x")
    r = run(["init"], {"NUMMUS_DATA_DIR": str(target / "data")})
    assert r.returncode == 2 and "NUMMUS_DATA_DIR" in r.stderr and "Traceback" not in r.stderr


def test_cli_init_doctor_url_sql(settings, pg_url):
    env = {"NUMMUS_DATA_DIR": str(settings.data_path), "DATABASE_URL": pg_url}
    assert run(["init"], env).returncode == 0
    r = run(["doctor", "--json"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["healthy"] and report["versions"]["pgvector"] >= "0.7"
    assert {c["name"] for c in report["checks"]} == {"duckdb", "postgresql", "pgvector on this CPU", "object store"}
    assert report["versions"]["pgvector"].endswith(("(this CPU: AVX2)", "(this CPU: AVX-512)", "(this CPU: unknown)"))
    r = run(["db", "url"], env)
    assert r.stdout.strip() == pg_url
    r = run(["sql", "-c", "select count(*) as n from raw.lots", "--format", "json"], env)
    assert json.loads(r.stdout) == [{"n": 0}]


def test_doctor_unhealthy_exit_code(tmp_path):
    r = run(["doctor", "--json"], {"NUMMUS_DATA_DIR": str(tmp_path / "d"),
                                     "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert not report["healthy"]
    assert [c["ok"] for c in report["checks"] if c["name"] == "postgresql"] == [False]


def test_embedded_default_reused_across_commands(tmp_path):
    """No DATABASE_URL: the embedded server starts in the data folder and the next command reuses it."""
    env = {"NUMMUS_DATA_DIR": str(tmp_path / "d")}
    env_clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NUMMUS_DATABASE_URL")}
    try:
        r = subprocess.run(NUMMUS + ["init"], env={**env_clean, **env}, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        pid = (tmp_path / "d" / "pg" / "postmaster.pid").read_text().split()[0]
        r = subprocess.run(NUMMUS + ["doctor", "--json"], env={**env_clean, **env}, capture_output=True, text=True)
        assert r.returncode == 0 and json.loads(r.stdout)["versions"]["pgvector"] >= "0.7"
        assert (tmp_path / "d" / "pg" / "postmaster.pid").read_text().split()[0] == pid
    finally:
        subprocess.run(NUMMUS + ["db", "stop"], env={**env_clean, **env}, capture_output=True)
