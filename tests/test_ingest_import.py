"""`nummus import`: CSV/JSONL/Parquet exports plus a folder of images, same tables and the
same idempotence as scraping; bad rows are quarantined with their reason, once."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from nummus.ingest.importer import import_file, load_mapping
from nummus import warehouse
from nummus.errors import NummusError
from nummus.identity import coin_id

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _jpeg(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def export(tmp_path) -> Path:
    """The auction_data export next to its images folder (one photo missing, one an HTML page)."""
    shutil.copy(FIXTURES / "auction_data.csv", tmp_path / "auction_data.csv")
    images = tmp_path / "images"
    (images / "sub").mkdir(parents=True)
    for name, colour in (("101.jpg", (200, 0, 0)), ("sub/102.jpg", (0, 200, 0)), ("108.jpg", (0, 0, 200)),
                         ("109.jpg", (90, 90, 90))):
        (images / name).write_bytes(_jpeg(colour))
    (images / "106.jpg").write_text("<html><body>403 Forbidden</body></html>")
    return tmp_path / "auction_data.csv"


def _q(settings, sql):
    with warehouse.session(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_mysql_auction_data_export(settings, export, store):
    summary = import_file(export, images_dir=export.parent / "images", settings=settings)
    assert summary.rows == 9 and summary.stored == 6 and summary.images == 4
    lots = _q(settings, "SELECT house, sale, lot, version, price, price_kind, currency, closing_date::VARCHAR, "
                        "source FROM raw.lots ORDER BY lot")
    assert lots == [
        ("Example Auctions", "E12", "101", 1, 1200.0, "current", "EUR", "2023-11-05", "import"),
        ("Example Auctions", "E12", "102", 1, 1200.0, "current", "EUR", "2023-11-05", "import"),
        ("Example Auctions", "E12", "105", 1, 2500.0, "current", "EUR", "2023-11-05", "import"),
        ("Example Auctions", "E12", "106", 1, 900.0, "current", "EUR", "2023-11-05", "import"),
        ("Example Auctions", "E12", "108", 1, None, "unsold", None, "2023-11-05", "import"),
        ("Example Auctions", "E12", "109", 1, 1500.0, "current", "CHF", "2023-11-05", "import"),
    ]
    assert _q(settings, "SELECT coin_id FROM raw.lots WHERE lot = '101'") == \
        [(coin_id("Example Auctions", "E12", "101"),)]
    images = _q(settings, "SELECT lot, n, url, object_key FROM raw.images ORDER BY lot")
    assert images == [("101", 0, "https://old.example/img/101.jpg", "raw/Example_Auctions/E12/101/0.jpg"),
                      ("102", 0, "https://old.example/img/102.jpg", "raw/Example_Auctions/E12/102/0.jpg"),
                      ("108", 0, "https://old.example/img/108.jpg", "raw/Example_Auctions/E12/108/0.jpg"),
                      ("109", 0, "https://old.example/img/109.jpg", "raw/Example_Auctions/E12/109/0.jpg")]
    assert store.get("raw/Example_Auctions/E12/102/0.jpg") == (export.parent / "images/sub/102.jpg").read_bytes()
    quarantine = sorted(_q(settings, "SELECT stage, reason, coalesce(lot, ref) FROM raw.quarantine"))
    assert [(s, r) for s, r, _ in quarantine] == [
        ("image", "html_not_image"), ("image", "image_not_found"),
        ("import", "bad_date"), ("import", "duplicate_key"), ("import", "missing_lot")]
    assert quarantine[3][2] == "101" and quarantine[4][2].endswith("auction_data.csv:4")

    # idempotent: a rerun adds nothing, not even quarantine rows
    again = import_file(export, images_dir=export.parent / "images", settings=settings)
    assert again.stored == 0 and again.unchanged == 6 and again.images == 0
    assert _q(settings, "SELECT count(*) FROM raw.lots") == [(6,)]
    assert _q(settings, "SELECT count(*) FROM raw.quarantine") == [(5,)]

    # a changed row becomes version 2 of that lot only; version 1 stays as it was
    export.write_text(export.read_text().replace("RIC II 570.", "RIC II 571."))
    third = import_file(export, images_dir=export.parent / "images", settings=settings)
    assert third.stored == 1
    rows = _q(settings, "SELECT version, description FROM raw.lots WHERE lot = '102' ORDER BY version")
    assert [v for v, _ in rows] == [1, 2] and "570" in rows[0][1] and "571" in rows[1][1]


def test_jsonl_and_parquet_with_a_mapping(settings, tmp_path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.jpg").write_bytes(_jpeg((10, 20, 30)))
    (tmp_path / "pics" / "b.jpg").write_bytes(_jpeg((30, 20, 10)))
    frame = pd.DataFrame([
        {"LotNo": 1, "Heading": "Solidus", "Text": "Justinian I. AV Solidus.", "Result": "2.400 €",
         "Pictures": "a.jpg;b.jpg", "Auction": "A7"},
        {"LotNo": 2, "Heading": "Follis", "Text": "Justinian I. AE Follis.", "Result": "80", "Pictures": None,
         "Auction": "A7"},
    ])
    mapping = load_mapping(FIXTURES / "mapping.yml", [])
    frame.to_json(tmp_path / "lots.jsonl", orient="records", lines=True)
    frame.to_parquet(tmp_path / "lots.parquet")
    one = import_file(tmp_path / "lots.jsonl", images_dir=tmp_path / "pics", mapping=mapping, house="byz",
                      currency="EUR", settings=settings)
    assert one.stored == 2 and one.images == 2 and one.quarantined == 0
    two = import_file(tmp_path / "lots.parquet", images_dir=tmp_path / "pics", mapping=mapping, house="byz",
                      currency="EUR", settings=settings)
    assert two.stored == 0 and two.unchanged == 2  # the same lots from another format: nothing new
    assert _q(settings, "SELECT lot, price, price_kind, currency, image_urls FROM raw.lots ORDER BY lot") == [
        ("1", 2400.0, "hammer", "EUR", ["a.jpg", "b.jpg"]), ("2", 80.0, "hammer", "EUR", [])]


def test_mapping_errors_are_clear(tmp_path):
    with pytest.raises(NummusError, match="column=field"):
        load_mapping(None, ["lot_number"])
    with pytest.raises(NummusError, match="unknown field"):
        load_mapping(None, ["lot_number=lotnumber"])
    (tmp_path / "m.json").write_text(json.dumps({"no": "lot"}))
    assert load_mapping(tmp_path / "m.json", ["x=title"]) == {"no": "lot", "x": "title"}


def test_import_command(settings, export):
    env = {**os.environ}
    cmd = [sys.executable, "-m", "nummus", "import", str(export), "--images", str(export.parent / "images"),
           "--map", "title=description", "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)                 # the answer alone (the progress bar is on stderr)
    assert summary["stored"] == 6 and summary["reasons"]["missing_lot"] == 1
    assert _q(settings, "SELECT description FROM raw.lots WHERE lot = '101'") == [("Trajan denarius",)]
    bad = subprocess.run(cmd[:5] + ["--map", "nosuchcolumn=title"], capture_output=True, text=True, env=env,
                         timeout=600)
    assert bad.returncode == 2 and "nosuchcolumn" in bad.stderr
