"""raw.quarantine has one writer (nummus.quarantine) with one duplicate rule: one row per bad
input and reason. The rule itself, then each step that records bad input: the same bad input
met twice (a rerun, a retry) leaves one row, and the rows go through the one writer."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nummus import quarantine, warehouse
from nummus.errors import NummusError, StoreUnavailable
from nummus.identity import coin_id


@pytest.fixture
def duck(tmp_path, monkeypatch):
    """Settings with a data folder, an initialised DuckDB warehouse and a local object store
    (no PostgreSQL: nothing here touches it)."""
    from nummus.objectstore import _store
    from nummus.settings import get_settings

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(tmp_path / "data"))
    for var in ("NUMMUS_DUCKDB_PATH", "NUMMUS_OBJECT_STORE_URL", "NUMMUS_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    _store.cache_clear()
    s = get_settings()
    warehouse.init_warehouse(s)
    yield s
    get_settings.cache_clear()
    _store.cache_clear()


@pytest.fixture
def written(monkeypatch):
    """The stages of every row that reached raw.quarantine's INSERT through nummus.quarantine."""
    stages: list[str] = []
    real = quarantine._insert

    def spy(con, rows):
        stages.extend(r[1] for r in rows)
        return real(con, rows)

    monkeypatch.setattr(quarantine, "_insert", spy)
    return stages


def rows(settings, stage: str | None = None) -> list[tuple]:
    with warehouse.session(settings, read_only=True) as con:
        return con.execute("SELECT stage, reason, house, sale, lot, coin_id, ref, detail FROM raw.quarantine"
                           " WHERE ? IS NULL OR stage = ? ORDER BY id", [stage, stage]).fetchall()


# -- the rule ---------------------------------------------------------------------------------

def test_one_row_per_input_and_reason(duck):
    assert quarantine.record(duck, "vision", "corrupt_image", "first", coin_id=7, ref="raw/a.jpg") == 1
    assert quarantine.record(duck, "vision", "corrupt_image", "again", coin_id=7, ref="raw/a.jpg") == 0
    assert quarantine.record(duck, "vision", "image_too_small", "other reason", coin_id=7, ref="raw/a.jpg") == 1
    assert quarantine.record(duck, "vision", "corrupt_image", "other object", coin_id=7, ref="raw/b.jpg") == 1
    assert quarantine.record(duck, "parse", "corrupt_image", "other stage", coin_id=7, ref="raw/a.jpg") == 1
    got = rows(duck)
    assert [(r[0], r[1], r[6], r[7]) for r in got] == [
        ("vision", "corrupt_image", "raw/a.jpg", "first"),   # the first time's detail stays
        ("vision", "image_too_small", "raw/a.jpg", "other reason"),
        ("vision", "corrupt_image", "raw/b.jpg", "other object"),
        ("parse", "corrupt_image", "raw/a.jpg", "other stage")]


def test_nulls_are_equal_and_one_call_keeps_the_first(duck):
    e = quarantine.Entry
    added = quarantine.record_many(duck, [e("import", "invalid_row", "one", ref="f.csv:2"),
                                          e("import", "invalid_row", "two", ref="f.csv:2"),
                                          e("import", "invalid_row", "three", ref="f.csv:3")])
    assert added == 2
    assert quarantine.record(duck, "import", "invalid_row", "rerun", ref="f.csv:2") == 0
    assert [r[7] for r in rows(duck)] == ["one", "three"]


def test_in_the_callers_transaction(duck):
    with warehouse.session(duck) as con:
        con.begin()
        quarantine.record(con, "scrape", "http_500", "server error", house="h", sale="s", lot="1")
        con.rollback()
    assert rows(duck) == []


def test_bad_calls_are_errors(duck, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown quarantine stage"):
        quarantine.record(duck, "nowhere", "r", "d")
    missing = duck.model_copy(update={"duckdb_path": tmp_path / "none.duckdb"})
    with pytest.raises(StoreUnavailable, match="no warehouse"):
        quarantine.record(missing, "search", "pdf", "a PDF", ref="x.pdf")
    assert not (tmp_path / "none.duckdb").exists()


# -- every writer -----------------------------------------------------------------------------

def test_import_records_through_the_writer(duck, tmp_path, written):
    from nummus.ingest.importer import import_file

    csv = tmp_path / "lots.csv"
    csv.write_text("house,sale,lot,title,image_path\n"
                   "h,s1,1,Denarius,missing.jpg\n"
                   "h,s1,,no lot number,\n"
                   "h,s1,1,the same lot again,\n")
    first = import_file(csv, settings=duck)
    second = import_file(csv, settings=duck)
    assert first.quarantined == second.quarantined == 3
    got = [r[:2] for r in rows(duck)]
    assert sorted(got) == [("image", "image_not_found"), ("import", "duplicate_key"), ("import", "missing_lot")]
    assert set(written) == {"image", "import"}


def test_vision_records_through_the_writer(duck, written):
    from nummus.ingest.vision.batch import run_vision

    cid = coin_id("h", "s1", "1")
    with warehouse.session(duck) as con:  # a photo row whose object never arrived: retried every run
        con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key) "
                    "VALUES (?, 'h', 's1', '1', 0, ?, 'raw/h/s1/1/0.jpg')", [cid, hashlib.sha256(b"").hexdigest()])
    for _ in range(2):
        assert run_vision(duck, workers=1, progress=False).quarantined == 1
    assert [r[:7] for r in rows(duck)] == [("vision", "missing_object", "h", "s1", "1", cid, "raw/h/s1/1/0.jpg")]
    assert written == ["vision", "vision"]


