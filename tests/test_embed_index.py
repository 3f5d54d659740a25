"""Index versions in PostgreSQL: sealed tables refuse writes from a role that holds every
privilege (and from the superuser), deltas are append-only, the app role is read-only, the
delta/merge cycle keeps every vector, export round-trips, the CLI answers."""

from __future__ import annotations

import json

import numpy as np
import psycopg
import pytest

from test_embed_support import make_freeze, register_tiny_clip

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from nummus.embed.encoders import load_encoder

    model = register_tiny_clip(tmp_path_factory.mktemp("clipcfg"))
    return load_encoder(f"clip:{model}:random", "cpu")


@pytest.fixture
def loaded(settings, store, tiny):
    """A fresh database state per test would need a fresh database; instead every test embeds
    its own freeze and works on the version it got."""
    from nummus.embed.job import embed_freeze

    make_freeze(settings, store, 10)
    return embed_freeze(settings, "v1", tiny, batch_size=4, chunk_size=8, num_workers=0, progress=False)


def _role_url(pg_url: str, role: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(pg_url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def writer_url(pg_url):
    """A LOGIN role without superuser that is granted every privilege on the index tables."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'embed_writer') "
                     "THEN CREATE ROLE embed_writer LOGIN NOSUPERUSER; END IF; END $$")
        conn.execute("GRANT USAGE ON SCHEMA public TO embed_writer")
    return _role_url(pg_url, "embed_writer")


def _try(url: str, sql: str):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def test_sealed_index_refuses_writes_even_with_grants(settings, loaded, pg_url, writer_url):
    v = loaded.index_version
    table, delta = f"index_v{v}", f"delta_v{v + 1}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON {table}, {delta}, coins TO embed_writer")
        some = conn.execute(f"SELECT coin_id, period, obv, rev, pair FROM {table} LIMIT 1").fetchone()
        before = conn.execute(f"SELECT count(*), md5(string_agg(pair::text, ',' ORDER BY coin_id))"
                              f" FROM {table}").fetchone()
    for sql in (f"INSERT INTO {table} SELECT coin_id + 1, period, obv, rev, pair FROM {table} LIMIT 1",
                f"UPDATE {table} SET period = 'x'",
                f"DELETE FROM {table}",
                f"TRUNCATE {table}"):
        for url in (writer_url, pg_url):                  # a non-superuser with grants, and the superuser
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="immutable"):
                _try(url, sql)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        after = conn.execute(f"SELECT count(*), md5(string_agg(pair::text, ',' ORDER BY coin_id))"
                             f" FROM {table}").fetchone()
        assert after == before
        conn.execute("INSERT INTO coins (coin_id, freeze_id) VALUES (42, 'test') ON CONFLICT DO NOTHING")
    # the delta takes inserts, refuses updates and deletes
    _try(writer_url, f"INSERT INTO {delta} (coin_id, period, obv, rev, pair) "
                     f"SELECT 42, 'greek', obv, rev, pair FROM {table} WHERE coin_id = {some[0]}")
    for sql in (f"UPDATE {delta} SET period = 'x'", f"DELETE FROM {delta}", f"TRUNCATE {delta}"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            _try(writer_url, sql)


def test_app_role_reads_but_cannot_write(settings, loaded, pg_url):
    app_url = _role_url(pg_url, "nummus_app")
    v = loaded.index_version
    with psycopg.connect(app_url, autocommit=True) as conn:
        n = conn.execute("SELECT count(*) FROM search_vectors").fetchone()[0]
        assert n >= 10
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute(f"DELETE FROM delta_v{v + 1}")


def test_delta_then_merge_keeps_every_vector(settings, store, tiny):
    from nummus.embed.index import merge, read_version, status
    from nummus.embed.job import embed_delta, embed_freeze
    from nummus import postgres

    ids = make_freeze(settings, store, 10, version=3, first_id=50_000)
    base = embed_freeze(settings, "v3", tiny, batch_size=4, chunk_size=8, num_workers=0, progress=False)
    v = base.index_version
    # marts.coins: the same 10 coins and one that arrived after the freeze (10% -> no merge yet)
    make_freeze(settings, store, 10, table="marts.coins", first_id=50_000)
    new_ids = make_freeze(settings, store, 1, table="marts.coins", first_id=60_000)
    d = embed_delta(settings, "marts.coins", batch_size=4, num_workers=0, progress=False)
    assert d.delta_rows == 1 and d.embedded == 1 and d.index_version == v
    again = embed_delta(settings, "marts.coins", num_workers=0, progress=False)
    assert again.delta_rows == 0 and again.coins == 0

    refused = merge(settings)
    assert not refused.merged and "10.0%" in refused.reason and refused.delta_rows == 1
    more = make_freeze(settings, store, 2, table="marts.coins", first_id=70_000)
    assert embed_delta(settings, "marts.coins", num_workers=0, progress=False).delta_rows == 2

    with postgres.session(settings) as conn:
        delta_rows = conn.execute(f"SELECT coin_id, obv, rev, pair FROM delta_v{v + 1} ORDER BY coin_id").fetchall()
    old_ids, _, old_obv, old_rev, old_pair = read_version(settings, v)
    result = merge(settings)
    assert result.merged and result.version == v + 1 and result.rows == 13
    new_ids_all, periods, obv, rev, pair = read_version(settings, v + 1)
    expect_ids = np.concatenate([old_ids, [r[0] for r in delta_rows]])
    order = np.argsort(expect_ids)
    assert np.array_equal(new_ids_all, expect_ids[order])
    expect_pair = np.concatenate([old_pair, np.stack([r[3].to_numpy() for r in delta_rows]).astype(np.float32)])
    assert np.array_equal(pair, expect_pair[order])     # bit for bit (halfvec copied, not recomputed)
    assert set(ids) | set(new_ids) | set(more) == set(new_ids_all.tolist())
    states = {s.version: s for s in status(settings)}
    assert states[v + 1].state == "serving" and states[v].state == "sealed"
    assert states[v + 1].parent_version == v and states[v + 1].delta_rows == 0
    with postgres.session(settings) as conn:
        served = conn.execute("SELECT DISTINCT index_version FROM search_vectors").fetchall()
        assert served == [(v + 1,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"DELETE FROM index_v{v + 1}")
    assert merge(settings).reason == "the delta is empty"


def test_export_round_trips(settings, loaded, tmp_path):
    import pandas as pd

    from nummus.embed.export import export_version
    from nummus.embed.index import read_version

    v = loaded.index_version
    res = export_version(settings, f"v{v}", tmp_path / "out")
    ids, _, obv, rev, pair = read_version(settings, v)
    features = np.load(tmp_path / "out" / "features.npy")
    assert features.dtype == np.float32 and np.array_equal(features, pair)
    assert np.array_equal(np.load(tmp_path / "out" / "obv.npy"), obv)
    meta = pd.read_csv(tmp_path / "out" / "metadata.csv")
    assert meta["coin_id"].tolist() == ids.tolist() and meta["row"].tolist() == list(range(len(ids)))
    assert set(meta["period"]) <= {"roman_imperial", "greek", "byzantine"}
    pq = pd.read_parquet(tmp_path / "out" / "vectors.parquet")
    assert np.array_equal(np.stack(pq["pair"].to_numpy()).astype(np.float32), pair)
    assert res.rows == len(ids) and res.dim == 32


def test_cli_index_status_and_embed_help(settings, loaded):
    from typer.testing import CliRunner

    from nummus.cli import app

    r = CliRunner().invoke(app, ["index", "status", "--json", "--verify"])
    assert r.exit_code == 0, r.output
    versions = json.loads(r.output)
    assert [v["state"] for v in versions].count("serving") == 1          # one version serves at a time
    assert all(v["content_verified"] for v in versions)
    r = CliRunner().invoke(app, ["embed", "--help"])
    assert r.exit_code == 0 and "--sample" in r.output and "--delta" in r.output


def test_cli_sample_embed_export_merge(settings, store, tiny, tmp_path):
    from typer.testing import CliRunner

    from nummus.cli import app

    make_freeze(settings, store, 6, version=5, first_id=80_000)
    spec = tiny.encoder_id.spec
    run = CliRunner().invoke
    r = run(app, ["embed", "--freeze", "v5", "--sample", "3", "--encoder", spec, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ok"] is True
    r = run(app, ["embed", "--freeze", "v5", "--encoder", spec, "--workers", "0", "--batch-size", "4", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["embedded"] == 6 and summary["roundtrip_min_cosine"] > 0.95
    r = run(app, ["index", "export", f"v{summary['index_version']}", "--out", str(tmp_path / "x")])
    assert r.exit_code == 0, r.output
    assert np.load(tmp_path / "x" / "features.npy").shape == (6, 32)
    r = run(app, ["index", "merge", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["merged"] is False
    from test_cli_support import nummus

    r = nummus("embed")                           # no freeze named: a one-line error, exit 2
    assert r.code == 2 and "which freeze? e.g. --freeze v1" in r.err and "Traceback" not in r.err, r.output


def test_serving_switches_to_an_index_of_another_dim(settings, store, tiny, tmp_path):
    """Migration 0003: the serving view follows a new encoder whose vectors have another dim."""
    from nummus.embed.encoders import load_encoder
    from nummus.embed.job import embed_freeze
    from nummus import postgres

    make_freeze(settings, store, 4, version=7, first_id=90_000)
    first = embed_freeze(settings, "v7", tiny, num_workers=0, progress=False, roundtrip=False)
    other = load_encoder(f"clip:{register_tiny_clip(tmp_path, dim=16)}:random", "cpu")
    second = embed_freeze(settings, "v7", other, num_workers=0, progress=False, roundtrip=False)
    assert second.index_version > first.index_version
    app_url = _role_url(str(settings.database_url), "nummus_app")
    with psycopg.connect(app_url, autocommit=True) as conn:   # the app role reads the recreated view
        dims = conn.execute("SELECT DISTINCT vector_dims(pair::vector), index_version FROM search_vectors").fetchall()
    assert dims == [(16, second.index_version)]
    with postgres.session(settings) as conn:
        assert conn.execute("SELECT vector_dims(pair::vector) FROM index_v%s LIMIT 1" % first.index_version
                            ).fetchone()[0] == 32
