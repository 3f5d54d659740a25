"""The warehouse: dbt build on small raw fixtures, each phase gate red for the failure it exists to
catch and green when clean, the QA report, freezes (never overwritten, tamper-evident).

One warehouse per module (dbt runs take seconds): tests run in file order; each one that plants
a failure restores the clean state before it ends."""

from __future__ import annotations

import json
import math

import duckdb
import pytest
from typer.testing import CliRunner

from nummus import postgres, warehouse
from nummus.dbt.build import build, run_dbt
from nummus.dbt.freeze import FreezeRefused, freeze, list_freezes, verify
from nummus.dbt.gates import GateResult, UnknownGate, run_gate
from nummus.identity import coin_id
from nummus.dbt.qa_report import write_report

N = 20
CROP, PARSER = "c1", "p1"
PERIODS = ["roman_imperial", "greek", "byzantine", "roman_republican"]
CONTRACT = ("coin_id house sale lot lot_url title description estimate_low estimate_high price price_kind currency "
            "closing_date image_sha256 layout obv_key rev_key obv_small_key rev_small_key obv_flags rev_flags "
            "crop_status crop_version period period_conf denomination denomination_conf metal authority dynasty "
            "mint date_from date_to weight_g diameter_mm die_axis_h references grade provenance parser_version "
            "needs_review").split()


def cid(i: int) -> int:
    return coin_id("demo", "s1", str(i))


def add_coin(con, store, lot: str, period: str, *, status: str = "ok") -> int:
    """One clean lot: snapshot, photo, crops at CROP (files in the store), labels of PARSER."""
    c = coin_id("demo", "s1", lot)
    con.execute("INSERT INTO raw.lots (coin_id, house, sale, lot, version, title, price, currency, lot_status,"
                " source) VALUES (?, 'demo', 's1', ?, 1, ?, 100, 'EUR', ?, 'scrape')", [c, lot, f"Coin {lot}", status])
    if status == "withdrawn":
        return c
    img = f"raw/demo/s1/{lot}/0.jpg"
    store.put(img, b"jpeg")
    con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key, width, height)"
                " VALUES (?, 'demo', 's1', ?, 0, ?, ?, 800, 400)", [c, lot, f"sha{lot}", img])
    keys = [f"crops/v{CROP}/{c}_{side}.jpg" for side in ("obv", "rev", "obv_224", "rev_224")]
    for k in keys:
        store.put(k, b"crop")
    con.execute("INSERT INTO raw.crops (coin_id, crop_version, image_sha256, layout, obv_key, rev_key,"
                " obv_small_key, rev_small_key, obv_flags, rev_flags, status, confidence, created_at)"
                " VALUES (?, ?, ?, 'pair_horizontal', ?, ?, ?, ?, ['off_center'], [], 'green', 0.9,"
                " TIMESTAMP '2026-01-01')", [c, CROP, f"sha{lot}", *keys])
    con.execute("INSERT INTO raw.labels (coin_id, parser_version, lot_version, period, period_conf,"
                " denomination, denomination_conf, weight_g, \"references\", parsed_at)"
                " VALUES (?, ?, 1, ?, 0.9, 'denarius', 0.8, 3.4, '[{\"catalogue\": \"RIC\", \"number\": \"1\"}]',"
                " TIMESTAMP '2026-01-01')", [c, PARSER, period])
    return c


def fill_raw(con, store) -> None:
    """N clean coins of one sale; lot 0 has a second snapshot, lot 1 an older parse, and a
    withdrawn lot (N) must not become a coin."""
    for i in range(N):
        add_coin(con, store, str(i), PERIODS[i % 4])
    add_coin(con, store, str(N), "greek", status="withdrawn")
    con.execute("INSERT INTO raw.lots (coin_id, house, sale, lot, version, title, lot_status, source)"
                " VALUES (?, 'demo', 's1', '0', 2, 'Coin 0, corrected', 'ok', 'scrape')", [cid(0)])
    con.execute("INSERT INTO raw.labels (coin_id, parser_version, period, parsed_at)"
                " VALUES (?, 'p0', 'celtic', TIMESTAMP '2025-01-01')", [cid(1)])
    con.execute("INSERT INTO raw.quarantine (stage, lot, reason, detail) VALUES ('scrape', '99', 'http_404', 'gone')")


