"""The build step's commands (the dbt project, nummus.dbt): build, gate, freeze (+ verify, list),
qa-report, and `bench build`.

Thin layer over nummus.dbt.build, .gates, .freeze and .qa_report; dbt and matplotlib are
imported inside the commands. (The DuckDB store itself is nummus.warehouse.)"""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from nummus.cli.base import app, bench_app

# piped output (CI logs, tests) gets wide tables rather than test names folded over lines
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
freeze_app = typer.Typer(help="Immutable snapshots of marts.coins: freeze, verify, list.",
                         invoke_without_command=True)
app.add_typer(freeze_app, name="freeze")


def _vars(crop_version: str | None, parser_version: str | None) -> dict | None:
    found = {k: v for k, v in (("crop_version", crop_version), ("parser_version", parser_version)) if v}
    return found or None


def _sample_text(sample: list[dict]) -> str:
    """The failing rows' keys (coin_id when the test returns it), else their first values."""
    parts = []
    for row in sample:
        if row.get("coin_id") is not None:
            parts.append(str(row["coin_id"]))
        else:
            parts.append(" ".join(f"{k}={v}" for k, v in list(row.items())[:3] if v is not None))
    return "; ".join(parts)


def print_tests(tests, title: str, only_failing: bool = False) -> None:
    if only_failing and all(t.passed for t in tests):
        return
    table = Table(title=title)
    for col in ("test", "gates", "result", "rows failing", "sample of failing keys"):
        table.add_column(col, overflow="fold")
    for t in tests:
        if only_failing and t.passed:
            continue
        result = ("[green]pass[/]" if t.passed else "[red]ERROR[/]" if t.status == "error" else
                  "[red]skipped[/]" if t.status == "skipped" else "[red]FAIL[/]" if t.gates else "[yellow]warn[/]")
        detail = (t.message or "").splitlines()[1:2] if t.status == "error" else []
        table.add_row(t.name, ",".join(t.gates), result, str(t.failures),
                      " ".join(detail).strip() or _sample_text(t.sample))
    console.print(table)


