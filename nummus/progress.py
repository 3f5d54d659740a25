"""The progress bar every long job shows: what it does, a bar, done/total, the rate in the
job's unit, elapsed time and ETA (rich). Jobs pass `enabled=False` when called as a library."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second, e.g. `12.3 img/s`."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} {self.unit}/s" if speed else f"- {self.unit}/s", style="progress.data.speed")


def job_progress(unit: str = "items", *extra_columns: ProgressColumn, enabled: bool = True,
                 console: Console | None = None, transient: bool = False) -> Progress:
    """A rich Progress with the standard columns (+ `extra_columns`); use it as a context manager
    and `add_task(description, total=N)`."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(unit),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), *extra_columns,
                    console=console, disable=not enabled, transient=transient)