@pytest.fixture(scope="module")
def wh(module_settings):
    """Settings for this module's warehouse (env set), filled and built once."""
    from nummus.objectstore import get_store

    s = module_settings
    with warehouse.session(s) as con:
        fill_raw(con, get_store(s))
    s.__dict__["first_build"] = build(s)
    return s


def query(settings, sql: str, params=None) -> list[tuple]:
    with warehouse.session(settings) as con:
        return con.execute(sql, params or []).fetchall()


def rebuild_coins(settings) -> None:
    r = run_dbt(settings, ["run", "--select", "coins", "coverage"])
    assert not r.failed_models, r.failed_models


def failing(result: GateResult) -> dict[str, list]:
    return {t.name: [row.get("coin_id") for row in t.sample] for t in result.failing}


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


# --- gate_scale ---------------------------------------------------------------------------------

def test_gate_scale_red_on_coin_id_collision_and_cli_table(wh):
    from nummus.cli import app

    # another natural key minted the same coin_id: a collision, never an overwrite
    query(wh, "INSERT INTO raw.lots (coin_id, house, sale, lot, version, source)"
              " VALUES (?, 'other', 's9', '5', 1, 'import')", [cid(5)])
    try:
        out = CliRunner().invoke(app, ["gate", "gate_scale"])
        assert out.exit_code == 1, out.output
        assert "gate_scale_coin_id_collision" in out.output and str(cid(5)) in out.output
        assert "FAIL" in out.output and "pass" in out.output
    finally:
        query(wh, "DELETE FROM raw.lots WHERE house = 'other'")


def test_gate_scale_red_on_missing_crop_file(wh, request):
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


# --- gate_freeze --------------------------------------------------------------------------------

