"""The batch step over a real DuckDB warehouse: raw.lots → raw.labels, resumable, idempotent,
bad input quarantined; and the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nummus.ingest.parse import PARSER_VERSION
from nummus.ingest.parse.batch import parse_pending
from nummus.ingest.parse.evaluate import load_corpus
from nummus import warehouse
from nummus.identity import coin_id

CORPUS = load_corpus(Path(__file__).parent / "fixtures" / "parse_corpus.jsonl")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def duck_settings(tmp_path, monkeypatch):
    """Settings with a temporary data folder and an initialised DuckDB warehouse (no PostgreSQL:
    parsing only touches DuckDB)."""
    from nummus.settings import get_settings

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(tmp_path / "data"))
    for var in ("NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL", "NUMMUS_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    s = get_settings()
    warehouse.init_warehouse(s)
    yield s
    get_settings.cache_clear()


def add_lots(settings, lots: list[tuple[str, int, str | None, str | None]]) -> None:
    """(lot number, version, title, description) rows of house 'test', sale 's1'."""
    import pyarrow as pa

    table = pa.table({
        "coin_id": pa.array([coin_id("test", "s1", lot) for lot, *_ in lots], pa.int64()),
        "lot": [lot for lot, *_ in lots],
        "version": pa.array([v for _, v, _, _ in lots], pa.int32()),
        "title": pa.array([t for _, _, t, _ in lots], pa.string()),
        "description": pa.array([d for *_, d in lots], pa.string()),
    })
    with warehouse.session(settings) as con:
        con.register("new_lots", table)
        con.execute("INSERT INTO raw.lots (coin_id, house, sale, lot, version, title, description, source) "
                    "SELECT coin_id, 'test', 's1', lot, version, title, description, 'import' FROM new_lots")


def corpus_lots(n: int, version: int = 1) -> list[tuple[str, int, str, str]]:
    return [(str(i), version, CORPUS[i % len(CORPUS)].title, CORPUS[i % len(CORPUS)].description) for i in range(n)]


def query(settings, sql: str, params=None):
    with warehouse.session(settings, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_parse_pending_writes_labels_once(duck_settings):
    add_lots(duck_settings, corpus_lots(40) + [("empty", 1, None, "  ")])
    first = parse_pending(duck_settings, chunk_size=16, progress=False)
    assert (first.pending, first.parsed, first.quarantined, first.chunks) == (41, 41, 1, 3)
    assert first.parser_version == PARSER_VERSION
    again = parse_pending(duck_settings, progress=False)
    assert (again.pending, again.parsed) == (0, 0)
    assert query(duck_settings, "SELECT count(*), count(DISTINCT coin_id) FROM raw.labels") == [(41, 41)]
    (row,) = query(duck_settings, "SELECT period, denomination, authority, weight_g, diameter_mm, die_axis_h, "
                                  "parser_version, lot_version, \"references\"->>'$[0].catalogue' "
                                  "FROM raw.labels WHERE coin_id = ?", [coin_id("test", "s1", "0")])
    t = CORPUS[0].truth
    assert row[:6] == (t.period, t.denomination, t.authority, t.weight_g, t.diameter_mm, t.die_axis_h)
    assert row[6:] == (PARSER_VERSION, 1, "Price")
    quarantine = query(duck_settings, "SELECT stage, lot, reason FROM raw.quarantine")
    assert quarantine == [("parse", "empty", "no_text")]  # once, not again on the second run
    assert query(duck_settings, "SELECT needs_review FROM raw.labels WHERE coin_id = ?",
                 [coin_id("test", "s1", "empty")]) == [(True,)]


def test_new_lot_version_and_new_parser_version_are_parsed_again(duck_settings):
    add_lots(duck_settings, corpus_lots(5))
    parse_pending(duck_settings, progress=False)
    # the page changed: version 2 of lot 1 is now a Byzantine solidus
    add_lots(duck_settings, [("1", 2, "Justinian I. 527-565. AV Solidus (21mm, 4.46 g, 6h). Constantinople.", "")])
    # labels of an older parser version are kept as they are
    with warehouse.session(duck_settings) as con:
        con.execute("INSERT INTO raw.labels (coin_id, parser_version, lot_version, period) VALUES (?, 'parse-0.1', 1, 'x')",
                    [coin_id("test", "s1", "3")])
    summary = parse_pending(duck_settings, progress=False)
    assert (summary.pending, summary.parsed) == (1, 1)
    rows = query(duck_settings, "SELECT parser_version, lot_version, period, denomination FROM raw.labels "
                                "WHERE coin_id = ?", [coin_id("test", "s1", "1")])
    assert rows == [(PARSER_VERSION, 2, "byzantine", "solidus")]
    assert query(duck_settings, "SELECT count(*) FROM raw.labels WHERE parser_version = 'parse-0.1'") == [(1,)]


def test_a_failing_lot_is_quarantined_and_the_run_goes_on(duck_settings, monkeypatch):
    from nummus.ingest.parse import batch

    real = batch.parse_lot

    def fragile(title, description, house=None):  # fault injection: the parser fails on one lot
        if title and "Croesus" in title:
            raise ValueError("boom")
        return real(title, description, house)

    monkeypatch.setattr(batch, "parse_lot", fragile)
    lots = corpus_lots(60)
    add_lots(duck_settings, lots)
    failing = sum("Croesus" in title for _, _, title, _ in lots)
    assert failing == 1
    summary = parse_pending(duck_settings, progress=False)
    assert (summary.parsed, summary.quarantined) == (59, 1)
    assert query(duck_settings, "SELECT reason, detail FROM raw.quarantine") == [("parse_error", "ValueError: boom")]
    monkeypatch.setattr(batch, "parse_lot", real)
    assert parse_pending(duck_settings, progress=False).parsed == 1  # retried on the next run


def test_resumes_after_kill_9(duck_settings):
    add_lots(duck_settings, corpus_lots(1500))
    script = textwrap.dedent("""
        import sys, time
        from nummus.ingest.parse.batch import parse_pending
        def slow(done):
            print(done, flush=True)
            time.sleep(0.3)
        parse_pending(chunk_size=100, progress=False, on_chunk=slow)
    """)
    env = dict(os.environ, NUMMUS_DATA_DIR=str(duck_settings.data_dir))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    done = [int(proc.stdout.readline()) for _ in range(3)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert done[-1] == 300
    written = query(duck_settings, "SELECT count(*) FROM raw.labels")[0][0]
    assert 300 <= written < 1500
    summary = parse_pending(duck_settings, progress=False)
    assert summary.pending == 1500 - written
    assert query(duck_settings, "SELECT count(*), count(DISTINCT coin_id) FROM raw.labels") == [(1500, 1500)]


def test_uninitialised_warehouse_is_a_clear_error(tmp_path, monkeypatch):
    from nummus.errors import StoreUnavailable
    from nummus.settings import Settings

    with pytest.raises(StoreUnavailable, match="nummus init"):
        parse_pending(Settings(data_dir=tmp_path / "fresh"), progress=False)


def test_cli(duck_settings):
    from nummus.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["parse", "--text", "KINGS OF MACEDON. Philip II. 359-336 BC. AR Tetradrachm "
                                                 "(24mm, 14.35 g, 1h).", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert (out["period"], out["denomination"], out["authority"], out["weight_g"]) == \
        ("greek", "tetradrachm", "Philip II of Macedon", 14.35)
    assert out["evidence"]["period"] == "KINGS OF MACEDON"

    add_lots(duck_settings, corpus_lots(10))
    res = runner.invoke(app, ["parse", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.strip().splitlines()[-1])["parsed"] == 10

    res = runner.invoke(app, ["bench", "parse", "--seconds", "0.2", "--misses", "0"])
    assert res.exit_code == 0, res.output
    bench = json.loads(res.output)
    old, post = bench["corpora"]["parse_corpus.jsonl"], bench["corpora"]["parse_corpus_postclassical.jsonl"]
    assert old["all"]["lots"] == len(CORPUS)
    assert set(old["by_split"]) == set(post["by_split"]) == {"dev", "holdout"}
    assert post["all"]["date_stated"] == post["all"]["lots"]
    assert bench["speed"]["lots"] >= old["all"]["lots"] + post["all"]["lots"]
    assert bench["speed"]["lots_per_s_cpu"] > 0
    assert set(old["all"]["confusion"]) >= {"greek", "roman_imperial", "non_coin"}
    assert set(post["all"]["confusion"]) >= {"medieval", "modern"}
