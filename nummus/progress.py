"""The progress every long job shows: what it does, a bar, done/total, the rate in the job's
unit, elapsed time and ETA (rich). `job_progress` is the bar; `Reporter` is what a step's
library code reports to (start/advance/stop, outcome counts). Jobs pass `enabled=False` when
called as a library."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second, e.g. `12.3 img/s` (a task's own `unit` field wins over the bar's)."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", self.unit)
        return Text(f"{speed:,.1f} {unit}/s" if speed else f"- {unit}/s", style="progress.data.speed")


def job_progress(unit: str = "items", *extra_columns: ProgressColumn, enabled: bool = True,
                 console: Console | None = None, transient: bool = False) -> Progress:
    """A rich Progress with the standard columns (+ `extra_columns`); use it as a context manager
    and `add_task(description, total=N)`. It draws on stderr unless given a console: stdout carries
    the command's answer (`--json` output stays parseable)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(unit),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), *extra_columns,
                    console=console or Console(stderr=True), disable=not enabled, transient=transient)


class Reporter:
    """A long job's progress as a library reports it: `start(label, total)`, `advance(n,
    outcome=…)`, `stop()` (or `with reporter.start(…):`). It counts the outcomes it is given
    (`counts`) and, when enabled, shows job_progress's bar (rate in `unit`, ETA) followed by
    those counts. Library callers pass `enabled=False` (the default of the ingest functions)."""

    def __init__(self, unit: str = "items", *, enabled: bool = True, console: Console | None = None):
        self.counts: Counter[str] = Counter()
        self._progress = job_progress(unit, TextColumn("{task.fields[counts]}"), enabled=enabled, console=console)
        self._task = None

    def start(self, label: str, total: int | None = None) -> "Reporter":
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, counts="")
        return self

    def total(self, total: int | None) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, n: int = 1, *, outcome: str | None = None) -> None:
        if outcome is not None:
            self.counts[outcome] += n
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self._progress.update(self._task, advance=n, counts=counts)

    def stop(self) -> None:
        self._progress.stop()

    def __enter__(self) -> "Reporter":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