def test_gate_freeze_red_on_coverage_under_threshold_and_freeze_refused(wh):
    # 3 of 20 coins without a period: 85 % < 90 %
    query(wh, "UPDATE raw.labels SET period = NULL WHERE coin_id IN (?, ?, ?)", [cid(2), cid(6), cid(10)])
    try:
        rebuild_coins(wh)
        result = run_gate("gate_freeze", wh)
        assert not result.passed
        share = [t for t in result.failing if t.name.startswith("share_not_null_coins_period")]
        assert len(result.failing) == 1 and share[0].sample[0]["share"] == pytest.approx(0.85)
        assert query(wh, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'frozen'") == [(0,)]
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
        assert query(wh, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'frozen'") == [(0,)]
    finally:
        query(wh, "DELETE FROM raw.crops WHERE crop_version = 'c2'")
        rebuild_coins(wh)


# --- gate_go and the QA report ------------------------------------------------------------------

def embed_sample(settings, vectors: dict[int, str], resume_identical: bool = True) -> None:
    """meta.embed_sample and meta.embed_resume_check as the embed dry run writes them; vectors as
    SQL list literals."""
    query(settings, "INSERT INTO meta.embed_resume_check (source, coins, identical, encoder_id)"
                    " VALUES ('v1', ?, ?, 'test')",
          [len(vectors), resume_identical])
    query(settings, "DELETE FROM meta.embed_sample")
    for c, vec in vectors.items():
        query(settings, f"INSERT INTO meta.embed_sample (coin_id, side, vector, encoder_id)"
                        f" VALUES (?, 'obv', {vec}::FLOAT[], ?)", [c, json.dumps({"model": "test", "dim": 4})])


def test_gate_go_red_without_report_and_on_nan_green_when_clean(wh):
    result = run_gate("gate_go", wh)
    assert not result.passed
    assert {"gate_go_qa_report", "gate_go_embed_sample", "gate_go_resumable"} <= set(failing(result))

    path = write_report(wh)
    html = open(path).read()
    assert html.count("data:image/png;base64,") >= 5 and "Coverage by house and sale" in html
    doc = json.loads(open(path.replace(".html", ".json")).read())
    assert doc["figures"]["row_counts"]["coins"] == N
    assert doc["figures"]["quarantine"] == [["scrape", "http_404", 1]]
    assert dict(doc["figures"]["period"])["greek"] == 5
    assert doc["figures"]["null_rates"]["grade"] == 1.0

    unit = "[0.5, 0.5, 0.5, 0.5]"
    embed_sample(wh, {cid(0): unit, cid(1): "[0.5, 'NaN'::FLOAT, 0.5, 0.5]", cid(2): "[0.6, 0.6, 0.6, 0.6]",
                      cid(3): "[1.0, 0.0, 0.0]", cid(4): "[0.5, NULL, 0.5, 0.5]"})
    result = run_gate("gate_go", wh)
    assert not result.passed
    problems = {(row["problem"].split(" ")[0], row["coin_id"]) for t in result.failing for row in t.sample}
    assert problems == {("NaN,", cid(1)), ("norm", cid(2)), ("dimension", cid(3)), ("NaN,", cid(4))}
    assert "gate_go_qa_report" not in failing(result)       # the report is there now

    embed_sample(wh, {cid(i): unit for i in range(5)}, resume_identical=False)  # a resume that drifted
    result = run_gate("gate_go", wh)
    assert list(failing(result)) == ["gate_go_resumable"]

    embed_sample(wh, {cid(i): unit for i in range(5)})
    result = run_gate("gate_go", wh)
    assert result.passed, failing(result)


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
    assert verify("v1", wh).ok


def test_lots_after_a_freeze_never_enter_it(wh):
    from nummus.objectstore import get_store

    with warehouse.session(wh) as con:
        late = add_coin(con, get_store(wh), "late", "greek")
    rebuild_coins(wh)
    assert query(wh, "SELECT count(*) FROM marts.coins") == [(N + 1,)]
    assert query(wh, "SELECT count(*) FROM frozen.coins_v1 WHERE coin_id = ?", [late]) == [(0,)]
    assert verify("v1", wh).ok          # the late lot waits for v2 (test_freeze_verify_catches_...)


# --- vector gates (PostgreSQL, read through DuckDB's postgres extension) -------------------------

def unit(i: int, dim: int = 4, norm: float = 1.0) -> list[float]:
    v = [math.cos(i + k) for k in range(dim)]
    n = math.sqrt(sum(x * x for x in v))
    return [norm * x / n for x in v]


@pytest.fixture(scope="module")
def index_v1(wh, pg_url):
    """index_v1 built from freeze v1 with 4-dim unit halfvecs, plus 10 round-trip checks."""
    from pgvector import HalfVector

    frozen = query(wh, "SELECT coin_id, period FROM frozen.coins_v1 ORDER BY coin_id")
    assert len(frozen) == N
    with postgres.connect(url=pg_url) as conn:
        conn.execute("SELECT nummus_create_index(1, 4, 'halfvec')")
        conn.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type)"
                     " VALUES (1, 'v1', '{\"model\": \"test\"}', 4, 'halfvec')")
        for k, (c, period) in enumerate(frozen):
            conn.execute("INSERT INTO coins (coin_id, freeze_id, period) VALUES (%s, 'v1', %s)", [c, period])
            conn.execute("INSERT INTO index_v1 (coin_id, period, obv, rev, pair) VALUES (%s, %s, %s, %s, %s)",
                         [c, period, HalfVector(unit(k)), HalfVector(unit(k + 1)), HalfVector(unit(k + 2))])
        conn.commit()
    for c, _ in frozen[:10]:
        query(wh, "INSERT INTO meta.embed_roundtrip (index_version, coin_id, cosine) VALUES (1, ?, 0.99)", [c])
    return frozen


