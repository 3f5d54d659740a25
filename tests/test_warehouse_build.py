"""The warehouse build: dbt build on small raw fixtures, the marts.coins contract, `nummus build`
and its exit codes, and gate_scale red for each failure it exists to catch (a coin_id collision,
a missing crop file, a coin lost or invented by the model) and green when clean.

The module works on a copy of the session's built warehouse (tests/test_warehouse_support.py):
tests run in file order; each one that plants a failure restores the clean state before it ends."""

from __future__ import annotations

import json

import pytest

from nummus.dbt.gates import UnknownGate, run_gate
from test_cli_support import nummus
from test_warehouse_support import (CONTRACT, CROP, N, PARSER, PERIODS, add_coin, cid, copy_built_warehouse,
                                    failing, outcome, project_with, query, rebuild_coins)


@pytest.fixture(scope="module")
def wh(module_settings, tmp_path_factory):
    """This module's settings (env set) on a copy of the built warehouse."""
    module_settings.__dict__["first_build"] = copy_built_warehouse(module_settings, tmp_path_factory)
    return module_settings


# --- build --------------------------------------------------------------------------------------

def test_build_clean_warehouse(wh):
    r = wh.__dict__["first_build"]
    assert r.ok, [(t.name, t.status, t.failures, t.message) for t in r.failed_tests]
    assert {m.name for m in r.models} >= {"stg_lots", "stg_images", "stg_crops", "stg_labels", "coins", "coverage"}
    assert r.objects_listed == N * 5
    gated = {g for t in r.tests for g in t.gates}
    assert gated == {"gate_scale", "gate_freeze"}          # later-phase gates are not part of build
    cols = [c for (c,) in query(wh, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts'"
                                    " AND table_name = 'coins'")]
    assert set(CONTRACT) <= set(cols)
    assert query(wh, "SELECT count(*), count(DISTINCT coin_id) FROM marts.coins") == [(N, N)]
    # the latest snapshot, the latest parse, the withdrawn lot left out
    assert query(wh, "SELECT title, lot_version FROM marts.coins WHERE coin_id = ?", [cid(0)]) == \
        [("Coin 0, corrected", 2)]
    assert query(wh, "SELECT period, parser_version FROM marts.coins WHERE coin_id = ?", [cid(1)]) == \
        [(PERIODS[1], PARSER)]
    assert query(wh, "SELECT count(*) FROM marts.coins WHERE coin_id = ?", [cid(N)]) == [(0,)]
    assert query(wh, "SELECT sum(coins) FROM marts.coverage") == [(N,)]


def test_contract_is_enforced_on_coins():
    import yaml

    from nummus.resources import dbt_project

    spec = yaml.safe_load((dbt_project() / "models" / "marts" / "coins.yml").read_text())["models"][0]
    assert spec["config"]["contract"]["enforced"] is True
    assert all(c.get("data_type") for c in spec["columns"])
    assert {"type": "primary_key"} in spec["columns"][0]["constraints"]


def test_unknown_gate_is_a_clear_error(wh):
    with pytest.raises(UnknownGate, match="gate_clean, gate_scale"):
        run_gate("gate_nope", wh)
    r = nummus("gate", "gate_nope")
    assert r.code == 2 and "unknown gate 'gate_nope'" in r.err and "Traceback" not in r.err


def test_cli_build_red_on_denomination_share_then_green(wh):
    """`nummus build`: exit 1 when a gate test fails — here 5 of 20 coins lost their denomination
    (75 % < 80 %: gate_freeze's denomination share), and only that test fails — exit 0 once clean."""
    lost = [cid(i) for i in (1, 4, 9, 13, 17)]
    query(wh, f"UPDATE raw.labels SET denomination = NULL WHERE coin_id IN ({', '.join('?' * len(lost))})", lost)
    try:
        r = nummus("build", "--json")
        assert r.code == 1, r.output
        report = json.loads(r.out)
        assert not report["ok"] and all(m["status"] == "success" for m in report["models"])
        bad = [t for t in report["tests"] if not (t["status"] == "pass" and t["failures"] == 0)]
        share = outcome(wh.__dict__["first_build"], "share_not_null_coins_denomination").name
        assert [t["name"] for t in bad] == [share]
        [sample] = bad[0]["sample"]
        assert (sample["column_name"], sample["total"], sample["present"], sample["share"]) == \
            ("denomination", N, N - 5, 0.75)
        assert query(wh, "SELECT count(denomination) FROM marts.coins") == [(N - 5,)]
    finally:
        query(wh, "UPDATE raw.labels SET denomination = 'denarius' WHERE parser_version = ?", [PARSER])
    r = nummus("build")
    assert r.code == 0, r.output
    assert "build ok" in r.out and "0 failing" in r.out
    assert query(wh, "SELECT count(denomination) FROM marts.coins") == [(N,)]


