"""The `nummus` command line: a thin layer over the library API.

Every module in this package registers its commands on `nummus.cli.base.app` (or a sub-app)
when imported; modules import heavy libraries (torch, cv2, dbt) inside the commands so that
`nummus --help` stays fast."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback

from rich.console import Console

from nummus.cli.base import app
from nummus.errors import NummusError

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name not in ("base",):
        importlib.import_module(f"{__name__}.{_mod.name}")

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _debug() -> bool:
    return "--debug" in sys.argv or os.environ.get("NUMMUS_DEBUG", "").lower() in ("1", "true", "yes")


def _lost_connection(exc: BaseException):
    """A PostgreSQL connection lost mid-command (a crashed backend) as one clear line, else None."""
    if type(exc).__module__.split(".")[0] != "psycopg":
        return None
    import psycopg

    if not isinstance(exc, psycopg.OperationalError):
        return None
    from nummus import canary, postgres
    from nummus.settings import get_settings

    s = get_settings()
    return canary.explain_lost_connection(exc, embedded=s.embedded_postgres, log=postgres.server_log(s))


def main() -> None:
    """Entry point: one-line errors (exit 2 for bad settings/input, 1 otherwise), traceback with --debug."""
    try:
        app(prog_name="nummus")
    except NummusError as exc:
        if _debug():
            traceback.print_exc()
        _err.print(f"nummus: error: {exc}", markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        _err.print("nummus: interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        if _debug():
            traceback.print_exc()
        lost = _lost_connection(exc)
        if lost is not None:
            _err.print(f"nummus: error: {lost}", markup=False)
            sys.exit(2)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _err.print(f"nummus: error: {exc.__class__.__name__}: {first} (rerun with --debug for the traceback)",
                   markup=False)
        sys.exit(1)
