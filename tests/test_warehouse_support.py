"""Helpers for the warehouse tests: small raw fixtures written as ingest, vision and parse write
them; one warehouse filled and built once per test session and copied into each test module's data
folder (a dbt build takes seconds); a copy of the dbt project with one model changed, for the gates
that exist to catch a model that loses or invents coins. Imported by the test_warehouse_* modules
(no tests here)."""

from __future__ import annotations

import shutil
from pathlib import Path

from nummus import warehouse
from nummus.dbt.build import BuildResult, build, run_dbt
from nummus.dbt.gates import GateResult
from nummus.identity import coin_id

N = 20
CROP, PARSER = "c1", "p1"
PERIODS = ["roman_imperial", "greek", "byzantine", "roman_republican"]
CONTRACT = ("coin_id house sale lot lot_url title description estimate_low estimate_high price price_kind currency "
            "closing_date image_sha256 layout obv_key rev_key obv_small_key rev_small_key obv_flags rev_flags "
            "crop_status crop_version period period_conf denomination denomination_conf metal authority dynasty "
            "mint date_from date_to weight_g diameter_mm die_axis_h references grade provenance parser_version "
            "needs_review").split()


def cid(i: int | str) -> int:
    return coin_id("demo", "s1", str(i))


def add_coin(con, store, lot: str, period: str, *, status: str = "ok", cropped: bool = True) -> int:
    """One clean lot: snapshot, photo, crops at CROP (files in the store; none when not
    `cropped`: vision never got to it), labels of PARSER."""
    c = coin_id("demo", "s1", lot)
    con.execute("INSERT INTO raw.lots (coin_id, house, sale, lot, version, title, price, currency, lot_status,"
                " source) VALUES (?, 'demo', 's1', ?, 1, ?, 100, 'EUR', ?, 'scrape')", [c, lot, f"Coin {lot}", status])
    if status == "withdrawn":
        return c
    img = f"raw/demo/s1/{lot}/0.jpg"
    store.put(img, b"jpeg")
    con.execute("INSERT INTO raw.images (coin_id, house, sale, lot, n, sha256, object_key, width, height)"
                " VALUES (?, 'demo', 's1', ?, 0, ?, ?, 800, 400)", [c, lot, f"sha{lot}", img])
    if cropped:
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


_BUILT: dict[str, object] = {}


def built_warehouse(tmp_path_factory) -> tuple[Path, BuildResult]:
    """The data folder of a warehouse filled by `fill_raw` and built by `nummus.dbt.build`, made
    once per test session (DuckDB and the object store only: no PostgreSQL), and that build's result."""
    if "data" not in _BUILT:
        from nummus.objectstore import get_store
        from nummus.settings import Settings

        data = tmp_path_factory.mktemp("warehouse-built") / "data"
        s = Settings(data_dir=data, database_url="postgresql://unused@127.0.0.1:1/none")
        warehouse.init_warehouse(s)
        with warehouse.session(s) as con:
            fill_raw(con, get_store(s))
        _BUILT["result"] = build(s)
        _BUILT["data"] = data
    return _BUILT["data"], _BUILT["result"]


def copy_built_warehouse(settings, tmp_path_factory) -> BuildResult:
    """Replace the warehouse and object store of `settings` (a module's, initialised and empty)
    with copies of the session's built one; returns its build result."""
    data, result = built_warehouse(tmp_path_factory)
    for leftover in (settings.warehouse_path, Path(f"{settings.warehouse_path}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.copytree(data, settings.data_path, dirs_exist_ok=True)
    return result


def query(settings, sql: str, params=None) -> list[tuple]:
    with warehouse.session(settings) as con:
        return con.execute(sql, params or []).fetchall()


def rebuild_coins(settings) -> None:
    r = run_dbt(settings, ["run", "--select", "coins", "coverage"])
    assert not r.failed_models, r.failed_models


def failing(result: GateResult) -> dict[str, list]:
    return {t.name: [row.get("coin_id") for row in t.sample] for t in result.failing}


def project_with(tmp_path: Path, model: str, old: str, new: str) -> Path:
    """A copy of the dbt project with `old` replaced by `new` in models/marts/{model}.sql (the
    change must apply), for running the gates against a model that went wrong."""
    from nummus.resources import dbt_project

    copy = tmp_path / "dbt-project"
    shutil.copytree(dbt_project(), copy, ignore=shutil.ignore_patterns("__pycache__", "*.py", "target", "logs"))
    path = copy / "models" / "marts" / f"{model}.sql"
    text = path.read_text()
    assert old in text, f"{model}.sql no longer contains {old!r}"
    path.write_text(text.replace(old, new))
    return copy


def outcome(result, prefix: str):
    """The one test of a gate or build result whose name starts with `prefix`."""
    found = [t for t in result.tests if t.name.startswith(prefix)]
    assert len(found) == 1, (prefix, [t.name for t in found])
    return found[0]