@app.command()
def build(
    all_gates: bool = typer.Option(False, "--all-gates", help="Also run gate_go, gate_clean, gate_embedded."),
    crop_version: str = typer.Option(None, "--crop-version", help="crop_version for marts.coins (default: newest)."),
    parser_version: str = typer.Option(None, "--parser-version", help="parser_version (default: latest per coin)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List passing tests too."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """dbt build of the warehouse (staging -> marts.coins, coverage) with its tests. Exit 1 on failure."""
    from nummus.dbt.build import build as run_build

    with console.status("dbt build (models and tests)…"):
        r = run_build(all_gates=all_gates, dbt_vars=_vars(crop_version, parser_version))
    if as_json:
        print(json.dumps({"ok": r.ok, "seconds": r.seconds, "models": [m.model_dump() for m in r.models],
                          "tests": [t.model_dump() for t in r.tests]}, default=str, indent=1))
    else:
        models = ", ".join(f"{m.name}" + ("" if m.status == "success" else f" ({m.status})") for m in r.models)
        console.print(f"models: {models}")
        for m in r.failed_models:
            console.print(f"[red]{m.name}[/]: {m.message or m.status}", markup=True)
        print_tests(r.tests, f"{len(r.tests)} tests", only_failing=not verbose)
        console.print(f"{'[green]build ok[/]' if r.ok else '[red]build failed[/]'}: {len(r.models)} models, "
                      f"{len(r.tests)} tests, {len(r.failed_tests)} failing, {len(r.warnings)} warnings "
                      f"({r.seconds:.1f}s)")
    raise typer.Exit(0 if r.ok else 1)


@app.command()
def gate(
    name: str = typer.Argument(..., help="gate_clean | gate_scale | gate_freeze | gate_go | gate_embedded"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Run one phase gate (dbt build --select tag:NAME): pass/fail table, exit 1 on failure."""
    from nummus.dbt.gates import run_gate

    with console.status(f"dbt build --select tag:{name}…"):
        r = run_gate(name)
    if as_json:
        print(json.dumps({"gate": r.name, "passed": r.passed, "seconds": r.seconds,
                          "tests": [t.model_dump() for t in r.tests]}, default=str, indent=1))
    else:
        print_tests(r.tests, f"{name}: {len(r.tests)} tests")
        console.print(f"{name}: {'[green]PASS[/]' if r.passed else '[red]FAIL[/]'} ({r.seconds:.1f}s)")
    raise typer.Exit(0 if r.passed else 1)


@freeze_app.callback()
def freeze(
    ctx: typer.Context,
    version: str = typer.Option(None, "--version", help="vN to write (default: the next free version)."),
) -> None:
    """Freeze marts.coins as frozen.coins_vN (runs gate_freeze first; never overwrites)."""
    if ctx.invoked_subcommand is not None:
        return
    from nummus.dbt.freeze import freeze as run_freeze

    with console.status("gate_freeze, then freezing marts.coins…"):
        m = run_freeze(version=version)
    console.print(f"frozen {m.table}: {m.row_count} coins, coin_id {m.min_coin_id}..{m.max_coin_id}, "
                  f"sha256 {m.content_sha256[:16]}…")
    console.print(f"manifest {m.manifest_key} · parquet {m.parquet_key} · previous {m.previous or '-'}")


@freeze_app.command("verify")
def freeze_verify(version: str = typer.Argument(..., help="vN")) -> None:
    """Recompute the content hash of frozen.coins_vN and its Parquet copy; exit 1 on mismatch."""
    from nummus.dbt.freeze import verify

    r = verify(version)
    table = Table(title=f"freeze {r.version}")
    for col in ("check", "result", "found (rows, min, max, sha256)"):
        table.add_column(col, overflow="fold")
    for c in r.checks:
        table.add_row(c["check"], "[green]ok[/]" if c["ok"] else "[red]MISMATCH[/]", json.dumps(c["found"]))
    console.print(table)
    console.print(f"{r.version}: {'[green]verified[/]' if r.ok else '[red]TAMPERED OR INCOMPLETE[/]'}")
    raise typer.Exit(0 if r.ok else 1)


@freeze_app.command("list")
def freeze_list() -> None:
    """The freezes in the object store, oldest first."""
    from nummus.dbt.freeze import list_freezes

    table = Table("version", "rows", "coin_id range", "sha256", "created", "previous")
    for m in list_freezes():
        table.add_row(m.version, str(m.row_count), f"{m.min_coin_id}..{m.max_coin_id}", m.content_sha256[:16],
                      m.created_at.isoformat(timespec="seconds"), m.previous or "-")
    console.print(table)


@app.command("qa-report")
def qa_report() -> None:
    """Write the QA report (HTML with plots + JSON) to the object store; gate_go checks it."""
    from nummus.dbt.qa_report import write_report

    with console.status("QA report…"):
        path = write_report()
    console.print(f"QA report: {path}")


@bench_app.command("build")
def bench_build(
    coins: int = typer.Option(100_000, "--coins", min=10, help="Synthetic coins to build."),
    vectors: bool = typer.Option(True, "--vectors/--no-vectors",
                                 help="Also fill a PostgreSQL index (16-dim halfvec) and time every gate."),
    keep: str = typer.Option(None, "--keep", help="Work in this folder and keep it (default: a temp folder)."),
) -> None:
    """Wall time of `nummus build` (models + tests, gate_scale and gate_freeze included) on synthetic
    raw rows; with --vectors also QA report, freeze, and gate_go / gate_clean / gate_embedded."""
    import tempfile
    from pathlib import Path

    from nummus import postgres
    from nummus.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(keep or tmp)
        # embedded PostgreSQL in the bench folder when vectors are wanted; none otherwise
        settings = Settings(data_dir=root / "data", database_url=None if vectors else "postgresql://unused/none",
                            duckdb_path=None, object_store_url=None)
        try:
            out = _bench(settings, coins, vectors)
        finally:
            if vectors:
                postgres.stop_embedded(settings)
    print(json.dumps(out, indent=1))


def _timed(out: dict, name: str, fn):
    import time

    t0 = time.perf_counter()
    value = fn()
    out[f"{name}_s"] = round(time.perf_counter() - t0, 2)
    return value


def _bench(settings, coins: int, vectors: bool) -> dict:
    from nummus import stores, warehouse
    from nummus.dbt.build import build as run_build
    from nummus.dbt.build import refresh_object_listing
    from nummus.dbt.freeze import freeze
    from nummus.dbt.gates import run_gate
    from nummus.dbt.qa_report import write_report

    out: dict = {"bench": "build", "coins": coins}
    if vectors:
        _timed(out, "init_stores", lambda: stores.init(settings))
    else:
        warehouse.init_warehouse(settings)
    with warehouse.session(settings) as con:
        _timed(out, "fill_raw", lambda: _fill_synthetic_raw(con, coins))
    out["objects_listed"] = _timed(out, "listing_refresh", lambda: refresh_object_listing(settings))
    with warehouse.session(settings) as con:   # the crop and photo files are listed, not written
        con.execute("INSERT INTO raw.objects (object_key, bytes) SELECT k, 1000 FROM ("
                    " SELECT unnest([obv_key, rev_key, obv_small_key, rev_small_key]) AS k FROM raw.crops"
                    " UNION SELECT object_key FROM raw.images)")
    first = _timed(out, "build", lambda: run_build(settings, refresh_listing=False))
    second = _timed(out, "rebuild", lambda: run_build(settings, refresh_listing=False))
    out.update(models=len(first.models), tests=len(first.tests), build_ok=first.ok and second.ok,
               build_failing=[t.name for t in first.failed_tests + second.failed_tests])
    gates = {"gate_freeze": _timed(out, "gate_freeze", lambda: run_gate("gate_freeze", settings)).passed}
    if vectors:
        _timed(out, "qa_report", lambda: write_report(settings))
        manifest = _timed(out, "freeze", lambda: freeze(settings))
        _fill_synthetic_vectors(settings, manifest.version)
        for name in ("gate_go", "gate_clean", "gate_embedded"):
            gates[name] = _timed(out, name, lambda: run_gate(name, settings)).passed
    out["gates_passed"] = gates
    return out


def _fill_synthetic_vectors(settings, freeze_version: str) -> None:
    """A dry-run sample, index_v1 (16-dim unit halfvecs for every frozen coin) and 10 round trips."""
    from nummus import postgres, warehouse

    url = postgres.database_url(settings)
    with postgres.connect(url=url) as conn:
        conn.execute("SELECT nummus_create_index(1, 16, 'halfvec')")
        conn.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type)"
                     " VALUES (1, %s, '{\"model\": \"synthetic\"}', 16, 'halfvec')", [freeze_version])
        conn.commit()
    with warehouse.session(settings) as con:
        warehouse.attach_postgres(con, url, read_only=False)
        con.execute(f"INSERT INTO pg.public.coins (coin_id, freeze_id, house, sale, lot, period)"
                    f" SELECT coin_id, '{freeze_version}', house, sale, lot, period FROM frozen.coins_{freeze_version}")
        con.execute("INSERT INTO meta.embed_sample (coin_id, side, vector, encoder_id) SELECT coin_id, 'obv',"
                    " list_transform(range(16), k -> 0.25::FLOAT), '{\"dim\": 16}' FROM marts.coins LIMIT 100")
        con.execute("INSERT INTO meta.embed_roundtrip (index_version, coin_id, cosine)"
                    " SELECT 1, coin_id, 0.99 FROM marts.coins LIMIT 10")
    with postgres.connect(url=url) as conn:
        conn.execute("INSERT INTO index_v1 (coin_id, period, obv, rev, pair) SELECT coin_id, period, v, v, v"
                     " FROM coins, (SELECT array_fill(0.25::real, ARRAY[16])::halfvec(16) AS v) AS u")
        conn.commit()


def _fill_synthetic_raw(con, coins: int) -> None:
    """Synthetic raw rows for the benchmark: lots (10 % with a second snapshot), one photo, crops
    at crop_version c1 (90 % green, 8 % yellow, 2 % red), labels (95 % with a period, 90 % with a
    denomination) and a little quarantine."""
    periods = "['greek','roman_republican','roman_imperial','roman_provincial','byzantine','celtic','islamic','medieval']"
    denoms = "['denarius','antoninianus','aureus','sestertius','as','follis','tetradrachm','drachm','obol','stater']"
    con.execute(f"""
        CREATE TEMP TABLE syn AS
        SELECT i, 1000000 + i AS coin_id, 'house' || (i % 5) AS house, 's' || (i % 50) AS sale, i::VARCHAR AS lot
        FROM range({int(coins)}) t(i);
        INSERT INTO raw.lots (coin_id, house, sale, lot, version, lot_url, title, description, estimate_low,
                              estimate_high, price, price_kind, currency, closing_date, image_urls, source)
        SELECT coin_id, house, sale, lot, v, 'https://example.test/' || lot, 'Coin ' || lot,
               'Synthetic description of lot ' || lot, 100, 200, 50 + i % 500, 'hammer', 'EUR',
               DATE '2024-01-01' + (i % 365)::INTEGER, ['https://example.test/' || lot || '.jpg'], 'import'
        FROM syn, range(1, CASE WHEN i % 10 = 0 THEN 3 ELSE 2 END) r(v);
        INSERT INTO raw.images (coin_id, house, sale, lot, n, url, sha256, object_key, format, width, height, bytes)
        SELECT coin_id, house, sale, lot, 0, 'https://example.test/' || lot || '.jpg', md5(lot) || md5(lot),
               'raw/' || house || '/' || sale || '/' || lot || '/0.jpg', 'jpeg', 1200, 600, 150000 FROM syn;
        INSERT INTO raw.crops (coin_id, crop_version, image_sha256, layout, obv_key, rev_key, obv_small_key,
                               rev_small_key, obv_flags, rev_flags, status, confidence)
        SELECT coin_id, 'c1', md5(lot) || md5(lot), 'pair_horizontal',
               'crops/vc1/' || coin_id || '_obv.jpg', 'crops/vc1/' || coin_id || '_rev.jpg',
               'crops/vc1/' || coin_id || '_obv_224.jpg', 'crops/vc1/' || coin_id || '_rev_224.jpg',
               CASE WHEN i % 13 = 0 THEN ['off_center'] ELSE [] END, [],
               CASE WHEN i % 50 = 0 THEN 'red' WHEN i % 12 = 0 THEN 'yellow' ELSE 'green' END, 0.5 + (i % 50) / 100
        FROM syn;
        INSERT INTO raw.labels (coin_id, parser_version, lot_version, period, period_conf, denomination,
                                denomination_conf, metal, authority, mint, date_from, date_to, weight_g,
                                diameter_mm, die_axis_h, "references", needs_review)
        SELECT coin_id, 'p1', 1, CASE WHEN i % 20 = 7 AND i % 50 <> 0 THEN 'needs_review' ELSE {periods}[1 + i % 8] END,
               (i % 100) / 100, CASE WHEN i % 10 = 3 AND i % 50 <> 0 THEN NULL ELSE {denoms}[1 + i % 10] END,
               (i % 97) / 97, 'AR', 'Ruler ' || (i % 300), 'Mint ' || (i % 40), -300 + i % 700, -290 + i % 700,
               1 + (i % 300) / 10, 10 + i % 25, 1 + i % 12, '[{{"catalogue": "RIC", "number": "1"}}]', false
        FROM syn;
        INSERT INTO raw.quarantine (stage, house, sale, lot, reason, detail)
        SELECT 'vision', house, sale, lot, 'no_coin_found', 'synthetic' FROM syn WHERE i % 500 = 1;
    """)