# --- gate_scale ---------------------------------------------------------------------------------

def test_gate_scale_red_on_coin_id_collision_and_cli_table(wh):
    # another natural key minted the same coin_id: a collision, never an overwrite
    query(wh, "INSERT INTO raw.lots (coin_id, house, sale, lot, version, source)"
              " VALUES (?, 'other', 's9', '5', 1, 'import')", [cid(5)])
    try:
        out = nummus("gate", "gate_scale")
        assert out.code == 1, out.output
        assert "gate_scale_coin_id_collision" in out.out and str(cid(5)) in out.out
        assert "FAIL" in out.out and "pass" in out.out and "gate_scale: FAIL" in out.out
    finally:
        query(wh, "DELETE FROM raw.lots WHERE house = 'other'")
    out = nummus("gate", "gate_scale")
    assert out.code == 0 and "gate_scale: PASS" in out.out, out.output


def test_gate_scale_red_on_missing_crop_file(wh):
    from nummus.objectstore import get_store

    store = get_store(wh)
    key = f"crops/v{CROP}/{cid(3)}_obv.jpg"
    store.delete(key)
    try:
        result = run_gate("gate_scale", wh)
        assert not result.passed
        assert failing(result) == {"file_exists_coins_obv_key": [cid(3)]}
    finally:
        store.put(key, b"crop")


def test_gate_scale_red_when_the_model_loses_a_coin(wh, tmp_path, monkeypatch):
    """A lot vision never cropped is still a coin. A coins model that inner-joins the crops drops
    it: the two checks that every scraped coin reaches marts.coins fail (the row counts, and the
    lost coin's key), and nothing else does."""
    from nummus.objectstore import get_store

    with __import__("nummus").warehouse.session(wh) as con:
        uncropped = add_coin(con, get_store(wh), "uncropped", "greek", cropped=False)
    try:
        rebuild_coins(wh)
        assert run_gate("gate_scale", wh).passed          # the real model keeps the uncropped coin
        broken = project_with(tmp_path, "coins", "left join crops as c", "join crops as c")
        monkeypatch.setattr("nummus.dbt.build.dbt_project", lambda: broken)
        rebuild_coins(wh)
        assert query(wh, "SELECT count(*) FROM marts.coins WHERE coin_id = ?", [uncropped]) == [(0,)]
        result = run_gate("gate_scale", wh)
        assert not result.passed
        rows = outcome(result, "equal_row_count_coins")
        lost = outcome(result, "keys_exist_in_stg_lots_coin_id")
        assert sorted(failing(result)) == sorted([rows.name, lost.name])
        assert rows.sample == [{"rows_here": N, "rows_there": N + 1}]
        assert [r["coin_id"] for r in lost.sample] == [uncropped]
    finally:
        monkeypatch.undo()
        query(wh, "DELETE FROM raw.lots WHERE lot = 'uncropped'")
        query(wh, "DELETE FROM raw.images WHERE lot = 'uncropped'")
        query(wh, "DELETE FROM raw.labels WHERE coin_id = ?", [uncropped])
        rebuild_coins(wh)


def test_gate_scale_red_when_the_model_invents_a_coin(wh, tmp_path, monkeypatch):
    """A coins model that forgets to leave withdrawn lots out has one coin more than the sale has
    lots: the row-count check fails alone (every lot still has its coin)."""
    broken = project_with(tmp_path, "coins", "where is_latest_version and lot_status <> 'withdrawn'",
                          "where is_latest_version")
    monkeypatch.setattr("nummus.dbt.build.dbt_project", lambda: broken)
    try:
        rebuild_coins(wh)
        assert query(wh, "SELECT count(*) FROM marts.coins WHERE coin_id = ?", [cid(N)]) == [(1,)]
        result = run_gate("gate_scale", wh)
        rows = outcome(result, "equal_row_count_coins")
        assert list(failing(result)) == [rows.name]
        assert rows.sample == [{"rows_here": N + 1, "rows_there": N}]
    finally:
        monkeypatch.undo()
        rebuild_coins(wh)
    assert run_gate("gate_scale", wh).passed
