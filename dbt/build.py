"""`nummus build`: the dbt project in `dbt/` run in-process on the settings' warehouse.

`build()` refreshes the object-store listing (`raw.objects`, which the file-exists tests read),
then runs `dbt build`: every model, and every test except the gates of later phases
(`gate_go`, `gate_clean`, `gate_embedded`, which need the QA report and the vectors; run them
with `nummus gate NAME`). Tests run with severity `warn` so that one failing gate does not skip
the models after it; pass/fail is decided here from each test's failing-row count.
dbt's target and log folders live under the data folder (`DATA_DIR/dbt/`), never in the repo.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from pydantic import BaseModel, Field

from nummus import objectstore, warehouse
from nummus.errors import NummusError
from nummus.resources import dbt_project
from nummus.settings import Settings, get_settings

GATES = ("gate_clean", "gate_scale", "gate_freeze", "gate_go", "gate_embedded")
# gates of later phases: they need the QA report or the vectors in PostgreSQL
LATER_PHASE_GATES = ("gate_go", "gate_clean", "gate_embedded")
# gates that read PostgreSQL (the `with_postgres` profile target attaches it as `pg`)
POSTGRES_GATES = ("gate_clean", "gate_embedded")
SAMPLE_ROWS = 10


class DbtFailed(NummusError):
    """dbt itself could not run (bad project, unreadable warehouse), as opposed to a failing test."""


class TestOutcome(BaseModel):
    """One dbt test: its gate tags, how many rows failed and a sample of them."""

    name: str
    tags: list[str] = Field(default_factory=list)
    status: str                      # pass | fail | warn | error | skipped
    failures: int = 0
    message: str | None = None
    sample: list[dict] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "pass" and self.failures == 0

    @property
    def gates(self) -> list[str]:
        return [t for t in self.tags if t in GATES]


class ModelOutcome(BaseModel):
    name: str
    status: str                      # success | error | skipped
    message: str | None = None


class BuildResult(BaseModel):
    """What one dbt invocation did: models built, tests run, and whether everything passed."""

    command: list[str]
    started_at: datetime
    seconds: float
    models: list[ModelOutcome] = Field(default_factory=list)
    tests: list[TestOutcome] = Field(default_factory=list)
    objects_listed: int | None = None

    @property
    def failed_models(self) -> list[ModelOutcome]:
        return [m for m in self.models if m.status != "success"]

    @property
    def failed_tests(self) -> list[TestOutcome]:
        """Tests that errored, and gate tests with failing rows (untagged tests only warn)."""
        return [t for t in self.tests if t.status in ("error", "skipped") or (not t.passed and t.gates)]

    @property
    def warnings(self) -> list[TestOutcome]:
        return [t for t in self.tests if not t.passed and not t.gates and t.status not in ("error", "skipped")]

    @property
    def ok(self) -> bool:
        return not self.failed_models and not self.failed_tests


def dbt_dir(settings: Settings):
    return settings.data_path / "dbt"


def refresh_object_listing(settings: Settings) -> int:
    """Replace `raw.objects` with the object store's current listing; returns the object count."""
    import pyarrow as pa

    store = objectstore.get_store(settings)
    keys, sizes = [], []
    for key, size in store.list(""):
        keys.append(key)
        sizes.append(size)
    listing = pa.table({"object_key": pa.array(keys, pa.string()), "bytes": pa.array(sizes, pa.int64())})
    with warehouse.session(settings) as con:
        con.execute("BEGIN")
        con.execute("DELETE FROM raw.objects")
        con.register("listing", listing)
        con.execute("INSERT INTO raw.objects (object_key, bytes) SELECT DISTINCT ON (object_key) object_key, bytes"
                    " FROM listing")
        con.execute("COMMIT")
    return len(keys)


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _status(value) -> str:
    return str(getattr(value, "value", value)).lower()