def test_vector_gates_green_when_clean(wh, index_v1):
    for name in ("gate_clean", "gate_embedded"):
        result = run_gate(name, wh)
        assert result.passed, failing(result)


def test_vector_gates_red_on_a_norm_of_1_2(wh, index_v1, pg_url):
    from pgvector import HalfVector

    c = index_v1[4][0]
    with postgres.connect(url=pg_url) as conn:
        conn.execute("UPDATE index_v1 SET pair = %s WHERE coin_id = %s", [HalfVector(unit(4, norm=1.2)), c])
        conn.commit()
    try:
        for name in ("gate_clean", "gate_embedded"):
            result = run_gate(name, wh)
            assert not result.passed
            bad = [row for t in result.failing for row in t.sample]
            assert [row["coin_id"] for row in bad] == [c], bad
            assert float(bad[0]["problem"].split()[1]) == pytest.approx(1.2, abs=0.005)   # halfvec precision
    finally:
        with postgres.connect(url=pg_url) as conn:
            conn.execute("UPDATE index_v1 SET pair = %s WHERE coin_id = %s", [HalfVector(unit(6)), c])
            conn.commit()


def test_vector_gates_red_on_count_mismatch_and_bad_roundtrip(wh, index_v1, pg_url):
    from pgvector import HalfVector

    c, period = index_v1[-1]
    with postgres.connect(url=pg_url) as conn:
        row = conn.execute("SELECT obv, rev, pair FROM index_v1 WHERE coin_id = %s", [c]).fetchone()
        conn.execute("DELETE FROM index_v1 WHERE coin_id = %s", [c])
        conn.commit()
    query(wh, "UPDATE meta.embed_roundtrip SET cosine = 0.5 WHERE coin_id = ?", [index_v1[0][0]])
    try:
        clean = run_gate("gate_clean", wh)
        assert not clean.passed
        problems = {r["problem"].split(" ")[0] + ":" + str(r["coin_id"]) for t in clean.failing for r in t.sample}
        assert problems == {f"coin:{c}", "vector:None"}     # coin without a vector; 19 vectors <> 20 coins
        embedded = run_gate("gate_embedded", wh)
        assert not embedded.passed
        got = failing(embedded)
        assert got["gate_embedded_roundtrip"] == [index_v1[0][0]]
        assert sorted(got["gate_embedded_vectors"], key=str) == sorted([None, c], key=str)
    finally:
        with postgres.connect(url=pg_url) as conn:
            conn.execute("INSERT INTO index_v1 (coin_id, period, obv, rev, pair) VALUES (%s, %s, %s, %s, %s)",
                         [c, period, *row])
            conn.commit()
        query(wh, "UPDATE meta.embed_roundtrip SET cosine = 0.99")


# --- tampering (last: it breaks the freeze on purpose) ------------------------------------------

def test_interrupted_freeze_is_redone_then_verify_catches_tampering(wh, monkeypatch):
    from nummus.cli import app
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

    m2 = freeze(wh)                         # redone: the next free version, with the late lot
    assert (m2.version, m2.previous, m2.row_count) == ("v2", "v1", N + 1)
    assert [m.version for m in list_freezes(wh)] == ["v1", "v2"]

    # the table, behind nummus' back (nummus' own writers refuse frozen names)
    query(wh, "UPDATE frozen.coins_v1 SET title = 'forged' WHERE coin_id = ?", [cid(0)])
    r = verify("v1", wh)
    assert not r.ok and {c["check"]: c["ok"] for c in r.checks} == {"table": False, "meta.freezes": True,
                                                                     "parquet": True}
    out = CliRunner().invoke(app, ["freeze", "verify", "v1"])
    assert out.exit_code == 1 and "MISMATCH" in out.output

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
    assert CliRunner().invoke(app, ["freeze", "verify", "v2"]).exit_code == 1
