"""Helpers for the command-line tests: `nummus(...)` runs the real entry point (`nummus.cli.main`,
what the `nummus` script calls) in this process, with its one-line errors and exit codes, and
returns what it printed. Imported by the other test modules (no tests here)."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def nummus(*args: str) -> CliRun:
    """`nummus ARGS` as the shell runs it (settings from the environment, as the fixtures set it)."""
    from nummus.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["nummus", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return CliRun(code, out.getvalue(), err.getvalue())