def _samples(settings: Settings, failing: dict[str, str], pg_dsn: str | None) -> dict[str, list[dict]]:
    """The first failing rows of each failing test (test name -> compiled SQL), as JSON-friendly dicts."""
    if not failing:
        return {}
    out: dict[str, list[dict]] = {}
    with warehouse.session(settings) as con:
        if pg_dsn:
            warehouse.attach_postgres(con, pg_dsn)
        for name, sql in failing.items():
            try:
                rel = con.sql(f"SELECT * FROM ({sql}) AS failing LIMIT {SAMPLE_ROWS}")
                cols, rows = rel.columns, rel.fetchall()
            except Exception:  # noqa: BLE001 - a sample that cannot be read only loses the sample
                continue
            out[name] = [{c: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
                          for c, v in zip(cols, r)} for r in rows]
    return out


def _close_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB connection open in the process after a run; a later
    connection with another configuration (read-only, say) would then be refused."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def run_dbt(settings: Settings, args: list[str], *, with_postgres: bool = False,
            dbt_vars: dict | None = None) -> BuildResult:
    """Run one dbt command (`build`, `test`, ...) in-process on the settings' warehouse."""
    from dbt.cli.main import dbtRunner

    env = {"NUMMUS_DUCKDB_PATH": str(settings.warehouse_path), "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    pg_dsn = None
    if with_postgres:
        from nummus import postgres

        pg_dsn = postgres.database_url(settings)
        env["NUMMUS_PG_EXTENSION"] = str(warehouse.postgres_extension_path())
        env["DBT_ENV_SECRET_NUMMUS_PG_DSN"] = pg_dsn
    work = dbt_dir(settings)
    work.mkdir(parents=True, exist_ok=True)
    command = [*args,
               "--project-dir", str(dbt_project()), "--profiles-dir", str(dbt_project()),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
               "--target", "with_postgres" if with_postgres else "warehouse",
               "--quiet", "--no-use-colors"]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    started_at = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    with _env(env):
        try:
            res = dbtRunner().invoke(command)
        finally:
            _close_dbt_duckdb()
    seconds = time.perf_counter() - t0
    if res.exception is not None or res.result is None or not hasattr(res.result, "results"):
        detail = str(res.exception or "no results").strip().splitlines()
        raise DbtFailed(f"dbt {' '.join(args)} could not run: {detail[0] if detail else 'unknown error'}"
                        f" (log: {work / 'logs' / 'dbt.log'})")
    result = BuildResult(command=["dbt", *args], started_at=started_at, seconds=round(seconds, 2))
    failing_sql: dict[str, str] = {}
    for r in res.result.results:
        node = r.node
        kind = _status(node.resource_type)
        if kind == "model":
            result.models.append(ModelOutcome(name=node.name, status=_status(r.status), message=r.message))
        elif kind in ("test", "unit_test"):
            status = _status(r.status)
            failures = int(r.failures or 0)
            if failures and getattr(node, "compiled_code", None):
                failing_sql[node.name] = node.compiled_code
            result.tests.append(TestOutcome(name=node.name, tags=sorted(node.tags), status=status,
                                            failures=failures, message=r.message if status == "error" else None))
    samples = _samples(settings, failing_sql, pg_dsn)
    for t in result.tests:
        t.sample = samples.get(t.name, [])
    return result


def build(settings: Settings | None = None, *, select: list[str] | None = None,
          exclude: list[str] | None = None, all_gates: bool = False, refresh_listing: bool = True,
          dbt_vars: dict | None = None) -> BuildResult:
    """`dbt build` of the warehouse: models and tests (the later-phase gates unless all_gates).

    dbt_vars: e.g. {"crop_version": "c2", "parser_version": "p1"} (see dbt/dbt_project.yml)."""
    settings = settings or get_settings()
    listed = refresh_object_listing(settings) if refresh_listing else None
    args = ["build"]
    if select:
        args += ["--select", *select]
    excluded = list(exclude or []) + ([] if all_gates else [f"tag:{g}" for g in LATER_PHASE_GATES])
    if excluded:
        args += ["--exclude", *excluded]
    result = run_dbt(settings, args, with_postgres=all_gates, dbt_vars=dbt_vars)
    result.objects_listed = listed
    return result
