"""gate_freeze and the freeze: gate_freeze red for each failure it exists to catch (period and
crop-version coverage, confidences out of range, a frozen table that no longer matches its
manifest), freezes written once and never overwritten, tamper-evident, and `nummus freeze`,
`freeze list` and `freeze verify` with their exit codes.

The module works on a copy of the session's built warehouse (tests/test_warehouse_support.py):
tests run in file order; each one that plants a failure restores the clean state before it ends."""

from __future__ import annotations

import json

import duckdb
import pytest

from nummus import warehouse
from nummus.dbt.build import build
from nummus.dbt.freeze import FreezeRefused, freeze, list_freezes, verify
from nummus.dbt.gates import run_gate
from test_cli_support import nummus
from test_warehouse_support import (CROP, N, PARSER, PERIODS, add_coin, cid, copy_built_warehouse, failing,
                                    outcome, query, rebuild_coins)


@pytest.fixture(scope="module")
def wh(module_settings, tmp_path_factory):
    """This module's settings (env set) on a copy of the built warehouse."""
    copy_built_warehouse(module_settings, tmp_path_factory)
    return module_settings


def frozen_tables(settings) -> list[tuple]:
    return query(settings, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'frozen'")


# --- gate_freeze --------------------------------------------------------------------------------

def test_gate_freeze_red_on_coverage_under_threshold_and_freeze_refused(wh):
    # 3 of 20 coins without a period: 85 % < 90 %
    query(wh, "UPDATE raw.labels SET period = NULL WHERE coin_id IN (?, ?, ?)", [cid(2), cid(6), cid(10)])
    try:
        rebuild_coins(wh)
        result = run_gate("gate_freeze", wh)
        assert not result.passed
        share = outcome(result, "share_not_null_coins_period")
        assert list(failing(result)) == [share.name] and share.sample[0]["share"] == pytest.approx(0.85)
        r = nummus("freeze")                         # the command says why, on one line, exit 2
        assert r.code == 2 and "gate_freeze fails, freeze v1 refused: share_not_null_coins_period" in r.err
        assert "Traceback" not in r.err and r.err.count("\n") == 1
        assert frozen_tables(wh) == [(0,)]
    finally:
        query(wh, "UPDATE raw.labels SET period = ? WHERE coin_id IN (?, ?, ?)", [PERIODS[2], cid(2), cid(6), cid(10)])
        # marts.coins is rebuilt by the next test (which plants its own failure first)


def test_gate_freeze_red_on_stale_crop_version(wh):
    # vision re-ran at crop_version c2 for every coin but one: that coin's crops are stale
    query(wh, f"INSERT INTO raw.crops (coin_id, crop_version, layout, obv_key, rev_key, status, created_at)"
              f" SELECT coin_id, 'c2', layout, obv_key, rev_key, status, TIMESTAMP '2026-02-01' FROM raw.crops"
              f" WHERE crop_version = '{CROP}' AND coin_id <> ?", [cid(7)])
    try:
        rebuild_coins(wh)
        with pytest.raises(FreezeRefused, match="gate_freeze fails.*gate_freeze_crop_version_current") as refused:
            freeze(wh)
        assert failing(refused.value.gate) == {"gate_freeze_crop_version_current": [cid(7)]}
        assert frozen_tables(wh) == [(0,)]
    finally:
        query(wh, "DELETE FROM raw.crops WHERE crop_version = 'c2'")
        rebuild_coins(wh)


def test_gate_freeze_red_on_confidences_out_of_range(wh):
    """A parser that wrote a period confidence of 1.7 and one of NaN: gate_freeze's range check
    on period_conf fails with those two coins, alone. Ranges without a gate tag only warn in the
    build (a weight of -3 g)."""
    query(wh, "UPDATE raw.labels SET period_conf = 1.7 WHERE coin_id = ? AND parser_version = ?", [cid(2), PARSER])
    query(wh, "UPDATE raw.labels SET period_conf = 'NaN'::DOUBLE WHERE coin_id = ? AND parser_version = ?",
          [cid(3), PARSER])
    query(wh, "UPDATE raw.labels SET weight_g = -3 WHERE coin_id = ? AND parser_version = ?", [cid(4), PARSER])
    try:
        result = run_gate("gate_freeze", wh)
        conf = outcome(result, "values_in_range_stg_labels_period_conf")
        assert list(failing(result)) == [conf.name]
        assert sorted(failing(result)[conf.name]) == sorted([cid(2), cid(3)])
        staged = build(wh, select=["stg_labels"], refresh_listing=False)      # the view and its tests
        weight = outcome(staged, "values_in_range_stg_labels_weight_g")
        assert [t.name for t in staged.failed_tests] == [conf.name]           # the gate's test fails the build
        assert [t.name for t in staged.warnings] == [weight.name]             # the untagged one warns
        assert [row["coin_id"] for row in weight.sample] == [cid(4)]
    finally:
        query(wh, "UPDATE raw.labels SET period_conf = 0.9, weight_g = 3.4 WHERE parser_version = ?", [PARSER])
    assert run_gate("gate_freeze", wh).passed


# --- freeze -------------------------------------------------------------------------------------

def test_freeze_writes_table_parquet_manifest_and_refuses_a_second_time(wh):
    from nummus.objectstore import get_store

    m = freeze(wh)
    assert m.version == "v1" and m.table == "frozen.coins_v1" and m.previous is None
    assert m.row_count == N
    ids = sorted(cid(i) for i in range(N))
    assert (m.min_coin_id, m.max_coin_id) == (ids[0], ids[-1])
    assert m.parser_versions == [PARSER] and m.crop_versions == [CROP]
    assert all(g["status"] == "pass" for g in m.gates.values()) and len(m.gates) >= 3
    assert len(m.content_sha256) == 64
    store = get_store(wh)
    assert store.exists("freezes/coins_v1.parquet")
    assert json.loads(store.get("freezes/freeze_v1.json"))["content_sha256"] == m.content_sha256
    assert query(wh, "SELECT count(*) FROM frozen.coins_v1") == [(N,)]

    with pytest.raises(FreezeRefused, match="never overwritten"):
        freeze(wh, version="v1")
    r = nummus("freeze", "--version", "v1")
    assert r.code == 2 and "freeze v1 exists" in r.err and "never overwritten" in r.err
    r = nummus("freeze", "list")
    assert r.code == 0 and f"v1  " in r.out.replace("│", " ") and f"{ids[0]}..{ids[-1]}" in r.out
    r = nummus("freeze", "verify", "v1")
    assert r.code == 0 and "verified" in r.out
    assert verify("v1", wh).ok


def test_gate_freeze_red_when_a_frozen_table_no_longer_matches_its_manifest(wh):
    """A row deleted from frozen.coins_v1 behind nummus' back: the table no longer holds the rows
    and coin_id range its manifest record says, and gate_freeze's manifest check fails alone."""
    top = max(cid(i) for i in range(N))
    query(wh, "CREATE TABLE main.kept AS SELECT * FROM frozen.coins_v1 WHERE coin_id = ?", [top])
    query(wh, "DELETE FROM frozen.coins_v1 WHERE coin_id = ?", [top])
    try:
        result = run_gate("gate_freeze", wh)
        assert list(failing(result)) == ["gate_freeze_manifests"]
        assert [row["version"] for row in outcome(result, "gate_freeze_manifests").sample] == ["v1"]
    finally:
        query(wh, "INSERT INTO frozen.coins_v1 SELECT * FROM main.kept")
        query(wh, "DROP TABLE main.kept")
    assert run_gate("gate_freeze", wh).passed and verify("v1", wh).ok


def test_lots_after_a_freeze_never_enter_it(wh):
    from nummus.objectstore import get_store

    with warehouse.session(wh) as con:
        late = add_coin(con, get_store(wh), "late", "greek")
    rebuild_coins(wh)
    assert query(wh, "SELECT count(*) FROM marts.coins") == [(N + 1,)]
    assert query(wh, "SELECT count(*) FROM frozen.coins_v1 WHERE coin_id = ?", [late]) == [(0,)]
    assert verify("v1", wh).ok          # the late lot waits for v2 (the next test)


# --- tampering (last: it breaks the freezes on purpose) -----------------------------------------

def test_interrupted_freeze_is_redone_then_verify_catches_tampering(wh, monkeypatch):
    from nummus.objectstore import get_store

    store = get_store(wh)
    real_put = store.put

    def put_then_die(key, data):        # killed right after writing the manifest, before the commit
        real_put(key, data)
        if key.endswith(".json"):
            raise KeyboardInterrupt("killed")

    monkeypatch.setattr(store, "put", put_then_die)
    with pytest.raises(KeyboardInterrupt):
        freeze(wh)
    monkeypatch.undo()
    assert store.exists("freezes/freeze_v2.json")
    assert query(wh, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'coins_v2'") == [(0,)]

    r = nummus("freeze")                    # redone: the next free version, with the late lot
    assert r.code == 0, r.output
    assert f"frozen frozen.coins_v2: {N + 1} coins" in r.out and "previous v1" in r.out
    m2 = list_freezes(wh)[-1]
    assert (m2.version, m2.previous, m2.row_count) == ("v2", "v1", N + 1)
    assert [m.version for m in list_freezes(wh)] == ["v1", "v2"]
    listed = nummus("freeze", "list").out
    assert listed.index("v1") < listed.index("v2") and str(N + 1) in listed

    # the table, behind nummus' back (nummus' own writers refuse frozen names)
    query(wh, "UPDATE frozen.coins_v1 SET title = 'forged' WHERE coin_id = ?", [cid(0)])
    r = verify("v1", wh)
    assert not r.ok and {c["check"]: c["ok"] for c in r.checks} == {"table": False, "meta.freezes": True,
                                                                     "parquet": True}
    out = nummus("freeze", "verify", "v1")
    assert out.code == 1 and "MISMATCH" in out.out and "TAMPERED OR INCOMPLETE" in out.out

    # the Parquet copy: same rows, one price changed
    path = store.local_path("freezes/coins_v2.parquet")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
    con.execute("UPDATE t SET price = price + 1 WHERE coin_id = ?", [cid(1)])
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    con.close()
    r = verify("v2", wh)
    assert not r.ok and {c["check"]: c["ok"] for c in r.checks} == {"table": True, "meta.freezes": True,
                                                                     "parquet": False}
    assert nummus("freeze", "verify", "v2").code == 1