def test_parse_records_through_the_writer(duck, written, monkeypatch):
    from nummus.ingest.parse import batch

    with warehouse.session(duck) as con:
        con.execute("INSERT INTO raw.lots (coin_id, house, sale, lot, version, title, source) "
                    "VALUES (?, 'h', 's1', '1', 1, 'AR Denarius', 'import')", [coin_id("h", "s1", "1")])

    def broken(*_):
        raise ValueError("boom")

    monkeypatch.setattr(batch, "parse_lot", broken)
    for _ in range(2):  # no label row: the lot is retried, and quarantined once
        assert batch.parse_pending(duck, progress=False).quarantined == 1
    assert [(r[0], r[1], r[4], r[7]) for r in rows(duck)] == [("parse", "parse_error", "1", "ValueError: boom")]
    assert written == ["parse", "parse"]


def test_embed_records_through_the_writer(duck, written):
    from nummus.embed.checkpoint import Chunk
    from nummus.embed.job import _record_skipped

    ids = [coin_id("h", "s1", str(n)) for n in (1, 2)]
    with warehouse.session(duck) as con:
        con.execute("CREATE TABLE marts.coins AS SELECT * FROM (VALUES (?, 'h', 's1', '1'), (?, 'h', 's1', '2'))"
                    " t(coin_id, house, sale, lot)", ids)
    empty = np.zeros((0, 4), np.float32)
    chunk = Chunk(coin_id=np.zeros(0, np.int64), obv=empty, rev=empty, pair=empty, one_side=np.zeros(0, bool),
                  skipped_coin_id=np.array(ids, np.int64), skipped_reason=np.array(["red_crop", "crop_missing"]),
                  skipped_ref=np.array(["crops/1_obv.jpg", ""]))
    assert _record_skipped(duck, chunk, run_name="run-a", table="marts.coins") == 2
    assert _record_skipped(duck, chunk, run_name="run-b", table="marts.coins") == 0
    got = rows(duck)
    assert [(r[1], r[4], r[5]) for r in got] == [("red_crop", "1", ids[0]), ("crop_missing", "2", ids[1])]
    assert "run-a" in got[0][7] and written == ["embed"] * 4


def test_cluster_records_through_the_writer(duck, written):
    from nummus.embed.cluster.run import _quarantine

    for run in (1, 2):
        assert _quarantine(duck, np.array([5, 6]), ["zero_vector", "non_finite_vector"], run, 1, "pair") == 2
    assert [(r[1], r[5], r[6]) for r in rows(duck)] == [("zero_vector", 5, "index_v1.pair"),
                                                        ("non_finite_vector", 6, "index_v1.pair")]
    assert written == ["cluster"] * 4


def test_search_records_bad_input_and_lets_real_errors_through(duck, tmp_path):
    from nummus.app.upload import UploadRejected
    from nummus.cli.search import _refuse

    image = tmp_path / "doc.jpg"
    with pytest.raises(NummusError, match="not a photo") as caught:
        _refuse(duck, image, UploadRejected("pdf", "not a photo"))
    assert "not recorded" not in str(caught.value)
    assert [r[:2] + (r[6],) for r in rows(duck)] == [("search", "pdf", str(image))]
    missing = duck.model_copy(update={"duckdb_path": tmp_path / "none.duckdb"})
    with pytest.raises(NummusError, match="not a photo .*not recorded in raw.quarantine: no warehouse"):
        _refuse(missing, image, UploadRejected("pdf", "not a photo"))
    with warehouse.session(duck) as con:  # a broken warehouse is a real error, not swallowed
        con.execute("DROP TABLE raw.quarantine")
    import duckdb

    with pytest.raises(duckdb.CatalogException):
        _refuse(duck, image, UploadRejected("pdf", "not a photo"))
