"""The later-phase gates on a frozen warehouse: gate_go (the QA report, `nummus qa-report`, the
dry-run embedding sample) and the vector gates gate_clean / gate_embedded (PostgreSQL, read
through DuckDB's postgres extension), each red for the failure it exists to catch and green
when clean.

The module works on a copy of the session's built warehouse (tests/test_warehouse_support.py),
frozen as v1: tests run in file order; each one that plants a failure restores the clean state."""

from __future__ import annotations

import json
import math

import pytest

from nummus import postgres
from nummus.dbt.freeze import freeze
from nummus.dbt.gates import run_gate
from test_cli_support import nummus
from test_warehouse_support import N, cid, copy_built_warehouse, failing, query


@pytest.fixture(scope="module")
def wh(module_settings, tmp_path_factory):
    """This module's settings (env set) on a copy of the built warehouse, frozen as v1."""
    copy_built_warehouse(module_settings, tmp_path_factory)
    assert freeze(module_settings).version == "v1"
    return module_settings


def test_qa_report_before_any_build_is_a_clear_error(settings):
    r = nummus("qa-report")
    assert r.code == 2 and "marts.coins does not exist yet: run `nummus build`" in r.err, r.output
    assert "Traceback" not in r.err
    assert query(settings, "SELECT count(*) FROM meta.qa_reports") == [(0,)]  # nothing recorded


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

    r = nummus("qa-report")
    assert r.code == 0, r.output
    path = r.out.split("QA report: ", 1)[1].strip()
    html = open(path).read()
    assert html.count("data:image/png;base64,") >= 5 and "Coverage by house and sale" in html
    doc = json.loads(open(path.replace(".html", ".json")).read())
    assert doc["figures"]["row_counts"]["coins"] == N
    assert doc["figures"]["quarantine"] == [["scrape", "http_404", 1]]
    assert dict(doc["figures"]["period"])["greek"] == 5
    assert doc["figures"]["null_rates"]["grade"] == 1.0
    assert query(wh, "SELECT coins, html_key FROM meta.qa_reports") == [(N, f"reports/{doc['report_id']}.html")]

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
    assert run_gate("gate_clean", wh).passed
