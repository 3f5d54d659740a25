"""The app's PostgreSQL access: an async connection pool as the read-only role `nummus_app`."""

from __future__ import annotations

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from nummus import postgres
from nummus.errors import StoreUnavailable
from nummus.settings import Settings

APP_ROLE = "nummus_app"


def app_database_url(settings: Settings) -> str:
    """NUMMUS_APP_DATABASE_URL, else the settings' database URL with the user switched to the
    read-only role (no password: the embedded server trusts its Unix socket)."""
    if settings.app_database_url:
        return settings.app_database_url
    from sqlalchemy.engine import make_url

    url = make_url(postgres.database_url(settings)).set(username=APP_ROLE, password=None)
    return url.render_as_string(hide_password=False)


def make_pool(url: str, *, min_size: int = 2, max_size: int = 8) -> AsyncConnectionPool:
    """Requests beyond max_size wait in the pool's queue (no limit on waiters, 60 s timeout)."""
    return AsyncConnectionPool(url, min_size=min_size, max_size=max_size, open=False, timeout=60.0,
                               kwargs={"autocommit": True, "row_factory": dict_row,
                                       "options": "-c default_transaction_read_only=on -c statement_timeout=30000"},
                               name="nummus-app")


async def open_pool(pool: AsyncConnectionPool, url: str) -> None:
    try:
        await pool.open(wait=True, timeout=15.0)
    except Exception as exc:  # noqa: BLE001 - PoolTimeout hides the reason; say what to change
        raise StoreUnavailable(f"the app cannot connect to PostgreSQL as {postgres.redact(url)} ({exc}); "
                               "run `nummus init` or set NUMMUS_APP_DATABASE_URL to a read-only role",
                               setting="NUMMUS_APP_DATABASE_URL") from exc
